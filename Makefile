# The two commands: `make run` (whole local stack) and `make test` (lint, types, every suite).
# Both install what they need on first use: the venv, npm packages, and Debian's chromium.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP_STAMP := $(VENV)/.deps-stamp
NPM_STAMP := node_modules/.deps-stamp
export AWS_ACCESS_KEY_ID ?= testing
export AWS_SECRET_ACCESS_KEY ?= testing
export AWS_DEFAULT_REGION ?= us-east-1
export AWS_EC2_METADATA_DISABLED := true
export CDK_DISABLE_CLI_TELEMETRY := true
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run stop test lint typecheck unit integration e2e check deps fmt bench clean shifted web web-test web-check web-types coverage

deps: $(PIP_STAMP) $(NPM_STAMP) /usr/bin/chromium /usr/bin/faketime

$(PIP_STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip<26.3"  # chalice 1.34 requires pip<26.3
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The web app (frontend/): TypeScript built by Vite into frontend/dist (what `make run` serves).
web: $(NPM_STAMP)
	npm run --silent build

# Its tests: Vitest, and the API types equal to a fresh generation from the OpenAPI document
# (a backend change the web app has not caught up with fails here). `make lint` runs ESLint
# and `make typecheck` runs tsc --noEmit (strict); web-check is all four.
web-test: $(NPM_STAMP) $(PIP_STAMP)
	npm run --silent test
	PY=$(PY) frontend/scripts/api-types.sh --check

web-check: $(NPM_STAMP) $(PIP_STAMP)
	npm run --silent typecheck
	npm run --silent lint
	$(MAKE) --no-print-directory web-test

# Regenerate frontend/src/api/schema.d.ts after an API change (then fix what tsc reports).
web-types: $(NPM_STAMP) $(PIP_STAMP)
	PY=$(PY) frontend/scripts/api-types.sh

/usr/bin/chromium /usr/bin/faketime:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(notdir $@) >/dev/null

run: deps web
	$(PY) -m infra.local.run

stop:
	$(PY) -m infra.local.stop

lint: $(PIP_STAMP) $(NPM_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	npm run --silent lint

typecheck: $(PIP_STAMP) $(NPM_STAMP)
	$(VENV)/bin/mypy chalicelib cli app.py
	npm run --silent typecheck

fmt: $(PIP_STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

unit: $(PIP_STAMP)
	$(VENV)/bin/pytest tests/unit -q

integration: $(PIP_STAMP)
	$(VENV)/bin/pytest tests/integration -q

e2e: deps web
	$(VENV)/bin/pytest tests/e2e -q

check: lint typecheck

# Every suite runs on both cores: unit + integration as two xdist workers (each with its own
# in-process moto); e2e as two workers, each with its own local stack on free ports, a test
# module at a time (--dist loadfile: a module's fixtures share its worker's stack).
# Unit + integration run with the machine's clock a year ahead (libfaketime): the frozen test
# clock must be the only time the app compares against, and a test that only passes "today"
# fails there. The unit tests also run a year back (cheap); the whole year-back run is
# `make shifted`. Coverage is `make coverage` (it doubled the in-process run's time).
test: deps lint typecheck web-test web
	faketime -f '+365d' $(VENV)/bin/pytest tests/unit tests/integration -q -n 2 -p no:cacheprovider --durations=10
	faketime -f '-365d' $(VENV)/bin/pytest tests/unit -q -n 2 -p no:cacheprovider
	$(VENV)/bin/pytest tests/e2e -q -n 2 --dist loadfile -p no:cacheprovider --durations=10

coverage: deps web
	$(VENV)/bin/pytest tests/unit tests/integration -q -n 2 --cov=chalicelib --cov=cli --cov-report=
	$(VENV)/bin/pytest tests/e2e -q --cov=chalicelib --cov=cli --cov-append --cov-report=term:skip-covered

shifted: deps
	faketime -f '+365d' $(VENV)/bin/pytest tests/unit tests/integration -q -n 2 -p no:cacheprovider
	faketime -f '-365d' $(VENV)/bin/pytest tests/unit tests/integration -q -n 2 -p no:cacheprovider

bench: deps
	$(PY) -m bench.booking

clean:
	rm -rf $(VENV) node_modules frontend/dist tmp/artefacts .pytest_cache .mypy_cache .ruff_cache .coverage

# --- Deployment (issue 15): the CDK app in infra/cdk/, one stack per stage --------------------
# `make synth` writes cdk.out/<stage>.template.json for every stage, offline: fake credentials,
# a placeholder account, no AWS call. `make deploy STAGE=dev` uses the pinned CLI with your real
# credentials (README "Deployment"). WEB_DIST: the built web app. More context: CDK_CONTEXT.
CDK_CLI := npx --yes aws-cdk@2.1148.1
STAGE ?= dev
WEB_DIST ?= frontend/dist
CDK_CONTEXT ?=
CDK_ARGS = $(STAGE) -c stage=$(STAGE) -c web_dist=$(abspath $(WEB_DIST)) $(CDK_CONTEXT)
# The fake credentials exported above must not reach the real CLI (nor block instance roles).
REAL_AWS = env -u AWS_EC2_METADATA_DISABLED $(if $(filter testing,$(AWS_ACCESS_KEY_ID)),-u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN)
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1

.PHONY: synth deploy diff destroy bundle-report

synth: $(PIP_STAMP)
	rm -rf cdk.out
	$(PY) -m infra.cdk.app
	@ls cdk.out/*.template.json

# Zipped size and cold import time of the Lambda bundle `make synth` built.
bundle-report: synth
	$(PY) -m infra.cdk.bundle

deploy: $(PIP_STAMP)
	test -f $(WEB_DIST)/index.html || { echo "build the web app first ($(WEB_DIST))"; exit 1; }
	$(REAL_AWS) $(CDK_CLI) deploy $(CDK_ARGS) --require-approval broadening --outputs-file cdk.out/outputs-$(STAGE).json
	@echo "First administrator: run the SetupTokenCommand output above (cdk.out/outputs-$(STAGE).json)."

diff: $(PIP_STAMP)
	$(REAL_AWS) $(CDK_CLI) diff $(CDK_ARGS)

destroy: $(PIP_STAMP)
	$(REAL_AWS) $(CDK_CLI) destroy $(CDK_ARGS)

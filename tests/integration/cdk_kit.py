"""Synthesise the CDK app once for the whole test run, and read what it wrote.

`python -m infra.cdk.app` runs in a subprocess (the same command `make synth` runs, cdk-nag
included), then cfn-lint checks both templates. The results are kept under .build/cdk-test/
keyed by a digest of every input (app code, infra, requirements, CDK/nag/lint versions), so
the two xdist workers and later runs on an unchanged tree reuse one synthesis; a file lock
makes the second worker wait for the first.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[2]
CACHE = PROJECT / ".build" / "cdk-test"
INPUTS = (
    "app.py",
    ".chalice/config.json",
    "requirements.txt",
    "chalicelib",
    "infra/cdk",
    "infra/local/frontend_server.py",
)
TOOLS = ("aws-cdk-lib", "cdk-nag", "cfn-lint", "chalice")
STAGES = ("dev", "prod")
# cfn-lint's runtime-deprecation rules compare the runtime's end-of-support dates with the
# machine's clock, so the same template passes today and fails under `faketime +365d` (python3.11
# is deprecated on 2027-06-30: a real item for the deployment, tracked in the README, not a
# template defect this suite can fix by date).
CFN_LINT_IGNORED = ("E2531", "E2533", "W2531")


def digest() -> str:
    h = hashlib.sha256()
    h.update(f"ignored={','.join(CFN_LINT_IGNORED)}\n".encode())
    for tool in TOOLS:
        h.update(f"{tool}={importlib.metadata.version(tool)}\n".encode())
    for name in INPUTS:
        root = PROJECT / name
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(PROJECT)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()[:20]


@dataclass(frozen=True)
class Synthesised:
    root: Path

    def template(self, stage: str) -> dict[str, Any]:
        return json.loads((self.root / "cdk.out" / f"{stage}.template.json").read_text())

    def bundle_zip(self, stage: str) -> Path:
        [path] = (self.root / "build" / stage / "chalice.out").glob("*/deployment.zip")
        return path

    def project(self, stage: str) -> Path:
        return self.root / "build" / stage / "app"

    @property
    def nag_report(self) -> dict[str, Any]:
        return json.loads((self.root / "cdk.out" / "validation-report.json").read_text())

    @property
    def cfn_lint(self) -> dict[str, Any]:
        return json.loads((self.root / "cfn-lint.json").read_text())

    @property
    def timings(self) -> dict[str, float]:
        return json.loads((self.root / "timings.json").read_text())


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, check=False, cwd=PROJECT, env=env, capture_output=True, text=True
    )


def _synthesise(root: Path) -> None:
    env = {
        **os.environ,
        "CDK_OUTDIR": str(root / "cdk.out"),
        "RESERVER_CDK_BUILD_DIR": str(root / "build"),
        "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    }
    started = time.monotonic()
    synth = _run([sys.executable, "-m", "infra.cdk.app"], env)
    if synth.returncode:
        raise AssertionError(f"synthesis failed:\n{synth.stdout[-3000:]}\n{synth.stderr[-6000:]}")
    synthesised = time.monotonic()
    templates = [str(root / "cdk.out" / f"{stage}.template.json") for stage in STAGES]
    cfn_lint = str(Path(sys.executable).with_name("cfn-lint"))
    ignored = ["--ignore-checks", *CFN_LINT_IGNORED]
    lint = _run([cfn_lint, "--format", "json", *ignored, "--", *templates], env)
    (root / "cfn-lint.json").write_text(
        json.dumps({"returncode": lint.returncode, "findings": json.loads(lint.stdout or "[]")})
    )
    timings = {"synth_s": synthesised - started, "cfn_lint_s": time.monotonic() - synthesised}
    (root / "timings.json").write_text(json.dumps(timings))
    (root / "complete").touch()


@cache
def synthesised() -> Synthesised:
    CACHE.mkdir(parents=True, exist_ok=True)
    root = CACHE / digest()
    with (CACHE / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "complete").exists():
            for stale in CACHE.iterdir():  # earlier inputs' results: ~100 MB each
                if stale.is_dir() and stale != root:
                    shutil.rmtree(stale)
            _synthesise(root)
    return Synthesised(root)


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def props(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return dict(template["Resources"][logical_id].get("Properties", {}))


def logical_id_of(template: dict[str, Any], kind: str, **match: Any) -> str:
    found = [
        k
        for k, v in resources(template, kind).items()
        if all(v.get("Properties", {}).get(key) == value for key, value in match.items())
    ]
    assert len(found) == 1, (kind, match, found)
    return found[0]

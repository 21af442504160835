"""The Lambda bundle stays lean: under 10 MB zipped, without what the Lambda runtime provides
(boto3, botocore), without dev dependencies, tests, CLI or web app, and it runs on its own."""

from __future__ import annotations

import json
import marshal
import os
import re
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from infra.cdk import bundle
from tests.integration.cdk_kit import PROJECT, synthesised
from tests.integration.lazy_bundle_probe import table as route_table

# The issue says "< 10 MB": decimal megabytes, stricter than 10 MiB.
MAX_ZIPPED_BYTES = 10_000_000
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


def test_the_bytecode_names_its_deployed_path_not_the_build_directory() -> None:
    # Tracebacks in Lambda show /var/task/..., and the zip's size does not depend on where
    # the build ran (a long build path once pushed a fresh clone's zip over the limit).
    bundle_zip = zipfile.ZipFile(synthesised().bundle_zip("dev"))
    for module in ("chalicelib/settings", "pydantic/main"):
        data = bundle_zip.read(f"{module}.pyc")
        code = marshal.loads(data[16:])  # after the .pyc header
        assert code.co_filename == f"/var/task/{module}.py", code.co_filename


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


# The target for the API handler's cold import. Measured as CPU time (user + system)
# of a fresh `python -S` importing `app` from the bundle, minus the same interpreter's start-up:
# CPU time barely moves with the machine's load, where wall time (`-X importtime`) doubles on
# a busy box. `make bundle-report` prints the `-X importtime` wall-clock figure.
COLD_IMPORT_TARGET_MS = 500
# Loaded on first use by the code that needs them, never by a cold import of the API handler.
DEFERRED_MODULES = (
    "jwt",
    "cryptography.x509",
    "aws_lambda_powertools.utilities.batch",
    "aws_lambda_powertools.utilities.idempotency",
    "icalendar",
    "qrcode",
    "png",
    "httpx",
    # issue 15: route families load on their first request (chalicelib/api/lazy_routes.py),
    # and with them the schemas, services, stores and PynamoDB/botocore's clients; boto3
    # (with s3transfer) is imported where a client is built.
    "boto3",
    "s3transfer",
    "pynamodb",
    "botocore.client",
    "chalicelib.api.schemas.reservations",
    "chalicelib.services.reservations.booking",
    "chalicelib.store.reservations.writer",
    "chalicelib.services.pipeline.webhook_dispatch",
    # No pydantic model builds its validator at import (defer_build): that would load
    # pydantic's plugin loader, and with it importlib.metadata and the email package.
    "pydantic.plugin._loader",
    "importlib.metadata",
    "ulid",  # reads its version from package metadata on import
    "chalicelib.store.pagination",  # cryptography's AES-GCM, for list routes only
)


def _bundle_python(code: str) -> list[str]:
    project = synthesised().project("dev")
    paths = [str(project), str(project / "vendor"), str(bundle.runtime_dir(project.parent))]
    return [sys.executable, "-S", "-c", f"import sys; sys.path[0:1] = {paths!r}; {code}"]


def _cpu_ms(command: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return 1000 * (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)


def test_a_cold_import_of_the_api_handler_defers_what_a_request_may_not_need() -> None:
    families = "[f'chalicelib.api.{f}' for f in app.ROUTE_FAMILIES]"
    probe = (
        f"import app; print([m for m in [*{DEFERRED_MODULES!r}, *{families}] if m in sys.modules])"
    )
    result = subprocess.run(_bundle_python(probe), check=True, capture_output=True, text=True)
    assert result.stdout.strip() == "[]"


def _event(method: str, resource: str, path_params: dict[str, str] | None = None) -> dict:
    """An API Gateway proxy event as Lambda hands it to the API handler."""
    path = resource
    for name, value in (path_params or {}).items():
        path = path.replace(f"{{{name}}}", value)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {"Host": "api.example.test"},
        "multiValueHeaders": {"Host": ["api.example.test"]},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": path_params,
        "stageVariables": None,
        "body": None,
        "isBase64Encoded": False,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/api{path}",
            "stage": "api",
            "requestId": "lazy-routes-probe",
            "identity": {"sourceIp": "192.0.2.10"},
        },
    }


def test_the_bundled_app_loads_a_route_family_on_its_first_request_and_answers_the_same(
    tmp_path: Path,
) -> None:
    """The bundle's stand-in routes describe the very API the modules register (what
    `chalice package` turns into API Gateway), hand path parameters through, load only the
    family asked for, and /openapi.json still documents every route."""
    import app as app_module
    from chalicelib.api.openapi import build_document

    eager_app = app_module.app

    events = [
        _event("GET", "/api/v1/reservations/my"),
        _event("GET", "/api/v1/reservations/{reservation_id}", {"reservation_id": "01ABC"}),
        _event("GET", "/openapi.json"),
    ]
    (tmp_path / "events.json").write_text(json.dumps(events))
    project = synthesised().project("dev")
    command = [
        sys.executable,
        "-S",
        str(Path(__file__).with_name("lazy_bundle_probe.py")),
        str(project),
        str(project / "vendor"),
        str(bundle.runtime_dir(project.parent)),
        str(tmp_path / "events.json"),
    ]
    # Rate limits off: the probe has no DynamoDB (and the limiter fails open anyway).
    env = {**os.environ, "RATE_LIMIT_ENABLED": "false", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    result = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    report = json.loads(result.stdout)

    eager_table = route_table(eager_app)
    assert report["before"] == eager_table
    assert report["after"] == eager_table
    mine, one, document = report["answers"]
    assert mine["status"] == one["status"] == 401
    assert json.loads(one["body"])["error"]["code"] == "not_authenticated"
    assert mine["loaded"] == one["loaded"] == ["chalicelib.api.reservations"]
    assert document["status"] == 200
    assert json.loads(document["body"]) == build_document()
    assert len(document["loaded"]) == len(app_module.ROUTE_FAMILIES)


def test_a_cold_import_of_the_api_handler_takes_under_500_ms_of_cpu() -> None:
    runs = 5
    imports = sorted(_cpu_ms(_bundle_python("import app")) for _ in range(runs))
    bare = sorted(_cpu_ms(_bundle_python("pass")) for _ in range(runs))
    median = imports[runs // 2] - bare[runs // 2]
    assert median < COLD_IMPORT_TARGET_MS, f"{median:.0f} ms (runs {imports}, start-up {bare})"

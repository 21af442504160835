"""The Lambda bundle's source: our code plus third-party packages built for the Lambda runtime.

Chalice's own packager runs `pip download -r requirements.txt`, which would pull botocore in
through pynamodb (DESIGN.md trap 8: 19 MB instead of ~2 MB) and needs the network on every
synth. Instead the staged project has an empty requirements.txt and a `vendor/` directory that
Chalice copies into the zip as is: the runtime requirements installed once for
manylinux2014_x86_64 / CPython 3.11, minus what the Lambda runtime already provides (boto3,
botocore, s3transfer) and minus Chalice itself (its packager adds the one runtime module it
needs). The vendor directory is cached by the hash of requirements.txt, so synthesis is
offline once it exists. Only `app.py`, `chalicelib/` and `.chalice/config.json` are staged:
no tests, no CLI, no web app.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from infra.cdk.stages import PROJECT_DIR

PLATFORM = ("--platform", "manylinux2014_x86_64", "--implementation", "cp")
PYTHON_VERSION = "3.11"
# Bump to rebuild cached vendor directories after changing what is pruned.
VENDOR_RECIPE = "5"
# Provided by the Lambda Python runtime, or (chalice) added by Chalice's packager itself.
EXCLUDED = frozenset({"boto3", "botocore", "s3transfer", "chalice"})
CACHE_DIR = PROJECT_DIR / ".cache" / "lambda-vendor"
# Parts of the vendored packages the app never imports, dropped to keep the zip under 10 MB.
# tests/unit/test_lambda_bundle.py imports every module the app imports (top level and lazy)
# from the bundle alone, so pruning something in use fails the suite, not a cold start.
PRUNED = (
    "aws_lambda_powertools/event_handler",
    "aws_lambda_powertools/utilities/auth_alpha",
    "aws_lambda_powertools/utilities/circuit_breaker",
    "aws_lambda_powertools/utilities/data_masking",
    "aws_lambda_powertools/utilities/feature_flags",
    "aws_lambda_powertools/utilities/kafka",
    "aws_lambda_powertools/utilities/parameters",
    "aws_lambda_powertools/utilities/streaming",
    "aws_lambda_powertools/utilities/validation",
    "pydantic/v1",
)
# dateutil's own copy of the tz database: the app reads zones through zoneinfo + tzdata.
PRUNED_GLOBS = ("*/tests", "*/test", "**/*.pyi", "dateutil/zoneinfo/*.tar.gz")
# Dropped while staging (so the cached vendor directory needs no rebuild, hence no network):
# cffi's Python package and its C parser only build bindings (argon2's compiled module needs
# `_cffi_backend` alone), pydantic's mypy plugin and experimental API are never imported, and
# the wheels' SBOM files are build provenance nobody reads at run time.
STAGE_PRUNED: tuple[str, ...] = ("cffi", "pycparser", "pydantic/mypy.py", "pydantic/experimental")
STAGE_PRUNED_GLOBS = ("*.dist-info/sboms",)
# oauthlib (OAuth2 code flow, issue 14): only the server side of RFC 6749 ships. Three package
# `__init__`s only re-export everything (client classes, every grant, the device flow, OpenID
# Connect, pre-configured servers), so they ship empty and what they alone pulled in goes:
# oauthlib costs ~85 KB zipped instead of ~118 KB. Our code imports the modules it uses by
# their full names (chalicelib/services/accounts/oauth_*.py); the bundle probe proves it.
STAGE_PRUNED += (
    "oauthlib/oauth1",
    "oauthlib/openid",
    "oauthlib/oauth2/rfc8628",
    "oauthlib/oauth2/rfc6749/clients",
    "oauthlib/oauth2/rfc6749/endpoints/metadata.py",
    "oauthlib/oauth2/rfc6749/endpoints/pre_configured.py",
    "oauthlib/oauth2/rfc6749/endpoints/resource.py",
    "oauthlib/oauth2/rfc6749/grant_types/client_credentials.py",
    "oauthlib/oauth2/rfc6749/grant_types/implicit.py",
    "oauthlib/oauth2/rfc6749/grant_types/resource_owner_password_credentials.py",
)
STAGE_EMPTIED = (
    "oauthlib/oauth2/__init__.py",
    "oauthlib/oauth2/rfc6749/endpoints/__init__.py",
    "oauthlib/oauth2/rfc6749/grant_types/__init__.py",
)
# Never imported on Lambda (other platforms, opt-in TLS backends, build and console scripts):
# room for the above (issue 14, oauth14).
STAGE_PRUNED += (
    "urllib3/contrib/emscripten",
    "urllib3/contrib/pyopenssl.py",
    "dateutil/tz/win.py",
    "qrcode/console_scripts.py",
    "ulid/__main__.py",
    "_argon2_cffi_bindings/_ffi_build.py",
    # session 12 (~6 KB for the new code): urllib3's SOCKS proxies and its opt-in HTTP/2
    # connection (only `http2.inject_into_urllib3()` imports it), command-line entry points.
    "urllib3/contrib/socks.py",
    "urllib3/http2/connection.py",
    "icalendar/cli.py",
    "argon2/__main__.py",
)
# tzdata's text sources and tables (the compiled zone files and the `zones` list that
# zoneinfo.available_timezones() reads stay): ~50 KB zipped.
STAGE_PRUNED += tuple(
    f"tzdata/zoneinfo/{name}"
    for name in (
        "tzdata.zi",
        "zone.tab",
        "zone1970.tab",
        "zonenow.tab",
        "iso3166.tab",
        "leapseconds",
    )
)
LAMBDA_TASK_ROOT = "/var/task"  # where Lambda unpacks the deployment package
_DIST_INFO_DROPPED = ("RECORD", "INSTALLER", "REQUESTED", "WHEEL", "direct_url.json")
_APP_FILES = ("app.py", "chalicelib", ".chalice/config.json")
_PROBE = Path(__file__).with_name("bundle_probe.py")


def runtime_requirements(requirements: Path = PROJECT_DIR / "requirements.txt") -> list[str]:
    """The pinned runtime requirements, without the ones the Lambda runtime provides."""
    lines = [line.split("#")[0].strip() for line in requirements.read_text().splitlines()]
    return [line for line in lines if line and _project(line) not in EXCLUDED]


def _project(requirement: str) -> str:
    for sep in ("==", ">=", "<=", "~=", "[", ";", " "):
        requirement = requirement.split(sep, maxsplit=1)[0]
    return requirement.strip().lower().replace("_", "-")


def vendor_dir(cache: Path = CACHE_DIR) -> Path:
    """The cached vendor directory for the current requirements, built on first use."""
    pins = runtime_requirements()
    digest = hashlib.sha256(
        "\n".join([*pins, *PLATFORM, PYTHON_VERSION, VENDOR_RECIPE]).encode()
    ).hexdigest()
    target = cache / digest[:16]
    if not (target / ".complete").exists():
        _build_vendor(pins, target)
    return target


def _build_vendor(pins: list[str], target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target)]
    command += [*PLATFORM, "--python-version", PYTHON_VERSION, "--only-binary=:all:", *pins]
    subprocess.run(command, check=True)
    # Dependencies of our pins that the runtime provides (pynamodb -> botocore) come back in.
    doomed = [p for p in target.iterdir() if _project(p.name.split("-")[0]) in EXCLUDED]
    # pip compiled every module; stage_project compiles only what a cold start imports.
    doomed += [target / "bin", *target.rglob("__pycache__"), *(target / p for p in PRUNED)]
    doomed += [p for pattern in PRUNED_GLOBS for p in target.glob(pattern)]
    # Install bookkeeping nobody reads at run time (METADATA and licences stay).
    doomed += [p for name in _DIST_INFO_DROPPED for p in target.glob(f"*.dist-info/{name}")]
    for path in doomed:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    _strip_binaries(target)
    (target / ".complete").touch()


def _strip_binaries(target: Path) -> None:
    """Drop debug symbols from extension modules shipped unstripped (cryptography's Rust
    library): `--strip-unneeded` keeps the dynamic symbols the interpreter links against."""
    strip = shutil.which("strip")
    if strip is None:
        return
    for library in target.rglob("*.so"):
        subprocess.run([strip, "--strip-unneeded", str(library)], check=True)


def stage_project(build_dir: Path, vendor: Path) -> Path:
    """A fresh Chalice project dir with only what the functions run."""
    shutil.rmtree(build_dir, ignore_errors=True)
    (build_dir / ".chalice").mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in _APP_FILES:
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, build_dir / name, ignore=ignore)
        else:
            shutil.copy2(source, build_dir / name)
    (build_dir / "requirements.txt").write_text("")
    # A copy: precompile() replaces the vendored sources it compiles.
    target = build_dir / "vendor"
    shutil.copytree(vendor, target, ignore=shutil.ignore_patterns(".complete", "__pycache__"))
    doomed = [target / p for p in STAGE_PRUNED]
    doomed += [p for pattern in STAGE_PRUNED_GLOBS for p in target.glob(pattern)]
    for path in doomed:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    for name in STAGE_EMPTIED:
        if (target / name).exists():
            (target / name).write_text('"""Emptied by infra/cdk/bundle.py (STAGE_EMPTIED)."""\n')
    write_route_manifest(build_dir)
    precompile(build_dir)
    return build_dir


def write_route_manifest(project: Path) -> Path:
    """The API handler's route table, so the bundled app imports each route family on its
    first request instead of all of them on a cold start (chalicelib/api/lazy_routes.py).
    Written by the staged app itself, imported from the bundle alone."""
    from chalicelib.api import lazy_routes

    target = project / lazy_routes.MANIFEST.relative_to(PROJECT_DIR)
    paths = [str(project), str(project / "vendor"), str(runtime_dir(project.parent))]
    code = (
        f"import sys; sys.path[0:1] = {paths!r}; import app; "
        "from chalicelib.api import lazy_routes; "
        f"lazy_routes.write_manifest(app.app, {str(target)!r})"
    )
    subprocess.run([sys.executable, "-S", "-c", code], check=True, stdout=subprocess.DEVNULL)
    return target


def runtime_dir(build_root: Path) -> Path:
    """What the Lambda Python runtime provides (linked from this interpreter's packages), plus
    the two Chalice modules Chalice's packager adds to every zip."""
    target = build_root / "lambda-runtime"
    (target / "chalice").mkdir(parents=True, exist_ok=True)
    for name in ("boto3", "botocore", "s3transfer"):
        link = target / name
        if not link.exists():
            module = importlib.import_module(name)
            link.symlink_to(Path(str(module.__file__)).parent, target_is_directory=True)
    chalice = Path(str(importlib.import_module("chalice").__file__)).parent
    for name in ("__init__.py", "app.py"):
        shutil.copy2(chalice / name, target / "chalice" / name)
    return target


def recompress(zip_path: Path) -> int:
    """Rewrite a zip at zlib's highest level, entries and their attributes unchanged; returns
    the bytes saved. Chalice's packager deflates at the default level (6); level 9 saves
    ~70 KB of the 10 MB budget for the price of a second or two at synth time."""
    before = zip_path.stat().st_size
    tmp = zip_path.with_suffix(".zip.tmp")
    with zipfile.ZipFile(zip_path) as source, zipfile.ZipFile(tmp, "w") as target:
        for info in source.infolist():
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.external_attr, copy.create_system = info.external_attr, info.create_system
            copy.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(copy, source.read(info), compresslevel=9)
    tmp.replace(zip_path)
    return before - zip_path.stat().st_size


def probe(project: Path) -> list[Path]:
    """Import the bundle alone (no site-packages): the source files a cold start loads."""
    runtime = runtime_dir(project.parent)
    command = [sys.executable, "-S", str(_PROBE), str(project), str(runtime)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return [Path(name) for name in json.loads(output)]


def precompile(project: Path) -> int:
    """Ship bytecode, and only bytecode, for what a cold start imports.

    /var/task is read-only, so Lambda would otherwise compile those modules on every cold
    start (measured here: 2.5-3x the import time). Sourceless `.pyc` files replace the `.py`
    they come from, which keeps the zip under 10 MB; tracebacks keep file names and line
    numbers (the source is the commit that was deployed). Modules lose their docstrings
    (asserts kept), except ours that feed the OpenAPI document: the routes and schemas under
    `chalicelib/api/` and any module defining a pydantic model.
    Modules no cold start imports stay source-only; `app.py` stays as it is.
    """
    ours, vendor = project.resolve() / "chalicelib", (project / "vendor").resolve()
    # Stripped before the probe, so the probe imports the very files that ship.
    for path in vendor.rglob("*.py"):
        _strip_source(path)
    for metadata in vendor.glob("*.dist-info/METADATA"):
        _keep_headers(metadata)
    count = 0
    for path in probe(project):
        if path.is_relative_to(vendor) or path.is_relative_to(ours):
            root = vendor if path.is_relative_to(vendor) else project.resolve()
            shipped_as = f"{LAMBDA_TASK_ROOT}/{path.relative_to(root).as_posix()}"
            _compile_sourceless(path, shipped_as, docstrings=_feeds_openapi(path, ours))
            count += 1
    return count


def _strip_source(path: Path) -> None:
    """Vendored source without docstrings and comments (the zip's size): what a cold start
    imports becomes bytecode next, the rest (imported lazily, or never) ships like this."""
    tree = ast.parse(path.read_bytes(), filename=str(path))
    _drop_docstrings(tree)
    path.write_text(ast.unparse(tree) + "\n", encoding="utf-8")


def _keep_headers(metadata: Path) -> None:
    """`importlib.metadata.version()` reads the headers; the long description (pydantic's is
    its whole changelog) is for package indexes. Licence files stay in the dist-info."""
    headers = metadata.read_text(encoding="utf-8").split("\n\n", maxsplit=1)[0]
    metadata.write_text(headers + "\n", encoding="utf-8")


def _feeds_openapi(path: Path, ours: Path) -> bool:
    """Views', models' and enums' docstrings become OpenAPI descriptions (and `__doc__` is
    read): the bundle's /openapi.json is the one `make web-types` generates."""
    if not path.is_relative_to(ours):
        return False
    source = path.read_bytes()
    return path.is_relative_to(ours / "api") or b"BaseModel" in source or b"Enum)" in source


def _compile_sourceless(path: Path, shipped_as: str, *, docstrings: bool) -> None:
    """Replace `x.py` by `x.pyc`, which Python loads without looking for a source. The code
    is named by where Lambda runs it (`shipped_as`, under /var/task), not by the build
    directory: tracebacks show the deployed path, and every `.pyc` is the same whatever
    directory the build ran in (a longer build path made each file bigger: a fresh clone in
    a temporary directory built a zip 10 KB larger than the same commit elsewhere)."""
    source = path.read_bytes()
    tree = ast.parse(source, filename=str(path))
    if not docstrings:
        _drop_docstrings(tree)
    code = compile(tree, shipped_as, "exec", dont_inherit=True)
    data = importlib._bootstrap_external._code_to_hash_pyc(  # type: ignore[attr-defined]
        code, importlib.util.source_hash(source), False
    )
    path.with_suffix(".pyc").write_bytes(data)
    path.unlink()


def _drop_docstrings(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and _is_docstring(body[0]):
                body[0:1] = [] if len(body) > 1 else [ast.copy_location(ast.Pass(), body[0])]


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def cold_import_ms(project: Path) -> float:
    """`python -X importtime` of the API handler module from the bundle alone, in ms."""
    paths = [str(project), str(project / "vendor"), str(runtime_dir(project.parent))]
    code = f"import sys; sys.path[0:1] = {paths!r}; import app"
    result = subprocess.run(
        [sys.executable, "-S", "-X", "importtime", "-c", code],
        check=True,
        capture_output=True,
        text=True,
    )
    line = next(ln for ln in reversed(result.stderr.splitlines()) if ln.endswith("| app"))
    return int(line.split("|")[1]) / 1000


def report(build_dir: Path, runs: int = 5) -> str:
    """The figures for the closing note: zipped size and cold import time of `make synth`'s
    dev bundle (median of `runs` fresh interpreters; the machine's load shows in it)."""
    [zipped] = (build_dir / "dev" / "chalice.out").glob("*/deployment.zip")
    times = sorted(cold_import_ms(build_dir / "dev" / "app") for _ in range(runs))
    return (
        f"bundle {zipped.stat().st_size / 1e6:.2f} MB zipped ({zipped})\n"
        f"cold import of app from the bundle: median {times[runs // 2]:.0f} ms, "
        f"min {times[0]:.0f} ms over {runs} runs"
    )


if __name__ == "__main__":
    print(report(PROJECT_DIR / ".build" / "cdk"))

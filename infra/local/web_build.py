"""The web app is TypeScript built by Vite into `frontend/dist`; the stack serves that folder.

`ensure_built` runs `npm run build` when the build is missing or older than a source file, so
`make run`, the e2e suites and a bare `pytest tests/e2e/...` all serve what the sources say.
Without npm (the Docker route's python image) an existing build is served as it is.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

# The lockfile too: a new library version must be bundled.
SOURCES = ("src", "index.html", "vite.config.ts", "../package-lock.json")


class WebBuildError(RuntimeError):
    pass


def dist_of(frontend_dir: Path) -> Path:
    return frontend_dir / "dist"


def _newest_source(frontend_dir: Path) -> float:
    newest = 0.0
    for name in SOURCES:
        path = frontend_dir / name
        files = path.rglob("*") if path.is_dir() else [path]
        newest = max([newest, *(f.stat().st_mtime for f in files if f.is_file())])
    return newest


def is_stale(frontend_dir: Path) -> bool:
    index = dist_of(frontend_dir) / "index.html"
    return not index.exists() or index.stat().st_mtime < _newest_source(frontend_dir)


def ensure_built(frontend_dir: Path, project_dir: Path) -> Path:
    """The folder to serve, built first when needed."""
    dist = dist_of(frontend_dir)
    if not is_stale(frontend_dir):
        return dist
    npm = shutil.which("npm")
    if npm is None:
        if (dist / "index.html").exists():
            return dist
        raise WebBuildError("the web app is not built and npm is missing: run `make deps web`")
    result = subprocess.run(
        [npm, "run", "--silent", "build"],
        cwd=project_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise WebBuildError(
            f"npm run build failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    return dist

"""The local stack rebuilds the web app only when a source is newer than the build."""

from __future__ import annotations

import os
from pathlib import Path

from infra.local import web_build


def _site(root: Path) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "src" / "main.ts").write_text("export {};")
    (root / "index.html").write_text("<html></html>")
    return root


def test_a_missing_build_is_stale(tmp_path: Path) -> None:
    # Given sources and no dist/
    frontend = _site(tmp_path)
    # Then the build is stale
    assert web_build.is_stale(frontend)


def test_a_build_newer_than_every_source_is_fresh_until_a_source_changes(tmp_path: Path) -> None:
    # Given a build made after the sources
    frontend = _site(tmp_path)
    (frontend / "dist").mkdir()
    index = frontend / "dist" / "index.html"
    index.write_text("<html></html>")
    os.utime(index, (2_000_000_000, 2_000_000_000))
    assert not web_build.is_stale(frontend)
    # When a source is edited later
    os.utime(frontend / "src" / "main.ts", (2_000_000_100, 2_000_000_100))
    # Then the build is stale again
    assert web_build.is_stale(frontend)

"""Import the staged Lambda bundle on its own, as the Lambda runtime would, and list what loaded.

Run by `infra/cdk/bundle.py` in a separate interpreter started with `-S` (no site-packages):
    python -S infra/cdk/bundle_probe.py <project_dir> <runtime_dir>
`runtime_dir` holds only what the Lambda Python runtime provides (boto3, botocore,
s3transfer). Every module of chalicelib is imported, plus every third-party module the code
imports lazily inside functions, so a package missing from (or pruned out of) the bundle
fails here rather than on a cold start. Prints JSON: the files loaded from the bundle.
"""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import sys
from pathlib import Path


class _Imports(ast.NodeVisitor):
    """Absolute imports anywhere in a module, except under `if TYPE_CHECKING:`."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.names.update(alias.name for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and not node.level:
            self.names.add(node.module)


def lazy_imports(root: Path) -> set[str]:
    visitor = _Imports()
    for path in root.rglob("*.py"):
        visitor.visit(ast.parse(path.read_text()))
    return visitor.names


def main(project: Path, runtime: Path) -> None:
    # Replaces the script's own directory (infra/cdk has an app.py of its own).
    sys.path[0:1] = [str(project), str(project / "vendor"), str(runtime)]
    importlib.import_module("app")
    package = importlib.import_module("chalicelib")
    for info in pkgutil.walk_packages(package.__path__, "chalicelib."):
        importlib.import_module(info.name)
    for name in sorted(lazy_imports(project / "chalicelib")):
        if not name.startswith("chalicelib"):
            importlib.import_module(name)
    files = (getattr(module, "__file__", None) for module in list(sys.modules.values()))
    loaded = sorted(str(Path(f).resolve()) for f in files if f and f.endswith(".py"))
    json.dump(loaded, sys.stdout)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))

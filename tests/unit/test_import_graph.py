"""The layering of chalicelib, checked on the source (issue 8, part 4): no import cycles
between modules, the routes and WebSocket handlers reach storage and AWS only through the
composition root, and the pure domain imports nothing with I/O."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "chalicelib"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, *, everywhere: bool) -> set[str]:
    """chalicelib modules `path` imports: at module level (`everywhere=False`, skipping
    TYPE_CHECKING blocks), or anywhere in the file."""
    tree = ast.parse(path.read_text())
    nodes = list(ast.walk(tree)) if everywhere else _module_level(tree.body)
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("chalicelib"):
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("chalicelib"))
    return found


def _module_level(body: list[ast.stmt]) -> list[ast.stmt]:
    kept: list[ast.stmt] = []
    for statement in body:
        if isinstance(statement, ast.If) and "TYPE_CHECKING" in ast.unparse(statement.test):
            continue
        kept.append(statement)
    return kept


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def graph() -> dict[str, set[str]]:
    return {
        name: {m for m in imports(path, everywhere=False) if m in MODULES and m != name}
        for name, path in MODULES.items()
    }


def find_cycle(edges: dict[str, set[str]]) -> list[str]:
    """One cycle, if any (depth-first search with colours)."""
    colour: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        colour[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if colour.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if colour.get(nxt) is None and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        colour[node] = 2
        return []

    for node in sorted(edges):
        if colour.get(node) is None and (cycle := visit(node)):
            return cycle
    return []


def test_no_module_level_import_cycle() -> None:
    # A package __init__ that re-exports its modules is not a cycle with them.
    edges = {
        name: {m for m in deps if not name.startswith(m + ".")} for name, deps in graph().items()
    }
    assert find_cycle(edges) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_routes_and_websocket_handlers_reach_storage_only_through_the_wiring() -> None:
    offenders = sorted(
        f"{name} -> {target}"
        for name, path in MODULES.items()
        if name.startswith(("chalicelib.api", "chalicelib.ws"))
        for target in imports(path, everywhere=True)
        if target.startswith(("chalicelib.store", "chalicelib.integrations"))
    )
    assert offenders == []


def test_the_domain_imports_no_storage_service_or_aws_code() -> None:
    offenders = sorted(
        f"{name} -> {target}"
        for name, path in MODULES.items()
        if name.startswith("chalicelib.domain")
        for target in imports(path, everywhere=True)
        if target.startswith(
            ("chalicelib.store", "chalicelib.services", "chalicelib.integrations", "chalicelib.api")
        )
    )
    assert offenders == []


def test_only_the_entry_points_use_the_composition_root() -> None:
    # Services, stores, integrations and the domain get their collaborators through their
    # constructors; a lazy `from chalicelib import wiring` in one of them is a hidden cycle.
    entry_points = ("chalicelib.api", "chalicelib.ws", "chalicelib.workers", "chalicelib.wiring")
    offenders = sorted(
        name
        for name, path in MODULES.items()
        if not name.startswith(entry_points)
        and any(m.startswith("chalicelib.wiring") for m in imports(path, everywhere=True))
    )
    assert offenders == []

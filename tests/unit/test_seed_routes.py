"""docs/seed-routes.md lists every route of the product we replace with ours next to it; each
route it names as ours (or as `same`) must be one the app serves, and every route we do not
have must say why."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "seed-routes.md"
ROW = re.compile(r"^\| `(?P<seed>[A-Z]+ [^`]+)` \| (?P<ours>[^|]+?) \|(?P<note>[^|]*)\|$")
ROUTE = re.compile(r"^`(GET|POST|PUT|PATCH|DELETE) (/[^`]*)`$")


def served() -> set[tuple[str, str]]:
    from app import app

    return {(method, normal(path)) for path, entries in app.routes.items() for method in entries}


def normal(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path).rstrip("/") or "/"


def rows() -> list[re.Match[str]]:
    return [m for line in DOC.read_text().splitlines() if (m := ROW.match(line))]


def test_every_seed_route_is_listed_once() -> None:
    seeds = [m["seed"] for m in rows()]
    assert len(seeds) == 164
    assert len(set(seeds)) == len(seeds)


def test_every_route_named_as_ours_is_served_and_every_missing_one_says_why() -> None:
    routes = served()
    for row in rows():
        method, path = row["seed"].split(" ", 1)
        ours = row["ours"].strip()
        if ours == "same":
            assert (method, normal(path)) in routes, row["seed"]
        elif ours == "-" or method == "WS":
            assert row["note"].strip(), f"{row['seed']}: say why it is not there"
        else:
            found = ROUTE.match(ours)
            assert found, f"{row['seed']}: {ours}"
            assert (found[1], normal(found[2])) in routes, f"{row['seed']} -> {ours}"

"""Group moves under real concurrency on DynamoDB Local: a ring of moves that would close a
cycle if all of them won. Each group i moves under group i+1 (mod n) at the same moment; the
store conditions each move on the parent links its check read (docs/catalog-groups.md), so
at least one loses, and the tree read back from the table has no cycle."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib import wiring
from chalicelib.domain.catalog.groups import MAX_GROUPS
from chalicelib.domain.errors import Conflict
from chalicelib.domain.principal import SYSTEM
from chalicelib.services.catalog.groups import GroupEdit
from tests.e2e.race_kit import Target

pytestmark = [pytest.mark.e2e, pytest.mark.race]

RING = 6
ROUNDS = 5


def _has_cycle(parents: dict[str, str | None]) -> bool:
    for start in parents:
        seen, current = set(), start
        while current is not None:
            if current in seen or len(seen) > MAX_GROUPS:
                return True
            seen.add(current)
            current = parents.get(current)
    return False


def test_a_ring_of_concurrent_moves_never_closes_a_cycle(target: Target) -> None:
    outcomes: list[str] = []
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ENDPOINT_URL_DYNAMODB", target.dynamodb_url)
        env.setenv("STAGE", "local")
        wiring.reset()
        try:
            for _ in range(ROUNDS):
                service = wiring.groups()
                tag = uuid.uuid4().hex[:6]
                ids = [
                    service.create(SYSTEM, f"ring {tag} {i}", "zone", None).group_id
                    for i in range(RING)
                ]
                barrier = threading.Barrier(RING, timeout=60)

                def move(i: int, ids: list[str] = ids, barrier: threading.Barrier = barrier) -> str:
                    barrier.wait()
                    try:
                        wiring.groups().update(
                            SYSTEM, ids[i], GroupEdit(parent_id=ids[(i + 1) % RING]), None
                        )
                    except Conflict as exc:
                        return exc.code
                    return "moved"

                with ThreadPoolExecutor(max_workers=RING) as pool:
                    results = list(pool.map(move, range(RING)))
                outcomes += results
                tree = wiring.groups().flat()
                parents = {g.group_id: g.parent_id for g in tree if g.group_id in ids}
                assert not _has_cycle(parents), (results, parents)
                assert results.count("moved") < RING
                # The counters agree with the links read back
                children = {gid: sum(1 for p in parents.values() if p == gid) for gid in ids}
                assert {g.group_id: g.children for g in tree if g.group_id in ids} == children
        finally:
            wiring.reset()
    assert set(outcomes) <= {"moved", "group_cycle", "group_tree_changed"}
    assert "moved" in outcomes

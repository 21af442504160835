"""Composite resources (issue 14) under races on DynamoDB Local: the composite racing its
parts, and two parts racing each other (both may win); never an overlap read back from the
table, with each composite booking counted on every part it occupies."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import timedelta

import httpx
import pytest

from chalicelib import wiring
from tests.e2e.race_kit import (
    Target,
    base_day,
    iso,
    overlapping_pairs,
    register_users,
    seed_resources,
    stored_reservations,
)
from tests.e2e.test_race import _create, _run_together

pytestmark = [pytest.mark.e2e, pytest.mark.race]

CLIENTS = 12
ROUNDS = 6
FIGURES: list[str] = []


@pytest.fixture(scope="module")
def tokens(target: Target) -> list[str]:
    return register_users(target, 4)


def _compose(target: Target, composite: str, parts: list[str]) -> None:
    """Link the parts straight through the store (the API's own tests cover the endpoint)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ENDPOINT_URL_DYNAMODB", target.dynamodb_url)
        env.setenv("STAGE", "local")
        wiring.reset()
        from chalicelib.store.catalog.composites import CompositeStore
        from chalicelib.store.reservations.occupied_by import Links

        store = CompositeStore()
        current = store.links([composite, *parts])
        store.write(
            [
                Links(composite, tuple(parts), (), current[composite].version),
                *(
                    Links(p, (), (*current[p].part_of, composite), current[p].version)
                    for p in parts
                ),
            ]
        )
    wiring.reset()


def _race(target: Target, tokens: list[str], targets: list[str]) -> list[list[tuple[str, int]]]:
    """ROUNDS rounds; in each, client i books `targets[i % len(targets)]` for one contested
    hour (every window of a round overlaps every other). Returns (resource, status) per round."""
    day = base_day() + timedelta(days=3)

    def client(index: int, barrier: threading.Barrier) -> list[tuple[str, int]]:
        out = []
        with httpx.Client(base_url=target.api_url, timeout=60) as http:
            for n in range(ROUNDS):
                start = day + timedelta(hours=8 + 2 * n, minutes=index % 3 * 5)
                body = {
                    "resource_id": targets[index % len(targets)],
                    "start_time": iso(start),
                    "end_time": iso(start + timedelta(minutes=60)),
                }
                barrier.wait()
                response = _create(http, tokens[index % len(tokens)], body, uuid.uuid4().hex)
                assert response.status_code in (201, 409), response.text
                if response.status_code == 409:
                    assert response.json()["error"]["code"] == "reservation_conflict"
                out.append((body["resource_id"], response.status_code))
        return out

    per_client = _run_together(CLIENTS, client)
    return [[per_client[c][n] for c in range(CLIENTS)] for n in range(ROUNDS)]


def _occupied(stored: list[dict[str, str]], parts: dict[str, list[str]]) -> list[dict[str, str]]:
    """Each reservation once per resource it occupies (a composite's also on its parts)."""
    return [
        {**item, "resource_id": rid}
        for item in stored
        for rid in (item["resource_id"], *parts.get(item["resource_id"], []))
    ]


def test_the_composite_racing_each_of_its_parts_never_overlaps(
    target: Target, tokens: list[str]
) -> None:
    # Given hall = A + B
    hall, a, b = seed_resources(target, 3)
    _compose(target, hall, [a, b])
    # When 12 clients race each round: 4 on the hall, 4 on A, 4 on B
    rounds = _race(target, tokens, [hall, a, b])
    # Then each round: either the hall alone wins, or it loses and A and B each have one
    for n, outcome in enumerate(rounds):
        won = Counter(rid for rid, status in outcome if status == 201)
        assert won in (Counter({hall: 1}), Counter({a: 1, b: 1})), (n, won)
    stored = stored_reservations(target, [hall, a, b])
    assert len(stored) == sum(1 for o in rounds for _, s in o if s == 201)
    assert overlapping_pairs(_occupied(stored, {hall: [a, b]})) == []
    FIGURES.append(
        f"composite vs parts: {ROUNDS} rounds x {CLIENTS} clients, hall won "
        f"{sum(1 for o in rounds if (hall, 201) in o)}, parts won the rest"
    )


def test_two_parts_race_each_other_and_both_win(target: Target, tokens: list[str]) -> None:
    # Given hall = A + B, and hall2 = A + C (A in two composites)
    hall, a, b, c, hall2 = seed_resources(target, 5)
    _compose(target, hall, [a, b])
    _compose(target, hall2, [a, c])
    # When clients race A against B (both parts of the hall, bumping its day versions)
    rounds = _race(target, tokens, [a, b])
    # Then both parts win every round, once each
    for n, outcome in enumerate(rounds):
        won = Counter(rid for rid, status in outcome if status == 201)
        assert won == Counter({a: 1, b: 1}), (n, won)
    stored = stored_reservations(target, [hall, a, b, c, hall2])
    assert overlapping_pairs(_occupied(stored, {hall: [a, b], hall2: [a, c]})) == []
    FIGURES.append(f"part vs part: {ROUNDS} rounds x {CLIENTS} clients, both won every round")


def test_two_composites_sharing_a_part_never_both_win(target: Target, tokens: list[str]) -> None:
    # Given hall = A + B and hall2 = A + C
    hall, a, b, c, hall2 = seed_resources(target, 5)
    _compose(target, hall, [a, b])
    _compose(target, hall2, [a, c])
    # When the two composites race (they share A)
    rounds = _race(target, tokens, [hall, hall2])
    # Then exactly one of them wins each round
    for n, outcome in enumerate(rounds):
        assert sum(1 for _, s in outcome if s == 201) == 1, (n, outcome)
    stored = stored_reservations(target, [hall, a, b, c, hall2])
    assert overlapping_pairs(_occupied(stored, {hall: [a, b], hall2: [a, c]})) == []
    print("\n".join(FIGURES))

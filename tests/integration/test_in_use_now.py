""" "In use now" for a page of resources comes from the occupancy index (issue 16): the same
answer as one strongly consistent query per resource, for occupancies of every kind and length.

The index path (`ReservationPorts.current_many` with INDEX_FROM resources or more) is compared
with the per-resource path (`current`, the base table) on rooms each occupied differently
around now; dropping a length class from the index read makes it fail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from chalice.test import Client

from chalicelib.domain.clock import FrozenClock
from chalicelib.services.catalog.occupancy import INDEX_FROM, ReservationPorts
from tests.integration.test_busy_window_search import LENGTHS, STATUSES, occupy, room
from tests.resource_factories import RESOURCES, get_json


def test_in_use_now_from_the_index_equals_the_table_read_per_resource(
    client: Client,
    clock: FrozenClock,
    admin_token: str,
    dynamodb_calls: Callable[[], list[str]],
) -> None:
    # Given rooms occupied around now in every way (running, ending or starting at now,
    # later, long ones that began days ago), and free ones
    now = clock.now()
    minute = timedelta(minutes=1)
    plans = {
        "running": (now - 15 * minute, LENGTHS[1], STATUSES[0]),
        "held now": (now - 10 * minute, LENGTHS[0], STATUSES[1]),
        "pending now": (now - 5 * minute, LENGTHS[0], STATUSES[2]),
        "five hours": (now - timedelta(hours=4), LENGTHS[2], STATUSES[0]),
        "three days": (now - timedelta(days=2), LENGTHS[3], STATUSES[0]),
        "ended at now": (now - LENGTHS[1], LENGTHS[1], STATUSES[0]),
        "starts at now": (now, LENGTHS[0], STATUSES[0]),
        "later": (now + timedelta(hours=2), LENGTHS[1], STATUSES[0]),
    }
    rooms = {name: room(client, admin_token, f"now {name}") for name in plans}
    rooms |= {f"free {n}": room(client, admin_token, f"now free {n}") for n in range(3)}
    for name, (start, length, status) in plans.items():
        assert occupy(rooms[name], start, length, status), name
    ids = [r["resource_id"] for r in rooms.values()]
    assert len(ids) >= INDEX_FROM
    ports = ReservationPorts(lambda *_: None)
    # When "in use now" is read for the whole page (the index) and per resource (the table)
    from_index = ports.current_many(ids, now)
    from_table = {rid: o for rid in ids if (o := ports.current(rid, now)) is not None}
    # Then both say the same, and it is the rooms running at now
    assert from_index == from_table
    names = {r["resource_id"]: name for name, r in rooms.items()}
    assert sorted(names[rid] for rid in from_index) == sorted(
        ["running", "held now", "pending now", "five hours", "three days", "starts at now"]
    )
    # And a listing page shows it as the rooms' status
    page = get_json(client, f"{RESOURCES}?q=now&limit=100", admin_token).json_body["items"]
    in_use = sorted(names[i["resource_id"]] for i in page if i["status"] == "in_use")
    assert in_use == sorted(names[rid] for rid in from_index)
    # And a request's reader, started before its pages are known, answers the same for two
    # pages from ONE index read (the listing's pages cost no further status queries), while a
    # page smaller than INDEX_FROM is still read per resource, strongly consistent
    dynamodb_calls()
    ports.current_many(ids, now)
    one_read = dynamodb_calls()
    current = ports.current_reader(now, expected=INDEX_FROM)
    pages = [ids[:INDEX_FROM], ids[-INDEX_FROM:]]
    answers = [current(page) for page in pages]
    assert dynamodb_calls() == one_read
    for page, answer in zip(pages, answers, strict=True):
        assert answer == {rid: o for rid, o in from_table.items() if rid in page}
    small = ids[:3]
    assert current(small) == {rid: o for rid, o in from_table.items() if rid in small}
    assert dynamodb_calls() == ["Query"] * len(small)

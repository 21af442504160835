"""The notification centre API: my notifications only, cursor pages, unread filter and count,
mark one read (idempotently), mark all read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from chalice.test import Client

from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.pipeline.events import derived_ulid
from chalicelib.domain.pipeline.notifications import Notification
from chalicelib.store.pipeline.notifications import NotificationStore
from tests.factories import auth_headers, login, send_json, user_id_of
from tests.integration.pipeline_kit import notifications

BASE = "/api/v1/notifications"


def give(user_id: str, n: int, clock: FrozenClock) -> list[str]:
    """`n` notifications for `user_id`, one minute apart (oldest first); returns their ids."""
    store, ids = NotificationStore(), []
    for i in range(n):
        at = clock.now() + timedelta(minutes=i)
        note = Notification(
            notification_id=derived_ulid(f"{user_id}/{i}", at),
            user_id=user_id,
            kind="reservation.created",
            title=f"Title {i}",
            body=f"Body {i}",
            created_at=at,
            data={"reservation_id": f"r{i}"},
        )
        assert store.add(note)
        ids.append(note.notification_id)
    return ids


def read(client: Client, token: str, notification_id: str) -> object:
    return send_json(client, "POST", f"{BASE}/{notification_id}/read", None, token)


def test_lists_my_notifications_newest_first_with_cursor_pages(
    client: Client, clock: FrozenClock, user_token: str, other_user_token: str
) -> None:
    # Given five notifications for me and one for someone else
    ids = give(user_id_of(client, user_token), 5, clock)
    give(user_id_of(client, other_user_token), 1, clock)
    # When I page through two at a time
    seen: list[str] = []
    query = "?limit=2"
    while True:
        page = notifications(client, user_token, query)
        assert page["unread_count"] == 5
        seen += [n["notification_id"] for n in page["items"]]
        if not page["next_cursor"]:
            break
        query = f"?limit=2&cursor={page['next_cursor']}"
    # Then I see exactly mine, newest first
    assert seen == list(reversed(ids))
    item = notifications(client, user_token, "?limit=1")["items"][0]
    assert item["read"] is False and item["created_at"].endswith("Z")
    assert item["data"] == {"reservation_id": "r4"}


def test_mark_one_read_is_idempotent_and_moves_the_count_once(
    client: Client, clock: FrozenClock, user_token: str
) -> None:
    ids = give(user_id_of(client, user_token), 3, clock)
    first = read(client, user_token, ids[0])
    assert first.status_code == 200  # type: ignore[attr-defined]
    assert first.json_body["read"] is True  # type: ignore[attr-defined]
    assert read(client, user_token, ids[0]).status_code == 200  # type: ignore[attr-defined]
    page = notifications(client, user_token)
    assert page["unread_count"] == 2
    unread = notifications(client, user_token, "?unread_only=true")
    assert [n["notification_id"] for n in unread["items"]] == [ids[2], ids[1]]


def test_read_all_marks_everything_and_zeroes_the_count(
    client: Client, clock: FrozenClock, user_token: str, other_user_token: str
) -> None:
    mine = give(user_id_of(client, user_token), 30, clock)
    give(user_id_of(client, other_user_token), 2, clock)
    read(client, user_token, mine[3])
    response = send_json(client, "POST", f"{BASE}/read-all", None, user_token)
    assert response.status_code == 200
    assert response.json_body == {"marked": 29, "unread_count": 0}
    assert notifications(client, user_token, "?unread_only=true")["items"] == []
    # Someone else's notifications are untouched
    assert notifications(client, other_user_token)["unread_count"] == 2
    legacy = send_json(client, "POST", f"{BASE}/mark-all-read", None, user_token)
    assert legacy.json_body == {"marked": 0, "unread_count": 0}


def test_someone_elses_notification_is_not_found(
    client: Client, clock: FrozenClock, user_token: str, other_user_token: str
) -> None:
    [theirs] = give(user_id_of(client, other_user_token), 1, clock)
    response = read(client, user_token, theirs)
    assert response.status_code == 404  # type: ignore[attr-defined]
    assert notifications(client, other_user_token)["unread_count"] == 1
    assert read(client, user_token, "not-an-id" * 200).status_code == 404  # type: ignore[attr-defined]


def test_read_notifications_disappear_after_their_retention(
    client: Client, clock: FrozenClock, user_token: str
) -> None:
    ids = give(user_id_of(client, user_token), 2, clock)
    read(client, user_token, ids[0])
    clock.advance(timedelta(days=31))
    fresh = str(login(client, "alice")["access_token"])  # the old token expired meanwhile
    page = notifications(client, fresh)
    assert [n["notification_id"] for n in page["items"]] == [ids[1]]


@pytest.mark.parametrize(
    "query", ["?limit=0", "?limit=101", "?unread_only=maybe", "?cursor=garbage", "?bogus=1"]
)
def test_bad_queries_are_422(
    client: Client, clock: FrozenClock, user_token: str, query: str
) -> None:
    response = client.http.get(f"{BASE}{query}", headers=auth_headers(user_token))
    assert response.status_code == 422
    assert response.json_body["error"]["code"] in {"validation_error", "invalid_cursor"}


def test_anonymous_callers_are_401(client: Client) -> None:
    assert client.http.get(BASE).status_code == 401
    assert client.http.post(f"{BASE}/read-all").status_code == 401

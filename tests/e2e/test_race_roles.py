"""Custom roles under real concurrency (roles14), on DynamoDB Local through the HTTP API.

Assigning a role while it is being deleted must never leave a user holding a role that no
longer exists, nor a role whose `holders` count disagrees with the users holding it; two edits
made from the same version must not both win. Read back from the table, not from answers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.e2e.race_kit import TABLE, Target, _dynamodb, register_users, together

pytestmark = [pytest.mark.e2e, pytest.mark.race]

ROLES = 8
HOLDERS_PER_ROLE = 3


def _item(db: Any, pk: str, sk: str) -> dict[str, Any] | None:
    found = db.get_item(
        TableName=TABLE, Key={"PK": {"S": pk}, "SK": {"S": sk}}, ConsistentRead=True
    )
    item: dict[str, Any] | None = found.get("Item")
    return item


def _user_id(http: httpx.Client, token: str) -> str:
    me = http.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    return str(me.json()["id"])


def test_assignments_racing_a_delete_leave_no_dangling_holder(
    target: Target, admin_api_token: str
) -> None:
    admin = {"Authorization": f"Bearer {admin_api_token}"}
    db = _dynamodb(target)
    with httpx.Client(base_url=target.api_url, timeout=60) as http:
        users = [_user_id(http, t) for t in register_users(target, HOLDERS_PER_ROLE)]
        names = [f"race-{uuid.uuid4().hex[:10]}" for _ in range(ROLES)]
        for name in names:
            made = http.post(
                "/api/v1/roles", json={"name": name, "scopes": ["resources:read"]}, headers=admin
            )
            assert made.status_code == 201, made.text
        # When, for each role, every user is assigned it at the same moment as it is deleted
        outcomes: dict[str, list[int]] = {}
        for name in names:
            works: list[Callable[[], httpx.Response]] = [
                (lambda n=name: http.delete(f"/api/v1/roles/{n}", headers=admin))
            ]
            works += [
                (
                    lambda n=name, u=uid: http.post(
                        "/api/v1/roles/assign", json={"user_id": u, "role": n}, headers=admin
                    )
                )
                for uid in users
            ]
            outcomes[name] = [r.status_code for r in together(works)]
    # Then, read back from the table: a deleted role is held by nobody; a kept role's holders
    # count is exactly the users holding it; and every answer was a clean 2xx/404/409
    for name in names:
        role = _item(db, f"ROLE#{name}", "ROLE")
        holding = [
            uid
            for uid in users
            if name
            in ((_item(db, f"USER#{uid}", "PROFILE") or {}).get("custom_roles", {}).get("SS", []))
        ]
        statuses = outcomes[name]
        assert set(statuses) <= {200, 204, 404, 409}, statuses
        if role is None:
            assert statuses[0] == 204
            assert holding == [], (name, holding)
        else:
            assert statuses[0] == 409
            assert int(role["holders"]["N"]) == len(holding) >= 1, (name, role, holding)
    _drop(target, admin, names, users)


def _drop(target: Target, admin: dict[str, str], names: list[str], users: list[str]) -> None:
    """Leave the shared stack as it was: the roles this test made, unassigned and deleted."""
    with httpx.Client(base_url=target.api_url, timeout=60) as http:
        for name in names:
            for uid in users:
                body = {"user_id": uid, "role": name}
                http.request("DELETE", "/api/v1/roles/assign", json=body, headers=admin)
            http.delete(f"/api/v1/roles/{name}", headers=admin)


def test_two_edits_from_the_same_version_never_both_win(
    target: Target, admin_api_token: str
) -> None:
    admin = {"Authorization": f"Bearer {admin_api_token}"}
    db = _dynamodb(target)
    with httpx.Client(base_url=target.api_url, timeout=60) as http:
        name = f"race-{uuid.uuid4().hex[:10]}"
        made = http.post(
            "/api/v1/roles", json={"name": name, "scopes": ["resources:read"]}, headers=admin
        )
        assert made.status_code == 201, made.text
        edits = [f"edit {i}" for i in range(6)]
        answers = together(
            [
                (
                    lambda text=text: http.patch(
                        f"/api/v1/roles/{name}",
                        json={"description": text, "version": 1},
                        headers=admin,
                    )
                )
                for text in edits
            ]
        )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [409] * 5, statuses
    winner = next(a.json()["description"] for a in answers if a.status_code == 200)
    stored = _item(db, f"ROLE#{name}", "ROLE")
    assert stored is not None
    assert (stored["description"]["S"], stored["version"]["N"]) == (winner, "2")
    _drop(target, admin, [name], [])

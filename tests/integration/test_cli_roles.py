"""`rr admin roles` against a real HTTP API (custom roles, roles14)."""

from __future__ import annotations

from pathlib import Path

from tests.integration.cli_helpers import admin, new_user, unique


def test_roles_end_to_end(cli_api: str, tmp_path: Path) -> None:
    boss = admin(cli_api, tmp_path)
    rr, username = new_user(cli_api, tmp_path)
    name = unique("catalog-")
    # Given the scopes the API knows
    scopes = {s["name"]: s["grantable"] for s in boss.json("admin", "roles", "scopes")}
    assert scopes["resources:write"] is True and scopes["admin"] is False
    # When the admin creates a role, Then it is listed and shown
    made = boss.json(
        "admin", "roles", "create", name, "--scope", "resources:read", "--scope", "resources:write"
    )
    assert made["scopes"] == ["resources:read", "resources:write"]
    assert name in [r["name"] for r in boss.json("admin", "roles", "list")]
    assert name in [r["name"] for r in boss.json("admin", "roles")]  # no command: the list
    assert name in boss.ok("admin", "roles").stdout
    assert boss.json("admin", "roles", "show", name)["version"] == 1
    # When it is given to a user (by username), Then the user may create resources
    assert rr.fails("resources", "create", unique("Room")).exit_code == 1
    given = boss.json("admin", "roles", "assign", name, username)
    assert given["custom_roles"] == [name]
    assert rr.json("resources", "create", unique("Room"))["resource_id"]
    # And a role in use cannot be deleted, in words
    refused = boss.fails("admin", "roles", "delete", name, "--yes")
    assert "role_in_use" in refused.stderr
    # When the role is edited with a stale version, it is refused; with the right one it is not
    stale = boss.fails("admin", "roles", "update", name, "--description", "x", "--version", "9")
    assert "version_conflict" in stale.stderr
    updated = boss.json("admin", "roles", "update", name, "--scope", "resources:read")
    assert (updated["scopes"], updated["version"]) == (["resources:read"], 2)
    # An OAuth client may hold it too
    robot = boss.json("admin", "clients", "create", unique("robot"), "--scope", "resources:read")
    held = boss.json("admin", "roles", "assign", name, "--client", robot["client_id"])
    assert held["roles"] == [name]
    boss.json("admin", "roles", "unassign", name, "--client", robot["client_id"])
    boss.ok("admin", "roles", "unassign", name, username)
    # Then, held by nobody, it is deleted
    assert boss.json("admin", "roles", "delete", name, "--yes") == {"name": name, "deleted": True}
    assert "role_not_found" in boss.fails("admin", "roles", "show", name).stderr
    # Built-in roles stay, and a user may not manage roles
    assert "builtin_role" in boss.fails("admin", "roles", "delete", "admin", "--yes").stderr
    assert "HTTP 403" in rr.fails("admin", "roles", "create", unique("x-"), "--scope", "a").stderr
    assert "give a user, or --client" in boss.fails("admin", "roles", "assign", name).stderr

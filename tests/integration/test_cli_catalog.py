"""`rr groups`, `rr labels`, `rr searches` against a real HTTP API (catalog14)."""

from __future__ import annotations

from pathlib import Path

from tests.integration.cli_helpers import admin, new_user, unique


def test_groups_labels_and_searches_end_to_end(cli_api: str, tmp_path: Path) -> None:
    rr = admin(cli_api, tmp_path)
    # Given a small site with a resource on its floor
    site = rr.json("groups", "create", unique("HQ"), "--kind", "site")["group_id"]
    floor = rr.json("groups", "create", unique("F1"), "--kind", "floor", "--parent", site)
    room = rr.json("resources", "create", unique("Room"))["resource_id"]
    assert rr.json("groups", "assign", floor["group_id"], room)["group_id"] == floor["group_id"]
    # Then the tree, the subtree listing and the ancestors show it
    assert floor["name"] in rr.ok("groups", "tree").stdout
    assert [r["resource_id"] for r in rr.json("groups", "resources", site)] == [room]
    chain = rr.json("groups", "ancestors", room)
    assert [g["group_id"] for g in chain] == [site, floor["group_id"]]
    # a move under its own child is refused in words
    refused = rr.fails("groups", "update", site, "--parent", floor["group_id"])
    assert "group_cycle" in refused.stderr
    # Labels: create, set, filter through a saved search, merge
    a = rr.json("labels", "create", f"{unique('eq')}:projector", "--color", "#123456")
    b = rr.json("labels", "create", f"{unique('eq')}:beamer")
    assert [lb["label_id"] for lb in rr.json("labels", "set", room, a["label_id"])["labels"]] == [
        a["label_id"]
    ]
    saved = rr.json("searches", "save", unique("s"), "--label", a["label_id"])
    assert [r["resource_id"] for r in rr.json("searches", "run", saved["search_id"])] == [room]
    merged = rr.json("labels", "merge", a["label_id"], b["label_id"])
    assert (merged["moved"], merged["complete"]) == (1, True)
    assert [lb["label_id"] for lb in rr.json("labels", "of", room)] == [b["label_id"]]
    # Suggestions and deletes
    kinds = {s["kind"] for s in rr.json("searches", "suggest", floor["name"][:3])}
    assert "group" in kinds
    assert rr.json("searches", "delete", saved["search_id"], "--yes")["search_id"]
    assert rr.json("searches", "list") == []
    # A group admin edits inside their group only
    manager, name = new_user(cli_api, tmp_path)
    rr.ok("groups", "grant", site, name)
    assert rr.json("groups", "admins", site)[0]["user_id"]
    assert manager.json("groups", "assign", site, room)["group_id"] == site
    # but ungrouping takes the resource out of their reach: refused
    assert "admin_required" in manager.fails("groups", "unassign", site, room).stderr

"""Resource names -> ids, many at once (one BatchGet per 100 names over the unique-name
items the catalogue keeps for each resource); what an import naming resources needs."""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.store.catalog.items import NAME_SK, ResourceNameItem, name_pk
from chalicelib.store.table import bind


def ids_by_name(names: Iterable[str]) -> dict[str, str]:
    """Each given name (compared case-insensitively) that belongs to a resource -> its id."""
    bind()
    wanted: dict[str, list[str]] = {}
    for name in names:
        if name.strip():
            wanted.setdefault(name_pk(name), []).append(name)
    if not wanted:
        return {}
    found = ResourceNameItem.batch_get([(pk, NAME_SK) for pk in wanted], consistent_read=True)
    return {name: item.resource_id for item in found for name in wanted.get(item.PK, [])}


class ResourceNameIndex:
    """The adapter behind services.reservations.ports.ResourceNames."""

    def ids_by_name(self, names: Iterable[str]) -> dict[str, str]:
        return ids_by_name(names)

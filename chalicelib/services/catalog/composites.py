"""Composite resources (issue 14): read and set a resource's parts.

Who: administrators, write clients, and group admins of the composite AND of every part added
or removed (a building manager cannot glue in a hall of another building). Parts must exist;
removing a part that was deleted since is allowed. The bookings themselves are guarded by the
booking transaction (store/reservations/occupied_by.py); this service only writes the links.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from chalicelib.domain.catalog.composites import LinkState, plan_parts
from chalicelib.domain.principal import Principal
from chalicelib.store.reservations.occupied_by import (
    MAX_COMPOSITES_PER_PART,
    MAX_PARTS,
    Links,
)


class LinksPort(Protocol):
    def links(self, resource_ids: Iterable[str]) -> dict[str, Links]: ...

    def write(self, changed: Iterable[Links]) -> None: ...


class ResourcesPort(Protocol):
    def get(self, actor: Principal, resource_id: str) -> object: ...

    def require_admin_of(self, actor: Principal, resource_id: str) -> None: ...


class CompositeService:
    def __init__(self, links: LinksPort, resources: ResourcesPort) -> None:
        self._links = links
        self._resources = resources

    def of(self, actor: Principal, resource_id: str) -> Links:
        """The resource's parts and the composites it is a part of (404 if it is unknown)."""
        self._resources.get(actor, resource_id)
        return self._links.links([resource_id])[resource_id]

    def set_parts(self, actor: Principal, resource_id: str, parts: Sequence[str]) -> Links:
        self._resources.get(actor, resource_id)  # 404 before anything else
        self._resources.require_admin_of(actor, resource_id)
        current = self._links.links([resource_id])
        old = set(current[resource_id].parts)
        for part in set(parts) - old - {resource_id}:
            self._resources.get(actor, part)  # 404 names an unknown part
        for part in (set(parts) ^ old) - {resource_id}:
            self._resources.require_admin_of(actor, part)
        current.update(self._links.links(set(parts) | old))
        change = plan_parts(
            resource_id,
            parts,
            {r: LinkState(lk.parts, lk.part_of) for r, lk in current.items()},
            max_parts=MAX_PARTS,
            max_composites=MAX_COMPOSITES_PER_PART,
        )
        own = current[resource_id]
        written = [Links(resource_id, change.parts, own.part_of, own.version)]
        for part, composites in change.part_of.items():
            lk = current[part]
            written.append(Links(part, lk.parts, composites, lk.version))
        self._links.write(written)
        return Links(resource_id, change.parts, own.part_of, (own.version or 0) + 1)

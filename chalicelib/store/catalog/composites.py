"""Composite resources (issue 14): the links items, read and written conditionally.

The items live under the resource's partition (store/reservations/occupied_by.py owns their
shape, since the booking transaction reads them). A change writes the composite's and every
touched part's item in ONE transaction, each conditioned on the version read: a concurrent
change of any of them fails the whole write (409, retry).
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.domain.errors import Conflict
from chalicelib.store.catalog import version as catalogue_version
from chalicelib.store.dynamo import TransactionCancelled, transact
from chalicelib.store.reservations.items import table_name
from chalicelib.store.reservations.occupied_by import Links, links_put, read_links


class CompositeStore:
    def links(self, resource_ids: Iterable[str]) -> dict[str, Links]:
        return read_links(resource_ids)

    def write(self, changed: Iterable[Links]) -> None:
        """Write each Links (its `version` is the one read) all or nothing."""
        table = table_name()
        try:
            transact([links_put(lk, table) for lk in changed])
        except TransactionCancelled as exc:
            raise Conflict(
                "the parts changed while they were being set; reload and retry",
                code="parts_changed",
            ) from exc
        catalogue_version.bump_after_write()  # the search's catalogue copy holds links too

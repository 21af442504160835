"""Saved searches (owner-only) and search suggestions (as you type; bounded).

A saved search stores the resource list's filters as the API validated them; running it goes
back through the same validation, so a search saved before a filter changed still answers
422 rather than something surprising.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.domain.catalog.groups import Group
from chalicelib.domain.catalog.labels import Label
from chalicelib.domain.catalog.rules import name_key
from chalicelib.domain.catalog.saved_search import SavedSearch
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.ids import IdFactory
from chalicelib.domain.principal import Principal

MAX_SAVED = 50
MAX_SUGGESTIONS = 10


class SavedSearchPort(Protocol):
    def of(self, owner_id: str) -> list[SavedSearch]: ...
    def get(self, owner_id: str, search_id: str) -> SavedSearch: ...
    def put(self, search: SavedSearch) -> None: ...
    def delete(self, owner_id: str, search_id: str) -> None: ...


@dataclass(frozen=True)
class Suggestion:
    kind: str  # resource | tag | label | group
    text: str
    id: str = ""


@dataclass(frozen=True)
class SuggestionSources:
    names: Callable[[str, int], list[str]]
    tags: Callable[[str, int], list[str]]
    labels: Callable[[], list[Label]]
    groups: Callable[[], list[Group]]


class SavedSearchService:
    def __init__(self, store: SavedSearchPort, clock: Clock, ids: IdFactory) -> None:
        self._store = store
        self._clock = clock
        self._ids = ids

    def list(self, actor: Principal) -> list[SavedSearch]:
        found = self._store.of(actor.subject_id)
        return sorted(found, key=lambda s: (s.name.casefold(), s.search_id))

    def get(self, actor: Principal, search_id: str) -> SavedSearch:
        """Owner-only: another user's search is not found (its id leaks nothing)."""
        return self._store.get(actor.subject_id, search_id)

    def save(self, actor: Principal, name: str, filters: dict[str, Any]) -> SavedSearch:
        clean = " ".join(name.split())
        if not clean or len(clean) > 100:
            raise InvalidInput(
                "a saved search has a name of 1 to 100 characters",
                code="invalid_saved_search",
                details=[{"field": "name", "message": "1 to 100 characters"}],
            )
        if len(self._store.of(actor.subject_id)) >= MAX_SAVED:
            raise Conflict(
                f"at most {MAX_SAVED} saved searches per user; delete one first",
                code="too_many_saved_searches",
                details={"max": MAX_SAVED},
            )
        search = SavedSearch(
            self._ids.new_id(), actor.subject_id, clean, filters, self._clock.now()
        )
        self._store.put(search)
        return search

    def delete(self, actor: Principal, search_id: str) -> None:
        self._store.delete(actor.subject_id, search_id)


def suggest(sources: SuggestionSources, prefix: str, limit: int) -> list[Suggestion]:
    """Up to `limit` per kind: names and tags by key prefix (two bounded key-range reads),
    labels and groups by substring over their small partitions."""
    key = name_key(prefix)
    if not key:
        return []
    found = [Suggestion("resource", n) for n in sources.names(key, limit)]
    found += [Suggestion("tag", t) for t in sources.tags(key, limit)]
    labels = [lb for lb in sources.labels() if key in lb.name.casefold()]
    found += [Suggestion("label", lb.name, lb.label_id) for lb in labels[:limit]]
    groups = [g for g in sources.groups() if key in g.name.casefold()]
    found += [Suggestion("group", g.name, g.group_id) for g in groups[:limit]]
    return found

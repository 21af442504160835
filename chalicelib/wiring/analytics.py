"""Analytics (issue 12): the worker's recorder, the reads (with their open-hours cache), the
reservation export."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.wiring.catalog import resource_store
from chalicelib.wiring.core import built, clock

if TYPE_CHECKING:
    from chalicelib.api.json_memo import JsonMemo
    from chalicelib.services.analytics.exports import ReservationExport
    from chalicelib.services.analytics.open_time import OpenTimeCache
    from chalicelib.services.analytics.queries import AnalyticsQueries
    from chalicelib.services.analytics.recorder import AnalyticsRecorder
    from chalicelib.services.analytics.shaped_rows import ShapedRows
    from chalicelib.services.analytics.totals_cache import TotalsCache


def analytics_recorder() -> AnalyticsRecorder:
    from chalicelib.services.analytics.recorder import AnalyticsRecorder
    from chalicelib.store.analytics.counters import CounterStore

    return AnalyticsRecorder(CounterStore(), clock())


@built
def _open_time() -> OpenTimeCache:
    # Built once: the cache of the catalogue and of each resource's open hours lives here.
    from chalicelib.services.analytics.open_time import OpenTimeCache
    from chalicelib.store.analytics.catalog import CatalogRules

    return OpenTimeCache(CatalogRules(resource_store()))


@built
def _totals_cache() -> TotalsCache:
    # Built once: every resource's totals per range, kept while the months' revisions hold.
    from chalicelib.services.analytics.totals_cache import TotalsCache

    return TotalsCache()


@built
def _shaped_rows() -> ShapedRows:
    # Built once: admins' utilisation rows, shaped once per totals and catalogue objects.
    from chalicelib.services.analytics.shaped_rows import ShapedRows

    return ShapedRows()


@built
def utilisation_json() -> JsonMemo:
    # Built once: the last admin utilisation answer's JSON, reused while its rows are the same.
    from chalicelib.api.json_memo import JsonMemo

    return JsonMemo()


def analytics() -> AnalyticsQueries:
    from chalicelib.services.analytics.queries import AnalyticsQueries
    from chalicelib.store.analytics.counters import CounterStore
    from chalicelib.store.catalog.groups import GroupStore

    return AnalyticsQueries(
        CounterStore(),
        _open_time(),
        clock(),
        GroupStore(),
        totals_cache=_totals_cache(),
        shaped_rows=_shaped_rows(),
    )


def analytics_export() -> ReservationExport:
    from chalicelib.services.analytics.exports import ReservationExport
    from chalicelib.store.reservations.listing import ReservationListing

    return ReservationExport(ReservationListing())

"""HTTP middleware: errors Chalice produces itself get the house error shape, and (like every
answer of ours) the rate-limit headers, charged to the caller's address (issue 13)."""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import Request, Response

from chalicelib.api.errors import reshape_chalice_error
from chalicelib.api.rate_limits import LIMIT_HEADER, Metering
from chalicelib.api.routing import client_ip_of


def reshape_errors(event: Request, get_response: Callable[[Request], Response]) -> Response:
    response = get_response(event)
    if response.status_code < 400:
        return response
    response = reshape_chalice_error(response)
    if LIMIT_HEADER in response.headers:
        return response  # one of our routes answered: it was metered there
    # Chalice refused before any route ran (unknown path locally, 405, 415): the address pays.
    metering = Metering(None)
    metering.client_ip = client_ip_of(event)
    return metering.finish(response)

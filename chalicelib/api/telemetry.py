"""HTTP middleware: the correlation id on every log line and answer, and the request metrics.

Outermost of our middleware (registered first), so it sees every answer, ours and Chalice's.
The answer carries `X-Correlation-Id`; the request is counted (requests, and conflicts or
denials by rule when a domain error refused it) through the shared recorder, which buffers
request counts so the booking path keeps its round trips (services/pipeline/metrics.py).
"""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import Request, Response

from chalicelib import wiring
from chalicelib.api import correlation
from chalicelib.observability import correlate


def observe_requests(event: Request, get_response: Callable[[Request], Response]) -> Response:
    correlation_id = correlation.of_request(event)
    correlate(correlation_id)
    correlation.take_refusal()  # nothing left over from an earlier request on this thread
    try:
        response = get_response(event)
        response.headers[correlation.HEADER] = correlation_id
        wiring.metrics_recorder().request(correlation.take_refusal())
        return response
    finally:
        correlate(None)

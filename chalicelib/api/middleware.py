"""HTTP middleware: errors Chalice produces itself get the house error shape."""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import Request, Response

from chalicelib.api.errors import reshape_chalice_error


def reshape_errors(event: Request, get_response: Callable[[Request], Response]) -> Response:
    response = get_response(event)
    if response.status_code >= 400:
        return reshape_chalice_error(response)
    return response

"""Serve a few API Gateway events with the Lambda bundle's app, where route families load on
their first request (chalicelib/api/lazy_routes.py), and report what happened.

Run by tests/integration/test_lambda_bundle.py with `python -S` (no site-packages):
    python -S lazy_bundle_probe.py <project_dir> <vendor_dir> <runtime_dir> <events.json>
Prints JSON: the route table before any request and after the last one, the loaded route
families after each request, and each answer's status and body.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def table(app: Any) -> list[list[Any]]:
    """What API Gateway and Chalice's dispatch read from each route entry."""
    return [
        [
            path,
            method,
            entry.view_name,
            entry.content_types,
            entry.api_key_required,
            entry.cors.get_access_control_headers() if entry.cors is not None else None,
        ]
        for path, entries in sorted(app.routes.items())
        for method, entry in sorted(entries.items())
    ]


def main() -> None:
    project, vendor, runtime, events_file = sys.argv[1:5]
    sys.path[0:1] = [project, vendor, runtime]
    import app

    families = {f"chalicelib.api.{name}" for name in app.ROUTE_FAMILIES}
    report: dict[str, Any] = {"before": table(app.app), "answers": []}
    with open(events_file) as handle:
        events = json.load(handle)
    for event in events:
        answer = app.app(event, None)
        loaded = sorted(families & set(sys.modules))
        report["answers"].append({"status": answer["statusCode"], "body": answer["body"]})
        report["answers"][-1]["loaded"] = loaded
    report["after"] = table(app.app)
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()

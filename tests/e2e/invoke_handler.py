"""Run one handler of the app once, in this process, on an event read from stdin, and print
its result: what one Lambda instance does. tests/e2e/test_live.py starts two of these beside
the stack to show that any process reaches any connection (its state is in DynamoDB only).

Run: python -m tests.e2e.invoke_handler <app module> <handler name> < event.json
"""

from __future__ import annotations

import json
import sys

from infra.local.appload import lambda_context, load_app


def main() -> None:
    app_ref, handler = sys.argv[1], sys.argv[2]
    app = load_app(app_ref)
    result = app.handler_map[handler](json.load(sys.stdin), lambda_context(handler))
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""The first-run step: issue the one-time setup token and print it (issue 9, finding 7).

`POST /api/v1/setup/initialize` creates the first administrator only with this token, so a
fresh deployment is not handed to whoever reaches it first. The token is printed once, stored
only as SHA-256 (`SETUPTOKEN` item, 24 h), replaced by a later run and consumed by the setup.

    make run                                   # runs this against the local stack, prints it
    STAGE=prod TABLE_NAME=... SECRET_KEY=... python -m infra.setup_token   # a deployed stage

Run it where the table can be written (AWS credentials of an operator, never the API's).
Exit status: 0 with the token on stdout; 2 if setup is already complete; 1 on any other error.
"""

from __future__ import annotations

import sys

ALREADY_COMPLETE = 2


def issue() -> str | None:
    """The new token, or None when the first administrator already exists."""
    # Imported here: the local stack's runner reads ALREADY_COMPLETE without loading the app.
    from chalicelib import wiring
    from chalicelib.domain.errors import Conflict

    try:
        return wiring.accounts().issue_setup_token()
    except Conflict:
        return None


def main() -> int:
    token = issue()
    if token is None:
        print("setup is already complete: no setup token issued", file=sys.stderr)
        return ALREADY_COMPLETE
    print(token, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

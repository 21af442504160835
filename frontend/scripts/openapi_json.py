"""Print the API's OpenAPI document (what `/openapi.json` serves) without starting a server.

Importing `app` registers every route; `build_document` turns the route table into the
document. The web app's types (`src/api/schema.d.ts`) are generated from this output.
"""

from __future__ import annotations

import json
import sys


def main() -> None:
    import app  # noqa: F401  (registers the routes)
    from chalicelib.api.openapi import build_document

    json.dump(build_document(), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

"""Read responses decoded by `json.loads` instead of botocore's shape walker (issue 16).

DynamoDB answers in JSON whose AttributeValues are already what botocore hands back, except
binary values (base64 text to bytes), which this app never stores. botocore's parser walks
every attribute of every item through the output shape in Python: for a page of 800
resources or 1,000 occupancy items (the free-window search) that walk cost more than the
request's DynamoDB time. A `before-parse` hook decodes successful read responses with the C
JSON decoder and leaves botocore an empty body; anything unusual (an error, a binary value)
goes through botocore as before.
"""

from __future__ import annotations

import json
from typing import Any

READS = ("Query", "Scan", "GetItem", "BatchGetItem")
_MARK = "_reserver_fast_reads"
_BINARY = (b'"B":', b'"BS":')


def install(client: Any) -> None:
    """Hook `client` (a botocore DynamoDB client) once; cheap to call on every use."""
    if getattr(client, _MARK, False):
        return
    for operation in READS:
        client.meta.events.register(f"before-parse.dynamodb.{operation}", _decode)
    setattr(client, _MARK, True)


def _decode(
    response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any
) -> None:
    body = response_dict.get("body")
    if response_dict.get("status_code") != 200 or not isinstance(body, bytes):
        return
    if any(marker in body for marker in _BINARY):
        return  # botocore decodes base64 binaries; keep its result
    customized_response_dict.update(json.loads(body))
    response_dict["body"] = b"{}"

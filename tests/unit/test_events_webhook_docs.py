"""The verification snippet in docs/webhooks.md accepts what we sign and rejects tampering."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from chalicelib.domain.pipeline.webhooks import sign

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def snippet() -> Any:
    code = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), str(DOC), "exec"), namespace)
    return namespace["verify"]


def test_the_documented_snippet_verifies_our_signatures() -> None:
    verify = snippet()
    body = b'{"data":{},"metadata":{"event_name":"webhook.ping"}}'
    now = int(time.time())
    header = sign("whsec_docs", now, body)
    assert verify("whsec_docs", header, body)
    assert not verify("whsec_docs", header, body + b" ")
    assert not verify("whsec_other", header, body)
    assert not verify("whsec_docs", sign("whsec_docs", now - 3600, body), body)
    assert not verify("whsec_docs", "v1=abc", body)

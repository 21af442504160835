"""The product topology plus the sample queue the recorders listen on (pure data)."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.topology import TOPOLOGY as PRODUCT
from chalicelib.topology import QueueDef

SAMPLE_QUEUE = QueueDef(
    "e2e-sample", handler="record_sqs", max_receive_count=2, visibility_timeout_s=30, batch_size=5
)
TOPOLOGY = replace(PRODUCT, queues=(*PRODUCT.queues, SAMPLE_QUEUE))

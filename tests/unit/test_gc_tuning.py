"""Loading the app sets the collector's rhythm for request handling (chalicelib/gc_tuning.py,
issue 16): young collections every YOUNG_THRESHOLD allocations, and what exists once the app
is loaded frozen out of later collections. Checked in a fresh interpreter, as Lambda loads it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from chalicelib.gc_tuning import OLDER_THRESHOLDS, YOUNG_THRESHOLD

ROOT = Path(__file__).resolve().parents[2]
PROBE = "import gc, json, app; print(json.dumps([gc.get_threshold(), gc.get_freeze_count()]))"


def test_loading_the_app_tunes_the_collector_and_freezes_what_it_loaded() -> None:
    env = {"AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    thresholds, frozen = json.loads(done.stdout.strip().splitlines()[-1])
    assert thresholds == [YOUNG_THRESHOLD, *OLDER_THRESHOLDS]
    assert frozen > 10_000  # the modules, schemas and models of the loaded app

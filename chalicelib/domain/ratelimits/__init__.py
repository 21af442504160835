"""API rate limits (issue 13): who a request is counted against, and how many it may make.

Pure rules only: the policy (tiers, route classes, per-subject overrides) in `policy.py`, the
bucket keys and the fixed-window arithmetic in `windows.py`. Counting is the store's job
(`store/ratelimits.py`, one UpdateItem per request), applying it the API's (`api/rate_limits.py`).
"""

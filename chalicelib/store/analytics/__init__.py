"""Analytics counters (items of the main table, keys owned by `counters.py`)."""

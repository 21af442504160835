"""Calendar feeds (issue 12): feed tokens, per-resource feed settings, window reads."""

"""The waitlist aggregate: entries (what a user waits for), the pure matching rules that pick
the window to offer, and the per-resource waitlist settings."""

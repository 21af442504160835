"""Quota rules, per-user overrides and usage counters (issue 13)."""

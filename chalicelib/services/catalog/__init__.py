"""Catalogue use cases: resources, rules (hours, blackouts), bulk edits, availability."""

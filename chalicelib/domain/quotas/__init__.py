"""Booking quotas (issue 13): rules, per-user overrides, the charges a booking makes.

Import the modules directly (`charge`, `rules`): `charge` is imported by the reservation
entity, so this package imports nothing itself.
"""

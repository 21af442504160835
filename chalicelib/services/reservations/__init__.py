"""Reservation use cases: book, reschedule, cancel, series, bulk, queries, recovery."""

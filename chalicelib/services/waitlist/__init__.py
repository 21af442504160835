"""Waitlist use cases: joining and reading the queue (entries.py), and the offers made from
freed windows, accepted, declined or expired (offers.py). Both work on the ports of
ports.py; the booking rules are applied the same way as for a direct booking (fit.py)."""

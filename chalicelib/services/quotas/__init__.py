"""Booking quotas (issue 13): the booking path's gate, usage views and admin management."""

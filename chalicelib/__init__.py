"""Resource Reserver: the Chalice application package."""

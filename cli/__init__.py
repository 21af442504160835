"""`rr`: the Resource Reserver command-line client (Typer tree over an httpx client)."""

__version__ = "0.1.0"

"""ws package."""

"""HTTP boundary: one blueprint per resource family, thin routes."""

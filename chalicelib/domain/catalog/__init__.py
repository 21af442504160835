"""The catalogue aggregate: resources, their hours, CSV import rules, status."""

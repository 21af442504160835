"""The catalogue in DynamoDB: resources and their lookups, blackouts, settings, caches."""

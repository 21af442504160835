"""Pipeline use cases: notifications, email, webhooks, audit, jobs, operations."""

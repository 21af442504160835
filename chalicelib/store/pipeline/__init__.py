"""The pipeline's items: audit log, notifications, webhooks and deliveries, jobs,
WebSocket connections, the contact directory."""

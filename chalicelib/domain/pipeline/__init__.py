"""The event pipeline's pure parts: the event envelope and catalogue, item change ->
events, audit entries, notifications, webhooks, email texts, WebSocket connections."""

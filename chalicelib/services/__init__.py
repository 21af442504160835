"""Application services: one use case per method; they take the Principal and call domain + store."""

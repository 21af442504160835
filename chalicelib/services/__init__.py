"""Application services: one use case per method; they take the Principal, call domain + store."""

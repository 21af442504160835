"""Reservations in DynamoDB: items and keys, the invariant's transaction, the one booking
writer, reads and listings, Idempotency-Key records, series and bulk anchors."""

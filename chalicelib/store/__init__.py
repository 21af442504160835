"""Persistence: PynamoDB models, key builders, repositories and conditional writes.

The only package (with `integrations/`) that imports boto3 or pynamodb.
"""

"""Accounts in DynamoDB: users, tokens, OAuth clients, login attempts."""

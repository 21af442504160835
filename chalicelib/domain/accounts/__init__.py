"""Pure rules of the auth domain: accounts, passwords, tokens, MFA, brute-force lockout."""

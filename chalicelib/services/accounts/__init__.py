"""Account use cases: registration, sign-in and sessions, MFA, OAuth clients."""

"""Accounts, login, tokens, second factor, roles and the access policy."""

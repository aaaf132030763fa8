"""Notifications: the outbox (written in the business transaction, delivered after commit) and gateways."""

"""Shared building blocks. Imports no domain."""

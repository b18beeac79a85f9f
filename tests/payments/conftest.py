"""Payments tests use the shared fixtures in tests/conftest.py (stripe_mode among them)."""

"""Fixtures for core tests (the shared ones are in tests/conftest.py)."""

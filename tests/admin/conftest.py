"""Fixtures for the admin tests (shared with the organisation tests)."""

from tests.organisations.conftest import sign_in  # noqa: F401

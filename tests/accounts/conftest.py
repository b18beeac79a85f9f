"""Fixtures for account tests."""

import pytest


@pytest.fixture
def browser(app, ctx):
    """Make another browser (a fresh checking client) for tests that need more than one."""
    return app.test_client

"""Pytest plugin: `notify_server` (one server per test process, reset for each test) and `notify_mode`."""

import pytest

from .server import NotifyTestServer

NOTIFY_SETTINGS = ("NOTIFY_API_KEY", "NOTIFY_SMS_TEMPLATE_ID", "NOTIFY_BASE_URL")


@pytest.fixture(scope="session")
def notify_server_session():
    """The process's NotifyTestServer, started once."""
    with NotifyTestServer() as server:
        yield server


@pytest.fixture
def notify_server(notify_server_session):
    """The running NotifyTestServer with a fresh key and template, and nothing sent or logged."""
    notify_server_session.reset()
    return notify_server_session


@pytest.fixture
def notify_mode(app, notify_server):
    """Configure the app to text urgent alerts through the test server; no texts (the default) afterwards."""
    previous = {name: app.config.get(name) for name in NOTIFY_SETTINGS}
    app.config.update(
        NOTIFY_API_KEY=notify_server.api_key,
        NOTIFY_SMS_TEMPLATE_ID=notify_server.template_id,
        NOTIFY_BASE_URL=notify_server.base_url,
    )
    yield notify_server
    app.config.update(previous)

"""A GOV.UK Notify-compatible HTTP test server owned by the tests (see server.NotifyTestServer)."""

from .server import ApiKey, NotifyError, NotifyTestServer, RecordedRequest

__all__ = ["ApiKey", "NotifyError", "NotifyTestServer", "RecordedRequest"]

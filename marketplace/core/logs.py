"""Logs keep no secrets: tokens in link paths are redacted, email addresses and UK mobile numbers are masked.

Reset, verification, invitation, data-download and calendar-feed links carry their token in the path (an emailed link or a
calendar subscription cannot send it any other way), so every log line the app writes (its own, the
development server's access lines) and gunicorn's access log (marketplace/gunicorn_conf.py) pass through
`redact()`.
"""

import logging
import re

# A path segment after one of these is a secret token (the calendar feed's ends in .ics).
_TOKEN_PATHS = re.compile(
    r"(/(?:reset-password|verify-email|invitations|calendar|your-data)/)(?!\[redacted\])[^\s/?#\"']+"
)
# Any other path segment that looks like a token (32 or more URL-safe characters), so a new token route is
# redacted even before it is named above.
_LONG_SEGMENTS = re.compile(r"(?<=/)[A-Za-z0-9_-]{32,}(?:\.[A-Za-z0-9_-]+)*(?=[/?#\s\"']|$)")
_TOKEN_PARAMS = re.compile(r"([?&](?:token|key)=)[^\s&#\"']+", re.IGNORECASE)
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_MOBILE = re.compile(r"(?<![\w+])(?:\+44 ?|0)7\d{3} ?\d{3} ?(\d{3})(?!\d)")  # 07… and +447…, as texts go to


def redact(text: str) -> str:
    """The text with link tokens replaced by [redacted], email addresses (a***@example.com) and UK mobile numbers
    (07*** ***982) masked."""
    text = _TOKEN_PATHS.sub(r"\1[redacted]", text)
    text = _LONG_SEGMENTS.sub("[redacted]", text)
    text = _TOKEN_PARAMS.sub(r"\1[redacted]", text)
    text = _MOBILE.sub(r"07*** ***\1", text)
    return _EMAIL.sub(r"\1***@\2", text)


def mask_email(address: str | None) -> str:
    """An address as logs may show it: first letter and domain only."""
    return redact(address or "")


class RedactingFormatter(logging.Formatter):
    """A formatter whose every line (message, arguments, traceback) goes through redact()."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(level: int = logging.INFO) -> None:
    """Log at `level` to the root handlers, every one of them redacting."""
    logging.basicConfig(level=level)
    for handler in logging.getLogger().handlers:
        if not isinstance(handler.formatter, RedactingFormatter):
            handler.setFormatter(RedactingFormatter(logging.BASIC_FORMAT))

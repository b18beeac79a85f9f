"""Under gunicorn (as in production) every response carries the security headers and no Server banner, even the
500 page of a request the app fails to answer (here: a database with no tables)."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str):
    """(status, headers, body) of a GET, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


UNDER_FAKETIME = "faketime" in os.environ.get("LD_PRELOAD", "")


@pytest.fixture
def served(tmp_path):
    """gunicorn with the production settings and the project's gunicorn config, on an empty SQLite database."""
    port = _free_port()
    env = {
        **os.environ,
        "FLASK_CONFIG": "production",
        "SECRET_KEY": "a-long-test-secret-for-gunicorn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite'}",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "REDIS_URL": "redis://127.0.0.1:6379/14",
    }
    process = subprocess.Popen(
        [
            str(GUNICORN),
            "-c",
            "python:marketplace.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "marketplace:create_app()",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            _get(base + "/static/backstop.css")
            break
        except OSError:
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.skipif(
    UNDER_FAKETIME,
    reason="faketime (CI's run 400 days ahead) breaks gunicorn's sleeps and timers; it runs in the normal runs",
)
def test_responses_carry_security_headers_and_no_server_banner(served):
    """An asset, and a page the app cannot build (no tables: a 500), both carry the headers; neither says Server."""
    asset = _get(served + "/static/backstop.css")
    failed = _get(served + "/training")
    assert asset[0] == 200 and failed[0] == 500
    for _, headers, _ in (asset, failed):
        assert headers.get("Server") is None
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert b"Traceback" not in failed[2] and b"sqlite" not in failed[2].lower()

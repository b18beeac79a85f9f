"""`make run` serves on PORT, runs the periodic jobs beside the server, and leaves nothing running when stopped."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FAKE_FLASK = """#!/bin/bash
echo "$*" >> "$FAKE_FLASK_LOG"
case "$1" in
  run) exec "{python}" -m http.server --bind 127.0.0.1 "${{@: -1}}" ;;
  queue) exec sleep 1000 ;;
esac
"""


def _make(*args: str, **env: str) -> subprocess.Popen:
    """`make` on the project's Makefile, in its own process group, with Ctrl-C not ignored (as in a terminal)."""

    def _as_in_a_terminal():
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGQUIT, signal.SIG_DFL)

    return subprocess.Popen(
        ["make", "--no-print-directory", "-f", str(REPO / "Makefile"), *args],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=_as_in_a_terminal,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _dry_run(*args: str) -> str:
    """What `make -n` would run."""
    return subprocess.run(
        ["make", "-n", "-f", str(REPO / "Makefile"), *args], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout


def test_run_serves_on_the_port_asked_for_and_5000_by_default():
    """`make run PORT=5050` passes the port to the server; without PORT it is 5000."""
    assert "--port 5050" in _dry_run("run", "PORT=5050")
    assert "--port 5000" in _dry_run("run")


def test_run_runs_the_periodic_jobs_every_minute():
    """The run recipe loops `flask jobs run-due`, a minute apart."""
    recipe = _dry_run("run")
    assert "jobs run-due" in recipe and "while true" in recipe and "sleep 60" in recipe


def test_reset_demo_deletes_the_sqlite_database_and_reloads_the_demo_data():
    """`make reset-demo` removes instance/backstop.sqlite, migrates and seeds again."""
    recipe = _dry_run("reset-demo")
    assert "rm -f instance/backstop.sqlite" in recipe
    assert "db upgrade" in recipe and "seed-demo" in recipe


def _wait_for(url: str, process: subprocess.Popen) -> int:
    for _ in range(100):
        assert process.poll() is None, process.stdout.read()
        try:
            return urllib.request.urlopen(url, timeout=1).status
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered at {url}")


def _group_is_empty(group: int) -> bool:
    for _ in range(50):
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


UNDER_FAKETIME = "faketime" in os.environ.get("LD_PRELOAD", "")


@pytest.mark.skipif(
    UNDER_FAKETIME,
    reason="faketime (CI's run 400 days ahead) makes short sleeps fail with EINVAL in this test and its child "
    "processes; it has no dates in it and runs in the normal SQLite and PostgreSQL runs",
)
@pytest.mark.parametrize("stop", ["ctrl-c", "terminate make"])
def test_run_serves_runs_jobs_and_worker_and_stops_them_all(tmp_path, stop):
    """With a stand-in `flask`: serves on PORT, runs the jobs again and again with a worker, and Ctrl-C or stopping
    make ends the server, the jobs loop and the worker (nothing is left in make's process group)."""
    fake = tmp_path / "flask"
    fake.write_text(FAKE_FLASK.format(python=sys.executable))
    fake.chmod(0o755)
    log = tmp_path / "calls.log"
    port = _free_port()
    make = _make(
        "-C", str(tmp_path), "-o", ".venv/.stamp-runtime", "-o", "assets", "run",
        f"PORT={port}", f"FLASK={fake}", "JOBS_EVERY=0.2",
        FAKE_FLASK_LOG=str(log), REDIS_URL="redis://127.0.0.1:1/0",
    )  # fmt: skip
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/", make) == 200
        time.sleep(1)
        calls = log.read_text().splitlines()
        assert calls[:2] == ["db upgrade", "seed-demo --if-empty"]
        assert "queue worker" in calls and f"run --host 127.0.0.1 --port {port}" in calls
        assert calls.count("jobs run-due") >= 2
        if stop == "ctrl-c":
            os.killpg(make.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
        else:
            make.terminate()
        make.wait(timeout=10)
        assert _group_is_empty(make.pid), subprocess.run(
            ["ps", "-g", str(make.pid)], capture_output=True, text=True
        ).stdout
    finally:
        try:
            os.killpg(make.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

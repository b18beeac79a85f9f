"""The bench's clients: `wrk` for pages under load, and a small Python client for signing in, the booking form's
steps, the booking POST under load and the 50-bookers race (multi-step writes that wrk cannot script)."""

import html
import http.client
import json
import os
import re
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from .app import CAPTURE_HEADER, QUERIES_HEADER

WRK = "wrk"
WRK_SCRIPT = Path(__file__).with_name("wrk.lua")
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
_CONFIRM_FORM = re.compile(r'<form[^>]*action="([^"]*/book/confirm)"[^>]*>(.*?)</form>', re.DOTALL)
_NEXT = re.compile(r'<a\b[^>]*\bhref="([^"]+)"[^>]*\brel="next"|<a\b[^>]*\brel="next"[^>]*\bhref="([^"]+)"')
_BOOKING = re.compile(r"/training/bookings/\d+$")


def percentile(values: list, share: float) -> float:
    """Nearest-rank percentile (share 0.5, 0.95, 0.99) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


# --- wrk -------------------------------------------------------------------------------------------------------


@dataclass
class Run:
    """One timed run: throughput, client-side latencies (ms) and errors."""

    requests: int
    seconds: float
    errors: int
    p50: float
    p95: float
    p99: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk(url: str, *, cookie: str | None, seconds: int, connections: int, threads: int) -> Run:
    """`wrk -c<connections> -t<threads> -d<seconds>s` on one address with bench/wrk.lua; its BENCH line parsed."""
    command = [WRK, f"-c{connections}", f"-t{threads}", f"-d{seconds}s", "--timeout", "30s", "-s", str(WRK_SCRIPT)]
    finished = subprocess.run(
        [*command, url],
        env={**os.environ, "BENCH_COOKIE": cookie or ""},
        capture_output=True,
        text=True,
        timeout=seconds + 90,
        check=False,
    )
    line = next((line for line in finished.stdout.splitlines() if line.startswith("BENCH ")), None)
    if finished.returncode or line is None:
        raise RuntimeError(f"wrk failed on {url}: {finished.stdout[-500:]} {finished.stderr[-500:]}")
    found = json.loads(line.removeprefix("BENCH "))
    return Run(found["requests"], found["seconds"], found["errors"], found["p50"], found["p95"], found["p99"])


# --- a browser -------------------------------------------------------------------------------------------------


@dataclass
class Reply:
    """One response."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def queries(self) -> int | None:
        value = self.headers.get(QUERIES_HEADER)
        return int(value) if value is not None else None

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


@dataclass
class Browser:
    """One person's browser: its own connection, cookies and (behind the production proxy) IP address."""

    host: str
    port: int
    ip: str = "198.51.100.7"
    cookies: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)

    @property
    def cookie(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, form: list | dict | None = None, capture: str | None = None) -> Reply:
        """One request (the connection is reopened after gunicorn's sync workers close it)."""
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": self.ip}
        if self.cookies:
            headers["Cookie"] = self.cookie
        if capture:
            headers[CAPTURE_HEADER] = capture
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://{self.host}:{self.port}{path}"  # CSRF checks it on HTTPS
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            raise
        reply = Reply(response.status, response.headers, data, time.perf_counter() - started)
        for value in reply.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return reply

    def get(self, path: str, capture: str | None = None) -> Reply:
        return self.request("GET", path, capture=capture)

    def post(self, path: str, form: list | dict, capture: str | None = None) -> Reply:
        return self.request("POST", path, form, capture=capture)

    def clone(self) -> "Browser":
        """The same person signed in, on a connection of its own (for another thread)."""
        return Browser(self.host, self.port, self.ip, dict(self.cookies))

    def connect(self) -> None:
        """Open the connection now (so a timed request does not include it)."""
        if self.connection.sock is None:
            self.connection.connect()

    def close(self) -> None:
        self.connection.close()


def csrf_token(reply: Reply) -> str:
    match = _CSRF.search(reply.text)
    if reply.status != 200 or not match:
        raise RuntimeError(f"No form with a CSRF token (HTTP {reply.status})")
    return html.unescape(match.group(1) or match.group(2))


def sign_in(host: str, port: int, email: str, password: str, ip: str = "198.51.100.7") -> Browser:
    """A browser signed in through the form (each person from their own address, as behind the proxy)."""
    browser = Browser(host, port, ip)
    token = csrf_token(browser.get("/sign-in"))
    reply = browser.post("/sign-in", {"csrf_token": token, "email": email, "password": password})
    if reply.status != 302:
        raise RuntimeError(f"Signing in as {email} failed (HTTP {reply.status})")
    return browser


def next_link(reply: Reply) -> str | None:
    """The page's rel="next" pagination link, if it has one."""
    match = _NEXT.search(reply.text)
    return html.unescape(match.group(1) or match.group(2)) if match else None


# --- booking ---------------------------------------------------------------------------------------------------


@dataclass
class Checked:
    """A check-your-answers page ready to confirm: who, where to post, and its hidden fields."""

    browser: Browser
    path: str
    fields: list


def prepare_booking(browser: Browser, session_id: int, org_id: int, name: str, email: str) -> Checked:
    """The booking form, then its check page (nothing booked yet): what the confirm button would post."""
    book = f"/training/sessions/{session_id}/book"
    token = csrf_token(browser.get(book))
    form = {"csrf_token": token, "booker_for": str(org_id), "rows": "3", "name_1": name, "email_1": email}
    check = browser.post(book, form)
    match = _CONFIRM_FORM.search(check.text)
    if check.status != 200 or not match:
        raise RuntimeError(f"No check page for session {session_id} (HTTP {check.status}): {check.text[:300]!r}")
    fields = [(name, html.unescape(value)) for name, value in _HIDDEN.findall(match.group(2))]
    return Checked(browser, html.unescape(match.group(1)), fields)


def booked(reply: Reply) -> bool:
    """The confirm booked places (a redirect to the new booking's page)."""
    return reply.status in (302, 303) and bool(_BOOKING.search(reply.location))


@dataclass
class Writes:
    """Confirms sent under load (or at once): throughput, latencies (ms), how many booked."""

    run: Run
    booked: int
    answers: dict


def _summarise(latencies: list, started: float, ended: float, booked_count: int, answers: dict, errors: int):
    ms = [seconds * 1000 for seconds in latencies] or [0.0]
    run = Run(len(latencies), ended - started, errors, *(percentile(ms, share) for share in (0.5, 0.95, 0.99)))
    return Writes(run, booked_count, answers)


def confirm_all(checked: list[Checked]) -> Writes:
    """Post every prepared confirm, one thread per browser (each posts the confirms it prepared: its cookie holds
    their CSRF secret), as fast as they answer: a booking POST under load. Anything but a redirect to the new
    booking counts as an error."""
    lock, latencies, answers, errors = threading.Lock(), [], {}, [0]
    mine: dict[int, list[Checked]] = {}
    for item in checked:
        mine.setdefault(id(item.browser), []).append(item)

    def worker(items: list[Checked]) -> None:
        for item in items:
            reply = item.browser.post(item.path, item.fields)
            with lock:
                latencies.append(reply.seconds)
                answers[reply.status] = answers.get(reply.status, 0) + 1
                errors[0] += not booked(reply)

    pool = [threading.Thread(target=worker, args=(items,)) for items in mine.values()]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    ended = time.perf_counter()
    return _summarise(latencies, started, ended, len(latencies) - errors[0], answers, errors[0])


def confirm_at_once(checked: list[Checked]) -> Writes:
    """Every prepared confirm posted at the same moment (a barrier; connections opened beforehand): a booked place
    is a redirect to the booking, a refusal a 200 page (the session is full); anything else an error."""
    barrier, lock, latencies, replies = threading.Barrier(len(checked)), threading.Lock(), [], []

    def one(item: Checked) -> None:
        item.browser.connect()
        barrier.wait()
        reply = item.browser.post(item.path, item.fields)
        with lock:
            latencies.append(reply.seconds)
            replies.append(reply)

    pool = [threading.Thread(target=one, args=(item,)) for item in checked]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    ended = time.perf_counter()
    answers = {}
    for reply in replies:
        answers[reply.status] = answers.get(reply.status, 0) + 1
    got = sum(booked(reply) for reply in replies)
    errors = sum(1 for reply in replies if not booked(reply) and reply.status != 200)
    return _summarise(latencies, started, ended, got, answers, errors)


def median(values: list) -> float:
    return statistics.median(values) if values else 0.0

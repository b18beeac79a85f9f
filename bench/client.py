"""A small concurrent HTTP client: threads, one http.client connection each, a fixed time per page."""

import http.client
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

QUERIES_HEADER = "X-Bench-Queries"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


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


@dataclass
class Result:
    """What one page did under load."""

    name: str
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list = field(default_factory=list)
    queries: list = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else 0.0

    @property
    def p95_ms(self) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000

    @property
    def queries_text(self) -> str:
        if not self.queries:
            return "?"
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}-{high}"


class Client:
    """Requests to one server; the connection is reopened whenever the server closes it (gunicorn sync)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.connection = http.client.HTTPConnection(host, port, timeout=30)

    def request(self, method: str, path: str, *, cookie: str | None = None, form: dict | None = None) -> Reply:
        headers = {"Cookie": cookie} if cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            raise
        return Reply(response.status, response.headers, data, time.perf_counter() - started)

    def close(self) -> None:
        self.connection.close()


def _cookie_header(reply: Reply, jar: dict) -> str:
    for value in reply.headers.get_all("Set-Cookie") or []:
        for name, morsel in SimpleCookie(value).items():
            jar[name] = morsel.value
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def sign_in(host: str, port: int, email: str, password: str) -> str:
    """Sign in through the form (with the CSRF token from the page) and return the Cookie header to reuse."""
    client, jar = Client(host, port), {}
    try:
        page = client.request("GET", "/sign-in")
        match = _CSRF.search(page.text)
        if page.status != 200 or not match:
            raise RuntimeError(f"No sign-in form (HTTP {page.status})")
        cookie = _cookie_header(page, jar)
        form = {"csrf_token": match.group(1) or match.group(2), "email": email, "password": password}
        reply = client.request("POST", "/sign-in", cookie=cookie, form=form)
        if reply.status != 302:
            raise RuntimeError(f"Signing in as {email} failed (HTTP {reply.status})")
        return _cookie_header(reply, jar)
    finally:
        client.close()


def measure(
    name: str, host: str, port: int, path: str, *, cookie: str | None, seconds: float, threads: int, warmup: float
) -> Result:
    """Hammer one path from `threads` threads: `warmup` seconds unrecorded, then `seconds` recorded."""
    result, lock = Result(name), threading.Lock()
    start_at = time.perf_counter() + warmup
    stop_at = start_at + seconds
    finished = [stop_at]

    def worker() -> None:
        client = Client(host, port)
        latencies, queries, errors = [], [], 0
        try:
            while (now := time.perf_counter()) < stop_at:
                try:
                    reply = client.request("GET", path, cookie=cookie)
                except (http.client.HTTPException, OSError):
                    reply = None
                if now < start_at:
                    continue
                finished.append(time.perf_counter())
                if reply is None or reply.status != 200:
                    errors += 1
                    continue
                latencies.append(reply.seconds)
                if reply.queries is not None:
                    queries.append(reply.queries)
        finally:
            client.close()
        with lock:
            result.latencies.extend(latencies)
            result.queries.extend(queries)
            result.errors += errors

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    result.requests = len(result.latencies)
    result.seconds = max(finished) - start_at  # the last request started in time may end a little late
    return result

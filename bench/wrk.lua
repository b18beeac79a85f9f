-- wrk script for `make bench` (bench/client.py runs wrk with it).
-- Sends the session cookie (BENCH_COOKIE) and the headers a TLS proxy in front of production adds; when wrk ends,
-- prints one line "BENCH {json}": requests, seconds, errors (non-2xx/3xx answers plus socket errors and timeouts)
-- and the latency percentiles in milliseconds.

local cookie = os.getenv("BENCH_COOKIE")
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
wrk.headers["X-Forwarded-Proto"] = "https"
wrk.headers["X-Forwarded-For"] = "198.51.100.7"

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.6f, "errors": %d, "status_errors": %d, ' ..
    '"p50": %.3f, "p95": %.3f, "p99": %.3f, "max": %.3f}\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout + e.status, e.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end

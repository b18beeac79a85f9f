"""Real-browser tests: Playwright driving Debian's Chromium against the app served from a thread."""

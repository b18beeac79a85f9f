"""Checks every HTML page the suite fetches: one <h1>, a <title> that starts with it, no server error."""

from bs4 import BeautifulSoup


def check_page(response, url: str) -> None:
    """Fail the test if a fetched page breaks the page rules."""
    assert response.status_code < 500, f"{url} gave {response.status_code}"
    if not response.mimetype == "text/html" or response.status_code in (301, 302, 303):
        return
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    headings = soup.find_all("h1")
    assert len(headings) == 1, f"{url} has {len(headings)} <h1> elements"
    heading = " ".join(headings[0].get_text().split())
    title = " ".join(soup.title.get_text().split()) if soup.title else ""
    assert title.startswith(heading), f"{url}: title {title!r} does not start with h1 {heading!r}"
    assert title.endswith("– Backstop"), f"{url}: title {title!r} does not name the service"

"""Reading pages in tests: the rules every fetched page must meet, and its text, headings, errors and links."""

from bs4 import BeautifulSoup


def check_page(response, url: str) -> None:
    """Fail the test if a fetched page breaks the page rules."""
    assert response.status_code < 500, f"{url} gave {response.status_code}"
    if not response.mimetype == "text/html" or response.status_code in (301, 302, 303):
        return
    page = soup(response)
    headings = page.find_all("h1")
    assert len(headings) == 1, f"{url} has {len(headings)} <h1> elements"
    heading = " ".join(headings[0].get_text().split())
    title = " ".join(page.title.get_text().split()) if page.title else ""
    assert title.startswith(heading), f"{url}: title {title!r} does not start with h1 {heading!r}"
    assert title.endswith("– Backstop"), f"{url}: title {title!r} does not name the service"


def soup(response) -> BeautifulSoup:
    """The parsed HTML of a response."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(response) -> str:
    """The visible text of a page, whitespace collapsed."""
    return " ".join(soup(response).get_text(" ").split())


def main_text(response) -> str:
    """The visible text of the page's main content."""
    return " ".join(soup(response).find("main").get_text().split())


def h1(response) -> str:
    """The page's main heading."""
    return " ".join(soup(response).h1.get_text(" ").split())


def error_summary(response) -> str:
    """The text of the GOV.UK error summary, or '' when there is none."""
    box = soup(response).select_one(".govuk-error-summary")
    return " ".join(box.get_text(" ").split()) if box else ""


def errors(response) -> list[str]:
    """Each message in the error summary and beside the fields."""
    found = soup(response).select(".govuk-error-summary__list a, .govuk-error-message")
    return [" ".join(tag.get_text().split()).removeprefix("Error: ") for tag in found]


def nav_links(response) -> list[str]:
    """The texts of the service navigation's menu links (not the service name)."""
    links = soup(response).select(".govuk-service-navigation__list a")
    return [" ".join(a.get_text(" ").split()) for a in links]

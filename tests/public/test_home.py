"""The home page and README say only what works now: training is built, relief cover and insurance are coming."""

import re
from pathlib import Path

from tests.pages import check_page, soup

REPO = Path(__file__).resolve().parents[2]


def _card(page, heading: str):
    """The service card under this heading."""
    [h2] = [tag for tag in page.select("main h2") if tag.get_text(strip=True) == heading]
    return h2.parent


def test_each_service_card_links_to_its_page_or_says_coming_soon(client):
    """Training links to the catalogue; relief cover to its pools and the worker profile; insurance says coming
    soon; no card promises a service that is not built."""
    response = client.get("/")
    check_page(response, "/")
    page = soup(response)
    training, cover, insurance = (_card(page, name) for name in ("Training", "Relief cover", "Insurance"))
    assert "/training" in [a["href"] for a in training.select("a")]
    assert "Coming soon" not in training.get_text()
    assert "Coming soon" not in cover.get_text() and "Coming soon" in insurance.get_text()
    assert [a["href"] for a in cover.select("a")] == ["/relief/pools", "/relief/profile"]
    assert insurance.select("a") == []
    assert "Sickness cover" not in response.get_data(as_text=True)


def test_the_home_page_title_promises_nothing_unbuilt(client):
    """The heading does not offer insurance or cover as if they were available."""
    heading = soup(client.get("/")).h1.get_text(strip=True)
    assert "insurance" not in heading.lower() and "cover" not in heading.lower()


def test_readme_links_stay_inside_the_repository():
    """Every relative link in the README points at a file in the repository (a clone has no ../shared)."""
    readme = (REPO / "README.md").read_text()
    assert "../" not in readme
    for target in re.findall(r"\]\(([^)#]+)\)", readme):
        if not re.match(r"[a-z]+:", target):
            assert (REPO / target).resolve().is_relative_to(REPO) and (REPO / target).exists(), target


def test_readme_says_relief_cover_and_insurance_are_coming_and_how_to_reset_the_demo():
    """The README's opening says what works today and what is coming, and says how to reset the demo data."""
    readme = (REPO / "README.md").read_text()
    opening = readme.split("## ")[0]
    assert "coming soon" in opening and "relief workers pick up cover shifts" not in opening
    assert "make reset-demo" in readme and "instance/backstop.sqlite" in readme
    assert "make run PORT=5050" in readme

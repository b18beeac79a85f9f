"""Course descriptions: a publisher's Markdown as GOV.UK body text, sanitised by nh3."""

import pytest
from bs4 import BeautifulSoup

from marketplace.training.catalogue import render_markdown


@pytest.mark.parametrize(
    ("markdown", "tag", "classes"),
    [
        ("Learn CPR.", "p", "govuk-body"),
        ("* CPR\n* Recovery position", "ul", "govuk-list govuk-list--bullet"),
        ("1. Call 999\n2. Start CPR", "ol", "govuk-list govuk-list--number"),
        ("[NHS](https://www.nhs.uk)", "a", "govuk-link"),
        ("[Write to us](mailto:training@leeds.gov.uk)", "a", "govuk-link"),
        ("# Overview", "h2", "govuk-heading-m"),
        ("## What you learn", "h2", "govuk-heading-m"),
        ("### Before you come", "h3", "govuk-heading-s"),
        ("#### Parking", "h4", "govuk-heading-s"),
        ("> Bring a packed lunch", "blockquote", "govuk-inset-text"),
    ],
)
def test_each_element_gets_its_govuk_class(markdown, tag, classes):
    """Paragraphs, lists, links and headings carry GOV.UK classes; a Markdown h1 becomes h2 (the page has one h1)."""
    soup = BeautifulSoup(render_markdown(markdown), "html.parser")
    element = soup.find(tag)
    assert element is not None and element.get("class") == classes.split()
    assert soup.find("h1") is None


def test_links_keep_their_address():
    """An allowed link keeps its address and gains only the GOV.UK class."""
    link = BeautifulSoup(render_markdown("[NHS](https://www.nhs.uk)"), "html.parser").find("a")
    assert link.attrs == {"href": "https://www.nhs.uk", "class": ["govuk-link"]}


def test_a_paragraph_inside_a_list_is_body_text_too():
    """Loose lists wrap items in paragraphs; they get the body class like any other."""
    html = render_markdown("* CPR\n\n* Recovery position")
    assert '<li>\n<p class="govuk-body">CPR</p>\n</li>' in html


@pytest.mark.parametrize(
    "markdown",
    [
        "[click here](javascript:alert(1))",
        '<a href="javascript:alert(1)">click here</a>',
        '<a href="data:text/html,hi">click here</a>',
        '<a href="vbscript:msgbox(1)">click here</a>',
        '<a onclick="alert(1)">click here</a>',
        '<a title="Say hello" href="javascript:alert(1)">click here</a>',
    ],
)
def test_a_removed_link_leaves_its_text(markdown):
    """A link to a disallowed scheme (or with no address) is unwrapped: its words stay, as plain text."""
    assert render_markdown(markdown) == '<p class="govuk-body">click here</p>'


def test_allowed_links_keep_their_address_next_to_removed_ones():
    """Unwrapping a removed link does not touch the good link beside it."""
    paragraph = BeautifulSoup(render_markdown("[bad](javascript:alert(1)) and [good](https://nhs.uk)"), "html.parser")
    assert paragraph.get_text() == "bad and good"
    assert [link.get("href") for link in paragraph.find_all("a")] == ["https://nhs.uk"]


@pytest.mark.parametrize(
    "markdown",
    [
        '<script>alert("x")</script>Welcome',
        '<script type="text/javascript">\nalert("x")\n</script>\n\nWelcome',
        "<style>body { display: none }</style>Welcome",
    ],
)
def test_a_removed_script_leaves_nothing_behind(markdown):
    """Scripts and styles go with their contents: no 'alert' left on the page."""
    html = render_markdown(markdown)
    assert "alert" not in html and "display" not in html and "<script" not in html
    assert "Welcome" in html


@pytest.mark.parametrize(
    ("markdown", "unwanted"),
    [
        ('<p class="govuk-panel" style="color:red" id="x">Hi</p>', ("govuk-panel", "style", "id=")),
        ('<a href="https://nhs.uk" class="evil" title="t" target="_blank">NHS</a>', ("evil", "title", "target")),
        ('<img src=x onerror="alert(1)">Hi', ("<img", "onerror")),
        ("<iframe src='https://evil.example'></iframe>Hi", ("<iframe", "evil.example")),
        ("<h1 class='x'>Big</h1>", ("<h1", "class='x'", 'class="x"')),
    ],
)
def test_input_cannot_bring_its_own_classes_or_attributes(markdown, unwanted):
    """Only the GOV.UK classes we set survive; attributes and tags in the input are removed."""
    html = render_markdown(markdown)
    for text in unwanted:
        assert text not in html, text


def test_empty_description():
    """No description renders as nothing."""
    assert render_markdown(None) == "" and render_markdown("") == ""

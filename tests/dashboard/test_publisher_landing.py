"""Publishers land on what they run: their courses and next sessions, attendance to mark, invoices awaiting payment
and overdue, refunds to send and join requests come first; the booker links come last, folded away."""

import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from marketplace.core.clock import today
from marketplace.extensions import db
from marketplace.organisations.models import MemberRole
from marketplace.payments import services as payments
from marketplace.training import booking as bookings
from marketplace.training.booking import Person
from tests import factories
from tests.pages import soup
from tests.queries import counted_queries

BOOKER_LINKS = ("Find training", "Your bookings", "Become a relief worker", "Set up an enterprise")


def _words(node) -> str:
    return " ".join(node.get_text(" ").split())


def _section(page, heading: str):
    """The dashboard's h2 with that text, and the text up to the next h2 of the main column."""
    h2 = next(h for h in page.select(".govuk-grid-column-two-thirds h2") if _words(h) == heading)
    parts = []
    for sibling in h2.find_all_next():
        if sibling.name == "h2":
            break
        parts.append(sibling)
    return h2, parts


@pytest.fixture
def council_world(ctx, clock):
    """Leeds City Council (owner Owen, who books nothing) runs 'Safe lifting' (four sessions ahead, the first with
    3 of 10 places taken on an invoice), a draft course, and a session that started yesterday with someone booked.
    One invoice is paid and its booking cancelled (a refund to send), one is overdue; someone asks to join."""
    owen = factories.user(name="Owen Officer", role="publisher")
    council = factories.publisher(owen, name="Leeds City Council")
    erin = factories.user(name="Erin Owner")
    enterprise = factories.enterprise(erin, name="Erin Care")
    lifting = factories.course(council, title="Safe lifting")
    sessions = [factories.training_session(lifting, days_ahead=days, capacity=10) for days in (5, 12, 20, 40)]
    factories.course(council, title="Draft course", status="draft")
    started = factories.training_session(factories.course(council, title="Started course"), days_ahead=-1)
    factories.booking(started, erin, enterprise, people=[("Staff", "staff@example.com")])
    people = [Person("Ann", "ann@example.com"), Person("Bob", "bob@example.com"), Person("Cat", "cat@example.com")]
    bookings.create_booking(sessions[0], erin, enterprise, people)
    refunded = bookings.create_booking(sessions[1], erin, enterprise, [Person("Dan", "dan@example.com")])
    payments.mark_invoice_paid(refunded.payment, owen)
    bookings.cancel_booking(refunded, erin)
    overdue = factories.payment(payer_organisation=enterprise, payee_organisation=council)
    overdue.due_on = today() - timedelta(days=3)
    factories.membership(factories.user(name="Jo Joiner"), council, role=MemberRole.MEMBER, status="requested")
    db.session.commit()
    return SimpleNamespace(owen=owen, erin=erin, council=council, sessions=sessions, started=started)


def test_a_publisher_sees_what_they_run(client, login_as, council_world):
    """Tasks (attendance, the refund, the overdue invoice, the join request), then the courses with their next three
    sessions and places taken (linking to the roster), then the invoices awaiting payment and overdue."""
    login_as(council_world.owen)
    page = soup(client.get("/dashboard"))
    tasks = [_words(a) for a in page.select(".govuk-task-list__link")]
    assert "Mark attendance for Started course" in tasks
    assert "1 request to join Leeds City Council" in tasks
    assert any(task.startswith("Send a refund of") and "Erin Care" in task for task in tasks)
    assert any(task.endswith("to Erin Care is overdue") for task in tasks)

    _h2, courses = _section(page, "Your courses")
    rows = [_words(row) for row in courses if row.name == "tr"][1:]
    first, second, third, fourth = council_world.sessions
    assert rows[0].startswith("Safe lifting")
    assert "3 of 10 places taken" in rows[0] and "0 of 10 places taken" in rows[0]
    links = {a["href"] for row in courses if row.name == "tr" for a in row.select("a")}
    assert {f"/training/manage/sessions/{s.id}/roster" for s in (first, second, third)} <= links
    assert f"/training/manage/sessions/{fourth.id}/roster" not in links  # three sessions a course
    assert any(
        row.startswith("Draft course Draft: not open for booking") and "No sessions coming up" in row for row in rows
    )

    _h2, invoices = _section(page, "Invoices")
    items = {_words(li): li.a["href"] if li.a else None for li in invoices if li.name == "li"}
    org = council_world.council.id
    assert (
        items["2 invoices awaiting payment (£50 to be paid)"]
        == f"/payments/organisations/{org}/invoices?status=pending"
    )
    assert items["1 invoice is overdue"] == f"/payments/organisations/{org}/invoices?status=overdue"


def test_a_publisher_who_books_nothing_sees_their_work_before_the_booker_links(client, login_as, council_world):
    """No side column of booker links: they come after the publisher's sections, folded under 'Also on Backstop'."""
    login_as(council_world.owen)
    response = client.get("/dashboard")
    html, page = response.get_data(as_text=True), soup(response)
    assert page.select(".govuk-grid-column-one-third") == []
    first_link = min(html.index(f">{text}<") for text in BOOKER_LINKS)
    assert html.index("Your courses") < html.index(">Invoices<") < html.index("Also on Backstop") < first_link
    details = page.select_one("details.govuk-details")
    assert _words(details.summary) == "Also on Backstop"
    assert set(BOOKER_LINKS) <= {_words(a) for a in details.select("a")}


def test_an_entrepreneur_sees_no_publisher_sections_and_the_booker_links_beside(client, login_as, council_world):
    """The booker of the same courses gets no courses or invoices sections; their links stand in the side column."""
    login_as(council_world.erin)
    page = soup(client.get("/dashboard"))
    headings = [_words(h) for h in page.select("h2")]
    assert "Your courses" not in headings and "Invoices" not in headings
    assert "Your organisations" in headings
    assert page.select_one("details.govuk-details") is None
    side = {_words(a): a["href"] for a in page.select(".govuk-grid-column-one-third a")}
    assert side["Find training"] == "/training"
    assert side["Your bookings"] == "/training/bookings"
    assert side["Become a relief worker"] == "/relief/profile"
    assert "Set up an enterprise" not in side  # they have one
    assert "Add or join a council or NHS body" in side


def test_a_publisher_who_also_books_keeps_the_booker_links_beside(client, login_as, council_world):
    """Someone in a council and an enterprise books training too: their links stay in the side column."""
    factories.enterprise(council_world.owen, name="Owen's Care")
    db.session.commit()
    login_as(council_world.owen)
    page = soup(client.get("/dashboard"))
    assert "Find training" in {_words(a) for a in page.select(".govuk-grid-column-one-third a")}
    assert page.select_one("details.govuk-details") is None
    assert "Your courses" in [_words(h) for h in page.select("h2")]


def test_finance_people_see_the_invoices_and_plain_members_the_courses(client, login_as, council_world):
    """Invoices are for owners and finance people; a plain member sees the courses without them."""
    clerk = factories.user(name="Cleo Clerk")
    factories.membership(clerk, council_world.council, role=MemberRole.MEMBER)
    db.session.commit()
    login_as(clerk)
    headings = [_words(h) for h in soup(client.get("/dashboard")).select("h2")]
    assert "Your courses" in headings and "Invoices" not in headings


def test_a_publisher_with_no_invoices_waiting_is_told_so(client, login_as, ctx):
    """No invoices awaiting payment: the section says so and links to all the invoices."""
    owen = factories.user(name="Owen Officer", role="publisher")
    council = factories.publisher(owen, name="Leeds City Council")
    db.session.commit()
    login_as(owen)
    page = soup(client.get("/dashboard"))
    _h2, invoices = _section(page, "Invoices")
    items = [_words(li) for li in invoices if li.name == "li"]
    assert items == ["No invoices are awaiting payment.", "All invoices"]
    _h2, courses = _section(page, "Your courses")
    assert "You have no courses yet." in " ".join(_words(p) for p in courses if p.name == "p")
    assert f"/training/manage/organisations/{council.id}/courses" in {a["href"] for a in courses if a.name == "a"}


def _dashboard_queries(client) -> int:
    """The statements one dashboard costs, starting (as a new request does) from nothing loaded."""
    db.session.expire_all()
    with counted_queries() as statements:
        response = client.get("/dashboard")
    assert response.status_code == 200
    return len(statements)


def test_the_dashboard_queries_do_not_grow_with_the_courses(client, login_as, ctx, clock):
    """Two courses or eight, each with sessions and bookings: the same number of queries."""
    owen = factories.user(name="Owen Officer", role="publisher")
    council = factories.publisher(owen, name="Leeds City Council")
    erin = factories.user(name="Erin Owner")
    enterprise = factories.enterprise(erin)

    def add_courses(how_many: int) -> None:
        for _ in range(how_many):
            course = factories.course(council)
            for days in (3, 10, 17, 24):
                factories.booking(factories.training_session(course, days_ahead=days), erin, enterprise)
        db.session.commit()

    add_courses(2)
    login_as(owen)
    few = _dashboard_queries(client)
    add_courses(6)
    assert _dashboard_queries(client) == few


def test_the_dashboard_template_names_no_features_page():
    """Every link on the dashboard comes from a feature: its own template names no endpoint."""
    template = Path(__file__).resolve().parents[2] / "templates" / "dashboard" / "index.html"
    assert re.findall(r"url_for\(\s*['\"]", template.read_text()) == []

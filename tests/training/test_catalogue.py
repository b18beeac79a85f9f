"""The public catalogue, course and session pages: filters, pagination, prices, Markdown and bounded queries."""

from datetime import UTC, datetime, timedelta

import pytest

from marketplace.extensions import db
from marketplace.training.models import TrainingSession
from tests import factories
from tests.pages import h1, soup, text
from tests.queries import counted_queries


def results(response) -> list[str]:
    """The course titles listed, in order (without the hidden date)."""
    return [str(link.contents[0]).strip() for link in soup(response).select(".bs-results h3 a")]


@pytest.fixture
def world(ctx, clock):
    """Two publishers (Leeds, Cornwall) with courses of different topics, prices and delivery."""
    leeds = factories.publisher(name="Leeds City Council", areas=("Leeds",))
    cornwall = factories.publisher(name="Cornwall Council", areas=("Cornwall",))
    first_aid = factories.course(leeds, title="Emergency First Aid at Work", description="Learn CPR and more.")
    hygiene = factories.course(
        cornwall,
        title="Food hygiene basics",
        topic_name="Food hygiene",
        delivery="online",
        full_price_pence=0,
        subsidised_price_pence=0,
    )
    dementia = factories.course(
        leeds, title="Dementia friends", topic_name="Dementia awareness", subsidised_price_pence=0
    )
    factories.training_session(first_aid, days_ahead=10)
    factories.training_session(hygiene, days_ahead=40)
    factories.training_session(dementia, days_ahead=20)
    db.session.commit()
    return {"leeds": leeds, "cornwall": cornwall, "first_aid": first_aid, "hygiene": hygiene, "dementia": dementia}


def test_catalogue_lists_future_sessions_of_published_courses_soonest_first(client, world):
    """Draft courses, past, cancelled sessions and unapproved publishers' courses are left out."""
    factories.training_session(factories.course(world["leeds"], title="Draft course", status="draft"))
    factories.training_session(world["first_aid"], days_ahead=-2, booking_deadline=datetime(2026, 1, 1, tzinfo=UTC))
    factories.training_session(factories.course(world["leeds"], title="Called off"), status="cancelled")
    pending = factories.publisher(status="pending")
    factories.training_session(factories.course(pending, title="Not approved yet"))
    db.session.commit()
    response = client.get("/training")
    assert h1(response) == "Find training"
    assert results(response) == ["Emergency First Aid at Work", "Dementia friends", "Food hygiene basics"]
    assert "3 sessions found" in text(response)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "first AID"}, ["Emergency First Aid at Work"]),
        ({"q": "cpr"}, ["Emergency First Aid at Work"]),
        ({"q": "100%"}, []),
        ({"delivery": "online"}, ["Food hygiene basics"]),
        ({"price": "free"}, ["Food hygiene basics"]),
    ],
)
def test_text_delivery_and_price_filters(client, world, query, expected):
    """Search is case-insensitive over title and description; delivery and 'free' filter."""
    assert results(client.get("/training", query_string=query)) == expected


def test_topic_filter(client, world):
    """Only the chosen topic's sessions."""
    response = client.get("/training", query_string={"topic": world["dementia"].topic_id})
    assert results(response) == ["Dementia friends"]


def test_area_filter_uses_course_areas_or_the_publishers_areas(client, world):
    """A course listed for an area shows there even if its publisher serves elsewhere; unrestricted ones follow
    the publisher's areas; a course restricted elsewhere does not show."""
    world["first_aid"].eligible_areas = [factories.area("Cornwall")]
    db.session.commit()
    cornwall = client.get("/training", query_string={"area": factories.area("Cornwall").id})
    assert results(cornwall) == ["Emergency First Aid at Work", "Food hygiene basics"]
    leeds = client.get("/training", query_string={"area": factories.area("Leeds").id})
    assert results(leeds) == ["Dementia friends"]


def test_date_range_filter_in_uk_dates(client, world, clock):
    """From and to are whole UK days, inclusive."""
    day = (clock.now() + timedelta(days=20)).date()
    both = [("starts_from", str(day.day)), ("starts_from", str(day.month)), ("starts_from", str(day.year))]
    both += [("starts_to", str(day.day)), ("starts_to", str(day.month)), ("starts_to", str(day.year))]
    assert results(client.get("/training", query_string=both)) == ["Dementia friends"]
    later = [("starts_from", str(day.day)), ("starts_from", str(day.month)), ("starts_from", str(day.year))]
    assert results(client.get("/training", query_string=later)) == ["Dementia friends", "Food hygiene basics"]


def test_bad_date_shows_an_error_and_does_not_filter(client, world):
    """A date that does not exist gets a GOV.UK error message."""
    response = client.get(
        "/training", query_string=[("starts_from", "31"), ("starts_from", "2"), ("starts_from", "2027")]
    )
    assert "Starting from must be a real date, like 27 3 2026" in text(response)
    assert len(results(response)) == 3


def test_free_and_subsidised_filters_for_my_area(client, login_as, world):
    """Signed in from a Leeds enterprise, 'free' includes Leeds courses free there; 'subsidised' the Leeds ones."""
    owner = factories.user()
    factories.enterprise(owner, area_name="Leeds")
    db.session.commit()
    login_as(owner)
    assert results(client.get("/training", query_string={"price": "free"})) == [
        "Dementia friends",
        "Food hygiene basics",
    ]
    subsidised = client.get("/training", query_string={"price": "subsidised"})
    assert results(subsidised) == ["Emergency First Aid at Work", "Dementia friends"]


def test_subsidised_filter_needs_an_area_when_signed_out(client, world):
    """Without an area there is nothing to be subsidised for: say so."""
    response = client.get("/training", query_string={"price": "subsidised"})
    assert "Select an area to find courses subsidised there" in text(response)


def test_catalogue_paginates(client, world):
    """25 a page; Next leads to the rest, with GOV.UK Previous and Next links (no numbered pages)."""
    for days in range(50, 80):
        factories.training_session(world["first_aid"], days_ahead=days)
    db.session.commit()
    first = client.get("/training")
    assert len(results(first)) == 25 and "33 sessions found" in text(first)
    pagination = soup(first).select_one(".govuk-pagination")
    assert pagination.select_one(".govuk-pagination__prev") is None
    assert not pagination.select(".govuk-pagination__item")
    second = client.get(pagination.select_one(".govuk-pagination__next a")["href"])
    assert len(results(second)) == 8 and "33 sessions found" in text(second)
    assert soup(second).select_one(".govuk-pagination__next") is None
    assert soup(second).select_one(".govuk-pagination__prev a")["href"] == "/training"


def _add_sessions(courses, number: int) -> None:
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    for n in range(number):
        moment = start + timedelta(hours=n)
        db.session.add(
            TrainingSession(
                course=courses[n % len(courses)],
                starts_at=moment,
                ends_at=moment + timedelta(hours=2),
                booking_deadline=moment - timedelta(days=1),
                capacity=10,
            )
        )
    db.session.commit()


@pytest.mark.parametrize("signed_in", [False, True])
def test_catalogue_query_count_does_not_grow_with_sessions(client, login_as, ctx, clock, signed_in):
    """The catalogue does the same number of queries for 10 sessions as for 500 (each row its own course and
    publisher, so a query per row, course or publisher would show)."""
    areas, topics = ("Leeds", "Bradford", "Cornwall"), ("First aid", "Medication", "Fire safety")
    courses = [
        factories.course(factories.publisher(areas=areas[: 1 + n % 3]), topic_name=topics[n % 3]) for n in range(30)
    ]
    courses[0].eligible_areas = [factories.area("Leeds")]
    owner = factories.user()
    factories.enterprise(owner)
    db.session.commit()
    if signed_in:
        login_as(owner)
    _add_sessions(courses, 10)
    with counted_queries() as few:
        assert len(results(client.get("/training"))) == 10
    _add_sessions(courses, 490)
    with counted_queries() as many:
        assert len(results(client.get("/training"))) == 25
    assert len(few) == len(many) <= 12, many


# --- course and session pages -----------------------------------------------------------------------------------


def test_course_page_shows_details_prices_and_upcoming_sessions(client, world):
    """Description, accreditation, CPD, validity, the two prices and each session's seats left."""
    course = world["first_aid"]
    course.accreditation, course.cpd_hours, course.certificate_validity_months = "Qualsafe Level 3", 6, 36
    full = factories.training_session(course, days_ahead=15, capacity=2)
    factories.booking(full, factories.user(), people=[("A", "a@example.com"), ("B", "b@example.com")])
    db.session.commit()
    response = client.get(f"/training/courses/{course.id}")
    page = text(response)
    assert h1(response) == "Emergency First Aid at Work"
    assert "£10 for people working in Leeds, £40 otherwise" in page
    assert "Qualsafe Level 3" in page and "36 months" in page and "6 CPD hours" in page
    rows = [" ".join(row.get_text(" ").split()) for row in soup(response).select("tbody tr")]
    assert rows[0].split(" View")[0].endswith(" 10") and rows[1].split(" View")[0].endswith("Full")


def test_free_course_price(client, world):
    """A course with no fee is 'Free'."""
    assert "Price per place Free" in text(client.get(f"/training/courses/{world['hygiene'].id}"))


def test_course_description_markdown_is_sanitised(client, world):
    """Markdown renders in GOV.UK styles; scripts, event handlers and javascript: links do not survive."""
    course = world["first_aid"]
    course.description = (
        "# Overview\n\n## What you learn\n\n* CPR\n* Recovery position\n\n"
        '<script>alert("x")</script><img src=x onerror="alert(1)">\n\n[bad](javascript:alert(1)) [good](https://nhs.uk)'
    )
    db.session.commit()
    html = client.get(f"/training/courses/{course.id}").get_data(as_text=True)
    assert '<h2 class="govuk-heading-m">What you learn</h2>' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html and "<li>CPR</li>" in html
    assert '<a href="https://nhs.uk" class="govuk-link">good</a>' in html
    assert "<script>alert" not in html and "onerror" not in html and "javascript:" not in html


def test_draft_course_is_hidden_except_from_its_publisher(client, login_as, world):
    """A draft course is 404 to the public, visible to the publisher's members."""
    draft = factories.course(world["leeds"], title="Still writing", status="draft")
    session = factories.training_session(draft)
    db.session.commit()
    assert client.get(f"/training/courses/{draft.id}").status_code == 404
    assert client.get(f"/training/sessions/{session.id}").status_code == 404
    login_as(world["leeds"].memberships[0].user)
    assert client.get(f"/training/courses/{draft.id}").status_code == 200


def test_session_page_times_in_uk_time_and_seats(client, world):
    """A summer session shows in British Summer Time, with seats left and a 'Book places' button."""
    starts = datetime(2027, 7, 1, 8, 30, tzinfo=UTC)
    session = factories.training_session(
        world["first_aid"], starts_at=starts, ends_at=starts + timedelta(hours=3), capacity=12
    )
    db.session.commit()
    response = client.get(f"/training/sessions/{session.id}")
    page = text(response)
    assert "Starts 1 July 2027 at 9:30am" in page and "Ends 1 July 2027 at 12:30pm" in page
    assert "12 of 12" in page and "Book places" in page and "Join the waiting list" not in page


def test_full_session_offers_the_waiting_list(client, world):
    """With no seats left, the page offers the waiting list instead of booking."""
    session = factories.training_session(world["first_aid"], capacity=1)
    factories.booking(session, factories.user())
    db.session.commit()
    page = text(client.get(f"/training/sessions/{session.id}"))
    assert "Join the waiting list" in page and "Book places" not in page


def test_pagination_links_keep_every_filter(client, world, clock):
    """Page links carry the filters, including all three parts of a date."""
    for days in range(50, 80):
        factories.training_session(world["first_aid"], days_ahead=days)
    db.session.commit()
    day = (clock.now() + timedelta(days=45)).date()
    query = [("q", "first"), *[("starts_from", str(part)) for part in (day.day, day.month, day.year)]]
    next_link = soup(client.get("/training", query_string=query)).select_one(".govuk-pagination__next a")["href"]
    assert "q=first" in next_link and next_link.count("starts_from=") == 3
    assert len(results(client.get(next_link))) == 5

"""The subsidised price is for people working in the publisher's areas (enterprises and relief workers alike), and
every page says so."""

import pytest

from marketplace.extensions import db
from marketplace.training.catalogue import price_text
from marketplace.training.eligibility import price_for
from tests import factories
from tests.pages import soup, text


@pytest.fixture
def course(ctx, clock):
    """A £40/£10 course of a council serving Leeds and Bradford, limited to Leeds, with a session."""
    council = factories.publisher(name="Leeds City Council", areas=("Leeds", "Bradford"))
    row = factories.course(council, title="Medication awareness")
    row.eligible_areas = [factories.area("Leeds")]
    factories.training_session(row)
    db.session.commit()
    return row


def test_a_relief_worker_in_the_area_pays_the_subsidised_price(course):
    """The rule the wording describes."""
    relief = factories.relief_worker(area_name="Leeds").user
    assert price_for(course, relief, None) == ("subsidised", 1000)


def test_price_text_says_people_working_in(course):
    """Only Leeds can book, so no one pays the 'otherwise' price; without the limit, people outside would."""
    assert price_text(course) == "£10 for people working in Leeds"
    course.eligible_areas = []
    assert price_text(course) == "£10 for people working in Bradford and Leeds, £40 otherwise"
    course.eligible_areas = [factories.area("Wakefield")]
    assert price_text(course) == "£40"


def test_pages_say_people_working_in_not_enterprises_in(client, login_as, course):
    """Catalogue, course and session pages; the publisher's course form hint."""
    session = course.sessions[0]
    for url in ("/training", f"/training/courses/{course.id}", f"/training/sessions/{session.id}"):
        page = text(client.get(url))
        assert "£10 for people working in Leeds" in page and "otherwise" not in page, url
        assert "enterprises in" not in page.lower(), url
    assert "Who can book People working in Leeds" in text(client.get(f"/training/courses/{course.id}"))
    assert "Courses for people working in this area" in text(client.get("/training"))
    login_as(course.organisation.memberships[0].user)
    form = client.get(f"/training/manage/courses/{course.id}/edit")
    hint = soup(form).select_one("#subsidised_price-hint").get_text(" ", strip=True)
    assert hint.startswith("What people working in your areas pay")

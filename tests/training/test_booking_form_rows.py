"""The booking form's people: three rows at first, person 1 filled in with an entrepreneur's own details (which they
can change), 'Add more people' for three more without JavaScript, at most twelve; relief workers book only
themselves, not editable."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.training.models import Booking, WaitingListEntry
from tests import factories
from tests.database import count
from tests.pages import error_summary, soup, text
from tests.training import booking_flow


@pytest.fixture
def world(ctx, clock):
    """A 20-place Leeds session, an entrepreneur (Erin Care) and a relief worker."""
    session = factories.training_session(factories.course(factories.publisher(areas=("Leeds",))), capacity=20)
    owner = factories.user(name="Erin Owner", email="erin@example.com")
    enterprise = factories.enterprise(owner, name="Erin Care")
    relief = factories.relief_worker(factories.user(name="Rita Relief", email="rita@example.com")).user
    db.session.commit()
    return SimpleNamespace(session=session, owner=owner, enterprise=enterprise, relief=relief)


def rows_on(response) -> list[tuple[str, str]]:
    """(name, email) as each person row of the page stands."""
    page = soup(response)
    rows = []
    for number in range(1, 20):
        name = page.select_one(f"input[name=name_{number}]")
        if name is None:
            break
        email = page.select_one(f"input[name=email_{number}]")
        rows.append((name.get("value", ""), email.get("value", "")))
    return rows


def add_more(client, world, data: dict):
    return client.post(f"/training/sessions/{world.session.id}/book", data={**data, "add_people": "yes"})


def test_three_rows_with_the_entrepreneur_as_person_1(client, login_as, world):
    """The first row is Erin's own name and email, as editable inputs; two blank rows; an 'Add more people' button."""
    login_as(world.owner)
    response = client.get(f"/training/sessions/{world.session.id}/book")
    assert rows_on(response) == [("Erin Owner", "erin@example.com"), ("", ""), ("", "")]
    assert not soup(response).select_one("input[name=name_1]").has_attr("readonly")
    button = soup(response).select_one("button[name=add_people]")
    assert button.get_text(strip=True) == "Add more people" and button["type"] == "submit"
    buttons = [b.get("name") for b in soup(response).select("form button, form input[type=submit]")]
    assert buttons.index("submit") < buttons.index("add_people")  # Enter in a field books, it does not add rows
    assert "Total: £10 for 1 person" in text(response)


def test_the_entrepreneur_can_replace_their_own_details(client, login_as, world):
    """Not going: overwrite person 1 and only the people named are booked."""
    login_as(world.owner)
    data = {"booker_for": str(world.enterprise.id), "rows": "3", "name_1": "Ann Able", "email_1": "ann@example.com"}
    booking_flow.book(client, world.session.id, data)
    booking = db.session.scalars(select(Booking)).one()
    assert [(a.name, a.email) for a in booking.attendees] == [("Ann Able", "ann@example.com")]


def test_add_more_people_shows_three_more_rows_keeping_what_was_typed(client, login_as, world):
    """The button re-renders the form (nothing booked) with 6 rows, then 9, then 12, and no button at 12."""
    login_as(world.owner)
    data = {"booker_for": str(world.enterprise.id), "rows": "3"}
    data |= {"name_1": "Erin Owner", "email_1": "erin@example.com", "name_3": "Cat Carer", "email_3": "cat@example.com"}
    response = add_more(client, world, data)
    assert response.status_code == 200 and error_summary(response) == ""
    rows = rows_on(response)
    assert (
        len(rows) == 6 and rows[0] == ("Erin Owner", "erin@example.com") and rows[2] == ("Cat Carer", "cat@example.com")
    )
    assert soup(response).select_one("input[name=rows]")["value"] == "6"
    assert count(Booking) == 0
    assert len(rows_on(add_more(client, world, {**data, "rows": "6"}))) == 9
    twelve = add_more(client, world, {**data, "rows": "9"})
    assert len(rows_on(twelve)) == 12 and soup(twelve).select_one("button[name=add_people]") is None
    assert len(rows_on(add_more(client, world, {**data, "rows": "12"}))) == 12  # never more than 12


def test_twelve_people_can_be_booked(client, login_as, world):
    """With 12 rows shown, 12 named people are booked."""
    login_as(world.owner)
    data = {"booker_for": str(world.enterprise.id), "rows": "12"}
    for number in range(1, 13):
        data[f"name_{number}"], data[f"email_{number}"] = f"Person {number}", f"p{number}@example.com"
    response = booking_flow.book(client, world.session.id, data)
    assert response.status_code == 302
    assert db.session.scalars(select(Booking)).one().seats == 12


def test_errors_keep_the_rows_that_were_shown(client, login_as, world):
    """A mistake in row 5 of 6 is shown on row 5: the form does not shrink back to three rows."""
    login_as(world.owner)
    data = {"booker_for": str(world.enterprise.id), "rows": "6", "name_5": "Eve", "email_5": "not-an-email"}
    response = client.post(f"/training/sessions/{world.session.id}/book", data=data)
    assert len(rows_on(response)) == 6 and "Enter an email address in the correct format" in error_summary(response)


def test_the_waiting_list_form_adds_rows_too(client, login_as, world):
    """On a full session the button posts to the waiting list, which shows more rows and queues nobody."""
    world.session.capacity = 1
    factories.booking(world.session, factories.user())
    db.session.commit()
    login_as(world.owner)
    page = client.get(f"/training/sessions/{world.session.id}/book")
    assert soup(page).select_one("form[action$='/waiting-list'] button[name=add_people]")
    response = client.post(
        f"/training/sessions/{world.session.id}/waiting-list",
        data={"booker_for": str(world.enterprise.id), "rows": "3", "add_people": "yes"},
    )
    assert len(rows_on(response)) == 6 and count(WaitingListEntry) == 0


def test_relief_workers_see_only_their_own_details(client, login_as, world):
    """No inputs, no button: their own name and email, as text."""
    login_as(world.relief)
    response = client.get(f"/training/sessions/{world.session.id}/book")
    assert rows_on(response) == [] and soup(response).select_one("button[name=add_people]") is None
    assert "You are booking one place for yourself: Rita Relief (rita@example.com)" in text(response)

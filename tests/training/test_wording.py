"""Wording (issue 7, item 17): the invite form, CPD hours and staff sizes read naturally, finance people only at
publishers, nothing about bookings or refunds when nobody was booked, and the waiting list shows your place."""

from decimal import Decimal

import pytest

from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.organisations import services
from marketplace.organisations.models import Invitation, MemberRole
from marketplace.training import waiting
from marketplace.training.models import SessionStatus, TrainingSession, WaitStatus
from tests import factories
from tests.pages import soup, text
from tests.queries import counted_queries


@pytest.fixture
def world(ctx, clock):
    """An enterprise (1.5 FTE) and its owner; a council with a 6-hour course for enterprises of up to 5 FTE."""
    owner = factories.user(name="Owner")
    enterprise = factories.enterprise(owner, name="Ada's Home Care")
    enterprise.fte = Decimal("1.5")
    officer = factories.user(name="Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council", areas=("Leeds",))
    course = factories.course(council, title="First aid", cpd_hours=Decimal("6.0"), max_fte=Decimal("5.0"))
    session = factories.training_session(course)
    db.session.commit()
    return owner, enterprise, officer, council, course, session


def _roles(response) -> list[str]:
    return [radio["value"] for radio in soup(response).select("input[name=role]")]


def test_invite_form_asks_for_their_email_and_offers_finance_only_at_publishers(client, login_as, world):
    """'Their email address'; an enterprise offers owner or member only, and a posted finance role is refused."""
    owner, enterprise, officer, council, *_ = world
    login_as(owner)
    page = client.get(f"/organisations/{enterprise.id}/invite")
    assert "Their email address" in text(page) and _roles(page) == ["member", "owner"]
    blank = client.post(f"/organisations/{enterprise.id}/invite", data={"email": " ", "role": "member"})
    assert "Enter their email address" in text(blank)
    finance = {"email": "a@example.com", "role": MemberRole.FINANCE.value}
    refused = client.post(f"/organisations/{enterprise.id}/invite", data=finance)
    assert refused.status_code == 200 and "Select a role from the list" in text(refused)
    assert db.session.query(Invitation).count() == 0
    client.post("/sign-out")
    login_as(officer)
    assert _roles(client.get(f"/organisations/{council.id}/invite")) == ["member", "owner", "finance"]


def test_the_invite_service_refuses_finance_people_at_an_enterprise(world):
    """The server enforces it too, whatever the form sends."""
    owner, enterprise, officer, council, *_ = world
    with pytest.raises(DomainError, match="finance"):
        services.invite(enterprise, "a@example.com", MemberRole.FINANCE.value, owner)
    assert services.invite(council, "b@example.com", MemberRole.FINANCE.value, officer).role == MemberRole.FINANCE


def test_cpd_hours_and_staff_read_naturally(client, login_as, world):
    """'6 CPD hours' (not 'CPD hours 6'), '5 full-time equivalent staff', '1.5 full-time equivalent staff'."""
    owner, enterprise, officer, _, course, _ = world
    public = text(client.get(f"/training/courses/{course.id}"))
    assert "6 CPD hours" in public and "CPD hours 6" not in public
    assert "Enterprises with 5 full-time equivalent staff or fewer" in public
    login_as(officer)
    managed = text(client.get(f"/training/manage/courses/{course.id}"))
    assert "6 CPD hours" in managed and "5 full-time equivalent staff" in managed and "5.0" not in managed
    client.post("/sign-out")
    login_as(owner)
    assert "1.5 full-time equivalent staff" in text(client.get(f"/organisations/{enterprise.id}"))


def test_cancelling_a_session_nobody_booked_mentions_no_bookings_or_refunds(client, login_as, world):
    """No '0 bookings', no 'refund everyone', no 'everyone has been refunded'."""
    *_, officer, _, course, session = world
    login_as(officer)
    page = text(client.get(f"/training/manage/sessions/{session.id}/cancel"))
    assert "Nobody is booked" in page
    assert "0 bookings" not in page and "refund" not in page.lower()
    response = client.post(
        f"/training/manage/sessions/{session.id}/cancel", data={"reason": "Trainer ill"}, follow_redirects=True
    )
    done = text(response)
    assert "The session is cancelled. Nobody was booked on it." in done and "refunded" not in done
    assert db.session.get(TrainingSession, session.id).status == SessionStatus.CANCELLED


def test_the_waiting_list_page_shows_your_place_in_the_queue(client, login_as, world):
    """Earlier entries still waiting count (one COUNT query); withdrawn ones and later ones do not."""
    owner, enterprise, *_, session = world
    first = factories.waiting_entry(session, factories.user())
    factories.waiting_entry(session, factories.user(), status=WaitStatus.WITHDRAWN)
    second = factories.waiting_entry(session, factories.user())
    mine = factories.waiting_entry(session, owner, enterprise)
    factories.waiting_entry(session, factories.user())
    db.session.commit()
    db.session.refresh(mine)  # loaded first, so only the count itself is measured
    with counted_queries() as statements:
        assert waiting.people_ahead(mine) == 2
    assert len(statements) == 1
    assert waiting.people_ahead(first) == 0 and waiting.people_ahead(second) == 1
    login_as(owner)
    page = text(client.get(f"/training/waiting-list/{mine.id}"))
    assert "You are 3rd in the queue: 2 people are ahead of you." in page

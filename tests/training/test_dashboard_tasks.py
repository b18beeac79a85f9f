"""The dashboard lists what training needs from each person now."""

from datetime import timedelta

from marketplace.extensions import db
from tests import factories


def test_offer_unpaid_hold_attendance_and_expiry_tasks(client, login_as, ctx, clock):
    """Offers to accept, holds to pay, attendance to mark and staff certificates expiring appear as tasks."""
    officer = factories.user(name="Officer")
    council = factories.publisher(officer)
    started = factories.training_session(factories.course(council, title="Started course"), days_ahead=-1)
    owner = factories.user(name="Owner")
    enterprise = factories.enterprise(owner)
    booked = factories.booking(started, owner, enterprise, people=[("Staff", "staff@example.com")])
    record = factories.training_record(booked.attendees[0])
    record.expires_on = (clock.now() + timedelta(days=10)).date()
    booked.attendees[0].status = "booked"
    upcoming = factories.training_session(factories.course(council, title="Upcoming course"))
    factories.booking(upcoming, owner, enterprise, people=[("Hold", "hold@example.com")], status="reserved")
    entry = factories.waiting_entry(upcoming, owner, enterprise, status="offered")
    entry.offer_expires_at = clock.now() + timedelta(hours=20)
    db.session.commit()
    login_as(owner)
    text = client.get("/dashboard").get_data(as_text=True)
    assert "Finish paying for Upcoming course" in text
    assert "Accept your places on Upcoming course" in text
    assert "Staff training expires within 30 days" in text
    client.post("/sign-out")
    login_as(officer)
    assert "Mark attendance for Started course" in client.get("/dashboard").get_data(as_text=True)

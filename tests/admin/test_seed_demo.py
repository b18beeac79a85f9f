"""`flask seed-demo` builds the demo world and prints every login."""

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.core.audit import AuditEvent
from marketplace.core.clock import today, utcnow
from marketplace.cover.models import ReliefWorkerProfile
from marketplace.demo import DEMO_PASSWORD, DOMAIN
from marketplace.extensions import db
from marketplace.organisations.models import Organisation
from marketplace.payments import payee
from marketplace.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from marketplace.payments.refunds_to_send import count_waiting, refunds_to_send
from marketplace.training.attendance import markable
from marketplace.training.models import Attendee, TrainingRecord, TrainingSession, WaitingListEntry
from marketplace.training.statuses import AttendeeStatus, SessionStatus, WaitStatus
from tests.database import count


def _seed(app, *args):
    result = app.test_cli_runner().invoke(args=["seed-demo", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_seed_demo_builds_the_demo_world(app, ctx, client, login_as):
    """One admin, two approved councils and an NHS body, eight varied enterprises with owners, six relief workers."""
    output = _seed(app)
    db.session.expire_all()

    admins = db.session.scalars(select(User).where(User.is_admin.is_(True))).all()
    assert len(admins) == 1
    organisations = db.session.scalars(select(Organisation)).all()
    publishers = Counter((o.kind, o.status) for o in organisations if o.is_publisher)
    assert publishers == {("council", "approved"): 2, ("nhs", "approved"): 1, ("council", "pending"): 1}
    assert all(o.served_areas for o in organisations if o.is_publisher)
    enterprises = [o for o in organisations if o.is_enterprise]
    assert len(enterprises) == 8
    assert all(o.status == "approved" for o in enterprises)
    assert len({o.legal_form for o in enterprises}) >= 5
    assert len({o.area_id for o in enterprises}) >= 3
    assert all(o.fte <= 5 for o in enterprises)
    roles = {o.name: sorted(m.role for m in o.memberships) for o in organisations}
    assert roles.pop("Leeds City Council") == ["finance", "owner"]  # the finance demo login
    assert all(members == ["owner"] for members in roles.values())
    assert count(ReliefWorkerProfile) == 6
    assert all(u.is_verified for u in db.session.scalars(select(User)))

    assert DEMO_PASSWORD in output
    for email in db.session.scalars(select(User.email)):
        assert email in output
    admin = admins[0]
    login_as(admin, password=DEMO_PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_if_empty_does_nothing_the_second_time(app, ctx):
    """With --if-empty, a first run seeds an empty database and a second run changes nothing."""
    first = _seed(app, "--if-empty")
    assert "Demo logins" in first
    users, organisations = count(User), count(Organisation)
    assert (users, organisations) == (1 + 3 + 2 + 8 + 6, 12)  # + finance and the publisher waiting for approval

    second = _seed(app, "--if-empty")

    assert "nothing to do" in second
    assert "Demo logins" not in second
    db.session.expire_all()
    assert (count(User), count(Organisation)) == (users, organisations)


def test_seed_demo_shows_every_training_feature(app, ctx):
    """Relative to the clock: a past session with attendance to mark, one marked with certificates issued, a
    certificate expiring within 30 days with a next session of its course to book, a full session with a waiting
    list, and a paid invoice (marked by the publisher); the clock is back as it was."""
    _seed(app)
    db.session.expire_all()
    now = utcnow()
    assert abs(now - datetime.now(UTC)) < timedelta(minutes=5)  # the seed put the clock back
    sessions = db.session.scalars(select(TrainingSession)).all()
    past = [s for s in sessions if s.starts_at < now]

    to_mark = [s for s in past if s.status == SessionStatus.SCHEDULED]
    assert to_mark and all(markable(s.id) for s in to_mark)
    assert all(a.status == AttendeeStatus.BOOKED for s in to_mark for a in markable(s.id))

    marked = [s for s in past if s.status == SessionStatus.COMPLETED]
    records = db.session.scalars(select(TrainingRecord)).all()
    assert marked and any(r.attendee.session_id == s.id for s in marked for r in records)
    attendees = db.session.scalars(select(Attendee).where(Attendee.session_id.in_([s.id for s in marked]))).all()
    assert {AttendeeStatus.ATTENDED, AttendeeStatus.NO_SHOW} <= {a.status for a in attendees}

    today = now.date()
    expiring = [r for r in records if r.expires_on and today <= r.expires_on <= today + timedelta(days=30)]
    assert expiring
    assert any(s.course_id == r.course_id and s.starts_at > now for r in expiring for s in sessions)

    full = [s for s in sessions if s.starts_at > now and s.seats_taken == s.capacity]
    waiting = db.session.scalars(select(WaitingListEntry).where(WaitingListEntry.status == WaitStatus.WAITING))
    assert {entry.session_id for entry in waiting} & {s.id for s in full}

    paid = db.session.scalars(select(Payment).where(Payment.status == PaymentStatus.SUCCEEDED)).all()
    assert any(p.invoice_reference for p in paid)
    marked_paid = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "payment.succeeded")).all()
    assert sorted(event.actor.email for event in marked_paid) == [
        f"finance.leeds@{DOMAIN}",  # the two Leeds insurance members' premium invoices
        f"finance.leeds@{DOMAIN}",
        f"officer.cornwall@{DOMAIN}",  # the paid invoice with a refund to send
        f"officer.leeds@{DOMAIN}",
    ]


def test_seed_demo_shows_every_invoice_state(app, ctx, client, login_as):
    """Every publisher says how it is paid; relative to the clock there is a paid invoice, an overdue one (a task
    for its payer and for the publisher) and a refund on a paid invoice waiting for the publisher to send."""
    _seed(app)
    db.session.expire_all()
    publishers = [o for o in db.session.scalars(select(Organisation)) if o.is_publisher and o.is_approved]
    assert all(payee.details_for(o) is not None for o in publishers)

    invoices = db.session.scalars(select(Payment).where(Payment.invoice_reference.is_not(None))).all()
    assert all(p.due_on is not None for p in invoices)
    assert any(p.status == PaymentStatus.SUCCEEDED for p in invoices)
    overdue = [p for p in invoices if p.is_overdue]
    assert overdue and all(p.due_on < today() for p in overdue)
    assert any(not p.is_overdue and p.status == PaymentStatus.PENDING for p in invoices)

    (refund,) = db.session.scalars(select(Refund).where(Refund.status == RefundStatus.PENDING)).all()
    assert refund.payment.paid_at is not None and count_waiting() == 1
    cornwall = db.session.scalars(select(User).where(User.email == f"officer.cornwall@{DOMAIN}")).one()
    assert refunds_to_send(cornwall) == [refund]

    late = overdue[0]
    login_as(late.payer_user, password=DEMO_PASSWORD)
    assert f"Pay invoice {late.invoice_reference}" in client.get("/dashboard").get_data(as_text=True)
    client.post("/sign-out")
    login_as(
        db.session.scalars(select(User).where(User.email == f"officer.leeds@{DOMAIN}")).one(), password=DEMO_PASSWORD
    )
    assert f"Invoice {late.invoice_reference} to {late.payer_name} is overdue" in client.get("/dashboard").get_data(
        as_text=True
    )

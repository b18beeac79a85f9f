"""Closing an account: password re-entered; refused while the person is the only owner of an organisation others
belong to; personal fields anonymised everywhere, financial records, certificates and audit events kept under a
stable pseudonym; sessions ended; `flask reconcile` still balances."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from marketplace.accounts import services as accounts
from marketplace.accounts.models import PasswordResetToken, User, UserSession
from marketplace.accounts.personal_data import pseudonym_of
from marketplace.core.audit import AuditEvent
from marketplace.core.notifications import Notification
from marketplace.cover.models import ReliefWorkerProfile
from marketplace.extensions import db
from marketplace.organisations import services as organisations
from marketplace.organisations.models import Invitation, MemberRole, Membership, MembershipStatus
from marketplace.payments import services as payments
from marketplace.payments.models import Payment, Refund
from marketplace.privacy import closure
from marketplace.training import booking as bookings
from marketplace.training.booking import Person
from marketplace.training.certificates import find_by_number
from marketplace.training.models import TrainingRecord, WaitingListEntry, WaitStatus
from tests import factories
from tests.database import audit_events, count, fresh
from tests.pages import error_summary, errors, h1, main_text, text

NAMES = ("Sam Closer", "Samantha Closer", "sam@example.com")


@pytest.fixture
def world(ctx, clock):
    """Sam, a member of Erin's Acorn Care and sole owner of Sam's Solo Care, has a paid invoice with a refund, a
    certificate, a waiting-list place, notifications and an audit trail; Olive runs the council; Ada is an admin."""
    olive = factories.user(name="Olive Officer", role="publisher")
    council = factories.publisher(olive, name="Leeds City Council")
    erin = factories.user(name="Erin Owner")
    acorn = factories.enterprise(erin, name="Acorn Care")
    sam = factories.user(name="Samantha Closer", email="sam@example.com")
    accounts.update_profile(sam, name="Sam Closer")  # the audit log keeps the old name: it must go too
    factories.membership(sam, acorn, role=MemberRole.MEMBER)
    solo = factories.enterprise(sam, name="Sam's Solo Care")
    factories.invitation(solo, "friend@example.com")
    bradford_owner = factories.user(name="Brad Owner")
    organisations.invite(
        factories.publisher(bradford_owner, name="Bradford Council"), "sam@example.com", "member", bradford_owner
    )
    factories.relief_worker(sam)
    session = factories.training_session(factories.course(council, title="Safe lifting"))
    booking = bookings.create_booking(
        session, sam, acorn, [Person("Sam Closer", "sam@example.com"), Person("Ann Staff", "ann@example.com")]
    )
    payments.mark_invoice_paid(booking.payment, olive)
    later = factories.training_session(factories.course(council, title="Safe lifting refresher"), days_ahead=40)
    cancelled = bookings.create_booking(later, sam, acorn, [Person("Sam Closer", "sam@example.com")])
    payments.mark_invoice_paid(cancelled.payment, olive)
    bookings.cancel_booking(cancelled, sam)  # paid, then cancelled: a refund to send
    past = factories.training_session(factories.course(council, title="First aid"), days_ahead=-10)
    attended = factories.booking(past, sam, acorn, people=[("Sam Closer", "sam@example.com")])
    record = factories.training_record(attended.attendees[0], number="BSC-SAMREC01")
    full = factories.training_session(factories.course(council, title="Dementia care"), capacity=1)
    factories.booking(full, erin, acorn, people=[("Erin Owner", "erin@example.com")])
    factories.waiting_entry(full, sam, acorn)
    factories.notification(sam, title="Your place is booked")
    factories.notification(erin, title="Sam Closer asked to join Acorn Care")
    ada = factories.user(name="Ada Admin", admin=True)
    db.session.commit()
    return SimpleNamespace(
        olive=olive, council=council, erin=erin, acorn=acorn, sam=sam, solo=solo, session=session,
        booking=booking, record=record, ada=ada,
    )  # fmt: skip


def _close(client, password=factories.PASSWORD):
    return client.post("/account/close", data={"password": password})


def test_closing_anonymises_the_person_everywhere_and_signs_them_out(client, login_as, world, app):
    """After closing, every page that showed Sam (members, roster, booking, invoice, notifications, the admin audit
    log, the certificate check) shows the pseudonym instead; Sam cannot sign in; reconcile still balances."""
    pseudonym = pseudonym_of(world.sam)
    login_as(world.sam)
    response = _close(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert "/sign-in" in client.get("/account").headers["Location"]  # this browser is signed out
    fresh()
    sam = db.session.get(User, world.sam.id)
    assert (sam.name, sam.email, sam.pseudonym) == (pseudonym.name, pseudonym.email, pseudonym.code)
    assert sam.closed_at is not None and not sam.is_active_account
    pages = [
        (world.erin, f"/organisations/{world.acorn.id}/members"),
        (world.erin, "/notifications/"),
        (world.olive, f"/training/manage/sessions/{world.session.id}/roster"),
        (world.olive, f"/training/bookings/{world.booking.id}"),
        (world.olive, f"/payments/invoices/{world.booking.payment_id}"),
        (world.ada, "/admin/audit"),
        (None, "/training/certificates/check?number=BSC-SAMREC01"),
    ]
    for person, url in pages:
        client.post("/sign-out")
        if person:
            login_as(person)
        page = text(client.get(url))
        assert not [name for name in NAMES if name.lower() in page.lower()], url
        if "members" in url:
            assert "Closed account" not in page  # an ended membership is not listed at all
    assert pseudonym.name in text(client.get("/training/certificates/check?number=BSC-SAMREC01"))
    client.post("/sign-out")
    refused = client.post("/sign-in", data={"email": "sam@example.com", "password": factories.PASSWORD})
    assert refused.status_code == 200 and "Enter a correct email address and password" in error_summary(refused)
    result = app.test_cli_runner().invoke(args=["reconcile"])
    assert result.exit_code == 0 and "Payments, refunds and bookings reconcile." in result.output, result.output


def test_the_database_keeps_no_name_or_email_of_theirs(client, login_as, world):
    """Across the tables that held them, nothing names Sam: memberships ended, invitations cancelled, waiting list
    left, relief profile, notifications, sessions and reset links gone; audit details scrubbed."""
    accounts.send_password_reset("sam@example.com")
    login_as(world.sam)
    _close(client)
    fresh()
    sam_id = world.sam.id
    memberships = db.session.scalars(select(Membership).where(Membership.user_id == sam_id)).all()
    assert {m.status for m in memberships} == {MembershipStatus.ENDED}
    assert count(Invitation, Invitation.email == "sam@example.com") == 0
    assert db.session.scalars(select(Invitation.revoked).where(Invitation.organisation_id == world.solo.id)).all() == [
        True
    ]
    entry = db.session.scalars(select(WaitingListEntry).where(WaitingListEntry.user_id == sam_id)).one()
    assert entry.status == WaitStatus.WITHDRAWN
    assert count(ReliefWorkerProfile, ReliefWorkerProfile.user_id == sam_id) == 0
    assert count(Notification, Notification.user_id == sam_id) == 0
    assert count(UserSession, UserSession.user_id == sam_id) == 0
    assert db.session.scalars(select(PasswordResetToken.used_at).where(PasswordResetToken.user_id == sam_id)).all()
    assert all(used is not None for used in db.session.scalars(select(PasswordResetToken.used_at)))
    details = " ".join(str(event.details) for event in db.session.scalars(select(AuditEvent)))
    assert not [name for name in NAMES if name.lower() in details.lower()]
    closed = audit_events("account.closed")
    assert len(closed) == 1 and closed[0].details == {"pseudonym": pseudonym_of(world.sam).code}


def test_financial_records_and_certificates_are_kept_under_the_pseudonym(client, login_as, world):
    """Payments and refunds are untouched; the training record and certificate stay, naming the pseudonym."""
    before = [(p.id, p.amount_pence, p.refunded_pence, p.status) for p in db.session.scalars(select(Payment))]
    refunds = [(r.id, r.amount_pence, r.status) for r in db.session.scalars(select(Refund))]
    login_as(world.sam)
    _close(client)
    fresh()
    assert [(p.id, p.amount_pence, p.refunded_pence, p.status) for p in db.session.scalars(select(Payment))] == before
    assert [(r.id, r.amount_pence, r.status) for r in db.session.scalars(select(Refund))] == refunds
    record = find_by_number("BSC-SAMREC01")
    pseudonym = pseudonym_of(world.sam)
    assert (record.person_name, record.email) == (pseudonym.name, pseudonym.email)
    assert count(TrainingRecord) == 1
    assert db.session.get(Payment, world.booking.payment_id).payer_name == "Acorn Care"


def test_the_pseudonym_is_stable(world):
    """The same person always gets the same pseudonym: P- and 10 hex digits; another person another one."""
    first, again = pseudonym_of(world.sam), pseudonym_of(world.sam)
    assert first == again and first.code.startswith("P-") and len(first.code) == 12
    assert pseudonym_of(world.erin) != first


def test_the_only_owner_of_an_organisation_with_members_must_hand_it_over(client, login_as, world):
    """Erin owns Acorn Care alone and Sam belongs to it: refused, with a link to its members page; nothing changes."""
    login_as(world.erin)
    page = client.get("/account/close")
    assert h1(page) == "You cannot close your account yet"
    assert f"/organisations/{world.acorn.id}/members" in page.get_data(as_text=True)
    assert "Make someone else an owner of Acorn Care" in main_text(page)
    assert h1(_close(client)) == "You cannot close your account yet"
    fresh()
    assert db.session.get(User, world.erin.id).closed_at is None
    assert audit_events("account.closed") == []


def test_once_someone_else_is_an_owner_they_can_close(client, login_as, world):
    """Make Sam an owner of Acorn Care: Erin can close; Acorn Care keeps Sam as its owner."""
    sam_row = db.session.scalar(
        select(Membership).where(Membership.user_id == world.sam.id, Membership.organisation_id == world.acorn.id)
    )
    login_as(world.erin)
    client.post(f"/organisations/{world.acorn.id}/members/{sam_row.id}/make-owner")
    assert _close(client).status_code == 302
    fresh()
    assert db.session.get(User, world.erin.id).closed_at is not None
    assert db.session.get(Membership, sam_row.id).is_owner


def test_an_organisation_nobody_else_belongs_to_closes_with_the_account(client, login_as, world):
    """Sam's Solo Care has no other member: Sam can close; its membership ends and its invitation is cancelled."""
    login_as(world.sam)
    _close(client)
    fresh()
    assert (
        count(Membership, Membership.organisation_id == world.solo.id, Membership.status == MembershipStatus.ACTIVE)
        == 0
    )
    assert audit_events("organisation.closed_with_last_member")[0].object_id == world.solo.id


def test_a_wrong_or_missing_password_closes_nothing(client, login_as, world):
    """A wrong password is an error on the password field; none entered asks for it; the account stays open."""
    login_as(world.sam)
    wrong = _close(client, "not my password at all")
    assert errors(wrong)[0] == "Your password is not correct"
    assert "Error: Close your account" in wrong.get_data(as_text=True)
    assert errors(_close(client, ""))[0] == "Enter your password"
    fresh()
    sam = db.session.get(User, world.sam.id)
    assert (sam.name, sam.closed_at) == ("Sam Closer", None)
    assert client.get("/account").status_code == 200  # still signed in


def test_a_closed_account_cannot_be_closed_twice(world):
    """The service refuses an account already closed (two closures at once: the second finds it closed)."""
    closure.close_account(world.sam, factories.PASSWORD)
    db.session.commit()
    with pytest.raises(Exception, match="not correct|already been closed"):
        closure.close_account(world.sam, factories.PASSWORD)


def test_closing_changes_nobody_elses_records(ctx, clock):
    """Closing "Will Jones" renames Will's own events and the notices naming him, but not another Will Jones's
    audit events, nor ordinary words ("you will get") in anyone's notifications."""
    from marketplace.core import audit
    from marketplace.core.notifications import notify

    will = factories.user(name="Will Jones", email="will@example.com")
    namesake = factories.user(name="Will Jones", email="other.will@example.com")
    reader = factories.user(name="Rita Reader")
    audit.record("account.profile_updated", obj=namesake, actor=namesake, old_name="Will Jones")
    audit.record("account.profile_updated", obj=will, actor=will, old_name="Will Jones")
    notify(reader, "test_notice", title="You will get a full refund.")
    notify(reader, "test_notice", title="Will Jones (will@example.com) asked to join")
    db.session.commit()
    pseudonym = pseudonym_of(will)
    closure.close_account(will, factories.PASSWORD)
    db.session.commit()
    fresh()
    details = {e.object_id: e.details["old_name"] for e in audit_events("account.profile_updated")}
    assert details == {namesake.id: "Will Jones", will.id: pseudonym.name}
    titles = sorted(db.session.scalars(select(Notification.title).where(Notification.user_id == reader.id)))
    assert titles == sorted(["You will get a full refund.", f"{pseudonym.name} ({pseudonym.email}) asked to join"])

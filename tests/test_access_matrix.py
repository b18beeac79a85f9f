"""Every route is public by decision, or refuses each role that must not reach it (sign-in redirect, 403 or 404)."""

import pytest
from flask import url_for

from marketplace.extensions import db
from marketplace.organisations.models import MemberRole
from marketplace.training import calendar
from marketplace.training.models import Topic

from . import factories
from .cover.world import cover_world
from .insurance.world import insurance_world
from .queries import MAX_QUERIES, counted_queries

PUBLIC = {
    "static",
    "govuk_assets.static",
    "public.home",
    "public.accessibility",
    "public.privacy",
    "public.cookies",
    "accounts.register",
    "accounts.sign_in",
    "accounts.forgot_password",
    "accounts.reset_password",
    "accounts.resend_verification",
    "accounts.verify_email",
    "organisations.accept_invitation",
    "payments_webhooks.stripe_webhook",  # signature-checked instead of signed-in
    "training.catalogue",
    "training.show_course",
    "training.show_session",
    "training.calendar_feed",  # the unguessable token is the credential
    "training.verify_certificate",
    "cover.pools_list",
    "cover.show_pool",
    "insurance.schemes_list",
    "insurance.show_scheme",
    "insurance.verify",
    "insurance.verified",  # by member number: only what a third party needs
    "insurance.proof",  # the unguessable link the enterprise shared is the credential
    "insurance.proof_certificate",
}

SIGNED_IN = {"entrepreneur", "member", "other_org", "publisher", "relief_worker", "admin"}
PERSONAS = {"anonymous"} | SIGNED_IN
ADMIN = {"admin"}
OWNER_OF_A = {"entrepreneur"}
VIEWERS_OF_A = {"entrepreneur", "member", "admin"}
PUBLISHER = {"publisher"}  # a member of the approved council that owns the course
BOOKERS = {"entrepreneur", "member", "other_org", "relief_worker"}

# endpoint -> the personas allowed to reach it; everyone else must be refused.
ALLOWED = {
    "accounts.change_password": SIGNED_IN,
    "accounts.profile": SIGNED_IN,
    "accounts.notification_emails": SIGNED_IN,
    "accounts.sign_out": SIGNED_IN,
    "privacy.request_export": SIGNED_IN,
    "privacy.show_export": set(),  # only with the person's own emailed link (tests/privacy/test_export.py)
    "privacy.download_export": set(),
    "privacy.close_account": SIGNED_IN,
    "dashboard.index": SIGNED_IN,
    "notifications.index": SIGNED_IN,
    "notifications.mark_read": SIGNED_IN,
    "cover.relief_profile": SIGNED_IN,
    # relief cover: the council's open pool, enterprise A approved in it, the relief worker approved and holding
    # the first shift of enterprise A's request
    "cover.relief_checks": {"relief_worker"},
    "cover.relief_availability": {"relief_worker"},
    "cover.join_pool": {"entrepreneur", "other_org"},
    "cover.apply_to_pool": {"relief_worker"},
    "cover.open_shifts": {"relief_worker"},
    "cover.show_shift": {"entrepreneur", "member", "publisher", "relief_worker"},
    "cover.accept_shift": {"entrepreneur", "member", "publisher", "relief_worker"},
    "cover.give_back_shift": {"relief_worker"},
    "cover.shift_ics": {"relief_worker"},
    "cover.cancel_shift": {"entrepreneur", "member"},
    "cover.replace_worker": {"entrepreneur", "member"},
    "cover.cover_requests": {"entrepreneur", "member"},
    "cover.new_request": {"entrepreneur", "member"},
    "cover.show_request": {"entrepreneur", "member", "publisher"},
    "cover.manage_pools": PUBLISHER,
    "cover.new_pool": PUBLISHER,
    "cover.manage_pool": PUBLISHER,
    "cover.edit_pool": PUBLISHER,
    "cover.open_pool": PUBLISHER,
    "cover.close_pool": PUBLISHER,
    "cover.decide_member": PUBLISHER,
    "cover.review_worker": PUBLISHER,
    "cover.reinstate_worker": PUBLISHER,
    "cover.reinstate_member": PUBLISHER,
    "cover.send_timesheet": {"relief_worker"},
    "cover.approve_timesheet": {"entrepreneur", "member"},
    "cover.dispute_timesheet": {"entrepreneur", "member"},
    "cover.settle_timesheet": PUBLISHER,
    "cover.record_no_show": {"entrepreneur", "member"},
    "cover.rate_shift": {"entrepreneur", "member", "relief_worker"},
    "cover.block_worker": {"entrepreneur", "member"},
    "cover.earnings": {"relief_worker"},
    "cover.set_up_payouts": {"relief_worker"},
    "cover.payouts_returned": {"relief_worker"},
    "cover.save_card": OWNER_OF_A,
    "cover.payroll": PUBLISHER,
    "cover.payroll_csv": PUBLISHER,
    "organisations.index": SIGNED_IN,
    "organisations.new_enterprise": SIGNED_IN,
    "organisations.new_publisher": SIGNED_IN,
    "organisations.join_publisher": SIGNED_IN,
    "organisations.invitations_list": SIGNED_IN,
    "organisations.accept_invitation_by_id": set(),
    "organisations.show": VIEWERS_OF_A,
    "organisations.members": VIEWERS_OF_A,
    "organisations.edit": OWNER_OF_A,
    "organisations.invite": OWNER_OF_A,
    "organisations.remove_member": OWNER_OF_A,
    "organisations.make_owner": OWNER_OF_A,
    "organisations.make_member": OWNER_OF_A,
    "organisations.approve_request": OWNER_OF_A,
    "organisations.decline_request": OWNER_OF_A,
    "organisations.revoke_invitation": OWNER_OF_A,
    "admin.index": ADMIN,
    "admin.organisations": ADMIN,
    "admin.audit": ADMIN,
    "admin.areas": ADMIN,
    "admin.edit_area": ADMIN,
    "admin.approve_organisation": ADMIN,
    "admin.reject_organisation": ADMIN,
    # training, publisher side
    "training.manage_courses": PUBLISHER,
    "training.new_course": PUBLISHER,
    "training.manage_course": PUBLISHER,
    "training.edit_course": PUBLISHER,
    "training.publish_course": PUBLISHER,
    "training.archive_course": PUBLISHER,
    "training.confirm_archive_course": PUBLISHER,
    "training.new_session": PUBLISHER,
    "training.edit_session": PUBLISHER,
    "training.cancel_session": PUBLISHER,
    "training.roster": PUBLISHER,
    "training.roster_csv": PUBLISHER,
    "training.mark_attendance": PUBLISHER,
    "training.publisher_cancel_booking": PUBLISHER,
    "training.publisher_cancel_attendee": PUBLISHER,
    "training.certificate_pdf": {"publisher", "entrepreneur", "member"},
    "training.my_records": SIGNED_IN,
    "training.staff_records": {"entrepreneur", "member"},
    "training.topics": ADMIN,
    "training.rename_topic": ADMIN,
    "training.retire_topic": ADMIN,
    # training, booker side (the booking, waiting-list entry and invoice are enterprise A's owner's)
    "training.book_session": BOOKERS,
    "training.confirm_booking": BOOKERS,
    "training.join_waiting_list": BOOKERS,
    "training.show_booking": {"entrepreneur", "member", "publisher"},
    "training.booking_paid": {"entrepreneur", "member", "publisher"},
    "training.booking_ics": {"entrepreneur", "publisher"},
    "training.cancel_booking": OWNER_OF_A,
    "training.cancel_attendee": OWNER_OF_A,
    "training.pay_booking": OWNER_OF_A,
    "training.waiting_list_entry": OWNER_OF_A,
    "training.accept_offer": OWNER_OF_A,
    "training.withdraw_waiting": OWNER_OF_A,
    "training.my_bookings": SIGNED_IN,
    "training.calendar": SIGNED_IN,
    "training.renew_calendar": SIGNED_IN,
    "payments.show_invoice": {"entrepreneur", "member", "publisher"},
    "payments.invoice_pdf": {"entrepreneur", "member", "publisher"},
    "payments.invoices": {"entrepreneur", "member"},
    "payments.mark_paid": PUBLISHER,
    "payments.record_sent": PUBLISHER,
    "payments.payee_details": PUBLISHER,  # the council's owner (and finance people): how it is paid
    # insurance (enterprise A is covered by the council's scheme)
    "insurance.join_scheme": OWNER_OF_A,
    "insurance.save_card": OWNER_OF_A,
    "insurance.withdraw": OWNER_OF_A,
    "insurance.certificate": {"entrepreneur", "member", "publisher"},
    "insurance.share_proof": OWNER_OF_A,
    "insurance.revoke_proof": OWNER_OF_A,
    "insurance.manage_schemes": PUBLISHER,
    "insurance.wording": {"entrepreneur", "member", "other_org", "publisher"},  # the enterprises it is for
    "insurance.upload_wording": PUBLISHER,
    "insurance.bordereau": PUBLISHER,
    "insurance.new_scheme": PUBLISHER,
    "insurance.manage_scheme": PUBLISHER,
    "insurance.edit_scheme": PUBLISHER,
    "insurance.open_scheme": PUBLISHER,
    "insurance.activate_scheme": PUBLISHER,
    "insurance.cancel_scheme": PUBLISHER,
}

# URL arguments that point at something other than the default object (org_id is enterprise A by default).
ARGUMENT_OVERRIDES = {
    "training.manage_courses": {"org_id": "council_id"},
    "training.new_course": {"org_id": "council_id"},
    "payments.payee_details": {"org_id": "council_id"},
    "cover.manage_pools": {"org_id": "council_id"},
    "cover.new_pool": {"org_id": "council_id"},
    "cover.payroll": {"org_id": "council_id"},
    "cover.payroll_csv": {"org_id": "council_id"},
    "insurance.manage_schemes": {"org_id": "council_id"},
    "insurance.new_scheme": {"org_id": "council_id"},
}


def test_every_route_is_in_the_matrix(app):
    """A new route fails the suite until it is declared public or given its allowed roles."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - PUBLIC - set(ALLOWED) == set(), "routes missing from the access matrix"
    assert (PUBLIC | set(ALLOWED)) - endpoints == set(), "matrix names routes that no longer exist"


@pytest.fixture
def world(ctx):
    """Enterprise A (owner + member) with a booking, an invoice, a waiting-list entry and a staff training record;
    enterprise B; the approved council that runs the course; a relief worker; an admin; and ids to aim at."""
    owner = factories.user(name="Owner A")
    enterprise_a = factories.enterprise(owner, name="Enterprise A")
    member = factories.user(name="Member A")
    member_row = factories.membership(member, enterprise_a, role=MemberRole.MEMBER)
    other = factories.user(name="Owner B")
    factories.enterprise(other, name="Enterprise B")
    officer = factories.user(name="Officer", role="publisher")
    council = factories.publisher(officer)
    relief = factories.relief_worker().user
    admin = factories.user(name="Admin", admin=True)
    invitation, _ = factories.invitation(enterprise_a, "someone.else@example.com")
    session = factories.training_session(factories.course(council))
    booking = factories.booking(session, owner, enterprise_a, people=[("Staff Person", "staff@example.com")])
    booking.payment = factories.payment(payer_organisation=enterprise_a, payee_organisation=council)
    record = factories.training_record(booking.attendees[0])
    entry = factories.waiting_entry(session, owner, enterprise_a)
    cover = cover_world(officer, council, owner, enterprise_a, relief)
    insurance = insurance_world(officer, council, owner, enterprise_a)
    db.session.commit()
    people = {
        "entrepreneur": owner,
        "member": member,
        "other_org": other,
        "publisher": officer,
        "relief_worker": relief,
        "admin": admin,
    }
    values = {
        "org_id": enterprise_a.id,
        "council_id": council.id,
        "membership_id": member_row.id,
        "invitation_id": invitation.id,
        "area_id": factories.area("Leeds").id,
        "token": calendar.feed_token(owner),
        "filename": "backstop.css",
        "course_id": session.course_id,
        "session_id": session.id,
        "booking_id": booking.id,
        "attendee_id": booking.attendees[0].id,
        "entry_id": entry.id,
        "record_id": record.id,
        "payment_id": booking.payment_id,
        "topic_id": _own_topic().id,  # a seeded topic would stay retired after the admin's posts
        **cover,
        **insurance,
    }
    db.session.commit()
    return people, values


def _own_topic() -> Topic:
    """A topic of the test's own (removed afterwards, unlike the seeded ones)."""
    topic = Topic(name="Access matrix topic")
    db.session.add(topic)
    db.session.flush()
    return topic


def _url(app, rule, values: dict) -> str:
    overrides = ARGUMENT_OVERRIDES.get(rule.endpoint, {})
    with app.test_request_context():
        return url_for(rule.endpoint, **{arg: values[overrides.get(arg, arg)] for arg in rule.arguments})


def _request(client, rule, url: str):
    if "GET" in rule.methods:
        return client.get(url)
    return client.post(url, data={})


def _refused(response, persona: str) -> bool:
    if persona == "anonymous":
        return response.status_code == 302 and "/sign-in" in response.headers["Location"]
    return response.status_code in (403, 404)


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in PUBLIC]


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_each_persona_is_refused_where_not_allowed(app, world, login_as, client, persona):
    """Walk every non-public route as this persona: refused unless allowed, never a server error."""
    people, values = world
    if persona != "anonymous":
        login_as(people[persona])
    failures = []
    for rule in sorted(_rules(app), key=lambda r: r.endpoint):
        if persona in ALLOWED[rule.endpoint] or rule.endpoint == "accounts.sign_out":
            continue
        url = _url(app, rule, values)
        response = _request(client, rule, url)
        if not _refused(response, persona):
            failures.append(f"{rule.endpoint} {url} -> {response.status_code}")
    assert failures == []


@pytest.mark.parametrize("persona", sorted(SIGNED_IN))
def test_allowed_personas_reach_their_pages(app, world, login_as, client, persona):
    """Every GET page a persona is allowed to see opens for them (or redirects for a reason of state, e.g. too early)."""
    people, values = world
    login_as(people[persona])
    too_many = []
    for rule in sorted(_rules(app), key=lambda r: r.endpoint):
        if persona in ALLOWED[rule.endpoint] and "GET" in rule.methods:
            db.session.expire_all()  # as in a fresh request: nothing the fixture loaded is reused
            with counted_queries() as statements:
                response = client.get(_url(app, rule, values))
            redirected_by_state = response.status_code == 302 and "/sign-in" not in response.headers["Location"]
            assert response.status_code == 200 or redirected_by_state, (
                f"{rule.endpoint} as {persona}: {response.status_code}"
            )
            if len(statements) > MAX_QUERIES:
                too_many.append(f"{rule.endpoint}: {len(statements)} SQL statements")
    assert too_many == [], f"pages over {MAX_QUERIES} SQL statements as {persona}"


def test_public_pages_open_without_signing_in(app, world, client):
    """Public GET routes answer anonymous people without a server error or a sign-in redirect."""
    _, values = world
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC and "GET" in rule.methods:
            filename = "images/favicon.ico" if rule.endpoint == "govuk_assets.static" else "backstop.css"
            response = client.get(_url(app, rule, {**values, "filename": filename}))
            assert response.status_code in (200, 400), f"{rule.endpoint}: {response.status_code}"


@pytest.mark.parametrize("persona", sorted(SIGNED_IN))
def test_empty_and_junk_posts_never_cause_a_server_error(app, world, login_as, client, persona):
    """Every form a persona may post answers empty or nonsense input with a message, not a 500."""
    people, values = world
    login_as(people[persona])
    junk = {
        "name": "x" * 5000,
        "email": "@",
        "capacity": "-1",
        "starts_on-day": "31",
        "starts_on-month": "2",
        "starts_on-year": "abc",
        "area_ids": "999999",
        "organisation_id": "abc",
        "rows": "100000",
    }
    for rule in sorted(_rules(app), key=lambda r: r.endpoint):
        if persona not in ALLOWED[rule.endpoint] or "POST" not in rule.methods or rule.endpoint == "accounts.sign_out":
            continue
        for data in ({}, junk):
            response = client.post(_url(app, rule, values), data=data)
            assert response.status_code < 500, (
                f"{rule.endpoint} as {persona} with {sorted(data)}: {response.status_code}"
            )

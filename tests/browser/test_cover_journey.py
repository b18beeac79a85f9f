"""The relief cover journey in Chromium, in both payment modes (issue 10): a council opens a relief pool; an
enterprise joins and is approved; a worker with a DBS check and training booked and attended through the training
service applies and is approved; the enterprise posts a two-shift request; the best-ranked worker is told (email
and a text through the tests' GOV.UK Notify) and takes one shift in one browser while a second worker, in another,
takes the other; both send timesheets, which the enterprise approves; the funded hours are used, the rest is
charged (an invoice, or an off-session charge on a card saved through Stripe Checkout's setup mode), and both
workers are paid (Stripe Connect transfers at the test server, or the publisher's payroll CSV).

What is not the journey's point is made through the services: the people and organisations, the training session
(booked and marked through the training services, as marketplace/demo.py does) and the second worker's readiness.
"""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect
from sqlalchemy import select

from marketplace.accounts.models import IntendedRole, User
from marketplace.core.clock import clock as app_clock
from marketplace.cover import pools
from marketplace.cover.models import (
    AllowanceEntry,
    CoverRequest,
    CoverShift,
    PoolMember,
    PoolWorker,
    ReliefPool,
    ShiftAlert,
    Timesheet,
)
from marketplace.extensions import db
from marketplace.payments.models import ConnectedAccount, Payment, PaymentPurpose, Payout, SavedPaymentMethod
from marketplace.training.attendance import record_attendance
from marketplace.training.booking import Person, create_booking
from marketplace.training.courses import add_session
from marketplace.training.models import Attendee, AttendeeStatus, TrainingRecord

from .. import factories
from ..cover.world import ready_worker
from .conftest import live_url, sign_in
from .test_accessibility import assert_accessible
from .test_training_journeys import arrived, deliver_webhook, fill_date, fill_time, flash, fresh

pytestmark = pytest.mark.browser

POOL = "Leeds relief care pool"
COUNCIL, ENTERPRISE, AGENCY = "Leeds City Council", "Ada's Home Care", "Leeds Care Agency"
TOPIC = "Safeguarding adults"
MOBILE, MOBILE_TYPED = "+447700900982", "07700 900982"
PRIVATE_NOTES = "Key safe at 12 Example Road: code 4321."
# The clock fixture stands at 10:00 UTC on Monday 2 November 2026 (UK time is UTC then). The training happened a
# month before; the two shifts are that Thursday and Friday, 9am to 5pm; timesheets are sent on Friday evening.
TRAINING_DAY = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)
SHIFTS = [("2026-11-05", "09:00", "17:00"), ("2026-11-06", "09:00", "17:00")]
SHIFT_SPANS = ["5 November 2026, 9:00am to 5:00pm", "6 November 2026, 9:00am to 5:00pm"]
AFTER_THE_SHIFTS = datetime(2026, 11, 6, 18, 0, tzinfo=UTC)
# 10 funded hours; each shift is 7.5 hours worked (8 hours less a 30-minute break) at £14.50 an hour: the first uses
# 7.5 funded hours, the second the last 2.5 and is charged 5 hours at £22 an hour.
FUNDED_HOURS, WORKED_MINUTES, PAY_PENCE, CHARGE_PENCE = 10, 450, 10875, 11000


@pytest.fixture
def context_options() -> dict:
    """axe is injected as an inline script, which the app's CSP (rightly) blocks: bypass it here, as the training
    journey does (tests/browser/test_long_lists.py checks the scripts under the real CSP)."""
    return {"bypass_csp": True}


def card(page: Page, text: str):
    """The request page's card for one shift (by its time span)."""
    return page.locator(".bs-card").filter(has=page.get_by_role("heading", name=text))


def redirect_back_to_live_server(page: Page, live_server: str, stripe_server, path: str) -> None:
    """The test Stripe server's hosted pages redirect to the app's public host (SERVER_NAME backstop.test), which
    this browser reaches as the live server, as emailed links are opened with live_url()."""

    def back(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        answer = route.fetch(max_redirects=0)
        assert answer.status == 303, answer.text()
        route.fulfill(status=303, headers={"Location": live_url(live_server, answer.headers["location"])})

    page.route(re.compile(re.escape(stripe_server.base_url) + path), back)


# --- set up through the services -----------------------------------------------------------------------------------


def trained(officer, council, booker, agency, people) -> None:
    """A free safeguarding course of the council, its session a month ago booked (then) by an agency for the people,
    and attendance marked: each person gets a training record of the topic, valid for two years."""
    course = factories.course(
        council,
        title="Safeguarding adults: level 2",
        topic_name=TOPIC,
        full_price_pence=0,
        subsidised_price_pence=0,
        certificate_validity_months=24,
    )
    with app_clock.at(TRAINING_DAY - timedelta(days=10)):
        session = add_session(
            course,
            officer,
            capacity=10,
            starts_at=TRAINING_DAY,
            ends_at=TRAINING_DAY + timedelta(hours=3),
            booking_deadline=TRAINING_DAY - timedelta(days=1),
            place="Civic Hall, Calverley Street, Leeds LS1 1UR",
        )
        create_booking(session, booker, agency, [Person(person.name, person.email) for person in people])
    with app_clock.at(TRAINING_DAY + timedelta(hours=4)):
        attendees = db.session.scalars(select(Attendee).where(Attendee.session_id == session.id))
        record_attendance(session, {a.id: AttendeeStatus.ATTENDED for a in attendees}, officer)


def add_area(page: Page, legend: str, name: str) -> None:
    """Type into the area picker's "Add an area" and choose the suggestion."""
    page.get_by_role("group", name=legend).get_by_label("Add an area").fill(name[:4])
    page.get_by_role("option", name=name, exact=True).click()


def also_on_backstop(page: Page) -> None:
    """A publisher's dashboard leads with what they run; the other links are under "Also on Backstop"."""
    page.get_by_text("Also on Backstop").click()


# --- the publisher ----------------------------------------------------------------------------------------------


def set_up_and_open_pool(page: Page) -> None:
    """Dashboard → Relief pools of the council → Set up a relief pool → Save → Open the pool."""
    also_on_backstop(page)
    page.get_by_role("link", name=f"Relief pools of {COUNCIL}").click()
    arrived(page, "Relief pools")
    page.get_by_role("link", name="Set up a relief pool").click()
    arrived(page, "Set up a relief pool")
    page.get_by_label("Pool name").fill(POOL)
    page.get_by_label("Description", exact=True).fill("Vetted relief carers for Leeds micro-enterprises.")
    add_area(page, "Areas the pool serves", "Leeds")
    page.get_by_role("group", name="Bank holidays").get_by_label("England and Wales").check()
    page.get_by_role("group", name="DBS check needed").get_by_label("Enhanced", exact=True).check()
    page.get_by_label("Oldest DBS certificate accepted, in months (optional)").fill("36")
    page.get_by_role("group", name="Must workers' right to work be checked?").get_by_label("Yes").check()
    page.get_by_role("group", name="Training every worker needs").get_by_label(TOPIC, exact=True).check()
    page.get_by_label("Worker's hourly rate in pounds").fill("14.50")
    page.get_by_label("Night uplift, per cent").fill("20")
    page.get_by_label("Weekend and bank holiday uplift, per cent").fill("25")
    page.get_by_label("Hourly charge to enterprises in pounds").fill("22")
    page.get_by_label("Funded hours per enterprise per year").fill(str(FUNDED_HOURS))
    page.get_by_label("Minimum notice, in hours").fill("24")
    page.get_by_role("button", name="Save pool").click()

    arrived(page, POOL)
    expect(flash(page, "The pool has been saved as a draft. Open it when you are ready.")).to_be_visible()
    page.get_by_role("button", name="Open the pool").click()
    arrived(page, POOL)
    expect(flash(page, f"{POOL} is open.")).to_be_visible()
    expect(page.get_by_role("button", name="Open the pool")).to_have_count(0)


def approve_enterprise(page: Page, pool_id: int) -> None:
    page.goto(f"/relief/manage/pools/{pool_id}")
    arrived(page, POOL)
    page.get_by_role("button", name=f"Approve {ENTERPRISE}").click()
    arrived(page, POOL)
    expect(flash(page, "Your decision has been saved and the enterprise told.")).to_be_visible()
    expect(page.locator(".bs-card", has_text=ENTERPRISE)).to_contain_text("Approved")


def approve_worker(page: Page, pool_id: int, name: str) -> None:
    """The pool manager sees the worker's checks and training from the training service, then approves."""
    page.goto(f"/relief/manage/pools/{pool_id}")
    page.get_by_role("link", name=name).click()
    arrived(page, name)
    expect(page.locator(".govuk-summary-list")).to_contain_text("Enhanced with barred lists, issued 2 March 2026")
    records = page.get_by_role("table", name="Training done through Backstop")
    expect(records.get_by_role("row", name=re.compile(TOPIC))).to_contain_text("1 October 2026")
    page.get_by_label("I have seen the DBS certificate or its Update Service status, and it is clear").check()
    page.get_by_label("I have checked the worker's right to work in the UK").check()
    page.get_by_role("group", name="Your decision").get_by_label("Approve").check()
    page.get_by_role("button", name="Save decision").click()
    arrived(page, POOL)
    expect(flash(page, f"Your decision on {name} has been saved and they have been told.")).to_be_visible()


# --- the enterprise ---------------------------------------------------------------------------------------------


def join_pool(page: Page, pool_id: int) -> None:
    page.goto("/relief/pools")
    arrived(page, "Relief pools")
    page.get_by_role("link", name=POOL).click()
    arrived(page, POOL)
    expect(page).to_have_url(re.compile(f"/relief/pools/{pool_id}$"))
    page.get_by_label("Enterprise").select_option(label=ENTERPRISE)
    page.get_by_role("button", name="Ask to join").click()
    arrived(page, POOL)
    expect(flash(page, f"{ENTERPRISE} has asked to join {POOL}. The pool manager will decide.")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(f"{ENTERPRISE}: Pending")


def save_card(page: Page, live_server: str, stripe_server) -> None:
    """Save a card through Checkout in setup mode on the test server; its webhook records the method."""
    page.get_by_role("link", name=f"Cover requests for {ENTERPRISE}").click()
    arrived(page, "Cover requests")
    redirect_back_to_live_server(page, live_server, stripe_server, r"/checkout/[^/]+/pay$")
    page.get_by_role("button", name="Save a card").click()
    expect(page).to_have_url(re.compile("^" + re.escape(stripe_server.base_url) + "/checkout/cs_test_"))
    expect(page.get_by_text("Save a card for future payments.")).to_be_visible()
    page.get_by_role("button", name="Save card").click()
    expect(page).to_have_url(re.compile(r"/relief/organisations/\d+/requests\?card=saved$"))
    arrived(page, "Cover requests")
    [saved] = fresh(SavedPaymentMethod)
    session = stripe_server.get_object("checkout.session", saved.setup_reference)
    assert (session["mode"], session["status"]) == ("setup", "complete")
    event = stripe_server.event("checkout.session.completed", session)
    assert deliver_webhook(live_server, stripe_server, event) == 200
    [saved] = fresh(SavedPaymentMethod)
    assert saved.payment_method_reference.startswith("pm_")
    page.reload()
    arrived(page, "Cover requests")
    expect(page.get_by_role("button", name="Save a card")).to_have_count(0)


def post_two_shift_request(page: Page) -> None:
    page.get_by_role("link", name=f"Cover requests for {ENTERPRISE}").click()
    arrived(page, "Cover requests")
    expect(page.get_by_text(f"{POOL}: {FUNDED_HOURS} of {FUNDED_HOURS} hours left")).to_be_visible()
    page.get_by_role("link", name="Ask for cover").click()
    arrived(page, "Ask for cover")
    expect(page.get_by_label("Area", exact=True)).to_have_value(str(factories.area("Leeds").id))
    page.get_by_role("group", name="Why you need cover").get_by_label("Sickness").check()
    page.get_by_label("Description of the work").fill("Morning and afternoon visits to two older people at home.")
    page.get_by_role("group", name="Support needed").get_by_label("Personal care").check()
    page.get_by_label("Private notes (optional)").fill(PRIVATE_NOTES)
    for row, (day, start, end) in enumerate(SHIFTS, start=1):
        fill_date(page, f"Shift {row} date", day)
        fill_time(page, f"Shift {row} start time", start)
        fill_time(page, f"Shift {row} end time", end)
    page.get_by_role("button", name="Ask for cover").click()
    arrived(page, re.compile(r"^Cover request \d+$"))
    expect(flash(page, "Your request has been posted. We have told the best-matched workers.")).to_be_visible()


def approve_timesheets(page: Page, request_id: int, workers: list[str]) -> None:
    """The first shift's timesheet, then the second's (so the funded hours run out on the second)."""
    page.goto(f"/relief/requests/{request_id}")
    arrived(page, f"Cover request {request_id}")
    for span, name in zip(SHIFT_SPANS, workers, strict=True):
        shift = card(page, span)
        expect(shift).to_contain_text(f"Covered by {name}")
        expect(shift).to_contain_text("30 minutes unpaid break. Submitted")
        shift.get_by_role("button", name="Approve timesheet").click()
        arrived(page, f"Cover request {request_id}")
        expect(flash(page, "The timesheet is approved.")).to_be_visible()
        expect(card(page, span)).to_contain_text("Approved")
    expect(card(page, SHIFT_SPANS[0])).to_contain_text("7 hours 30 minutes from your funded hours")
    expect(card(page, SHIFT_SPANS[1])).to_contain_text("2 hours 30 minutes from your funded hours; charged £110.")
    expect(page.locator("main .govuk-tag").first).to_have_text("Completed")


# --- the workers ------------------------------------------------------------------------------------------------


def opt_in_to_texts(page: Page) -> None:
    page.goto("/account")
    arrived(page, "Your account")
    page.get_by_label("Mobile number (optional)").fill(MOBILE_TYPED)
    page.get_by_label("Text me urgent alerts").check()
    page.get_by_role("button", name="Save changes").click()
    expect(flash(page, "Your details have been saved.")).to_be_visible()


def become_relief_worker(page: Page) -> None:
    """Profile, DBS check and referees, availability: the pages a new relief worker fills in."""
    page.goto("/relief/profile")
    arrived(page, "Create your relief worker profile")
    page.get_by_label("Council area you live in").fill("Leed")  # an autocomplete over the select
    page.get_by_role("option", name="Leeds", exact=True).click()
    add_area(page, "Areas you can work in", "Leeds")
    page.get_by_role("group", name="Support you can give").get_by_label("Personal care").check()
    page.get_by_role("button", name="Save profile").click()
    arrived(page, "Your relief worker profile")
    expect(flash(page, "Your relief worker profile has been saved.")).to_be_visible()

    page.get_by_role("link", name="Your DBS check and referees").click()
    arrived(page, "Your checks and referees")
    page.get_by_role("group", name="Level of your DBS check").get_by_label("Enhanced with barred lists").check()
    fill_date(page, "Date your DBS certificate was issued", "2026-03-02")
    page.get_by_role("group", name="Are you on the DBS Update Service?").get_by_label("No").check()
    page.get_by_label("First referee").fill("Jo Brown, jo.brown@example.com")
    page.get_by_label("Second referee").fill("Sunil Rao, 0113 496 0000")
    page.get_by_role("button", name="Save checks").click()
    arrived(page, "Your relief worker profile")
    expect(flash(page, "Your checks have been saved.")).to_be_visible()

    page.get_by_role("link", name="When you can work").click()
    arrived(page, "When you can work")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        page.get_by_label(f"{day} from").fill("07:00")
        page.get_by_label(f"{day} to").fill("20:00")
    page.get_by_role("button", name="Save availability").click()
    arrived(page, "Your relief worker profile")
    expect(flash(page, "Your availability has been saved.")).to_be_visible()


def apply_to_pool(page: Page, pool_id: int) -> None:
    page.goto(f"/relief/pools/{pool_id}")
    arrived(page, POOL)
    page.get_by_role("button", name="Apply to work in this pool").click()
    arrived(page, POOL)
    expect(flash(page, f"You have applied to {POOL}.")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Your application: Applied")


def shift_words(index: int) -> str:
    """A shift in words as alerts and its page name it ("5 November 2026, 9:00am to 5:00pm in Leeds")."""
    day = SHIFTS[index][0][-2:].lstrip("0")
    return f"^{day} November 2026(,| at) 9:00am to ({day} November 2026 at )?5:00pm in Leeds$"


def open_shift(page: Page, span_index: int) -> None:
    """Cover shifts → View and accept, for one of the request's shifts."""
    page.goto("/relief/shifts")
    arrived(page, "Cover shifts")
    day = ("5", "6")[span_index]
    page.get_by_role("link", name=re.compile(f"^View and accept the shift on {day} November 2026")).click()
    arrived(page, re.compile(shift_words(span_index)))


def accept(page: Page) -> None:
    page.get_by_role("button", name="Accept this shift").click()
    expect(
        flash(page, "The shift is yours. The enterprise has been told. The private notes are below.")
    ).to_be_visible()
    expect(page.get_by_text(PRIVATE_NOTES)).to_be_visible()
    assert_accessible(page)


def emailed_link(outbox, address: str, shift_id: int) -> str:
    """The shift's link in the alert emailed to the worker."""
    wanted = f"http://backstop.test/relief/shifts/{shift_id}"
    bodies = [m.get_body(preferencelist=("plain",)).get_content() for m in outbox.to(address)]
    [link] = {link for body in bodies for link in re.findall(r"https?://\S+", body) if link == wanted}
    return link


def send_timesheet(page: Page, shift_link: str) -> None:
    """The dashboard asks for the timesheet; the shift page's button, the form (filled with the shift's times) and a
    30-minute break.

    The dashboard's task leads to Cover shifts, which lists only shifts that have not ended (views/worker.py,
    open_shifts: `CoverShift.ends_at > now`), so the shift waiting for its timesheet is not there: the worker opens
    it from the link in the alert they were emailed instead."""
    page.get_by_role("link", name="Send 1 timesheet").click()
    arrived(page, "Cover shifts")
    page.goto(shift_link)
    page.get_by_role("link", name="Send your timesheet").click()
    arrived(page, "Your timesheet")
    expect(page.get_by_role("group", name="Start time").get_by_label("Hour")).to_have_value("09")
    page.get_by_label("Unpaid break in minutes").fill("30")
    page.get_by_role("button", name="Send timesheet").click()
    expect(flash(page, "Your timesheet has been sent. The enterprise has 72 hours to check it.")).to_be_visible()
    arrived(page, re.compile(r" in Leeds$"))
    expect(page.locator(".govuk-summary-list").last).to_contain_text("30 minutes unpaid break")


def set_up_payouts(page: Page, live_server: str, stripe_server, user_id: int) -> None:
    """Earnings → Set up payouts → the test server's onboarding page; Stripe finishes onboarding and its
    account.updated webhook enables payouts (sending the pay that waited); Finish brings the worker back."""
    page.goto("/relief/earnings")
    arrived(page, "Your earnings")
    expect(page.get_by_text("Not set up.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Approved"))).to_contain_text("Waiting for payout details")
    redirect_back_to_live_server(page, live_server, stripe_server, r"/connect/[^/]+/[^/]+$")
    page.get_by_role("button", name="Set up payouts").click()
    expect(page).to_have_url(re.compile("^" + re.escape(stripe_server.base_url) + "/connect/acct_"))
    expect(page.get_by_text("Tell us about yourself to get paid.")).to_be_visible()

    [account] = fresh(ConnectedAccount, ConnectedAccount.user_id == user_id)
    assert not account.payouts_enabled
    onboarded = stripe_server.complete_onboarding(account.provider_account_id)
    event = stripe_server.event("account.updated", onboarded, account=account.provider_account_id)
    assert deliver_webhook(live_server, stripe_server, event) == 200
    [account] = fresh(ConnectedAccount, ConnectedAccount.user_id == user_id)
    assert account.payouts_enabled and account.details_submitted

    page.get_by_role("button", name="Finish").click()
    expect(page).to_have_url(re.compile("/relief/earnings$"))
    arrived(page, "Your earnings")
    expect(flash(page, "Ready to receive payouts")).to_have_count(2)  # the flash and the page
    expect(page.get_by_role("button", name=re.compile("payouts"))).to_have_count(0)
    expect(page.get_by_role("row", name=re.compile("Approved"))).to_contain_text("Paid")


# --- the journey ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("payment_mode", ["invoice", "stripe"])
def test_pool_to_paid_cover(new_page, ctx, outbox, clock, live_server, notify_mode, request, payment_mode):
    stripe_server = request.getfixturevalue("stripe_mode") if payment_mode == "stripe" else None
    if stripe_server is not None:
        stripe_server.now = lambda: clock.now().timestamp()  # the fake Stripe keeps the app's (injected) time
    officer = factories.user(name="Pat Publisher", role=IntendedRole.PUBLISHER)
    council = factories.publisher(officer, name=COUNCIL, areas=("Leeds",))
    owner = factories.user(name="Ada Lovelace")
    enterprise = factories.enterprise(owner, name=ENTERPRISE, area_name="Leeds")
    agency_owner = factories.user(name="Grace Hopper")
    agency = factories.enterprise(agency_owner, name=AGENCY, area_name="Leeds")
    first = factories.user(name="Mary Seacole", email="mary@relief.example", role=IntendedRole.RELIEF_WORKER)
    second = factories.user(name="Edith Cavell", email="edith@relief.example", role=IntendedRole.RELIEF_WORKER)
    trained(officer, council, agency_owner, agency, [first, second])
    db.session.commit()
    people = {"officer": officer.email, "owner": owner.email, "first": first.email, "second": second.email}
    first_id, second_id, officer_id = first.id, second.id, officer.id
    enterprise_id, council_id = enterprise.id, council.id
    records = fresh(TrainingRecord)
    assert sorted((r.user_id, r.topic.name, str(r.expires_on)) for r in records) == sorted(
        [(first_id, TOPIC, "2028-10-01"), (second_id, TOPIC, "2028-10-01")]
    )

    # 1. The publisher sets up the pool and opens it.
    publisher = new_page()
    sign_in(publisher, people["officer"])
    set_up_and_open_pool(publisher)
    [pool] = fresh(ReliefPool)
    assert (pool.status, pool.funded_hours_per_year, pool.hourly_charge_pence) == ("open", FUNDED_HOURS, 2200)
    assert [t.name for t in pool.required_topics] == [TOPIC]
    pool_id = pool.id

    # 2. The enterprise joins; the publisher approves it (this year's funded hours are granted).
    enterprise_page = new_page()
    sign_in(enterprise_page, people["owner"])
    join_pool(enterprise_page, pool_id)
    approve_enterprise(publisher, pool_id)
    [member] = fresh(PoolMember)
    assert member.status == "approved"
    member_id = member.id
    if stripe_server is not None:
        enterprise_page.goto("/dashboard")
        save_card(enterprise_page, live_server, stripe_server)

    # 3. The first worker (texts on) fills in a profile, checks and availability, applies and is approved.
    worker = new_page()
    sign_in(worker, people["first"])
    opt_in_to_texts(worker)
    become_relief_worker(worker)
    apply_to_pool(worker, pool_id)
    approve_worker(publisher, pool_id, "Mary Seacole")
    [approved] = fresh(PoolWorker)
    assert (approved.user_id, approved.status, approved.dbs_verified) == (first_id, "approved", True)
    assert approved.right_to_work_checked_on is not None

    # The second worker, made ready through the services, joined the pool after the first.
    second = db.session.get(User, second_id)
    ready_worker(second)
    application = pools.apply_to_pool(db.session.get(ReliefPool, pool_id), second)
    pools.decide_worker(application, True, db.session.get(User, officer_id), dbs_verified=True, right_to_work=True)
    db.session.commit()

    # 4. The enterprise posts a request with two shifts: both workers are told, the first ranked first.
    enterprise_page.goto("/dashboard")
    post_two_shift_request(enterprise_page)
    [cover_request] = fresh(CoverRequest)
    shifts = sorted(cover_request.shifts, key=lambda s: s.starts_at)
    shift_ids = [s.id for s in shifts]
    request_id = cover_request.id
    assert [s.status for s in shifts] == ["open", "open"]
    alerts = {(a.shift_id, a.user_id): a.rank for a in fresh(ShiftAlert)}
    assert alerts == {(sid, uid): rank for sid in shift_ids for uid, rank in ((first_id, 1), (second_id, 2))}
    for shift in shifts:
        told = card(enterprise_page, SHIFT_SPANS[shift_ids.index(shift.id)])
        expect(told.get_by_text("2 workers told about this shift")).to_be_visible()

    # The best-ranked worker got an email and a text (to the fake Notify) for each shift, with its link.
    links = [f"http://backstop.test/relief/shifts/{sid}" for sid in shift_ids]
    # (A subject this long is folded onto its own line by Python's email package: read back, it starts with a space.)
    emails = [m for m in outbox.to(people["first"]) if m["Subject"].strip().startswith("Cover shift: ")]
    subjects = sorted(m["Subject"].strip() for m in emails)
    assert len(subjects) == 2 and all(
        re.fullmatch(shift_words(n), s[len("Cover shift: ") :]) for n, s in enumerate(subjects)
    )
    for link in links:
        assert any(link in m.get_body(preferencelist=("plain",)).get_content() for m in emails)
    texts = [t for t in notify_mode.texts() if t["phone_number"] == MOBILE]
    assert sorted(t["body"].splitlines()[1] for t in texts) == links
    assert all(t["body"].startswith("Backstop: Cover shift: ") and "4321" not in t["body"] for t in texts)

    # 5. Two browsers: the second worker looks at the first shift; the first worker accepts it first; the second
    # is told it has gone and takes the other shift.
    other = new_page()
    sign_in(other, people["second"])
    open_shift(other, 0)
    open_shift(worker, 0)
    accept(worker)
    other.get_by_role("button", name="Accept this shift").click()
    expect(other).to_have_url(re.compile("/relief/shifts$"))
    expect(flash(other, "Sorry, this shift has been taken by someone else")).to_be_visible()
    expect(other.get_by_role("link", name=re.compile("^View and accept"))).to_have_count(1)
    open_shift(other, 1)
    accept(other)
    holders = {s.id: (s.status, s.worker_id) for s in fresh(CoverShift)}
    assert holders == {shift_ids[0]: ("accepted", first_id), shift_ids[1]: ("accepted", second_id)}
    assert fresh(CoverRequest)[0].status == "filled"

    # 6. After the shifts (everyone signs in again: sessions end after 12 idle hours), both send timesheets and
    # the enterprise approves them.
    clock.set(AFTER_THE_SHIFTS)
    for page, who, shift_id in ((worker, "first", shift_ids[0]), (other, "second", shift_ids[1])):
        sign_in(page, people[who])
        send_timesheet(page, live_url(live_server, emailed_link(outbox, people[who], shift_id)))
    sign_in(enterprise_page, people["owner"])
    approve_timesheets(enterprise_page, request_id, ["Mary Seacole", "Edith Cavell"])

    sheets = {t.shift_id: t for t in fresh(Timesheet)}
    assert [sheets[sid].status for sid in shift_ids] == ["approved", "approved"]
    assert [sheets[sid].worked_minutes for sid in shift_ids] == [WORKED_MINUTES, WORKED_MINUTES]
    assert [sheets[sid].funded_minutes for sid in shift_ids] == [WORKED_MINUTES, FUNDED_HOURS * 60 - WORKED_MINUTES]
    assert [sheets[sid].charged_pence for sid in shift_ids] == [0, CHARGE_PENCE]
    assert [sheets[sid].pay_pence for sid in shift_ids] == [PAY_PENCE, PAY_PENCE]
    assert {s.status for s in fresh(CoverShift)} == {"completed"}
    assert fresh(CoverRequest)[0].status == "completed"

    # Funded hours used: the ledger has the year's grant and one row per shift; nothing is left.
    ledger = sorted(
        (e.reason, e.source_key, e.minutes) for e in fresh(AllowanceEntry, AllowanceEntry.member_id == member_id)
    )
    assert ledger == sorted(
        [
            ("granted", "year", FUNDED_HOURS * 60),
            ("used", f"shift:{shift_ids[0]}", -WORKED_MINUTES),
            ("used", f"shift:{shift_ids[1]}", -(FUNDED_HOURS * 60 - WORKED_MINUTES)),
        ]
    )
    enterprise_page.get_by_role("link", name="Back to cover requests").click()
    arrived(enterprise_page, "Cover requests")
    expect(enterprise_page.get_by_text(f"{POOL}: 0 of {FUNDED_HOURS} hours left")).to_be_visible()

    # The rest is charged at the pool's charge: one cover charge, for the second timesheet.
    [charge] = fresh(Payment, Payment.purpose == PaymentPurpose.COVER_CHARGE)
    assert (charge.amount_pence, charge.payer_organisation_id, charge.payee_organisation_id) == (
        CHARGE_PENCE,
        enterprise_id,
        council_id,
    )
    assert sheets[shift_ids[1]].payment_id == charge.id and sheets[shift_ids[0]].payment_id is None
    payouts = {p.payee_user_id: p for p in fresh(Payout)}
    assert {uid: p.amount_pence for uid, p in payouts.items()} == {first_id: PAY_PENCE, second_id: PAY_PENCE}

    if stripe_server is None:
        # Invoice mode: the charge is an invoice; the publisher pays both workers through its payroll.
        assert (charge.provider, charge.status) == ("invoice", "pending")
        assert charge.invoice_reference
        assert {p.status for p in payouts.values()} == {"pending"}
        worker.goto("/relief/earnings")
        arrived(worker, "Your earnings")
        expect(worker.get_by_text("You are paid through the organisation's payroll")).to_be_visible()
        expect(worker.get_by_role("row", name=re.compile("Approved"))).to_contain_text("To be paid")
        pay_through_payroll(publisher, people["officer"], payouts)
        assert {p.status for p in fresh(Payout)} == {"paid"}
        return

    # Stripe mode: the charge was taken off-session from the saved card at the test server.
    assert (charge.provider, charge.status) == ("stripe", "succeeded")
    intent = stripe_server.get_object("payment_intent", charge.provider_payment_reference)
    assert (intent["status"], intent["amount"], intent["currency"]) == ("succeeded", CHARGE_PENCE, "gbp")
    [saved] = fresh(SavedPaymentMethod)
    assert (intent["customer"], intent["payment_method"]) == (
        saved.provider_customer_id,
        saved.payment_method_reference,
    )
    [asked] = [r for r in stripe_server.requests if (r.method, r.path) == ("POST", "/v1/payment_intents")]
    assert (asked.params["off_session"], asked.params["confirm"]) == ("true", "true")  # form-encoded
    assert asked.idempotency_key  # keyed by the payment, so a retried job charges once
    # Nobody could be paid yet: both payouts wait for the workers' payout accounts.
    assert {p.status for p in payouts.values()} == {"waiting_for_account"}
    assert stripe_server.transfers() == []
    for page, user_id in ((worker, first_id), (other, second_id)):
        set_up_payouts(page, live_server, stripe_server, user_id)
    accounts = {a.user_id: a.provider_account_id for a in fresh(ConnectedAccount)}
    payouts = {p.payee_user_id: p for p in fresh(Payout)}
    assert {p.status for p in payouts.values()} == {"paid"}
    transfers = stripe_server.transfers()
    assert sorted((t["destination"], t["amount"], t["id"]) for t in transfers) == sorted(
        (accounts[uid], PAY_PENCE, payouts[uid].provider_reference) for uid in (first_id, second_id)
    )
    keys = [r.idempotency_key for r in stripe_server.requests if (r.method, r.path) == ("POST", "/v1/transfers")]
    assert sorted(set(keys)) == sorted(f"cover-pay-{sheets[sid].id}" for sid in shift_ids)


def pay_through_payroll(page: Page, email: str, payouts: dict) -> None:
    """The publisher's payroll page lists both workers' pay; the CSV has both rows; both are marked paid."""
    sign_in(page, email)
    also_on_backstop(page)
    page.get_by_role("link", name=f"Relief workers' pay from {COUNCIL}").click()
    arrived(page, "Relief workers' pay")
    table = page.get_by_role("table", name="Pay to send")
    for name in ("Mary Seacole", "Edith Cavell"):
        expect(table.get_by_role("row", name=re.compile(name))).to_contain_text("£108.75")
    expect(page.get_by_text("Total still to pay: £217.50.")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as a spreadsheet (CSV)").click()
    spreadsheet = download_info.value
    assert spreadsheet.suggested_filename.startswith("relief-pay-") and spreadsheet.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(spreadsheet.path()).read_text(encoding="utf-8-sig"))))
    assert sorted((r["Worker"], r["Email"], r["Amount (£)"], r["Reference"]) for r in rows) == sorted(
        (p.payee_user.name, p.payee_user.email, "108.75", p.reference) for p in payouts.values()
    )
    for payout in payouts.values():
        page.get_by_label(f"Paid {payout.reference}").check()
    page.get_by_role("button", name="Mark selected as paid").click()
    arrived(page, "Relief workers' pay")
    expect(flash(page, "2 payments marked as paid.")).to_be_visible()
    expect(page.get_by_text("There is no relief workers' pay waiting to be sent.")).to_be_visible()

"""Relief cover's pages, through the real forms: a publisher sets up and opens a pool; an enterprise joins; a
relief worker fills in their profile, checks and availability and applies; the pool manager reviews and approves;
the enterprise asks for cover; the worker takes a shift (private notes only then, each view audited); timesheets
are sent, disputed, amended and approved; and the private notes and absence category stay out of URLs, other
workers' notifications and the logs. Every page fetched is checked by the client (one h1, a title that starts with
it)."""

import logging
import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from marketplace.core.clock import to_london, today, utcnow
from marketplace.core.money import format_pence
from marketplace.core.template_helpers import format_datetime, format_span
from marketplace.cover import pools, requests, timesheets
from marketplace.cover.models import (
    CoverRequest,
    CoverShift,
    PoolMember,
    PoolWorker,
    ReliefPool,
    ReliefWorkerProfile,
    ShiftAlert,
    Timesheet,
    WorkerAvailability,
    WorkerDayOff,
)
from marketplace.cover.statuses import MemberStatus, PoolStatus, ShiftStatus, Skill, TimesheetStatus, WorkerStatus
from marketplace.extensions import db
from tests import factories
from tests.cover.world import cover_world, open_pool, ready_worker, shift_times
from tests.database import audit_events, count, fresh, notifications_for
from tests.pages import check_page, errors, h1, main_text, soup

NOTES = "Key safe QZ7X by the back door, 12 Acacia Avenue"
SECRET_WORDS = ("QZ7X", "Acacia", "Key safe")  # nothing random (ids, hex file names) can spell these
ABSENCE = "bereavement"
VIEWED = "cover_request.private_notes_viewed"


# --- the people and the pieces each test starts from ----------------------------------------------------------


@pytest.fixture
def people(ctx, clock):
    """A Leeds council with its officer, enterprise A with its owner, and a person who will be a relief worker.
    The clock is frozen on Monday 2 November 2026, 10:00 (UK time is UTC)."""
    officer = factories.user(name="Olive Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council")
    owner = factories.user(name="Owen Owner")
    enterprise = factories.enterprise(owner, name="Enterprise A")
    worker = factories.user(name="Wendy Worker", role="relief_worker")
    db.session.commit()
    return SimpleNamespace(officer=officer, council=council, owner=owner, enterprise=enterprise, worker=worker)


def _approved_worker(pool, officer, user) -> PoolWorker:
    ready_worker(user)
    worker = pools.apply_to_pool(pool, user)
    pools.decide_worker(worker, True, officer, dbs_verified=True, right_to_work=True)
    return worker


@pytest.fixture
def ready(people):
    """The council's open pool (no minimum notice), enterprise A approved in it and two approved workers."""
    pool = open_pool(people.officer, people.council)
    member = pools.join_pool(pool, people.enterprise, people.owner)
    pools.decide_member(member, True, people.officer)
    _approved_worker(pool, people.officer, people.worker)
    second = factories.user(name="Sam Second", role="relief_worker")
    _approved_worker(pool, people.officer, second)
    db.session.commit()
    people.pool, people.member, people.second = pool, member, second
    return people


@pytest.fixture
def posted(ready):
    """Enterprise A's request with two open shifts (three and four days ahead), private notes and an absence
    category; both workers were alerted."""
    request = requests.post_request(
        ready.member,
        ready.owner,
        shifts=[shift_times(3), shift_times(4)],
        skills=[Skill.PERSONAL_CARE],
        topic_ids=[],
        area_id=factories.area("Leeds").id,
        absence_category=ABSENCE,
        description="Morning and evening visits at home.",
        private_notes=NOTES,
    )
    db.session.commit()
    ready.request = request
    ready.shifts = list(request.shifts)
    return ready


@pytest.fixture
def world(people):
    """tests/cover/world.py's cover_world: the worker holds the first of two shifts and sent yesterday's timesheet."""
    values = cover_world(people.officer, people.council, people.owner, people.enterprise, people.worker)
    db.session.commit()
    people.values = values
    return people


# --- posting helpers: the GOV.UK date and time inputs are one box per part --------------------------------------


def date_parts(name: str, day: date) -> dict:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def time_parts(name: str, hour: int | str, minute: int = 0) -> dict:
    return {f"{name}-hour": str(hour), f"{name}-minute": f"{minute:02d}"}


def shift_row(row: int, day: date, start: int, end: int) -> dict:
    return {**date_parts(f"day_{row}", day), **time_parts(f"start_{row}", start), **time_parts(f"end_{row}", end)}


def pool_form(**changes) -> dict:
    """A valid set of answers to the pool form."""
    data = {
        "name": "Leeds relief pool",
        "description": "Relief carers for Leeds.",
        "area_ids": [factories.area("Leeds").id],
        "region": "england_and_wales",
        "dbs_level": "enhanced",
        "dbs_max_age_months": "",
        "right_to_work_required": "yes",
        "hourly_rate": "14.50",
        "night_uplift_percent": "20",
        "weekend_uplift_percent": "25",
        "hourly_charge": "22.00",
        "funded_hours_per_year": "10",
        "min_notice_hours": "0",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def request_form(*rows: dict, **changes) -> dict:
    """Answers to the cover request form with the given shift rows."""
    data = {
        "area_id": str(factories.area("Leeds").id),
        "absence_category": ABSENCE,
        "description": "Morning and evening visits at home.",
        "skills": [Skill.PERSONAL_CARE.value],
        "private_notes": NOTES,
    }
    for row in rows:
        data.update(row)
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def days_ahead(days: int) -> date:
    return today() + timedelta(days=days)


def flashed_error(response) -> str:
    """The text of the page's error summary (a service rule's message is shown there)."""
    box = soup(response).select_one(".govuk-error-summary")
    return " ".join(box.get_text(" ").split()) if box else ""


def section(text: str, heading: str, next_heading: str) -> str:
    """The page text between two headings."""
    start = text.index(heading) + len(heading)
    return text[start : text.index(next_heading, start)]


# --- pools ------------------------------------------------------------------------------------------------------


def test_the_pool_form_shows_every_message_and_writes_nothing(client, login_as, people):
    """An empty form gets a message for each required answer; bad numbers and amounts get theirs; a pool with no
    area is refused. No pool is written by any of them."""
    login_as(people.officer)
    url = f"/relief/manage/organisations/{people.council.id}/pools/new"
    page = client.get(url)
    assert h1(page) == "Set up a relief pool"

    empty = client.post(url, data={})
    assert empty.status_code == 200
    shown = errors(empty)
    for message in (
        "Enter the pool name",
        "Enter a description of the pool",
        "Select whose bank holidays the pool follows",
        "Select the DBS check workers need",
        "Select yes if right to work must be checked",
        "Enter the worker's hourly rate",
        "Enter the night uplift, or 0",
        "Enter the weekend uplift, or 0",
        "Enter the hourly charge to enterprises",
        "Enter the funded hours, or 0",
        "Enter the minimum notice, or 0",
    ):
        assert message in shown, f"{message!r} not shown: {shown}"
        assert shown.count(message) == 2, f"{message!r} should be in the summary and beside its field"

    bad = client.post(
        url,
        data=pool_form(
            dbs_max_age_months="three years",
            hourly_rate="lots",
            hourly_charge="-1",
            night_uplift_percent="500",
            min_notice_hours="1.5",
        ),
    )
    shown = errors(bad)
    assert "Enter the age in whole months, like 36" in shown
    assert "Enter worker's hourly rate in pounds as an amount of money, like 12.50" in shown
    assert "Enter hourly charge to enterprises in pounds as an amount of money, like 12.50" in shown
    assert "Night uplift, per cent must be between 0 and 200" in shown
    assert "Enter the minimum notice as a whole number of hours" in shown

    no_area = client.post(url, data=pool_form(area_ids=None))
    assert no_area.status_code == 200
    assert "Select the areas the pool serves" in flashed_error(no_area)
    fresh()
    assert count(ReliefPool) == 0


def test_a_publisher_sets_up_a_pool_and_opens_it(client, login_as, people):
    """A valid form saves a draft (not on the public list); opening it puts it there with its rules and pay."""
    login_as(people.officer)
    saved = client.post(
        f"/relief/manage/organisations/{people.council.id}/pools/new", data=pool_form(min_notice_hours="24")
    )
    assert saved.status_code == 302
    pool = db.session.scalars(select(ReliefPool)).one()
    assert saved.headers["Location"].endswith(f"/relief/manage/pools/{pool.id}")
    assert (pool.status, pool.hourly_rate_pence, pool.hourly_charge_pence) == (PoolStatus.DRAFT, 1450, 2200)
    assert (pool.night_uplift_percent, pool.weekend_uplift_percent, pool.min_notice_hours) == (20, 25, 24)
    assert [area.name for area in pool.areas] == ["Leeds"]

    manage = client.get(f"/relief/manage/pools/{pool.id}")
    words = main_text(manage)
    assert "The pool has been saved as a draft" in words
    assert "£14.50 an hour, plus 20% at night" in words
    assert "Leeds relief pool" not in main_text(client.get("/relief/pools"))

    opened = client.post(f"/relief/manage/pools/{pool.id}/open")
    assert opened.status_code == 302
    assert "Leeds relief pool is open." in main_text(client.get(f"/relief/manage/pools/{pool.id}"))
    fresh()
    assert db.session.get(ReliefPool, pool.id).status == PoolStatus.OPEN
    client.post("/sign-out")
    listed = main_text(client.get("/relief/pools"))
    assert "Leeds relief pool" in listed and "Leeds City Council" in listed
    public = main_text(client.get(f"/relief/pools/{pool.id}"))
    assert "24 hours" in public and "Sign in to join this pool" in public


def test_an_enterprise_asks_to_join_and_the_manager_approves(client, login_as, people):
    """The owner picks their enterprise and asks; the manager sees it pending and approves; the owner can then ask
    for cover from the pool page."""
    pool = open_pool(people.officer, people.council)
    db.session.commit()
    login_as(people.owner)
    page = client.get(f"/relief/pools/{pool.id}")
    assert "Enterprise A: not a member" in main_text(page)
    assert soup(page).select_one(f"form[action='/relief/pools/{pool.id}/join'] select[name=organisation_id]")

    nobody = client.post(f"/relief/pools/{pool.id}/join", data={"organisation_id": "999999"})
    assert "Select the enterprise that is joining" in flashed_error(client.get(nobody.headers["Location"]))
    fresh()
    assert count(PoolMember) == 0

    asked = client.post(f"/relief/pools/{pool.id}/join", data={"organisation_id": str(people.enterprise.id)})
    words = main_text(client.get(asked.headers["Location"]))
    assert "Enterprise A has asked to join Leeds relief pool. The pool manager will decide." in words
    assert "Enterprise A: Pending" in words
    fresh()
    member = db.session.scalars(select(PoolMember)).one()
    assert member.status == MemberStatus.PENDING

    client.post("/sign-out")
    login_as(people.officer)
    manage = client.get(f"/relief/manage/pools/{pool.id}")
    assert "Enterprise A Pending" in section(main_text(manage), "Enterprises", "Relief workers")
    client.post(f"/relief/manage/pool-members/{member.id}/decide", data={"decision": "approve"})
    words = main_text(client.get(f"/relief/manage/pools/{pool.id}"))
    assert "Your decision has been saved and the enterprise told." in words
    assert "Enterprise A Approved" in section(words, "Enterprises", "Relief workers")
    fresh()
    assert db.session.get(PoolMember, member.id).status == MemberStatus.APPROVED

    client.post("/sign-out")
    login_as(people.owner)
    page = client.get(f"/relief/pools/{pool.id}")
    assert "Enterprise A: Approved Ask for cover" in main_text(page)


# --- a relief worker's profile, checks, availability and application ---------------------------------------------


def test_a_worker_fills_in_their_profile_checks_and_availability(client, login_as, people):
    """Each form refuses bad answers with the right message and writes nothing; good answers are saved."""
    login_as(people.worker)
    leeds = factories.area("Leeds").id
    missing = client.post("/relief/profile", data={"area_id": "", "area_ids": [leeds]})
    assert "Select an area" in errors(missing)
    fresh()
    assert count(ReliefWorkerProfile) == 0
    saved = client.post(
        "/relief/profile",
        data={"area_id": str(leeds), "phone": "", "about": "Ten years in home care.", "area_ids": [leeds],
              "skills": ["personal_care", "dementia"]},
    )  # fmt: skip
    assert saved.status_code == 302
    fresh()
    profile = people.worker.relief_profile
    assert profile.about == "Ten years in home care." and {s.skill for s in profile.skills} == {
        "personal_care",
        "dementia",
    }

    checks = {
        "dbs_level": "enhanced_barred",
        **date_parts("dbs_issued_on", today() - timedelta(days=200)),
        "dbs_update_service": "no",
        "referee_1": "Rita Referee, rita@example.com",
        "referee_2": "Ron Referee, 0113 496 0000",
    }
    future = client.post("/relief/profile/checks", data={**checks, **date_parts("dbs_issued_on", days_ahead(5))})
    shown = errors(future)
    assert any("must be today or in the past" in message or "in the past" in message for message in shown), shown
    empty = client.post("/relief/profile/checks", data={})
    shown = errors(empty)
    for message in (
        "Select the level of your DBS check",
        "Enter the date it was issued",
        "Select yes if you are on the DBS Update Service",
        "Enter your first referee's name and email or phone",
        "Enter your second referee's name and email or phone",
    ):
        assert message in shown, f"{message!r} not in {shown}"
    fresh()
    assert people.worker.relief_profile.dbs_level is None
    assert client.post("/relief/profile/checks", data=checks).status_code == 302
    fresh()
    assert people.worker.relief_profile.dbs_level == "enhanced_barred"
    assert people.worker.relief_profile.referee_2 == "Ron Referee, 0113 496 0000"

    url = "/relief/profile/availability"
    assert h1(client.get(url)) == "When you can work"
    bad = client.post(url, data={"from_0": "9am", "to_0": "17:00", "from_1": "09:00", "to_1": "", "to_2": "25:00",
                                 "from_2": "08:00", "days_off": "24/12/2026\nChristmas"})  # fmt: skip
    shown = errors(bad)
    assert any(m.lower() == "enter the monday start time, like 9:00 or 17:30" for m in shown), shown
    assert "Enter both times for Tuesday, or neither" in shown
    assert any(m.lower() == "enter the wednesday end time, like 9:00 or 17:30" for m in shown), shown
    assert "Enter each date you cannot work as day/month/year, like 24/12/2026" in shown
    fresh()
    assert count(WorkerAvailability) == 0 and count(WorkerDayOff) == 0

    good = client.post(url, data={"from_0": "9:00", "to_0": "17:30", "from_4": "22:00", "to_4": "07:00",
                                  "days_off": "24/12/2026"})  # fmt: skip
    assert good.status_code == 302
    fresh()
    slots = {slot.weekday: (slot.starts_minute, slot.ends_minute) for slot in people.worker.relief_profile.availability}
    assert slots == {0: (9 * 60, 17 * 60 + 30), 4: (22 * 60, 31 * 60)}  # Friday night runs into Saturday morning
    assert [day.day for day in people.worker.relief_profile.days_off] == [date(2026, 12, 24)]
    again = client.get(url)
    assert soup(again).select_one("input[name=to_4]")["value"] == "07:00"


def test_availability_time_messages_keep_the_day_capitalised(client, login_as, people):
    factories.relief_worker(people.worker)
    db.session.commit()
    login_as(people.worker)
    bad = client.post("/relief/profile/availability", data={"from_0": "9am", "to_0": "17:00"})
    assert "Enter the Monday start time, like 9:00 or 17:30" in errors(bad)


def _training_record_for(user, council):
    """Training the worker booked for themselves and attended, through the training service."""
    course = factories.course(council, title="Safeguarding adults level 2", topic_name="Safeguarding adults")
    session = factories.training_session(course, days_ahead=-40)
    booking = factories.booking(session, user, None, people=[(user.name, user.email)])
    return factories.training_record(booking.attendees[0], number="BSC-WENDY001")


def test_a_worker_applies_and_the_manager_approves_only_with_the_confirmations(client, login_as, people):
    """The manager sees the profile, checks, referees and training records; approving needs both confirmations."""
    pool = open_pool(people.officer, people.council)
    ready_worker(people.worker)
    _training_record_for(people.worker, people.council)
    db.session.commit()
    login_as(people.worker)
    page = client.get(f"/relief/pools/{pool.id}")
    assert "Apply to work in this pool" in main_text(page)
    applied = client.post(f"/relief/pools/{pool.id}/apply")
    words = main_text(client.get(applied.headers["Location"]))
    assert "You have applied to Leeds relief pool." in words and "Your application: Applied" in words
    again = client.post(f"/relief/pools/{pool.id}/apply")
    assert "You have already applied to Leeds relief pool" in flashed_error(client.get(again.headers["Location"]))
    fresh()
    worker = db.session.scalars(select(PoolWorker)).one()
    assert worker.status == WorkerStatus.APPLIED

    client.post("/sign-out")
    login_as(people.officer)
    listed = section(main_text(client.get(f"/relief/manage/pools/{pool.id}")), "Relief workers", "Disputed")
    assert "Wendy Worker Applied" in listed
    url = f"/relief/manage/pool-workers/{worker.id}"
    review = client.get(url)
    words = main_text(review)
    assert h1(review) == "Wendy Worker"
    assert "Enhanced with barred lists" in words or "barred" in words.lower()
    assert "Referee One, one@example.com" in words and "Referee Two, two@example.com" in words
    assert "Safeguarding adults" in words and "BSC-WENDY001" in words

    for data, message in (
        ({"decision": "approve"}, "Confirm you have seen the worker's DBS certificate or Update Service result"),
        ({"decision": "approve", "dbs_verified": "y"}, "Confirm you have checked the worker's right to work"),
        ({"dbs_verified": "y", "right_to_work": "y"}, "Select approve or decline"),
    ):
        refused = client.post(url, data=data)
        assert refused.status_code == 200
        assert message in flashed_error(refused) or message in errors(refused), (data, errors(refused))
        fresh()
        assert db.session.get(PoolWorker, worker.id).status == WorkerStatus.APPLIED

    approved = client.post(url, data={"decision": "approve", "dbs_verified": "y", "right_to_work": "y"})
    assert approved.headers["Location"].endswith(f"/relief/manage/pools/{pool.id}")
    assert "Your decision on Wendy Worker has been saved" in main_text(client.get(approved.headers["Location"]))
    fresh()
    assert db.session.get(PoolWorker, worker.id).status == WorkerStatus.APPROVED
    assert "Your application: Approved" in _as(client, login_as, people.worker, f"/relief/pools/{pool.id}")


def _as(client, login_as, user, url) -> str:
    """Sign out, sign in as `user` and return the main text of `url`."""
    client.post("/sign-out")
    login_as(user)
    return main_text(client.get(url))


# --- asking for cover ------------------------------------------------------------------------------------------


def test_the_request_form_refuses_bad_shifts_and_writes_nothing(client, login_as, people):
    """Missing first shift, a half-filled second one, overlapping shifts, under the minimum notice and an impossible
    time: each a clear message, and no request, shift or alert written."""
    pool = open_pool(people.officer, people.council, min_notice_hours=24)
    member = pools.join_pool(pool, people.enterprise, people.owner)
    pools.decide_member(member, True, people.officer)
    _approved_worker(pool, people.officer, people.worker)
    db.session.commit()
    login_as(people.owner)
    url = f"/relief/organisations/{people.enterprise.id}/requests/new"
    form = client.get(url)
    assert h1(form) == "Ask for cover"
    assert "From Leeds relief pool." in main_text(form)

    missing = client.post(url, data=request_form())
    shown = errors(missing)
    for message in ("Enter the date of the shift", "Enter the start time", "Enter the end time"):
        assert message in shown, (message, shown)

    half = client.post(url, data=request_form(shift_row(1, days_ahead(3), 9, 17), date_parts("day_2", days_ahead(4))))
    assert "Enter the shift 2 start time, or leave shift 2 empty" in errors(half)
    assert "Enter the shift 2 end time, or leave shift 2 empty" in errors(half)

    overlap = client.post(
        url, data=request_form(shift_row(1, days_ahead(3), 9, 17), shift_row(2, days_ahead(3), 16, 20))
    )
    assert overlap.status_code == 200
    assert "Shifts in one request must not overlap" in flashed_error(overlap)

    soon = client.post(url, data=request_form(shift_row(1, today(), 15, 18)))
    assert "Shifts must start at least 24 hours from now" in flashed_error(soon)

    impossible = client.post(url, data=request_form(shift_row(1, days_ahead(3), 25, 17)))
    assert "Shift 1 start time must be a real time on the 24-hour clock, like 14 30" in errors(impossible)

    no_why = client.post(url, data=request_form(shift_row(1, days_ahead(3), 9, 17), absence_category=None))
    assert "Select why you need cover" in errors(no_why)
    fresh()
    assert count(CoverRequest) == count(CoverShift) == count(ShiftAlert) == 0


def test_an_end_before_the_start_is_an_overnight_shift(client, login_as, ready):
    """22:00 to 07:00 is one shift ending the next morning, not an error."""
    login_as(ready.owner)
    night = days_ahead(3)
    posted = client.post(
        f"/relief/organisations/{ready.enterprise.id}/requests/new", data=request_form(shift_row(1, night, 22, 7))
    )
    assert posted.status_code == 302
    fresh()
    shift = db.session.scalars(select(CoverShift)).one()
    assert to_london(shift.starts_at).date() == night and to_london(shift.starts_at).hour == 22
    assert to_london(shift.ends_at).date() == night + timedelta(days=1) and to_london(shift.ends_at).hour == 7


def test_the_enterprise_posts_two_shifts_and_sees_who_was_alerted_and_when(client, login_as, ready):
    """Two shifts posted through the form; the request page lists each shift, the workers told and when, and the
    private notes and reason for the enterprise itself."""
    login_as(ready.owner)
    posted = client.post(
        f"/relief/organisations/{ready.enterprise.id}/requests/new",
        data=request_form(shift_row(1, days_ahead(3), 9, 17), shift_row(2, days_ahead(4), 9, 17)),
    )
    assert posted.status_code == 302
    fresh()
    request = db.session.scalars(select(CoverRequest)).one()
    assert posted.headers["Location"].endswith(f"/relief/requests/{request.id}")
    assert (request.absence_category, request.private_notes) == (ABSENCE, NOTES)
    assert [s.status for s in request.shifts] == [ShiftStatus.OPEN, ShiftStatus.OPEN]

    page = client.get(posted.headers["Location"])
    words = main_text(page)
    assert "Your request has been posted. We have told the best-matched workers." in words
    assert h1(page) == f"Cover request {request.id}"
    assert NOTES in words and "Bereavement" in words
    told = f"Wendy Worker, {format_datetime(utcnow())}"
    for shift in request.shifts:
        assert f"{format_span(shift.starts_at, shift.ends_at)} Open 2 workers told about this shift" in words
    assert words.count("2 workers told about this shift") == 2
    assert words.count(told) == 2 and words.count(f"Sam Second, {format_datetime(utcnow())}") == 2
    listed = main_text(client.get(f"/relief/organisations/{ready.enterprise.id}/requests"))
    assert f"Cover request {request.id}" in listed and "2 shifts, Leeds" in listed
    assert "Leeds relief pool: 10 of 10 hours left" in listed


def test_an_enterprise_outside_any_pool_is_sent_to_find_one(client, login_as, people):
    login_as(people.owner)
    sent = client.get(f"/relief/organisations/{people.enterprise.id}/requests/new")
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/relief/pools")
    assert "must be approved in an open relief pool" in flashed_error(client.get("/relief/pools"))


# --- taking a shift --------------------------------------------------------------------------------------------


def test_a_worker_finds_opens_and_accepts_a_shift(client, login_as, posted):
    """The shift is on /relief/shifts soonest first; its page has no private notes until the worker accepts it;
    then they are shown, each view audited; the .ics has the times and no notes; the enterprise sees who took it."""
    first, second = posted.shifts
    login_as(posted.worker)
    shifts = client.get("/relief/shifts")
    words = main_text(shifts)
    assert "You have no shifts coming up." in words
    offered = [a["href"] for a in soup(shifts).select("a") if "View and accept" in a.get_text()]
    assert offered == [f"/relief/shifts/{first.id}", f"/relief/shifts/{second.id}"]

    before = client.get(f"/relief/shifts/{first.id}")
    words = main_text(before)
    assert "Morning and evening visits at home." in words
    assert not any(secret in words for secret in SECRET_WORDS) and "Bereavement" not in words
    assert soup(before).find("button", string=re.compile("Accept this shift"))
    assert audit_events(VIEWED) == []

    accepted = client.post(f"/relief/shifts/{first.id}/accept")
    assert accepted.headers["Location"].endswith(f"/relief/shifts/{first.id}")
    page = client.get(accepted.headers["Location"])
    words = main_text(page)
    assert "The shift is yours. The enterprise has been told." in words
    assert NOTES in words and "Bereavement" not in words
    assert len(audit_events(VIEWED)) == 1
    client.get(f"/relief/shifts/{first.id}")
    events = audit_events(VIEWED)
    assert len(events) == 2 and all(event.actor_id == posted.worker.id for event in events)
    fresh()
    assert db.session.get(CoverShift, first.id).worker_id == posted.worker.id

    ics = client.get(f"/relief/shifts/{first.id}/shift.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    assert "attachment" in ics.headers["Content-Disposition"]
    body = ics.get_data(as_text=True)
    assert "BEGIN:VEVENT" in body and "Enterprise A" in body and "Leeds" in body
    assert not any(secret in body for secret in SECRET_WORDS) and ABSENCE not in body.lower()

    mine = main_text(client.get("/relief/shifts"))
    assert format_span(first.starts_at, first.ends_at) in section(mine, "Your shifts", "Shifts you can take")

    client.post("/sign-out")
    login_as(posted.owner)
    words = main_text(client.get(f"/relief/requests/{posted.request.id}"))
    assert "Partly filled" in words and "Covered by Wendy Worker" in words
    assert [n.title for n in notifications_for(posted.owner, "cover_shift_accepted")] == [
        f"Wendy Worker accepted your cover shift on {format_datetime(first.starts_at)}"
    ]


def test_another_worker_is_told_the_shift_is_taken_and_never_sees_its_notes(client, login_as, posted):
    """The second worker in the pool opens the first worker's shift: no private notes, no accept button; trying to
    accept it anyway is refused as taken. Their view of the request's other shift shows no notes either."""
    first, second = posted.shifts
    requests.accept_shift(first, posted.worker)
    db.session.commit()
    views = len(audit_events(VIEWED))
    login_as(posted.second)
    page = client.get(f"/relief/shifts/{first.id}")
    words = main_text(page)
    assert not any(secret in words for secret in SECRET_WORDS)
    assert not soup(page).find("button", string=re.compile("Accept this shift"))
    other = main_text(client.get(f"/relief/shifts/{second.id}"))
    assert not any(secret in other for secret in SECRET_WORDS)
    assert len(audit_events(VIEWED)) == views

    refused = client.post(f"/relief/shifts/{first.id}/accept")
    assert refused.headers["Location"].endswith("/relief/shifts")
    assert "Sorry, this shift has been taken by someone else" in flashed_error(client.get("/relief/shifts"))
    fresh()
    assert db.session.get(CoverShift, first.id).worker_id == posted.worker.id
    assert client.get(f"/relief/shifts/{first.id}/shift.ics", skip_page_check=True).status_code in (403, 404)
    assert client.get(f"/relief/requests/{posted.request.id}").status_code == 404


def test_a_worker_outside_the_pool_cannot_open_its_shifts(client, login_as, posted):
    outsider = factories.user(name="Olly Outsider", role="relief_worker")
    ready_worker(outsider)
    db.session.commit()
    login_as(outsider)
    assert client.get(f"/relief/shifts/{posted.shifts[0].id}").status_code == 404
    assert "There are no open shifts you can take right now." in main_text(client.get("/relief/shifts"))


# --- after the shift -------------------------------------------------------------------------------------------


def test_a_timesheet_is_disputed_amended_and_approved_and_the_pay_shown(client, login_as, world):
    """The enterprise disputes yesterday's timesheet (a reason is needed); the manager lists it; the worker amends
    it; the enterprise approves; the worker's earnings show the pay."""
    sheet_id = world.values["timesheet_id"]
    sheet = db.session.get(Timesheet, sheet_id)
    shift_id, request_id = sheet.shift_id, sheet.shift.request_id
    login_as(world.owner)
    request_page = client.get(f"/relief/requests/{request_id}")
    assert any("Approve timesheet" in button.get_text() for button in soup(request_page).find_all("button"))
    url = f"/relief/timesheets/{sheet_id}/dispute"
    assert h1(client.get(url)) == "Dispute a timesheet"
    empty = client.post(url, data={"reason": "  "})
    assert "Enter what is wrong with the timesheet" in errors(empty)
    fresh()
    assert db.session.get(Timesheet, sheet_id).status == TimesheetStatus.SUBMITTED
    disputed = client.post(url, data={"reason": "Left at 4pm, not 5pm"})
    assert disputed.headers["Location"].endswith(f"/relief/requests/{request_id}")
    fresh()
    assert db.session.get(Timesheet, sheet_id).status == TimesheetStatus.DISPUTED

    manager = _as(client, login_as, world.officer, f"/relief/manage/pools/{world.values['pool_id']}")
    assert "Left at 4pm, not 5pm" in section(manager, "Disputed timesheets", "Strikes to review")

    shift_page = _as(client, login_as, world.worker, f"/relief/shifts/{shift_id}")
    assert "Why it is disputed Left at 4pm, not 5pm" in shift_page and "Amend your timesheet" in shift_page
    form = client.get(f"/relief/shifts/{shift_id}/timesheet")
    assert soup(form).select_one("input[name=start-hour]")["value"] in ("9", "09")
    yesterday = today() - timedelta(days=1)
    amended = {**date_parts("day", yesterday), **time_parts("start", 9), **time_parts("end", 16), "break_minutes": "30"}
    sent = client.post(f"/relief/shifts/{shift_id}/timesheet", data=amended)
    assert sent.headers["Location"].endswith(f"/relief/shifts/{shift_id}")
    assert "Your timesheet has been sent." in main_text(client.get(sent.headers["Location"]))
    fresh()
    sheet = db.session.get(Timesheet, sheet_id)
    assert sheet.status == TimesheetStatus.SUBMITTED and to_london(sheet.ended_at).hour == 16

    client.post("/sign-out")
    login_as(world.owner)
    approved = client.post(f"/relief/timesheets/{sheet_id}/approve")
    words = main_text(client.get(approved.headers["Location"]))
    assert "The timesheet is approved." in words
    fresh()
    sheet = db.session.get(Timesheet, sheet_id)
    assert sheet.status == TimesheetStatus.APPROVED
    # Sunday 1 November, 09:00-16:00 less a 30-minute break: 6.5 hours at £14.50 plus the 25% weekend uplift.
    assert sheet.pay_pence == round(6.5 * 1450 * 1.25)
    assert "6 hours 30 minutes from your funded hours" in words

    earnings = _as(client, login_as, world.worker, "/relief/earnings")
    assert f"Approved so far: {format_pence(sheet.pay_pence)}" in earnings
    assert format_span(sheet.started_at, sheet.ended_at) in earnings and "Approved" in earnings


def test_the_timesheet_form_refuses_bad_times_and_changes_nothing(client, login_as, world):
    sheet = db.session.get(Timesheet, world.values["timesheet_id"])
    shift_id, before = sheet.shift_id, (sheet.started_at, sheet.ended_at, sheet.break_minutes)
    timesheets.dispute_timesheet(sheet, world.owner, reason="Wrong times")
    db.session.commit()
    login_as(world.worker)
    url = f"/relief/shifts/{shift_id}/timesheet"
    yesterday = today() - timedelta(days=1)
    bad = client.post(
        url,
        data={**date_parts("day", yesterday), **time_parts("start", 25), **time_parts("end", 16), "break_minutes": "x"},
    )
    shown = errors(bad)
    assert "Start time must be a real time on the 24-hour clock, like 14 30" in shown
    assert "Enter the break as a whole number of minutes, like 30" in shown
    empty = client.post(url, data={})
    for message in ("Enter the date you started", "Enter the start time", "Enter the end time"):
        assert message in errors(empty)
    too_long = {
        **date_parts("day", yesterday),
        **time_parts("start", 9),
        **time_parts("end", 10),
        "break_minutes": "90",
    }
    assert "The break must be shorter than the time worked" in flashed_error(client.post(url, data=too_long))
    fresh()
    sheet = db.session.get(Timesheet, world.values["timesheet_id"])
    assert (sheet.started_at, sheet.ended_at, sheet.break_minutes) == before
    assert sheet.status == TimesheetStatus.DISPUTED


def test_the_manager_settles_a_disputed_timesheet(client, login_as, world):
    sheet = db.session.get(Timesheet, world.values["timesheet_id"])
    timesheets.dispute_timesheet(sheet, world.owner, reason="Left at 3pm")
    db.session.commit()
    login_as(world.officer)
    url = f"/relief/manage/timesheets/{sheet.id}/settle"
    page = client.get(url)
    assert "The enterprise said: Left at 3pm" in main_text(page)
    yesterday = today() - timedelta(days=1)
    settled = client.post(
        url,
        data={**date_parts("day", yesterday), **time_parts("start", 9), **time_parts("end", 15), "break_minutes": "0"},
    )
    assert settled.headers["Location"].endswith(f"/relief/manage/pools/{world.values['pool_id']}")
    words = main_text(client.get(settled.headers["Location"]))
    assert "The dispute is settled and the timesheet approved." in words
    assert "There are no disputed timesheets." in words
    fresh()
    sheet = db.session.get(Timesheet, sheet.id)
    assert sheet.status == TimesheetStatus.APPROVED and to_london(sheet.ended_at).hour == 15


def test_the_manager_page_lists_disputes_applications_and_shifts_at_risk(client, login_as, world):
    """A disputed timesheet with its reason, a worker's application waiting and a shift open within 24 hours each
    show in their own section; a shift days ahead is not at risk."""
    pool = db.session.get(ReliefPool, world.values["pool_id"])
    member = db.session.get(PoolMember, world.values["member_id"])
    timesheets.dispute_timesheet(db.session.get(Timesheet, world.values["timesheet_id"]), world.owner, reason="Late")
    applicant = factories.user(name="Annie Applicant", role="relief_worker")
    ready_worker(applicant)
    pools.apply_to_pool(pool, applicant)
    soon = requests.post_request(
        member,
        world.owner,
        shifts=[shift_times(0, 15, 20)],
        skills=[],
        topic_ids=[],
        area_id=factories.area("Leeds").id,
        absence_category="sickness",
        description="This afternoon.",
        private_notes=None,
    )
    db.session.commit()
    login_as(world.officer)
    words = main_text(client.get(f"/relief/manage/pools/{pool.id}"))
    at_risk = section(words, "Shifts at risk", "Enterprises")
    risky = soon.shifts[0]
    assert f"{format_span(risky.starts_at, risky.ends_at)}: still open, for Enterprise A" in at_risk
    later = db.session.get(CoverShift, world.values["shift_id"] + 1)
    assert format_span(later.starts_at, later.ends_at) not in at_risk
    workers = section(words, "Relief workers", "Disputed timesheets")
    assert "Annie Applicant Applied" in workers and "Wendy Worker Approved" in workers
    assert ": Late" in section(words, "Disputed timesheets", "Strikes to review")
    assert "Enterprise A Approved" in section(words, "Enterprises", "Relief workers")


# --- privacy ---------------------------------------------------------------------------------------------------


def _links(response) -> list[str]:
    page = soup(response)
    found = [response.headers.get("Location", "")]
    for tag in page.find_all(["a", "form", "link", "script", "img"]):
        found += [tag.get("href") or "", tag.get("action") or "", tag.get("src") or ""]
    return [link for link in found if link]


def test_private_notes_and_absence_stay_out_of_urls_notifications_and_logs(client, login_as, ready, outbox, caplog):
    """A whole journey: post through the form, both workers alerted, one accepts and views the notes, the other is
    refused. No URL, no notification or email to a worker, and no log line carries the notes or the category."""
    # SQL echo would be the test's doing, not the app's; the last set_level sets the capturing handler's level.
    caplog.set_level(logging.WARNING, logger="sqlalchemy")
    caplog.set_level(logging.DEBUG, logger="werkzeug")
    caplog.set_level(logging.DEBUG, logger="marketplace")
    seen: list[str] = []

    def visit(url: str, method: str = "get", **kwargs):
        response = getattr(client, method)(url, **kwargs)
        seen.append(url)
        seen.extend(_links(response))
        return response

    login_as(ready.owner)
    posted = visit(
        f"/relief/organisations/{ready.enterprise.id}/requests/new",
        "post",
        data=request_form(shift_row(1, days_ahead(3), 9, 17), shift_row(2, days_ahead(4), 9, 17)),
    )
    visit(posted.headers["Location"])
    visit(f"/relief/organisations/{ready.enterprise.id}/requests")
    fresh()
    request = db.session.scalars(select(CoverRequest)).one()
    first, second = request.shifts

    client.post("/sign-out")
    login_as(ready.worker)
    visit("/relief/shifts")
    accepted = visit(f"/relief/shifts/{first.id}/accept", "post")
    visit(accepted.headers["Location"])
    visit(f"/relief/shifts/{first.id}/shift.ics", skip_page_check=True)
    visit("/notifications/")

    client.post("/sign-out")
    login_as(ready.second)
    visit("/relief/shifts")
    visit(f"/relief/shifts/{first.id}")
    visit(f"/relief/shifts/{first.id}/accept", "post")
    visit("/notifications/")

    client.post("/sign-out")
    login_as(ready.officer)
    visit(f"/relief/manage/pools/{ready.pool.id}")
    assert visit(f"/relief/requests/{request.id}").status_code == 200
    assert len(audit_events(VIEWED)) >= 2

    secrets = (*SECRET_WORDS, ABSENCE, "Bereavement")
    leaked = [url for url in seen if any(secret.lower() in url.lower() for secret in secrets)]
    assert not leaked, leaked
    for person in (ready.worker, ready.second):
        for note in notifications_for(person):
            shown = f"{note.title} {note.body} {note.link}"
            assert not any(secret.lower() in shown.lower() for secret in secrets), shown
        for message in outbox.to(person.email):
            mail = message.as_string()
            assert not any(secret.lower() in mail.lower() for secret in secrets), mail[:2000]
    assert notifications_for(ready.second, "cover_shift_open"), "the second worker was alerted"
    assert outbox.to(ready.second.email), "the second worker was emailed"
    logged = caplog.text.lower()
    assert caplog.records, "the journey logged nothing: the check would be empty"
    assert not any(secret.lower() in logged for secret in secrets), caplog.text[:3000]


def test_the_pool_manager_sees_the_request_but_not_its_private_notes(client, login_as, posted):
    """The manager needs the shifts, not the client's address: no notes, no reason, and no view audited."""
    login_as(posted.officer)
    words = main_text(client.get(f"/relief/requests/{posted.request.id}"))
    assert "Morning and evening visits at home." in words
    assert not any(secret in words for secret in SECRET_WORDS) and "Bereavement" not in words
    assert audit_events(VIEWED) == []


def test_each_enterprise_view_of_the_notes_is_audited(client, login_as, posted):
    login_as(posted.owner)
    for _ in range(2):
        assert NOTES in main_text(client.get(f"/relief/requests/{posted.request.id}"))
    events = audit_events(VIEWED)
    assert len(events) == 2 and {e.actor_id for e in events} == {posted.owner.id}


# --- every page: a title, one h1 -------------------------------------------------------------------------------


def test_every_cover_page_has_a_title_and_one_heading(client, login_as, world):
    """Each GET page of relief cover, as the person it is for (check_page: one h1, the title starts with it)."""
    v = world.values
    sheet = db.session.get(Timesheet, v["timesheet_id"])
    timesheets.dispute_timesheet(sheet, world.owner, reason="Late")
    db.session.commit()
    pages = {
        None: ["/relief/pools", f"/relief/pools/{v['pool_id']}"],
        world.worker: [
            "/relief/profile",
            "/relief/profile/checks",
            "/relief/profile/availability",
            "/relief/shifts",
            f"/relief/shifts/{v['shift_id']}",
            f"/relief/shifts/{sheet.shift_id}",
            f"/relief/shifts/{sheet.shift_id}/timesheet",
            "/relief/earnings",
            f"/relief/pools/{v['pool_id']}",
        ],
        world.owner: [
            f"/relief/organisations/{world.enterprise.id}/requests",
            f"/relief/organisations/{world.enterprise.id}/requests/new",
            f"/relief/requests/{v['request_id']}",
            f"/relief/shifts/{v['shift_id']}",
            f"/relief/pools/{v['pool_id']}",
        ],
        world.officer: [
            f"/relief/manage/organisations/{world.council.id}/pools",
            f"/relief/manage/organisations/{world.council.id}/pools/new",
            f"/relief/manage/pools/{v['pool_id']}",
            f"/relief/manage/pools/{v['pool_id']}/edit",
            f"/relief/manage/pool-workers/{v['worker_id']}",
            f"/relief/manage/timesheets/{sheet.id}/settle",
            f"/relief/requests/{v['request_id']}",
        ],
    }
    for person, urls in pages.items():
        client.post("/sign-out")
        if person is not None:
            login_as(person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, f"{url} as {person and person.name}: {response.status_code}"
            check_page(response, url)


def test_earnings_with_nothing_approved_yet_do_not_say_free(client, login_as, world):
    login_as(world.worker)
    words = main_text(client.get("/relief/earnings"))
    assert "Approved so far" in words and "Free" not in words

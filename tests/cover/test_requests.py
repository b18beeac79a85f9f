"""Cover requests and pools through their services: posting (and what is refused), alerts to the best ten and
widening to the rest, accepting exactly once, cancelling (late: a strike; three: suspended), and joining pools."""

from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import func, select

from marketplace.core.audit import AuditEvent
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.core.notifications import Notification
from marketplace.core.states import change
from marketplace.cover import matching, pools, requests
from marketplace.cover.models import AllowanceEntry, CoverRequest, CoverShift, PoolWorker, ShiftAlert, Strike
from marketplace.cover.requests import NotEligible, ShiftTaken
from marketplace.cover.statuses import (
    POOL_MEMBER_STATES,
    MemberStatus,
    PoolStatus,
    RequestStatus,
    ShiftStatus,
    WorkerStatus,
)
from marketplace.extensions import db
from tests import factories
from tests.cover import builders
from tests.cover.builders import NOW, WEDNESDAY, at, day_shift


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def told(kind: str, person=None) -> list[int]:
    """The ids of the people given a notification of the kind (once each, or more), sorted."""
    query = select(Notification.user_id).where(Notification.kind == kind)
    if person is not None:
        query = query.where(Notification.user_id == person.id)
    return sorted(db.session.scalars(query))


def post(cover, *shifts, actor=None, **details):
    """The enterprise's owner posts a request (one Wednesday day shift by default) and commits."""
    values = {
        "area_id": factories.area("Leeds").id,
        "description": "Two calls a day for an older man",
        "private_notes": "Key safe 4321 at 2 Park Row",
        "absence_category": "sickness",
        "skills": [],
        "topic_ids": [],
    }
    request = requests.post_request(
        cover.member, actor or cover.owner, shifts=list(shifts or (day_shift(),)), **{**values, **details}
    )
    db.session.commit()
    return request


def workers(cover, number: int) -> list:
    """Eligible workers, committed."""
    people = [builders.worker(cover.pool) for _ in range(number)]
    db.session.commit()
    return people


# --- posting ---------------------------------------------------------------------------------------------------


REFUSED_POSTS = {
    "no shifts": ([], {}, "Add at least one shift"),
    "end before start": ([(at(WEDNESDAY, 17), at(WEDNESDAY, 9))], {}, "Each shift must end after it starts"),
    "overlapping": (
        [day_shift(start=9, end=13), day_shift(start=12, end=17)],
        {},
        "Shifts in one request must not overlap",
    ),
    "under the notice": ([(NOW + timedelta(hours=47), NOW + timedelta(hours=50))], {}, "at least 48 hours from now"),
    "area not served": ([day_shift()], {"area": "Bradford"}, "does not serve that area"),
}


@pytest.mark.parametrize("case", REFUSED_POSTS, ids=list(REFUSED_POSTS))
def test_a_bad_request_is_refused_and_nothing_is_written(cover, case):
    """Each mistake is refused with a message that says what is wrong; no request, shift, alert or audit is written."""
    shifts, options, message = REFUSED_POSTS[case]
    cover.pool.min_notice_hours = 48
    db.session.commit()
    before = [count(CoverRequest), count(CoverShift), count(ShiftAlert), count(AuditEvent)]
    area_id = factories.area(options.get("area", "Leeds")).id
    with pytest.raises(DomainError, match=message):
        requests.post_request(
            cover.member, cover.owner, shifts=shifts, skills=[], topic_ids=[], area_id=area_id, description="Cover"
        )
    db.session.rollback()
    assert [count(CoverRequest), count(CoverShift), count(ShiftAlert), count(AuditEvent)] == before


@pytest.mark.parametrize("status", [MemberStatus.PENDING, MemberStatus.SUSPENDED, MemberStatus.DECLINED])
def test_a_member_not_approved_cannot_post(cover, status):
    """Only an approved member may ask for cover."""
    cover.member.status = status
    db.session.commit()
    with pytest.raises(DomainError, match="cannot ask .* for cover now"):
        post(cover)
    db.session.rollback()
    assert count(CoverRequest) == 0


def test_someone_outside_the_enterprise_cannot_post(cover):
    """A person who is not one of the enterprise's people is not allowed."""
    with pytest.raises(NotAllowed):
        post(cover, actor=factories.user())


def test_posting_alerts_the_best_ten(cover):
    """Of 12 eligible workers the 10 best ranked are told at once (alert rows with their rank, a notification with a
    link to the shift and no private details); the other two wait."""
    regular, *others = workers(cover, 12)
    builders.held_shift(regular, cover.member, *day_shift(WEDNESDAY - timedelta(days=14)), status="completed")
    db.session.commit()
    request = post(cover)
    (shift,) = request.shifts
    best = [m.user_id for m in matching.ranked_workers(shift, now=NOW, limit=10)]
    alerts = db.session.scalars(select(ShiftAlert).where(ShiftAlert.shift_id == shift.id).order_by(ShiftAlert.rank))
    assert [(a.user_id, a.rank, a.widened, a.alerted_at) for a in alerts] == [
        (user_id, rank, False, NOW) for rank, user_id in enumerate(best, start=1)
    ]
    assert best[0] == regular.id
    assert told("cover_shift_open") == sorted(best)
    note = db.session.scalar(select(Notification).where(Notification.user_id == regular.id))
    assert note.link == url_for("cover.show_shift", shift_id=shift.id, _external=True)
    assert "Leeds" in note.title and "Key safe" not in note.title + note.body
    assert db.session.get(CoverShift, shift.id).alerted_at == NOW


def test_widening_tells_the_rest_after_thirty_minutes_once(cover, clock):
    """29 minutes on nobody more is told; at 30 minutes the other two are, once; a second run tells nobody."""
    everyone = workers(cover, 12)
    (shift,) = post(cover).shifts
    clock.set(NOW + timedelta(minutes=29))
    assert requests.widen_alerts(clock.now()) == 0
    clock.set(NOW + timedelta(minutes=30))
    assert requests.widen_alerts(clock.now()) == 1
    assert requests.widen_alerts(clock.now()) == 0
    db.session.commit()
    assert told("cover_shift_open") == sorted(p.id for p in everyone)
    widened = db.session.scalars(select(ShiftAlert).where(ShiftAlert.shift_id == shift.id, ShiftAlert.widened))
    assert sorted((a.rank, a.alerted_at) for a in widened) == [(11, clock.now()), (12, clock.now())]
    assert db.session.get(CoverShift, shift.id).widened_at == clock.now()


def test_a_shift_starting_within_twelve_hours_widens_after_ten_minutes(cover, clock):
    """A shift starting in 6 hours widens at 10 minutes; one starting in 2 days still waits for 30."""
    workers(cover, 12)
    (soon,) = post(cover, (NOW + timedelta(hours=6), NOW + timedelta(hours=9))).shifts
    (later,) = post(cover).shifts
    clock.set(NOW + timedelta(minutes=9))
    assert requests.widen_alerts(clock.now()) == 0
    clock.set(NOW + timedelta(minutes=10))
    assert requests.widen_alerts(clock.now()) == 1
    assert db.session.get(CoverShift, soon.id).widened_at == clock.now()
    assert db.session.get(CoverShift, later.id).widened_at is None


def test_a_taken_shift_is_not_widened(cover, clock):
    """Once accepted nobody else is told about it."""
    first, *_ = workers(cover, 12)
    (shift,) = post(cover).shifts
    requests.accept_shift(shift, first)
    db.session.commit()
    clock.set(NOW + timedelta(hours=1))
    assert requests.widen_alerts(clock.now()) == 0
    assert count(ShiftAlert, ShiftAlert.widened) == 0


# --- accepting -------------------------------------------------------------------------------------------------


def test_accepting_gives_the_shift_and_settles_the_request(cover):
    """The first shift accepted: partly filled; the second: filled; the enterprise is told each time."""
    ann, bob = workers(cover, 2)
    request = post(cover, day_shift(), day_shift(WEDNESDAY + timedelta(days=1)))
    first, second = request.shifts
    requests.accept_shift(first, ann)
    db.session.commit()
    assert (first.status, first.worker_id, first.accepted_at) == (ShiftStatus.ACCEPTED, ann.id, NOW)
    assert db.session.get(CoverRequest, request.id).status == RequestStatus.PARTLY_FILLED
    requests.accept_shift(second, bob)
    db.session.commit()
    assert db.session.get(CoverRequest, request.id).status == RequestStatus.FILLED
    assert told("cover_shift_accepted") == [cover.owner.id, cover.owner.id]


def test_an_ineligible_worker_is_refused_with_the_reason(cover):
    """A worker who does not cover the area is told why; the shift stays open."""
    (shift,) = post(cover).shifts
    outsider = builders.worker(cover.pool, areas=("Bradford",))
    db.session.commit()
    with pytest.raises(NotEligible, match="The shift is in an area you do not cover"):
        requests.accept_shift(shift, outsider)
    db.session.rollback()
    assert db.session.get(CoverShift, shift.id).status == ShiftStatus.OPEN


def test_a_person_without_a_relief_profile_is_refused(cover):
    """Accepting needs a relief worker profile."""
    (shift,) = post(cover).shifts
    with pytest.raises(NotEligible, match="Create your relief worker profile"):
        requests.accept_shift(shift, factories.user())


def test_a_second_worker_is_told_the_shift_is_taken(cover):
    """First come, first served: the second is refused and the shift stays with the first."""
    ann, bob = workers(cover, 2)
    (shift,) = post(cover).shifts
    requests.accept_shift(shift, ann)
    db.session.commit()
    with pytest.raises(ShiftTaken, match="taken by someone else"):
        requests.accept_shift(shift, bob)
    db.session.rollback()
    assert db.session.get(CoverShift, shift.id).worker_id == ann.id


def test_a_double_booked_worker_is_refused(cover):
    """A worker who took a 9-5 shift cannot take an overlapping one of another request."""
    (ann,) = workers(cover, 1)
    (first,) = post(cover).shifts
    (overlapping,) = post(cover, day_shift(start=12, end=20)).shifts
    requests.accept_shift(first, ann)
    db.session.commit()
    with pytest.raises(NotEligible, match="You already have a shift at that time"):
        requests.accept_shift(overlapping, ann)


def test_a_started_shift_cannot_be_accepted(cover, clock):
    """Once it has started it is gone."""
    (ann,) = workers(cover, 1)
    (shift,) = post(cover).shifts
    clock.set(shift.starts_at)
    with pytest.raises(ShiftTaken, match="already started"):
        requests.accept_shift(shift, ann)


# --- cancelling and strikes ------------------------------------------------------------------------------------


def _accepted(cover, person, starts_at=None, ends_at=None) -> CoverShift:
    """A shift of a new request (no alerts) accepted by the person, committed."""
    shift = builders.shift(cover.member, starts_at, ends_at)
    db.session.commit()
    requests.accept_shift(shift, person)
    db.session.commit()
    return shift


def test_a_worker_cancelling_in_good_time_reopens_the_shift_and_realerts(cover, clock):
    """Two days ahead: no strike; the shift is open again with no worker, the request open, the enterprise told,
    and the best matches (told before it was taken) are told again that it is free."""
    ann, bob, cat = workers(cover, 3)
    request = post(cover)
    (shift,) = request.shifts
    requests.accept_shift(shift, ann)
    db.session.commit()
    clock.set(NOW + timedelta(hours=1))
    assert requests.cancel_by_worker(shift, ann) is False
    db.session.commit()
    shift = db.session.get(CoverShift, shift.id)
    assert (shift.status, shift.worker_id, shift.alerted_at, shift.widened_at) == (
        ShiftStatus.OPEN,
        None,
        clock.now(),
        None,
    )
    assert db.session.get(CoverRequest, request.id).status == RequestStatus.OPEN
    assert count(Strike) == 0
    assert told("cover_shift_given_back") == [cover.owner.id]
    assert told("cover_shift_open", bob) == [bob.id, bob.id] and told("cover_shift_open", cat) == [cat.id, cat.id]
    rows = db.session.scalars(select(ShiftAlert).where(ShiftAlert.shift_id == shift.id))
    assert {row.alerted_at for row in rows} == {clock.now()}


def test_a_late_cancellation_by_the_worker_is_a_strike(cover, clock):
    """Under 24 hours before the start the worker gets a strike (and the shift still reopens)."""
    ann, _ = workers(cover, 2)
    shift = _accepted(cover, ann)
    clock.set(shift.starts_at - timedelta(hours=23, minutes=59))
    assert requests.cancel_by_worker(shift, ann) is True
    db.session.commit()
    (strike,) = db.session.scalars(select(Strike))
    assert (strike.user_id, strike.member_id, strike.reason, strike.shift_id) == (
        ann.id,
        None,
        "late_cancellation",
        shift.id,
    )
    assert db.session.get(CoverShift, shift.id).status == ShiftStatus.OPEN


def test_only_the_worker_on_the_shift_can_give_it_back(cover):
    """Another worker cannot cancel someone else's shift."""
    ann, bob = workers(cover, 2)
    shift = _accepted(cover, ann)
    with pytest.raises(NotAllowed):
        requests.cancel_by_worker(shift, bob)


def _late_cancellations(cover, clock, person, days: list[int]) -> None:
    """The person takes a shift and gives it back an hour before it starts, on each of these days after NOW."""
    for day in days:
        clock.set(NOW + timedelta(days=day))
        starts_at = at((clock.now() + timedelta(days=1)).date(), 9)
        shift = _accepted(cover, person, starts_at, starts_at + timedelta(hours=4))
        clock.set(starts_at - timedelta(hours=1))
        assert requests.cancel_by_worker(shift, person) is True
        db.session.commit()


def _pool_worker(cover, person) -> PoolWorker:
    query = select(PoolWorker).where(PoolWorker.pool_id == cover.pool.id, PoolWorker.user_id == person.id)
    return db.session.scalars(query.execution_options(populate_existing=True)).one()


def test_three_strikes_in_ninety_days_suspend_the_worker(cover, clock):
    """Two strikes then one 100 days later: still approved; a fourth within 90 days of the two before it suspends
    them (no longer offered shifts) and the pool's managers are asked to review."""
    ann, _ = workers(cover, 2)
    _late_cancellations(cover, clock, ann, [0, 2])
    _late_cancellations(cover, clock, ann, [100])
    assert _pool_worker(cover, ann).status == WorkerStatus.APPROVED
    assert told("cover_suspended") == []
    _late_cancellations(cover, clock, ann, [102, 104])
    assert _pool_worker(cover, ann).status == WorkerStatus.SUSPENDED
    assert told("cover_suspended") == [cover.manager.id]
    shift = builders.shift(cover.member, *day_shift((clock.now() + timedelta(days=3)).date()))
    assert matching.refusal(shift, ann) == "You are not an approved worker in this relief pool"


def test_an_enterprise_cancelling_a_late_accepted_shift_gets_a_strike(cover, clock):
    """Cancelled under 24 hours ahead: a strike on the membership, the worker told, the shift cancelled."""
    (ann,) = workers(cover, 1)
    shift = _accepted(cover, ann)
    clock.set(shift.starts_at - timedelta(hours=5))
    assert requests.cancel_by_enterprise(shift, cover.owner, reopen=False) is True
    db.session.commit()
    (strike,) = db.session.scalars(select(Strike))
    assert (strike.member_id, strike.user_id, strike.reason) == (cover.member.id, None, "late_cancellation")
    assert db.session.get(CoverShift, shift.id).status == ShiftStatus.CANCELLED
    assert told("cover_shift_cancelled") == [ann.id]


def test_a_filled_request_whose_only_shift_is_cancelled_is_cancelled(cover, clock):
    """The request follows its shifts: none left, it is cancelled."""
    (ann,) = workers(cover, 1)
    shift = _accepted(cover, ann)
    requests.cancel_by_enterprise(shift, cover.owner, reopen=False)
    db.session.commit()
    assert db.session.get(CoverRequest, shift.request_id).status == RequestStatus.CANCELLED


def test_an_enterprise_cancelling_in_good_time_or_an_open_shift_gets_no_strike(cover, clock):
    """Two days ahead, or a shift nobody had taken: no strike."""
    (ann,) = workers(cover, 1)
    shift = _accepted(cover, ann)
    assert requests.cancel_by_enterprise(shift, cover.owner, reopen=True) is False
    db.session.commit()
    assert db.session.get(CoverShift, shift.id).status == ShiftStatus.OPEN
    clock.set(shift.starts_at - timedelta(hours=2))
    assert requests.cancel_by_enterprise(shift, cover.owner, reopen=False) is False
    db.session.commit()
    assert count(Strike) == 0


def test_three_late_cancellations_by_an_enterprise_suspend_its_membership(cover, clock):
    """The third strike in 90 days suspends the enterprise's membership pending review."""
    (ann,) = workers(cover, 1)
    for day in range(3):
        clock.set(NOW + timedelta(days=day))
        starts_at = at((clock.now() + timedelta(days=1)).date(), 9)
        shift = _accepted(cover, ann, starts_at, starts_at + timedelta(hours=4))
        clock.set(starts_at - timedelta(hours=1))
        requests.cancel_by_enterprise(shift, cover.owner, reopen=False)
        db.session.commit()
    db.session.refresh(cover.member)
    assert cover.member.status == MemberStatus.SUSPENDED
    assert count(Strike, Strike.member_id == cover.member.id) == 3
    assert told("cover_suspended") == [cover.manager.id]


def test_only_the_enterprise_can_cancel_its_shift(cover):
    """A worker who holds the shift cannot cancel it as the enterprise."""
    (ann,) = workers(cover, 1)
    shift = _accepted(cover, ann)
    with pytest.raises(NotAllowed):
        requests.cancel_by_enterprise(shift, ann, reopen=False)


# --- pools -----------------------------------------------------------------------------------------------------


def _ledger(member) -> list[tuple]:
    query = select(AllowanceEntry.year, AllowanceEntry.reason, AllowanceEntry.minutes)
    return list(db.session.execute(query.where(AllowanceEntry.member_id == member.id)))


def test_joining_and_approval_grant_the_years_funded_hours_once(cover):
    """An enterprise asks to join (managers told), is approved (its owner told) with 20 funded hours for the year;
    granting again, or leaving and being approved again, adds nothing."""
    owner = factories.user()
    enterprise = factories.enterprise(owner)
    db.session.commit()
    member = pools.join_pool(cover.pool, enterprise, owner)
    db.session.commit()
    assert member.status == MemberStatus.PENDING
    assert told("pool_member_applied") == [cover.manager.id]
    pools.decide_member(member, True, cover.manager)
    db.session.commit()
    assert member.status == MemberStatus.APPROVED and member.decided_at == NOW
    assert pools.allowance(member, 2027) == pools.Allowance(granted=20 * 60, used=0)
    assert pools.allowance(member, 2027).remaining == 1200
    assert told("pool_member_decided") == [owner.id]
    pools.grant_year(member, 2027)
    change(member, POOL_MEMBER_STATES, MemberStatus.LEFT, actor=owner)
    pools.join_pool(cover.pool, enterprise, owner)
    pools.decide_member(member, True, cover.manager)
    db.session.commit()
    assert _ledger(member) == [(2027, "granted", 1200)]
    with pytest.raises(DomainError, match="nothing to decide"):
        pools.decide_member(member, True, cover.manager)


def test_a_declined_enterprise_gets_no_hours(cover):
    """Declining grants nothing."""
    owner = factories.user()
    member = pools.join_pool(cover.pool, factories.enterprise(owner), owner)
    pools.decide_member(member, False, cover.manager)
    db.session.commit()
    assert member.status == MemberStatus.DECLINED and _ledger(member) == []


def test_joining_is_refused_when_it_cannot_be(cover):
    """Only an owner; only an open pool; only a pool serving the enterprise's area; only the pool manager decides."""
    owner = factories.user()
    enterprise = factories.enterprise(owner)
    staff = factories.user()
    factories.membership(staff, enterprise, role="member")
    with pytest.raises(NotAllowed):
        pools.join_pool(cover.pool, enterprise, staff)
    bradford_owner = factories.user()
    with pytest.raises(DomainError, match="does not serve"):
        pools.join_pool(cover.pool, factories.enterprise(bradford_owner, area_name="Bradford"), bradford_owner)
    member = pools.join_pool(cover.pool, enterprise, owner)
    with pytest.raises(NotAllowed):
        pools.decide_member(member, True, owner)
    cover.pool.status = PoolStatus.CLOSED
    with pytest.raises(DomainError, match="not taking new members"):
        pools.join_pool(cover.pool, factories.enterprise(owner), owner)


def _applicant(cover):
    """A relief worker with areas and a DBS on their profile who applies to the pool."""
    person = builders.worker(cover.pool, status=None)
    worker = pools.apply_to_pool(cover.pool, person)
    db.session.commit()
    return person, worker


def test_applying_needs_areas_and_a_dbs_check(cover):
    """A profile with no DBS check cannot apply; with one it can, and the managers are told."""
    person = builders.worker(None, dbs_level=None)
    with pytest.raises(DomainError, match="Add the areas you cover and your DBS check"):
        pools.apply_to_pool(cover.pool, person)
    _, worker = _applicant(cover)
    assert worker.status == WorkerStatus.APPLIED
    assert told("pool_worker_applied") == [cover.manager.id]


def test_approving_a_worker_needs_the_dbs_confirmation(cover):
    """Without confirming the DBS check the manager cannot approve; the worker stays applied."""
    _, worker = _applicant(cover)
    with pytest.raises(DomainError, match="Confirm you have seen the worker's DBS"):
        pools.decide_worker(worker, True, cover.manager, dbs_verified=False, right_to_work=True)
    db.session.rollback()
    assert db.session.get(PoolWorker, worker.id).status == WorkerStatus.APPLIED


def test_approving_a_worker_needs_the_right_to_work_confirmation_when_required(cover):
    """A pool requiring right to work needs it confirmed; once confirmed the worker is approved with today's date."""
    person, worker = _applicant(cover)
    with pytest.raises(DomainError, match="Confirm you have checked the worker's right to work"):
        pools.decide_worker(worker, True, cover.manager, dbs_verified=True, right_to_work=False)
    pools.decide_worker(worker, True, cover.manager, dbs_verified=True, right_to_work=True)
    db.session.commit()
    worker = db.session.get(PoolWorker, worker.id)
    assert (worker.status, worker.dbs_verified, worker.right_to_work_checked_on, worker.decided_by_id) == (
        WorkerStatus.APPROVED,
        True,
        NOW.date(),
        cover.manager.id,
    )
    assert told("pool_worker_decided") == [person.id]
    assert matching.refusal(builders.shift(cover.member), person) is None


def test_a_pool_not_requiring_right_to_work_approves_without_it(cover):
    """The right-to-work confirmation is asked for only when the pool requires it."""
    cover.pool.right_to_work_required = False
    _, worker = _applicant(cover)
    pools.decide_worker(worker, True, cover.manager, dbs_verified=True, right_to_work=False)
    assert worker.status == WorkerStatus.APPROVED and worker.right_to_work_checked_on is None


def test_only_the_pool_manager_decides_workers(cover):
    """The worker cannot approve themselves."""
    person, worker = _applicant(cover)
    with pytest.raises(NotAllowed):
        pools.decide_worker(worker, True, person, dbs_verified=True, right_to_work=True)

"""After the shift: timesheets sent, approved, disputed, amended, settled and auto-approved; what approval writes
(funded hours first, the rest charged at the pool's charge, the worker paid with uplifts, each once); no-shows,
ratings and blocks."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.core.errors import DomainError
from marketplace.cover import matching, pools, ratings, requests, timesheets
from marketplace.cover.models import AllowanceEntry, CoverShift, PoolWorker, Strike, Timesheet
from marketplace.cover.statuses import RequestStatus, ShiftStatus, TimesheetStatus, WorkerStatus
from marketplace.extensions import db
from marketplace.payments.models import Payment, PaymentPurpose
from marketplace.payments.payouts import Payout
from tests import factories
from tests.cover.world import cover_world
from tests.database import count, notifications_for
from tests.pages import main_text


@pytest.fixture
def world(ctx, clock):
    """The council's pool (10 funded hours, £14.50 an hour, £22 charge), enterprise A approved, a worker holding
    the first of two weekday shifts of 8 hours (09:00-17:00 UK time), three and four days ahead."""
    owner = factories.user(name="Owner A")
    enterprise = factories.enterprise(owner, name="Enterprise A")
    officer = factories.user(name="Officer", role="publisher")
    council = factories.publisher(officer)
    worker = factories.relief_worker().user
    values = cover_world(officer, council, owner, enterprise, worker, worked=False)
    db.session.commit()
    shifts = [db.session.get(CoverShift, values["shift_id"]), db.session.get(CoverShift, values["shift_id"] + 1)]
    return {"owner": owner, "officer": officer, "worker": worker, "shifts": shifts, "clock": clock, **values}


def _after(world, shift):
    world["clock"].set(shift.ends_at + timedelta(minutes=10))


def _send(world, shift, *, break_minutes=30, worker=None):
    sheet = timesheets.submit_timesheet(
        shift,
        worker or world["worker"],
        started_at=shift.starts_at,
        ended_at=shift.ends_at,
        break_minutes=break_minutes,
    )
    db.session.commit()
    return sheet


def test_a_timesheet_waits_for_the_end_of_the_shift(world):
    """Before the shift has happened there is nothing to send."""
    shift = world["shifts"][0]
    with pytest.raises(DomainError, match="once you have finished"):
        _send(world, shift)
    db.session.rollback()
    assert count(Timesheet) == 0


def test_sending_tells_the_enterprise(world):
    """The enterprise's people are asked to approve it."""
    shift = world["shifts"][0]
    _after(world, shift)
    sheet = _send(world, shift)
    assert sheet.status == TimesheetStatus.SUBMITTED
    assert [n.kind for n in notifications_for(world["owner"], "cover_timesheet_submitted")] == [
        "cover_timesheet_submitted"
    ]


def test_approval_draws_funded_hours_first_then_charges_the_rest(world):
    """Ten funded hours: the first 7.5-hour shift is all funded; of the second, 2.5 hours are funded and 5 charged
    at £22 an hour; the worker is paid for every hour at £14.50 (weekdays, daytime: no uplift); each once."""
    first, second = world["shifts"]
    requests.accept_shift(second, world["worker"])
    db.session.commit()
    _after(world, second)
    for shift in (first, second):
        timesheets.approve_timesheet(_send(world, shift), world["owner"])
        db.session.commit()
    one, two = (shift.timesheet for shift in (first, second))
    assert (one.worked_minutes, one.funded_minutes, one.charged_pence) == (450, 450, 0)
    assert (two.worked_minutes, two.funded_minutes, two.charged_pence) == (450, 150, 300 * 2200 // 60)
    assert one.pay_pence == two.pay_pence == 450 * 1450 // 60
    [charge] = db.session.scalars(select(Payment).where(Payment.purpose == PaymentPurpose.COVER_CHARGE))
    assert charge.amount_pence == 11000 and charge.payer_organisation_id == first.organisation_id
    assert count(Payout) == 2
    used = db.session.scalars(select(AllowanceEntry.minutes).where(AllowanceEntry.reason == "used")).all()
    assert sorted(used) == [-450, -150]
    assert (
        pools.allowance(
            pools.enterprise_member(first.request.pool, first.request.organisation), first.day.year
        ).remaining
        == 0
    )
    assert {first.status, second.status} == {ShiftStatus.COMPLETED}
    assert first.request.status == RequestStatus.COMPLETED


def test_approving_twice_writes_the_money_once(world):
    """A second approval is refused and adds no payment, payout or allowance row."""
    shift = world["shifts"][0]
    _after(world, shift)
    sheet = _send(world, shift)
    timesheets.approve_timesheet(sheet, world["owner"])
    db.session.commit()
    with pytest.raises(DomainError):
        timesheets.approve_timesheet(sheet, world["owner"])
    db.session.rollback()
    assert count(Payout) == 1 and count(AllowanceEntry, AllowanceEntry.reason == "used") == 1


def test_a_dispute_is_amended_then_settled_by_the_pool_manager(world):
    """Disputed with a reason (the worker and the manager are told); amended by the worker; disputed again and
    settled by the manager with the times they decide, which are approved."""
    shift = world["shifts"][0]
    _after(world, shift)
    sheet = _send(world, shift)
    timesheets.dispute_timesheet(sheet, world["owner"], reason="She left at 3pm")
    db.session.commit()
    assert sheet.status == TimesheetStatus.DISPUTED
    assert notifications_for(world["worker"], "cover_timesheet_disputed")[0].body == "She left at 3pm"
    assert notifications_for(world["officer"], "cover_timesheet_disputed")
    _send(world, shift, break_minutes=60)
    assert sheet.status == TimesheetStatus.SUBMITTED and sheet.break_minutes == 60
    timesheets.dispute_timesheet(sheet, world["owner"], reason="Still wrong")
    db.session.commit()
    with pytest.raises(DomainError):
        timesheets.settle_dispute(
            sheet, world["owner"], started_at=shift.starts_at, ended_at=shift.ends_at, break_minutes=0
        )
    db.session.rollback()
    timesheets.settle_dispute(
        sheet,
        world["officer"],
        started_at=shift.starts_at,
        ended_at=shift.ends_at - timedelta(hours=2),
        break_minutes=0,
    )
    db.session.commit()
    assert sheet.status == TimesheetStatus.APPROVED and sheet.worked_minutes == 360


def test_undisputed_timesheets_approve_themselves_after_72_hours(world):
    """Not at 71 hours; at 72 hours, once however often the job runs."""
    shift = world["shifts"][0]
    _after(world, shift)
    sheet = _send(world, shift)
    world["clock"].advance(hours=71)
    assert timesheets.auto_approve(world["clock"].now()) == 0
    world["clock"].advance(hours=1)
    assert timesheets.auto_approve(world["clock"].now()) == 1
    assert timesheets.auto_approve(world["clock"].now()) == 0
    db.session.expire_all()
    assert sheet.status == TimesheetStatus.APPROVED and sheet.auto_approved
    assert count(Payout) == 1


def test_a_no_show_is_a_strike_and_the_third_in_90_days_suspends_the_worker(world):
    """Recorded once the shift has started; with two strikes already this 90 days, the worker is suspended in the
    pool (and so no longer matched) pending the manager's review."""
    shift, other = world["shifts"]
    with pytest.raises(DomainError, match="once the shift has started"):
        timesheets.record_no_show(shift, world["owner"])
    db.session.rollback()
    for _ in range(2):
        db.session.add(Strike(pool_id=shift.pool_id, shift_id=shift.id, user_id=world["worker"].id, reason="no_show"))
    db.session.flush()
    world["clock"].set(shift.starts_at + timedelta(hours=1))
    timesheets.record_no_show(shift, world["owner"])
    db.session.commit()
    assert shift.status == ShiftStatus.NO_SHOW and shift.request.status == RequestStatus.PARTLY_FILLED
    assert count(Strike, Strike.user_id == world["worker"].id) == 3
    membership = db.session.scalar(select(PoolWorker).where(PoolWorker.user_id == world["worker"].id))
    assert membership.status == WorkerStatus.SUSPENDED
    assert notifications_for(world["officer"], "cover_suspended")
    assert matching.refusal(other, world["worker"]) == "You are not an approved worker in this relief pool"


def test_two_old_strikes_do_not_suspend(world):
    """Strikes older than 90 days do not count."""
    shift = world["shifts"][0]
    for _ in range(2):
        db.session.add(
            Strike(
                pool_id=shift.pool_id,
                shift_id=shift.id,
                user_id=world["worker"].id,
                reason="no_show",
                created_at=world["clock"].now() - timedelta(days=100),
            )
        )
    db.session.flush()
    world["clock"].set(shift.starts_at + timedelta(hours=1))
    timesheets.record_no_show(shift, world["owner"])
    db.session.commit()
    membership = db.session.scalar(select(PoolWorker).where(PoolWorker.user_id == world["worker"].id))
    assert membership.status == WorkerStatus.APPROVED


def test_ratings_come_after_a_completed_shift_and_a_low_one_allows_a_block(world):
    """Both sides rate once the shift is completed; rated 1 or 2 the worker can be blocked, and is then never
    matched to the enterprise's shifts."""
    shift, other = world["shifts"]
    with pytest.raises(DomainError):
        ratings.rate_shift(shift, world["owner"], score=2, comment=None)
    db.session.rollback()
    _after(world, shift)
    timesheets.approve_timesheet(_send(world, shift), world["owner"])
    db.session.commit()
    ratings.rate_shift(shift, world["worker"], score=5, comment="Lovely people")
    assert not ratings.can_block(shift, world["owner"])
    ratings.rate_shift(shift, world["owner"], score=4, comment=None)
    assert not ratings.can_block(shift, world["owner"])
    ratings.rate_shift(shift, world["owner"], score=2, comment="Late")
    assert ratings.can_block(shift, world["owner"])
    with pytest.raises(DomainError):
        ratings.block_worker(shift, world["worker"])
    db.session.rollback()
    ratings.rate_shift(shift, world["owner"], score=2, comment="Late")
    ratings.block_worker(shift, world["owner"])
    db.session.commit()
    world["clock"].set(other.starts_at - timedelta(days=1))
    assert matching.refusal(other, world["worker"]) == "The enterprise has asked not to be offered your shifts"


def test_a_worked_shift_waiting_for_its_timesheet_stays_on_the_shifts_page(world, client, login_as):
    """After the shift the worker finds it under their shifts with a link to send the timesheet (where the
    dashboard's task sends them), and the link goes once the timesheet is sent."""
    shift = world["shifts"][0]
    _after(world, shift)
    login_as(world["worker"])
    page = main_text(client.get("/relief/shifts"))
    assert "Send your timesheet" in page
    _send(world, shift)
    page = main_text(client.get("/relief/shifts"))
    assert "Send your timesheet" not in page and "Submitted" in page


def test_the_enterprise_can_let_a_worker_go_and_look_again(world, client, login_as):
    """'Find someone else' reopens the shift and matches it again; the worker let go is told, not re-offered it."""
    shift = world["shifts"][0]
    world["clock"].advance(minutes=5)  # a new opening of the shift: its alerts get a new key
    login_as(world["owner"])
    response = client.post(f"/relief/shifts/{shift.id}/find-someone-else")
    assert response.status_code == 302
    db.session.expire_all()
    assert (shift.status, shift.worker_id) == (ShiftStatus.OPEN, None)
    assert shift.request.status == RequestStatus.OPEN
    assert notifications_for(world["worker"], "cover_shift_cancelled")
    assert count(Strike) == 0  # three days' notice
    assert matching.refusal(shift, world["worker"]) is None  # still eligible, just not alerted again
    told_again = [n for n in notifications_for(world["worker"], "cover_shift_open") if str(shift.id) in (n.link or "")]
    assert len(told_again) == 1  # only the first alert, before they accepted

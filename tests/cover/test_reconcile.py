"""`flask reconcile` covers relief cover: approved timesheets agree with their payment, payout and the funded-hours
ledger, and no enterprise uses more funded hours than it was granted."""

from datetime import timedelta

from sqlalchemy import update

from marketplace.cover import requests, timesheets
from marketplace.cover.models import AllowanceEntry, CoverShift, Timesheet
from marketplace.cover.reconcile import cover_problems
from marketplace.extensions import db
from tests import factories
from tests.cover.world import cover_world


def _approved_pair(clock):
    owner = factories.user(name="Owner A")
    enterprise = factories.enterprise(owner, name="Enterprise A")
    officer = factories.user(name="Officer", role="publisher")
    council = factories.publisher(officer)
    worker = factories.relief_worker().user
    values = cover_world(officer, council, owner, enterprise, worker, worked=False)
    first = db.session.get(CoverShift, values["shift_id"])
    second = db.session.get(CoverShift, values["shift_id"] + 1)
    requests.accept_shift(second, worker)
    clock.set(second.ends_at + timedelta(hours=1))
    for shift in (first, second):
        sheet = timesheets.submit_timesheet(
            shift, worker, started_at=shift.starts_at, ended_at=shift.ends_at, break_minutes=30
        )
        timesheets.approve_timesheet(sheet, owner)
    db.session.commit()
    return first.timesheet, second.timesheet


def test_approved_timesheets_reconcile(ctx, clock):
    """Funded hours used, the charge beyond them and the pay all add up."""
    _approved_pair(clock)
    assert cover_problems() == []


def test_a_charge_or_pay_out_of_step_is_reported(ctx, clock):
    """A timesheet whose charge no longer matches its payment, or whose pay no longer matches its payout."""
    first, second = _approved_pair(clock)
    db.session.execute(update(Timesheet).where(Timesheet.id == second.id).values(charged_pence=1))
    db.session.execute(update(Timesheet).where(Timesheet.id == first.id).values(pay_pence=1))
    assert len(cover_problems()) == 2


def test_funded_minutes_missing_from_the_ledger_or_overdrawn_are_reported(ctx, clock):
    """The ledger must show what each timesheet used, and never more than was granted."""
    first, _ = _approved_pair(clock)
    db.session.execute(update(AllowanceEntry).where(AllowanceEntry.reason == "granted").values(minutes=60))
    problems = cover_problems()
    assert any("more funded hours used than granted" in problem for problem in problems)
    db.session.execute(update(Timesheet).where(Timesheet.id == first.id).values(funded_minutes=1))
    assert any(f"Timesheet {first.id}: 1 funded minutes" in problem for problem in cover_problems())

"""Approvals racing on PostgreSQL: two at once never overdraw an enterprise's funded hours, the auto-approval job run
twice at once approves and pays each timesheet once, and the suspension job run twice at once suspends once."""

import pytest

from marketplace.cover import requests, timesheets
from marketplace.cover.models import AllowanceEntry, Timesheet
from marketplace.cover.statuses import TimesheetStatus, WorkerStatus
from marketplace.cover.strikes import suspend_struck
from marketplace.extensions import db
from marketplace.payments.models import Payout
from tests.cover.test_strikes import _strikes, _worker
from tests.cover.test_timesheets import _after, _send, world  # noqa: F401  (world is the fixture)
from tests.database import count, notifications_for
from tests.races import POSTGRES_ONLY, race

pytestmark = POSTGRES_ONLY


def _two_sent(world):  # noqa: F811  (the fixture's value)
    """Both shifts held by the worker and their timesheets sent (7.5 hours each against 10 funded hours)."""
    first, second = world["shifts"]
    requests.accept_shift(second, world["worker"])
    db.session.commit()
    _after(world, second)
    return [_send(world, shift).id for shift in (first, second)]


@pytest.mark.parametrize("_", range(5))
def test_two_approvals_at_once_never_overdraw_the_funded_hours(app, world, _):  # noqa: F811
    """The enterprise's pool membership is locked while its hours are drawn: 600 funded minutes in all, not 900."""
    owner_id = world["owner"].id
    sheet_ids = _two_sent(world)

    def approve(sheet_id):
        def load():
            sheet = db.session.get(Timesheet, sheet_id)
            owner = db.session.get(type(world["owner"]), owner_id)
            _ = (owner.memberships, sheet.shift.request.organisation)
            return lambda: timesheets.approve_timesheet(sheet, owner)

        return load

    outcomes = race(app, [approve(sheet_id) for sheet_id in sheet_ids])
    assert outcomes == [None, None]
    db.session.expire_all()
    funded = [db.session.get(Timesheet, sheet_id).funded_minutes for sheet_id in sheet_ids]
    assert sorted(funded) == [150, 450]
    assert count(AllowanceEntry, AllowanceEntry.reason == "used") == 2


@pytest.mark.parametrize("_", range(5))
def test_auto_approval_run_twice_at_once_pays_each_timesheet_once(app, world, _):  # noqa: F811
    """Two runs of the job at once: each timesheet approved once, one payout each."""
    _two_sent(world)
    world["clock"].advance(hours=73)
    moment = world["clock"].now()
    outcomes = race(app, [lambda: lambda: timesheets.auto_approve(moment)] * 2)
    assert sorted(outcomes) == [0, 2] or sum(outcomes) == 2, outcomes
    db.session.expire_all()
    assert count(Payout) == 2
    assert count(Timesheet, Timesheet.status == TimesheetStatus.APPROVED) == 2


@pytest.mark.parametrize("_", range(5))
def test_the_suspension_job_run_twice_at_once_suspends_once(app, world, _):  # noqa: F811
    """One run suspends the worker with three strikes, the other finds it done; the managers are told once."""
    _strikes(world, 3)
    moment = world["clock"].now()
    outcomes = race(app, [lambda: lambda: suspend_struck(moment)] * 2)
    assert sorted(outcomes) == [0, 1], outcomes
    assert _worker(world).status == WorkerStatus.SUSPENDED
    assert len(notifications_for(world["officer"], "cover_suspended")) == 1

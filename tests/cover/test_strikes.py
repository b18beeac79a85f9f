"""Suspension after strikes is the job `suspend-after-strikes`, run by `flask jobs run-due` with the injected clock:
three unreviewed strikes in 90 days suspend the worker or the enterprise's membership once (one notice to the pool's
managers), and run again finds nothing to do (two runs at once: tests/cover/test_timesheet_races.py)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.core.jobs import run_due
from marketplace.cover import pools
from marketplace.cover.models import PoolMember, PoolWorker, Strike
from marketplace.cover.statuses import MemberStatus, WorkerStatus
from marketplace.cover.strikes import suspend_struck
from marketplace.extensions import db
from tests.cover.test_timesheets import world  # noqa: F401  (the fixture)
from tests.database import notifications_for

JOB = "suspend-after-strikes"


def _strikes(world, number, *, days_ago=1, against="worker"):  # noqa: F811
    """Strikes written as a cancellation or no-show would write them, `days_ago` before the clock's now."""
    shift = world["shifts"][0]
    whose = {"user_id": world["worker"].id} if against == "worker" else {"member_id": world["member_id"]}
    for _ in range(number):
        db.session.add(
            Strike(
                pool_id=shift.pool_id,
                shift_id=shift.id,
                reason="no_show",
                created_at=world["clock"].now() - timedelta(days=days_ago),
                **whose,
            )
        )
    db.session.commit()


def _worker(world):  # noqa: F811
    db.session.expire_all()
    return db.session.scalar(select(PoolWorker).where(PoolWorker.user_id == world["worker"].id))


def test_run_due_suspends_a_worker_with_three_strikes_once(world):  # noqa: F811
    """The job suspends the worker and tells the pool's managers; run again, it finds nothing to do."""
    _strikes(world, 3)
    assert run_due(world["clock"].now())[JOB] == 1
    assert _worker(world).status == WorkerStatus.SUSPENDED
    assert len(notifications_for(world["officer"], "cover_suspended")) == 1
    assert run_due(world["clock"].now())[JOB] == 0
    assert len(notifications_for(world["officer"], "cover_suspended")) == 1


def test_run_due_suspends_an_enterprise_membership_with_three_strikes(world):  # noqa: F811
    """Strikes against the enterprise's membership suspend that, not the worker."""
    _strikes(world, 3, against="member")
    assert run_due(world["clock"].now())[JOB] == 1
    assert db.session.get(PoolMember, world["member_id"]).status == MemberStatus.SUSPENDED
    assert _worker(world).status == WorkerStatus.APPROVED


@pytest.mark.parametrize(("number", "days_ago"), [(2, 1), (3, 91)])
def test_fewer_than_three_strikes_in_90_days_do_not_suspend(world, number, days_ago):  # noqa: F811
    """Two strikes, or three that the clock has carried past 90 days, suspend nobody."""
    _strikes(world, number, days_ago=days_ago)
    assert run_due(world["clock"].now())[JOB] == 0
    assert _worker(world).status == WorkerStatus.APPROVED


def test_the_window_is_read_from_the_injected_clock(world):  # noqa: F811
    """Three strikes 80 days ago suspend today; run as of 20 days later, they are out of the window."""
    _strikes(world, 3, days_ago=80)
    assert suspend_struck(world["clock"].now() + timedelta(days=20)) == 0
    assert suspend_struck(world["clock"].now()) == 1


def test_reviewed_strikes_no_longer_count(world):  # noqa: F811
    """Reinstated by the manager, the worker's strikes so far are reviewed: the job does not suspend them again."""
    _strikes(world, 3)
    run_due(world["clock"].now())
    pools.reinstate_worker(_worker(world), world["officer"])
    db.session.commit()
    assert run_due(world["clock"].now())[JOB] == 0
    assert _worker(world).status == WorkerStatus.APPROVED

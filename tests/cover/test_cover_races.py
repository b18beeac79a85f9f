"""Cover under real concurrency on PostgreSQL: a shift goes to exactly one worker, a worker never holds two
overlapping shifts, a request filled by two workers at once is filled, and widening twice at once tells each once."""

from datetime import timedelta

from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.core.notifications import Notification
from marketplace.cover import requests
from marketplace.cover.models import CoverRequest, CoverShift, ShiftAlert
from marketplace.cover.requests import NotEligible, ShiftTaken
from marketplace.cover.statuses import RequestStatus, ShiftStatus
from marketplace.extensions import db
from tests import factories
from tests.cover import builders
from tests.cover.builders import NOW, WEDNESDAY, day_shift
from tests.races import POSTGRES_ONLY, race, repeat, summary

pytestmark = POSTGRES_ONLY

RUNS = 20


def _accept(shift_id: int, user_id: int):
    """A contender: load the shift and the worker as a request would, then race to accept.

    The load ends its transaction so its connection goes back to the pool: 20 contenders waiting at the barrier
    with a connection each would need more than the pool's 15, and the last would never reach the barrier.
    """

    def load():
        shift, person = db.session.get(CoverShift, shift_id), db.session.get(User, user_id)
        db.session.commit()
        return lambda: requests.accept_shift(shift, person)

    return load


def _fresh_shifts(cover, day_offset: int, *pairs) -> list[int]:
    """The ids of a new request's shifts (start and end hours) on WEDNESDAY + day_offset, committed."""
    day = WEDNESDAY + timedelta(days=day_offset)
    request = builders.cover_request(cover.member, *(day_shift(day, start, end) for start, end in pairs))
    db.session.commit()
    return [shift.id for shift in request.shifts]


def _problem_with_one_winner(outcomes: list, loser_error: type) -> str | None:
    """None if exactly one contender won (returned None) and every other lost with loser_error."""
    winners = [o for o in outcomes if o is None]
    others = [o for o in outcomes if o is not None and not isinstance(o, loser_error)]
    if len(winners) != 1 or others:
        return f"{len(winners)} accepted; other outcomes: {others[:3]}"
    return None


def test_twenty_workers_accepting_one_shift_exactly_one_gets_it(app, cover):
    """20 eligible workers accept one shift at once, 20 times: each time 1 accepted and 19 told it is taken."""
    people = [builders.worker(cover.pool).id for _ in range(20)]
    db.session.commit()

    def attempt(run: int) -> str | None:
        (shift_id,) = _fresh_shifts(cover, run, (9, 17))
        outcomes = race(app, [_accept(shift_id, user_id) for user_id in people])
        problem = _problem_with_one_winner(outcomes, ShiftTaken)
        db.session.expire_all()
        shift = db.session.get(CoverShift, shift_id)
        winner = people[outcomes.index(None)] if outcomes.count(None) == 1 else None
        if problem is None and (shift.status, shift.worker_id) != (ShiftStatus.ACCEPTED, winner):
            problem = f"the shift is {shift.status} with worker {shift.worker_id}, not the winner {winner}"
        return problem

    problems = repeat(RUNS, attempt)
    assert problems == [], summary(problems, RUNS)


def test_one_worker_accepting_two_overlapping_shifts_at_once_gets_at_most_one(app, cover):
    """A worker accepts 9-5 and 12-8 shifts of two requests at once: one is theirs, the other refused as clashing."""
    (person,) = [builders.worker(cover.pool).id]
    db.session.commit()

    def attempt(run: int) -> str | None:
        (first,) = _fresh_shifts(cover, run, (9, 17))
        (second,) = _fresh_shifts(cover, run, (12, 20))
        outcomes = race(app, [_accept(first, person), _accept(second, person)])
        held = db.session.scalar(
            select(func.count()).where(
                CoverShift.id.in_([first, second]),
                CoverShift.worker_id == person,
                CoverShift.status == ShiftStatus.ACCEPTED,
            )
        )
        if held > 1:
            return f"the worker holds {held} overlapping shifts"
        return _problem_with_one_winner(outcomes, NotEligible)

    problems = repeat(10, attempt)
    assert problems == [], summary(problems, 10)


def test_two_shifts_of_one_request_accepted_at_once_fill_it(app, cover):
    """Two workers take a request's two shifts at the same moment: the request ends filled, not partly filled."""
    ann, bob = builders.worker(cover.pool).id, builders.worker(cover.pool).id
    db.session.commit()

    def attempt(run: int) -> str | None:
        morning, evening = _fresh_shifts(cover, run, (7, 12), (14, 19))
        outcomes = race(app, [_accept(morning, ann), _accept(evening, bob)])
        if outcomes != [None, None]:
            return f"outcomes {outcomes}"
        db.session.expire_all()
        request = db.session.get(CoverShift, morning).request
        return None if request.status == RequestStatus.FILLED else f"the request is {request.status}"

    problems = repeat(10, attempt)
    assert problems == [], summary(problems, 10)


def _widen(now):
    """A contender: run the widening job."""
    return lambda: lambda: requests.widen_alerts(now)


def test_widening_run_twice_at_once_tells_each_worker_once(app, cover, clock):
    """Two runs of the widening job at once: the shift is widened by one of them, and each worker told once."""
    people = [builders.worker(cover.pool).id for _ in range(14)]
    db.session.commit()
    for run in range(5):
        clock.set(NOW + timedelta(days=run))
        starts_at, ends_at = day_shift(WEDNESDAY + timedelta(days=run))
        request = requests.post_request(
            cover.member,
            cover.owner,
            shifts=[(starts_at, ends_at)],
            skills=[],
            topic_ids=[],
            area_id=factories.area("Leeds").id,
            description="Cover",
        )
        db.session.commit()
        shift_id = request.shifts[0].id
        clock.advance(minutes=30)
        outcomes = race(app, [_widen(clock.now())] * 2)
        assert sorted(outcomes) == [0, 1], outcomes
        told = db.session.execute(
            select(Notification.user_id, func.count())
            .where(Notification.kind == "cover_shift_open", Notification.link.endswith(f"/{shift_id}"))
            .group_by(Notification.user_id)
        ).all()
        assert sorted(told) == [(user_id, 1) for user_id in sorted(people)], f"run {run}: {told}"
        assert db.session.scalar(select(func.count()).where(ShiftAlert.shift_id == shift_id)) == len(people)
    assert db.session.scalar(select(func.count()).select_from(CoverRequest)) == 5

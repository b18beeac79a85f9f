"""Matching: who may cover a shift, each rule excluding a worker on its own (and saying why), and the ranking."""

from datetime import date, timedelta

import pytest

from marketplace.cover import matching
from marketplace.cover.statuses import DbsLevel, ShiftStatus, Skill, WorkerStatus
from marketplace.extensions import db
from tests import factories
from tests.cover import builders
from tests.cover.builders import NOW, WEDNESDAY, at, day_shift
from tests.queries import counted_queries

THURSDAY = WEDNESDAY + timedelta(days=1)
MESSAGES = {
    "approved": "You are not an approved worker in this relief pool",
    "area": "The shift is in an area you do not cover",
    "dbs": "Your DBS check is not valid for this pool on the day of the shift",
    "right_to_work": "Your right to work has not been checked by the pool manager",
    "training": "You need training that is valid on the day of the shift",
    "skills": "The shift needs support you have not listed in your skills",
    "available": "Your weekly availability does not cover the shift",
    "not_off": "You have said you cannot work on that day",
    "free": "You already have a shift at that time",
    "not_blocked": "The enterprise has asked not to be offered your shifts",
    "not_own": "You cannot cover your own enterprise's shift",
}


def ranked_ids(shift, **kwargs) -> list[int]:
    return [match.user_id for match in matching.ranked_workers(shift, now=NOW, **kwargs)]


def assert_eligible(shift, person) -> None:
    """Through all three doors: ranked for the shift, shown the shift, not refused."""
    assert person.id in ranked_ids(shift)
    assert shift in matching.open_shifts_for(person, now=NOW)
    assert matching.refusal(shift, person) is None


def assert_refused(shift, person, rule: str, *, control) -> None:
    """Not ranked, not shown the shift, refused for the rule's reason; the control worker still matches."""
    ranked = ranked_ids(shift)
    assert control.id in ranked, "the shift should still match an eligible worker"
    assert person.id not in ranked
    assert shift not in matching.open_shifts_for(person, now=NOW)
    assert matching.refusal(shift, person) == MESSAGES[rule]


@pytest.fixture
def world(cover):
    """The cover fixture with a Wednesday 9am-5pm Leeds shift and an eligible control worker."""
    cover.shift = builders.shift(cover.member)
    cover.control = builders.worker(cover.pool, name="Control")
    db.session.commit()
    return cover


def test_an_eligible_worker_matches(world):
    """A worker who meets every rule is ranked, sees the shift and is not refused."""
    person = builders.worker(world.pool)
    assert_eligible(world.shift, person)
    (match,) = [m for m in matching.ranked_workers(world.shift, now=NOW) if m.user_id == person.id]
    assert match == matching.Match(person.id, worked_here=False, recent_minutes=0, rating=None)


@pytest.mark.parametrize("status", [WorkerStatus.APPLIED, WorkerStatus.SUSPENDED, WorkerStatus.DECLINED])
def test_a_worker_not_approved_in_the_pool_is_excluded(world, status):
    """Applied, suspended or declined workers are not offered the pool's shifts."""
    assert_refused(world.shift, builders.worker(world.pool, status=status), "approved", control=world.control)


def test_a_worker_of_another_pool_is_excluded(world):
    """Approved in a different pool is not approved in this one."""
    person = builders.worker(builders.pool())
    assert_refused(world.shift, person, "approved", control=world.control)


def test_a_worker_not_covering_the_area_is_excluded(world):
    """A Bradford worker is not offered a Leeds shift."""
    assert_refused(world.shift, builders.worker(world.pool, areas=("Bradford",)), "area", control=world.control)


def test_a_dbs_level_below_the_pools_is_excluded(world):
    """An enhanced pool refuses a standard check and accepts enhanced with barred lists."""
    low = builders.worker(world.pool, dbs_level=DbsLevel.STANDARD)
    assert_refused(world.shift, low, "dbs", control=world.control)
    assert_eligible(world.shift, builders.worker(world.pool, dbs_level=DbsLevel.ENHANCED_BARRED))


def test_a_dbs_not_verified_by_the_manager_is_excluded(world):
    """The pool manager must have seen the certificate or the Update Service result."""
    assert_refused(world.shift, builders.worker(world.pool, dbs_verified=False), "dbs", control=world.control)


def test_a_dbs_older_than_the_pool_allows_is_excluded_unless_on_the_update_service(cover):
    """With a 12-month limit, a check issued more than 12 months before the shift's day is too old (one issued
    exactly 12 months before is not); the Update Service keeps an old check current."""
    cover.pool.dbs_max_age_months = 12
    shift = builders.shift(cover.member)
    control = builders.worker(cover.pool, dbs_issued_on=date(2026, 1, 6))
    old = date(2026, 1, 5)
    assert_refused(shift, builders.worker(cover.pool, dbs_issued_on=old), "dbs", control=control)
    assert_eligible(shift, builders.worker(cover.pool, dbs_issued_on=old, update_service=True))
    assert_eligible(shift, control)


def test_right_to_work_not_checked_is_excluded_when_the_pool_requires_it(world):
    """A pool that requires the check refuses a worker without it; a pool that does not, accepts them."""
    person = builders.worker(world.pool, right_to_work=False)
    assert_refused(world.shift, person, "right_to_work", control=world.control)
    world.pool.right_to_work_required = False
    db.session.flush()
    assert_eligible(world.shift, person)


def test_a_missing_pool_training_topic_is_excluded(world):
    """The pool requires safeguarding training."""
    assert_refused(world.shift, builders.worker(world.pool, topics=["First aid"]), "training", control=world.control)


def test_a_missing_request_topic_is_excluded(cover):
    """A request's extra topic is required as well as the pool's."""
    shift = builders.shift(cover.member, topics=["Medication"])
    control = builders.worker(cover.pool, topics=[builders.POOL_TOPIC, "Medication"])
    assert_refused(shift, builders.worker(cover.pool), "training", control=control)


def test_training_valid_today_but_expired_on_the_shift_day_is_excluded(world):
    """A record expiring the day before the shift is valid today but not on the day; expiring on the day is fine."""
    expired = builders.worker(world.pool, topics=[])
    builders.training(expired, expires_on=WEDNESDAY - timedelta(days=1))
    assert_refused(world.shift, expired, "training", control=world.control)
    on_the_day = builders.worker(world.pool, topics=[])
    builders.training(on_the_day, expires_on=WEDNESDAY)
    assert_eligible(world.shift, on_the_day)


def test_training_expiring_before_an_overnight_shifts_last_day_is_excluded(cover):
    """An overnight shift ends the next day: training must still be valid then."""
    shift = builders.shift(cover.member, at(WEDNESDAY, 22), at(THURSDAY, 7))
    nights = {2: (22 * 60, 31 * 60)}
    control = builders.worker(cover.pool, availability=nights)
    person = builders.worker(cover.pool, availability=nights, topics=[])
    builders.training(person, expires_on=WEDNESDAY)
    assert_refused(shift, person, "training", control=control)


def test_training_completed_after_the_shift_day_is_excluded(world):
    """Training must have been done by the day of the shift."""
    person = builders.worker(world.pool, topics=[])
    builders.training(person, completed_on=WEDNESDAY + timedelta(days=1))
    assert_refused(world.shift, person, "training", control=world.control)


def test_a_missing_skill_is_excluded(cover):
    """A request needing dementia support refuses a worker without it."""
    shift = builders.shift(cover.member, skills=[Skill.DEMENTIA, Skill.PERSONAL_CARE])
    control = builders.worker(cover.pool, skills=[Skill.DEMENTIA, Skill.PERSONAL_CARE, Skill.DRIVER])
    person = builders.worker(cover.pool, skills=[Skill.PERSONAL_CARE])
    assert_refused(shift, person, "skills", control=control)


def test_weekly_availability_not_covering_the_shift_is_excluded(world):
    """Available Wednesday mornings only, or every day but Wednesday: not offered a Wednesday 9am-5pm shift."""
    mornings = builders.worker(world.pool, availability={2: (7 * 60, 12 * 60)})
    assert_refused(world.shift, mornings, "available", control=world.control)
    not_wednesday = builders.worker(world.pool, availability={d: builders.DAYTIME for d in range(7) if d != 2})
    assert_refused(world.shift, not_wednesday, "available", control=world.control)


def test_overnight_availability_covers_an_overnight_shift(cover):
    """Wednesday 10pm to Thursday 7am availability covers that overnight shift; daytime availability does not."""
    shift = builders.shift(cover.member, at(WEDNESDAY, 22), at(THURSDAY, 7))
    night_worker = builders.worker(cover.pool, availability={2: (22 * 60, 31 * 60)})
    assert_eligible(shift, night_worker)
    assert_refused(shift, builders.worker(cover.pool), "available", control=night_worker)


def test_a_day_off_on_the_shift_date_is_excluded(world):
    """A date off beats the weekly pattern; a day off on another date does not matter."""
    person = builders.worker(world.pool, days_off=[WEDNESDAY])
    assert_refused(world.shift, person, "not_off", control=world.control)
    assert_eligible(world.shift, builders.worker(world.pool, days_off=[THURSDAY]))


def test_a_day_off_on_an_overnight_shifts_second_day_is_excluded(cover):
    """An overnight shift also falls on the morning after."""
    shift = builders.shift(cover.member, at(WEDNESDAY, 22), at(THURSDAY, 7))
    nights = {2: (22 * 60, 31 * 60)}
    control = builders.worker(cover.pool, availability=nights)
    person = builders.worker(cover.pool, availability=nights, days_off=[THURSDAY])
    assert_refused(shift, person, "not_off", control=control)


def test_an_overlapping_accepted_shift_elsewhere_is_excluded(world):
    """A worker holding a 4pm-8pm shift for another enterprise cannot take a 9am-5pm one; a shift ending at 9am
    (adjacent) or a cancelled one does not stop them."""
    elsewhere = builders.member(world.pool)
    busy = builders.worker(world.pool)
    builders.held_shift(busy, elsewhere, *day_shift(start=16, end=20))
    assert_refused(world.shift, busy, "free", control=world.control)
    adjacent = builders.worker(world.pool)
    builders.held_shift(adjacent, elsewhere, *day_shift(start=7, end=9))
    assert_eligible(world.shift, adjacent)
    cancelled = builders.worker(world.pool)
    builders.held_shift(cancelled, elsewhere, *day_shift(start=10, end=12), status=ShiftStatus.CANCELLED)
    assert_eligible(world.shift, cancelled)


def test_a_worker_blocked_by_the_enterprise_is_excluded(world):
    """The enterprise asked not to be offered the worker again; another enterprise's block does not matter."""
    blocked = builders.worker(world.pool)
    builders.block(world.member, blocked)
    assert_refused(world.shift, blocked, "not_blocked", control=world.control)
    other = builders.worker(world.pool)
    builders.block(builders.member(world.pool), other)
    assert_eligible(world.shift, other)


def test_a_member_of_the_enterprise_itself_is_excluded(world):
    """An entrepreneur may cover other enterprises' shifts, never their own."""
    insider = builders.worker(world.pool)
    factories.membership(insider, world.member.organisation, role="member")
    assert_refused(world.shift, insider, "not_own", control=world.control)
    outsider = builders.worker(world.pool)
    factories.enterprise(outsider)
    assert_eligible(world.shift, outsider)


def test_a_person_without_a_profile_is_refused(world):
    """Someone with no relief worker profile is refused as not approved."""
    assert matching.refusal(world.shift, factories.user()) == MESSAGES["approved"]


def test_open_shifts_are_the_eligible_ones_soonest_first(cover):
    """A worker sees open shifts not yet started that they may take, soonest first; not taken or started ones."""
    later = builders.shift(cover.member, *day_shift(WEDNESDAY + timedelta(days=7)))
    sooner = builders.shift(cover.member)
    taken = builders.shift(cover.member, *day_shift(THURSDAY))
    started = builders.shift(cover.member, NOW - timedelta(hours=1), NOW + timedelta(hours=4))
    person = builders.worker(cover.pool)
    taken.status, taken.worker_id = ShiftStatus.ACCEPTED, builders.worker(cover.pool).id
    db.session.flush()
    assert matching.open_shifts_for(person, now=NOW) == [sooner, later]
    assert started.status == ShiftStatus.OPEN


def _history(person, member_row, *, days_ago: int, hours: int = 8, score: int | None = None, by_enterprise=True):
    """A completed past shift of the person for the member's enterprise, rated by one side if score is given."""
    starts_at = at((NOW - timedelta(days=days_ago)).date(), 8)
    done = builders.held_shift(
        person, member_row, starts_at, starts_at + timedelta(hours=hours), status=ShiftStatus.COMPLETED
    )
    if score is not None:
        builders.rating(done, score, by_enterprise=by_enterprise)
    return done


def test_ranking_continuity_then_fairness_then_rating(world):
    """Worked here before beats fewer recent hours, which beats a better rating; an unrated worker ranks as one
    rated 3 (above a 2, below a 4), and the worker's rating of an enterprise or a shift 40 days ago does not count
    towards rating or fairness."""
    elsewhere = builders.member(world.pool)
    regular = builders.worker(world.pool, name="Regular")
    _history(regular, world.member, days_ago=5, score=3)
    fresh = builders.worker(world.pool, name="Fresh")
    _history(fresh, elsewhere, days_ago=40, score=2)
    starred = builders.worker(world.pool, name="Starred")
    _history(starred, elsewhere, days_ago=10, score=5)
    good = builders.worker(world.pool, name="Good")
    _history(good, elsewhere, days_ago=10, score=4)
    unrated = builders.worker(world.pool, name="Unrated")
    _history(unrated, elsewhere, days_ago=10, score=5, by_enterprise=False)
    busier = builders.worker(world.pool, name="Busier")
    _history(busier, elsewhere, days_ago=3, hours=10, score=5)
    ranked = matching.ranked_workers(world.shift, now=NOW)
    order = [regular, world.control, fresh, starred, good, unrated, busier]
    assert [m.user_id for m in ranked] == [person.id for person in order]
    first, *_ = ranked
    assert (first.worked_here, first.recent_minutes, first.rating) == (True, 480, 3)
    assert {m.user_id: m.recent_minutes for m in ranked}[fresh.id] == 0


def test_ranked_workers_is_one_query_whatever_the_number_of_workers(world):
    """The ranked list is one SQL statement for 2 workers and for 14."""
    shift = world.shift
    builders.worker(world.pool)
    db.session.refresh(shift)  # loaded before counting: the fixture's commit expired it
    with counted_queries() as few:
        assert len(matching.ranked_workers(shift, now=NOW)) == 2
    for _ in range(12):
        _history(builders.worker(world.pool), builders.member(world.pool), days_ago=2, score=4)
    db.session.flush()
    with counted_queries() as many:
        assert len(matching.ranked_workers(shift, now=NOW)) == 14
    assert (len(few), len(many)) == (1, 1)


def test_the_first_alert_list_is_the_best_ten(world):
    """Limited to BEST_FIRST (10): the top of the full ranking."""
    for _ in range(11):
        builders.worker(world.pool)
    everyone = ranked_ids(world.shift)
    assert matching.BEST_FIRST == 10 and len(everyone) == 12
    assert ranked_ids(world.shift, limit=matching.BEST_FIRST) == everyone[:10]


def test_refusal_is_one_query(world):
    """Why a worker may not take a shift is one statement, whichever rule they fail."""
    person = builders.worker(world.pool, areas=("Bradford",))
    shift = world.shift
    db.session.refresh(shift)
    with counted_queries() as statements:
        assert matching.refusal(shift, person) == MESSAGES["area"]
    assert len(statements) == 1

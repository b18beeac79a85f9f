"""Compliance warnings: 30 days before a relief worker's DBS check or required training stops being valid for their
pool, the worker (with a link to the next session of that training) and the pool's managers are told, once."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import IntendedRole
from marketplace.core.notifications import Notification
from marketplace.cover import compliance, pools, services
from marketplace.cover.statuses import DbsLevel, PoolStatus
from marketplace.cover.timing import dbs_issued_after
from marketplace.cover.warnings import ComplianceWarning, forget_past_warnings
from marketplace.extensions import db
from tests import factories
from tests.conftest import path_of
from tests.cover import world
from tests.cover.builders import NOW
from tests.races import POSTGRES_ONLY

TODAY = NOW.date()  # Monday 4 January 2027 (UK time is UTC in winter)
TOPIC = "First aid"
KINDS = ("cover_dbs_expiring", "cover_training_expiring")


@pytest.fixture
def area(ctx, clock):
    """An open Leeds pool taking DBS checks up to 36 months old and requiring first aid; a first aid course."""
    clock.set(NOW)
    officer = factories.user(name="Olive Officer", role=IntendedRole.PUBLISHER)
    council = factories.publisher(officer)
    topic = factories.topic(TOPIC)
    pool = world.open_pool(officer, council, topic_ids=[topic.id], dbs_max_age_months=36)
    course = factories.course(council, title="First aid refresher", topic_name=TOPIC)
    db.session.commit()
    return SimpleNamespace(officer=officer, council=council, pool=pool, topic=topic, course=course)


def relief_worker(area, name, *, issued_on=date(2026, 6, 1), update_service=False, expires=(date(2028, 6, 1),)):
    """A worker approved in the pool through the services, with a DBS check issued on `issued_on` and a first aid
    record (each booked and attended on a past session) expiring on each date in `expires`."""
    person = factories.user(name=name, email=f"{name.lower()}@example.com", role=IntendedRole.RELIEF_WORKER)
    factories.relief_worker(person)
    world.ready_worker(person)
    services.save_checks(
        person,
        dbs_level=DbsLevel.ENHANCED,
        dbs_issued_on=issued_on,
        dbs_update_service=update_service,
        referee_1="Referee One, one@example.com",
        referee_2="Referee Two, two@example.com",
    )
    for attended, expires_on in enumerate(expires):
        done = factories.training_session(area.course, days_ahead=-400 + attended)
        record = factories.training_record(factories.booking(done, person).attendees[0])
        record.expires_on = expires_on
    place = pools.apply_to_pool(area.pool, person)
    pools.decide_worker(place, True, area.officer, dbs_verified=True, right_to_work=True)
    db.session.commit()
    return person


def issued_for(last_day: date) -> date:
    """The issue date of a check the 36-month pool accepts until last_day."""
    return last_day.replace(year=last_day.year - 3)


def told(kind: str | None = None) -> list[tuple[int, str]]:
    """(person, kind) of every compliance notification, sorted."""
    kinds = (kind,) if kind else KINDS
    query = select(Notification.user_id, Notification.kind).where(Notification.kind.in_(kinds))
    return sorted(tuple(row) for row in db.session.execute(query))


def links(person_id: int, kind: str) -> list[str]:
    query = select(Notification.link).where(Notification.user_id == person_id, Notification.kind == kind)
    return [path_of(link) for link in db.session.scalars(query)]


def test_warned_at_30_days_not_at_31(area, clock):
    """A DBS check or training valid until 30 days from today is warned about (worker and manager); 31 days waits
    until the next day; a renewed record, the Update Service and things long valid are never warned about."""
    dbs_30 = relief_worker(area, "Ann", issued_on=issued_for(TODAY + timedelta(days=30)))
    dbs_31 = relief_worker(area, "Bob", issued_on=issued_for(TODAY + timedelta(days=31)))
    training_30 = relief_worker(area, "Cat", expires=(TODAY + timedelta(days=30),))
    training_31 = relief_worker(area, "Dan", expires=(TODAY + timedelta(days=31),))
    renewed = relief_worker(area, "Eve", expires=(TODAY + timedelta(days=10), date(2029, 1, 1)))
    relief_worker(area, "Fay", issued_on=issued_for(TODAY + timedelta(days=5)), update_service=True)
    officer = area.officer.id

    assert compliance.warn_expiring(clock.now()) == 2
    db.session.commit()
    assert told() == sorted(
        [
            (dbs_30.id, "cover_dbs_expiring"),
            (officer, "cover_dbs_expiring"),
            (training_30.id, "cover_training_expiring"),
            (officer, "cover_training_expiring"),
        ]
    )
    assert renewed.id not in {person for person, _ in told()}

    clock.advance(days=1)
    assert compliance.warn_expiring(clock.now()) == 2
    db.session.commit()
    assert (dbs_31.id, "cover_dbs_expiring") in told() and (training_31.id, "cover_training_expiring") in told()
    assert len(told()) == 8


def test_the_titles_say_what_expires_and_when(area, clock):
    """The worker is told the date; the manager is told whose and which pool's."""
    ann = relief_worker(area, "Ann", issued_on=issued_for(TODAY + timedelta(days=20)))
    cat = relief_worker(area, "Cat", expires=(TODAY + timedelta(days=15),))
    compliance.warn_expiring(clock.now())
    db.session.commit()
    query = select(Notification.user_id, Notification.title).where(
        Notification.kind.in_(KINDS), Notification.user_id.in_([ann.id, cat.id])
    )
    titles = {person: title for person, title in db.session.execute(query)}
    assert titles == {
        ann.id: f"Your DBS check is accepted by {area.pool.name} until 24 January 2027",
        cat.id: "Your First aid training expires on 19 January 2027",
    }
    managers = db.session.scalars(select(Notification.title).where(Notification.user_id == area.officer.id))
    assert set(managers) >= {
        f"Ann's DBS check is accepted by {area.pool.name} until 24 January 2027",
        f"Cat's First aid training for {area.pool.name} expires on 19 January 2027",
    }


def test_the_link_goes_to_the_next_session_of_that_training(area, clock, outbox):
    """Worker and manager get a link to the soonest bookable session of a published course on the topic: not a
    later one, a draft course's, another topic's, or one whose booking has closed."""
    later = factories.training_session(area.course, days_ahead=20)
    upcoming = factories.training_session(area.course, days_ahead=10)
    factories.training_session(factories.course(area.council, status="draft", topic_name=TOPIC), days_ahead=5)
    factories.training_session(factories.course(area.council, topic_name="Food hygiene"), days_ahead=4)
    factories.training_session(area.course, days_ahead=1, booking_deadline=clock.now() - timedelta(hours=1))
    db.session.commit()
    cat = relief_worker(area, "Cat", expires=(TODAY + timedelta(days=25),))
    compliance.warn_expiring(clock.now())
    db.session.commit()
    expected = f"/training/sessions/{upcoming.id}"
    assert links(cat.id, "cover_training_expiring") == [expected] != [f"/training/sessions/{later.id}"]
    assert links(area.officer.id, "cover_training_expiring") == [expected]
    (email,) = [m for m in outbox.to("cat@example.com") if "training expires" in m["Subject"]]
    assert f"http://backstop.test{expected}" in email.get_body(preferencelist=("plain",)).get_content()
    manager_note = db.session.scalar(
        select(Notification.body).where(
            Notification.user_id == area.officer.id, Notification.kind == "cover_training_expiring"
        )
    )
    assert "/relief/manage/pool-workers/" in manager_note


def test_with_no_session_to_book_the_link_is_the_catalogue_of_the_topic(area, clock):
    """No session of the topic scheduled: the training catalogue, filtered by the topic."""
    cat = relief_worker(area, "Cat", expires=(TODAY + timedelta(days=25),))
    compliance.warn_expiring(clock.now())
    db.session.commit()
    assert links(cat.id, "cover_training_expiring") == [f"/training?topic={area.topic.id}"]


def test_a_dbs_warning_links_the_worker_to_their_checks(area, clock):
    """The worker updates their checks; the manager reviews the worker in the pool."""
    ann = relief_worker(area, "Ann", issued_on=issued_for(TODAY + timedelta(days=20)))
    compliance.warn_expiring(clock.now())
    db.session.commit()
    assert links(ann.id, "cover_dbs_expiring") == ["/relief/profile/checks"]
    (manager_link,) = links(area.officer.id, "cover_dbs_expiring")
    assert manager_link.startswith("/relief/manage/pool-workers/")


def test_told_once_when_the_job_runs_twice(area, clock, outbox):
    """A second run (and one the next day) warns nobody again about the same expiry."""
    relief_worker(area, "Ann", issued_on=issued_for(TODAY + timedelta(days=20)))
    relief_worker(area, "Cat", expires=(TODAY + timedelta(days=15),))
    assert compliance.warn_expiring(clock.now()) == 2
    db.session.commit()
    assert compliance.warn_expiring(clock.now()) == 0
    clock.advance(days=1)
    assert compliance.warn_expiring(clock.now()) == 0
    db.session.commit()
    assert len(told()) == 4
    assert db.session.scalar(select(func.count()).select_from(ComplianceWarning)) == 2
    assert len([m for m in outbox.to("ann@example.com") if "DBS" in m["Subject"]]) == 1


def test_a_renewed_check_is_warned_about_again_when_it_too_expires(area, clock):
    """The warning is per expiry date: a new check (or record) with its own date gets its own warning later."""
    ann = relief_worker(area, "Ann", issued_on=issued_for(TODAY + timedelta(days=20)))
    compliance.warn_expiring(clock.now())
    db.session.commit()
    ann.relief_profile.dbs_issued_on = issued_for(TODAY + timedelta(days=25))
    db.session.commit()
    assert compliance.warn_expiring(clock.now()) == 1
    db.session.commit()
    assert told("cover_dbs_expiring").count((ann.id, "cover_dbs_expiring")) == 2


def test_a_pool_taking_checks_of_any_age_warns_about_no_dbs(area, clock):
    """dbs_max_age_months unset: a check of any age is accepted, so there is nothing to warn about."""
    area.pool.dbs_max_age_months = None
    db.session.commit()
    relief_worker(area, "Ann", issued_on=date(2010, 1, 1))
    assert compliance.warn_expiring(clock.now()) == 0


def test_workers_not_approved_are_not_warned(area, clock):
    """Only approved workers: an application still undecided is not warned about."""
    person = factories.relief_worker(factories.user(name="Gus", role=IntendedRole.RELIEF_WORKER)).user
    world.ready_worker(person)
    done = factories.training_session(area.course, days_ahead=-400)
    factories.training_record(factories.booking(done, person).attendees[0]).expires_on = TODAY + timedelta(days=5)
    pools.apply_to_pool(area.pool, person)
    db.session.commit()
    assert compliance.warn_expiring(clock.now()) == 0


def test_workers_of_a_closed_pool_are_not_warned(area, clock):
    """A pool its publisher has closed takes no shifts: nobody in it is warned about a check or training expiring."""
    relief_worker(area, "Hal", issued_on=issued_for(TODAY + timedelta(days=10)), expires=(TODAY + timedelta(days=10),))
    pools.change_pool_status(area.pool, PoolStatus.CLOSED, area.officer)
    db.session.commit()
    assert compliance.warn_expiring(clock.now()) == 0
    pools.change_pool_status(area.pool, PoolStatus.OPEN, area.officer)
    db.session.commit()
    assert compliance.warn_expiring(clock.now()) == 2


@pytest.mark.parametrize("issued_on", [date(2026, 1, 31), date(2026, 2, 28), date(2024, 2, 29), date(2026, 6, 15)])
@pytest.mark.parametrize("months", [1, 12, 36])
def test_the_last_acceptable_day_is_matchings(issued_on, months):
    """Matching accepts a check for a shift on day d if issued on or after d - months: the last such day."""
    last = compliance.last_acceptable_day(issued_on, months)
    assert issued_on >= dbs_issued_after(last, months)
    assert issued_on < dbs_issued_after(last + timedelta(days=1), months)


def test_warnings_of_past_expiries_are_forgotten(area, clock):
    """Retention: once the date has passed, the warning row goes (and nothing is warned again)."""
    relief_worker(area, "Cat", expires=(TODAY + timedelta(days=15),))
    compliance.warn_expiring(clock.now())
    db.session.commit()
    clock.advance(days=15)
    assert forget_past_warnings(clock.now()) == 0
    clock.advance(days=1)
    assert forget_past_warnings(clock.now()) == 1
    assert compliance.warn_expiring(clock.now()) == 0


@POSTGRES_ONLY[0]
@POSTGRES_ONLY[1]
def test_concurrent_runs_tell_each_once(app, area, clock, outbox):
    """Five simultaneous runs on PostgreSQL: two warnings in all, each person told once about each."""
    from tests.training.test_concurrency import run_concurrently

    ann = relief_worker(area, "Ann", issued_on=issued_for(TODAY + timedelta(days=20)))
    cat = relief_worker(area, "Cat", expires=(TODAY + timedelta(days=15),))
    outcomes = run_concurrently(app, [lambda: compliance.warn_expiring(clock.now())] * 5)
    assert all(isinstance(n, int) for n in outcomes) and sum(outcomes) == 2, outcomes
    db.session.expire_all()
    assert told() == sorted(
        [
            (ann.id, "cover_dbs_expiring"),
            (area.officer.id, "cover_dbs_expiring"),
            (cat.id, "cover_training_expiring"),
            (area.officer.id, "cover_training_expiring"),
        ]
    )
    assert len([m for m in outbox.to("ann@example.com") if "DBS" in m["Subject"]]) == 1

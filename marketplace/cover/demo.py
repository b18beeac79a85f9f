"""Relief cover's demo data, made through the real services: an open Leeds pool with approved enterprises and
workers, one enterprise waiting, a two-shift request with one shift accepted, yesterday's shift with its timesheet
waiting for approval, and a DBS check reaching the pool's age limit within 30 days."""

from datetime import UTC, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from ..core.clock import LONDON, clock, today
from ..organisations.models import Organisation
from . import pools, requests, services, timesheets
from .pay import Region
from .statuses import DbsLevel, PoolStatus, Skill

EVERY_DAY = {day: (7 * 60, 22 * 60) for day in range(7)}


def _shift(days_ahead: int, start: int, end: int) -> tuple[datetime, datetime]:
    day = today() + timedelta(days=days_ahead)
    return tuple(datetime.combine(day, time(hour), tzinfo=LONDON).astimezone(UTC) for hour in (start, end))


def _worker(user, area, *, dbs_age: relativedelta) -> None:
    services.save_relief_profile(
        user,
        area_id=area.id,
        phone=None,
        about="Ten years in home care, most of them with older people living with dementia.",
        area_ids=[area.id],
        skills=[Skill.PERSONAL_CARE, Skill.MEDICATION, Skill.DEMENTIA],
    )
    services.save_checks(
        user,
        dbs_level=DbsLevel.ENHANCED_BARRED,
        dbs_issued_on=today() - dbs_age,
        dbs_update_service=False,
        referee_1="Jo Brown, jo.brown@example.com",
        referee_2="Sunil Rao, 0113 496 0000",
    )
    services.save_availability(user, slots=EVERY_DAY, days_off=[])


def seed_cover(officer, leeds_council, area, owners: list, workers: list) -> None:
    """The Leeds pool and its people (owners: two Leeds enterprise owners; workers: two Leeds relief workers)."""
    pool = pools.create_pool(
        leeds_council,
        officer,
        name="Leeds relief care pool",
        description="Vetted relief carers for Leeds micro-enterprises, for sickness and emergencies.",
        area_ids=[area.id],
        topic_ids=[],
        region=Region.ENGLAND_AND_WALES,
        dbs_level=DbsLevel.ENHANCED_BARRED,
        dbs_max_age_months=36,
        right_to_work_required=True,
        hourly_rate_pence=1450,
        night_uplift_percent=20,
        weekend_uplift_percent=25,
        hourly_charge_pence=2200,
        funded_hours_per_year=20,
        min_notice_hours=2,
    )
    pools.change_pool_status(pool, PoolStatus.OPEN, officer)
    approved, waiting = (_enterprise(owner) for owner in owners)
    pools.decide_member(pools.join_pool(pool, approved, owners[0]), True, officer)
    pools.join_pool(pool, waiting, owners[1])
    ages = (relativedelta(months=35, days=10), relativedelta(months=6))  # the first reaches 36 months in 20 days
    for user, age in zip(workers, ages, strict=True):
        _worker(user, area, dbs_age=age)
        pools.decide_worker(pools.apply_to_pool(pool, user), True, officer, dbs_verified=True, right_to_work=True)
    member = pools.enterprise_member(pool, approved)
    request = requests.post_request(
        member,
        owners[0],
        shifts=[_shift(3, 9, 17), _shift(4, 9, 17)],
        skills=[Skill.PERSONAL_CARE],
        topic_ids=[],
        area_id=area.id,
        absence_category="sickness",
        description="Morning and afternoon visits to two older people at home: personal care, meals and company.",
        private_notes="Key safe at 12 Example Road: code 4321. Mrs A likes tea before her wash.",
    )
    requests.accept_shift(request.shifts[0], workers[1])
    _worked_yesterday(member, owners[0], workers[0], area)


def _worked_yesterday(member, owner, worker, area) -> None:
    """A shift the worker did yesterday (asked for a week before), with its timesheet waiting for approval."""
    starts_at, ends_at = _shift(-1, 8, 14)
    with clock.at(starts_at - timedelta(days=7)):
        request = requests.post_request(
            member,
            owner,
            shifts=[(starts_at, ends_at)],
            skills=[Skill.PERSONAL_CARE],
            topic_ids=[],
            area_id=area.id,
            absence_category="planned",
            description="Morning visits while the owner is at a hospital appointment.",
            private_notes="Key safe at 3 Sample Street: code 2580.",
        )
        requests.accept_shift(request.shifts[0], worker)
    timesheets.submit_timesheet(request.shifts[0], worker, started_at=starts_at, ended_at=ends_at, break_minutes=20)


def _enterprise(owner) -> Organisation:
    return owner.memberships[0].organisation

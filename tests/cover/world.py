"""A small relief-cover world made through the real services, for page tests and the access matrix."""

from datetime import UTC, datetime, time, timedelta

from marketplace.core.clock import LONDON, clock, today
from marketplace.cover import pools, requests, services, timesheets
from marketplace.cover.statuses import DbsLevel, PoolStatus, Skill
from tests import factories

EVERY_DAY = {day: (0, 24 * 60) for day in range(7)}


def shift_times(days_ahead: int, start: int = 9, end: int = 17) -> tuple[datetime, datetime]:
    """A shift days_ahead of the (injected) clock's today, in UK hours."""
    day = today() + timedelta(days=days_ahead)
    return tuple(datetime.combine(day, time(hour), tzinfo=LONDON).astimezone(UTC) for hour in (start, end))


def ready_worker(user, area_name: str = "Leeds") -> None:
    """A relief worker profile with the areas, skills, a current DBS check and availability matching needs."""
    area = factories.area(area_name)
    if user.relief_profile is None:
        factories.relief_worker(user, area_name)
    services.save_relief_profile(user, area_id=area.id, phone=None, area_ids=[area.id], skills=[Skill.PERSONAL_CARE])
    services.save_checks(
        user,
        dbs_level=DbsLevel.ENHANCED_BARRED,
        dbs_issued_on=today() - timedelta(days=100),
        dbs_update_service=False,
        referee_1="Referee One, one@example.com",
        referee_2="Referee Two, two@example.com",
    )
    services.save_availability(user, slots=EVERY_DAY, days_off=[])


def open_pool(officer, council, **overrides):
    """An open pool of the council serving Leeds."""
    details = {
        "name": "Leeds relief pool",
        "description": "Relief carers for Leeds.",
        "area_ids": [factories.area("Leeds").id],
        "topic_ids": [],
        "region": "england_and_wales",
        "dbs_level": DbsLevel.ENHANCED,
        "dbs_max_age_months": None,
        "right_to_work_required": True,
        "hourly_rate_pence": 1450,
        "night_uplift_percent": 20,
        "weekend_uplift_percent": 25,
        "hourly_charge_pence": 2200,
        "funded_hours_per_year": 10,
        "min_notice_hours": 0,
    } | overrides
    pool = pools.create_pool(council, officer, **details)
    pools.change_pool_status(pool, PoolStatus.OPEN, officer)
    return pool


def cover_world(officer, council, owner, enterprise, worker_user, *, worked: bool = True) -> dict:
    """The council's open pool; the enterprise approved in it; the worker approved, holding the first of the
    enterprise's two shifts, and (worked) a shift they did yesterday for another request, its timesheet sent.
    Returns the URL values (pool_id, member_id, worker_id, request_id, shift_id, timesheet_id)."""
    pool = open_pool(officer, council)
    member = pools.join_pool(pool, enterprise, owner)
    pools.decide_member(member, True, officer)
    ready_worker(worker_user)
    worker = pools.apply_to_pool(pool, worker_user)
    pools.decide_worker(worker, True, officer, dbs_verified=True, right_to_work=True)
    request = requests.post_request(
        member,
        owner,
        shifts=[shift_times(3), shift_times(4)],
        skills=[Skill.PERSONAL_CARE],
        topic_ids=[],
        area_id=factories.area("Leeds").id,
        absence_category="sickness",
        description="Visits at home.",
        private_notes="Key safe 1234",
    )
    requests.accept_shift(request.shifts[0], worker_user)
    sheet = worked_shift(member, owner, worker_user) if worked else None
    return {
        "pool_id": pool.id,
        "member_id": member.id,
        "worker_id": worker.id,
        "request_id": request.id,
        "shift_id": request.shifts[0].id,
        "timesheet_id": sheet.id if sheet else None,
    }


def worked_shift(member, owner, worker_user):
    """A shift the worker did yesterday (asked for and accepted a week ago), with its timesheet sent."""
    starts_at, ends_at = shift_times(-1)
    with clock.at(starts_at - timedelta(days=7)):
        request = requests.post_request(
            member,
            owner,
            shifts=[(starts_at, ends_at)],
            skills=[],
            topic_ids=[],
            area_id=factories.area("Leeds").id,
            absence_category="injury",
            description="Yesterday's visits.",
            private_notes=None,
        )
        requests.accept_shift(request.shifts[0], worker_user)
    return timesheets.submit_timesheet(
        request.shifts[0], worker_user, started_at=starts_at, ended_at=ends_at, break_minutes=30
    )

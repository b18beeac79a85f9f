"""What the catalogue and the course and session pages show: sessions found by filters, prices, descriptions."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import markdown
import nh3
from markupsafe import Markup
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import contains_eager, load_only

from ..core.clock import LONDON, utcnow
from ..core.money import format_pence
from ..extensions import db
from ..organisations.models import Area, Organisation, OrgStatus
from ..organisations.permissions import enterprise_memberships
from .eligibility import booker_area_id
from .models import Course, CourseStatus, PriceBand, SessionStatus, Topic, TrainingSession

# --- Markdown --------------------------------------------------------------------------------------------------

_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "h2", "h3", "h4", "blockquote", "br", "code"}
_GOVUK_CLASSES = {
    "p": "govuk-body",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "h2": "govuk-heading-m",
    "h3": "govuk-heading-s",
    "h4": "govuk-heading-s",
    "blockquote": "govuk-inset-text",
    "a": "govuk-link",
}
# A link whose address nh3 removed (javascript: and other schemes) keeps only the class nh3 set on it.
_LINK_WITHOUT_ADDRESS = re.compile(r'<a class="govuk-link">(.*?)</a>', re.DOTALL)


def render_markdown(text: str | None) -> Markup:
    """A publisher's Markdown as safe HTML in GOV.UK styles (the page keeps its only <h1>)."""
    html = re.sub(r"<(/?)h1>", r"<\1h2>", markdown.markdown(text or ""))
    clean = nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags={"script", "style"},
        attributes={"a": {"href"}, "*": set()},  # "*": no title or lang on any tag (nh3 allows them by default)
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        set_tag_attribute_values={tag: {"class": classes} for tag, classes in _GOVUK_CLASSES.items()},
    )
    # nh3 kept only the tags and attributes above, so the result is safe HTML (ruff S704, bandit B704).
    return Markup(_LINK_WITHOUT_ADDRESS.sub(r"\1", clean))  # noqa: S704  # nosec B704


# --- prices ----------------------------------------------------------------------------------------------------


def _names(areas) -> str:
    """'Leeds', or 'Leeds, Bradford and Wakefield'."""
    names = [area.name for area in areas]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def price_text(course: Course) -> str:
    """'Free', '£40', or '£10 for people working in Leeds, £40 otherwise' (enterprises and relief workers there);
    no 'otherwise' price when only people in the publisher's areas can book (nor a subsidy no booker can get)."""
    full, subsidised = course.full_price_pence, course.subsidised_price_pence
    served = course.organisation.served_areas
    if full == 0 or subsidised == full or not served:
        return format_pence(full)
    bookable = course.eligible_areas
    if bookable and all(area in served for area in bookable):  # everyone who can book pays the subsidised price
        return f"{format_pence(subsidised)} for people working in {_names(bookable)}"
    if bookable and not any(area in served for area in bookable):
        return format_pence(full)
    return f"{format_pence(subsidised)} for people working in {_names(served)}, {format_pence(full)} otherwise"


def price_paid_text(course: Course, band: str, unit_pence: int) -> str:
    """The price per place a booker pays (price_for's band and amount) and which of the course's prices it is:
    '£10: the price for people working in Leeds', '£40: the price for people working outside Leeds', or just
    '£40' (or 'Free') when everyone pays the same."""
    price = format_pence(unit_pence)
    served = course.organisation.served_areas
    if course.full_price_pence == 0 or course.subsidised_price_pence == course.full_price_pence or not served:
        return price
    where = "outside" if band == PriceBand.FULL else "in"
    return f"{price}: the price for people working {where} {_names(served)}"


def viewer_area_id(user) -> int | None:
    """The area a signed-in person books from: their first enterprise's, or their relief worker area."""
    if not user or not user.is_authenticated:
        return None
    memberships = enterprise_memberships(user)
    return booker_area_id(user, memberships[0].organisation if memberships else None)


# --- the catalogue ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueFilters:
    """What the catalogue is filtered by (None: no filter)."""

    text: str | None = None
    topic_id: int | None = None
    area_id: int | None = None
    starts_from: date | None = None
    starts_to: date | None = None
    price: str = "any"  # any | free | subsidised
    delivery: str | None = None


def _london_midnight(day: date) -> datetime:
    """The UTC moment a UK day begins."""
    return datetime.combine(day, time(), tzinfo=LONDON).astimezone(UTC)


def _serves(area_id: int):
    """The course's publisher serves the area."""
    return Organisation.served_areas.any(Area.id == area_id)


def _in_area(area_id: int):
    """Courses for that area: listed for it, or open to every area and published by a body serving it."""
    return or_(Course.eligible_areas.any(Area.id == area_id), and_(~Course.eligible_areas.any(), _serves(area_id)))


def _price_condition(price: str, area_id: int | None):
    """The price filter as a condition (None: any price, or no area to be subsidised in)."""
    free_everywhere = Course.full_price_pence == 0
    if price == "free":
        if area_id is None:
            return free_everywhere
        return or_(free_everywhere, and_(Course.subsidised_price_pence == 0, _serves(area_id)))
    if price == "subsidised" and area_id is not None:
        return and_(Course.subsidised_price_pence < Course.full_price_pence, _serves(area_id))
    return None


def _conditions(filters: CatalogueFilters, my_area_id: int | None) -> list:
    """The filters as SQL conditions."""
    conditions = []
    if filters.text:
        text = filters.text.strip()
        conditions.append(
            or_(Course.title.icontains(text, autoescape=True), Course.description.icontains(text, autoescape=True))
        )
    if filters.topic_id:
        conditions.append(Course.topic_id == filters.topic_id)
    if filters.area_id:
        conditions.append(_in_area(filters.area_id))
    if filters.starts_from:
        conditions.append(TrainingSession.starts_at >= _london_midnight(filters.starts_from))
    if filters.starts_to and filters.starts_to < date.max:  # by 31 December 9999 (no day after it) is no limit
        conditions.append(TrainingSession.starts_at < _london_midnight(filters.starts_to + timedelta(days=1)))
    if filters.delivery:
        conditions.append(Course.delivery == filters.delivery)
    price = _price_condition(filters.price, my_area_id or filters.area_id)
    if price is not None:
        conditions.append(price)
    return conditions


def _sessions_with_course() -> Select:
    """Sessions joined to their course and publisher, loaded from the same rows (no query per row)."""
    return (
        select(TrainingSession)
        .join(TrainingSession.course)
        .join(Course.organisation)
        .options(
            contains_eager(TrainingSession.course).contains_eager(Course.organisation),
            contains_eager(TrainingSession.course).joinedload(Course.topic),
            contains_eager(TrainingSession.course).selectinload(Course.eligible_areas),
            contains_eager(TrainingSession.course)
            .contains_eager(Course.organisation)
            .selectinload(Organisation.served_areas),
        )
    )


# The catalogue's order: soonest first, then by id so the order is total (keyset pagination seeks past a row's
# values; ix_training_sessions_status_starts_at_id serves both the filter on status and this order).
CATALOGUE_ORDER = (TrainingSession.starts_at, TrainingSession.id)


def _catalogue_shows():
    """Only what a catalogue result shows: the session's time and places, its course's title, delivery, topic and
    prices, the publisher's name, and the areas price_text() needs (collections in one query each, never per row)."""
    course = contains_eager(TrainingSession.course)
    return (
        load_only(TrainingSession.starts_at, TrainingSession.capacity, TrainingSession.seats_taken),
        course.load_only(
            Course.title, Course.delivery, Course.topic_id, Course.full_price_pence, Course.subsidised_price_pence
        ),
        course.contains_eager(Course.organisation).load_only(Organisation.name),
        course.joinedload(Course.topic).load_only(Topic.name),
        course.selectinload(Course.eligible_areas).load_only(Area.name),
        course.contains_eager(Course.organisation).selectinload(Organisation.served_areas).load_only(Area.name),
    )


def catalogue_query(filters: CatalogueFilters, *, my_area_id: int | None = None) -> Select:
    """Bookable sessions (scheduled, booking still open) of published courses of approved publishers, soonest first."""
    now = utcnow()
    return (
        select(TrainingSession)
        .join(TrainingSession.course)
        .join(Course.organisation)
        .options(*_catalogue_shows())
        .where(
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.starts_at > now,
            TrainingSession.booking_deadline > now,
            Course.status == CourseStatus.PUBLISHED,
            Organisation.status == OrgStatus.APPROVED,
            *_conditions(filters, my_area_id),
        )
        .order_by(*CATALOGUE_ORDER)
    )


def topics() -> list[Topic]:
    """Every topic, alphabetically."""
    return list(db.session.scalars(select(Topic).order_by(Topic.name)))


def areas() -> list[Area]:
    """Every area, alphabetically."""
    return list(db.session.scalars(select(Area).order_by(Area.name)))


# --- course and session pages ----------------------------------------------------------------------------------


def upcoming_sessions(course: Course) -> list[TrainingSession]:
    """The course's scheduled sessions still to come, soonest first."""
    query = _sessions_with_course().where(
        TrainingSession.course_id == course.id,
        TrainingSession.status == SessionStatus.SCHEDULED,
        TrainingSession.starts_at > utcnow(),
    )
    return list(db.session.scalars(query.order_by(TrainingSession.starts_at, TrainingSession.id)).unique())


def booking_closed(session: TrainingSession) -> bool:
    """A scheduled session whose booking deadline has passed (the session's own rule)."""
    return session.booking_has_closed


def is_bookable(session: TrainingSession) -> bool:
    """Open for booking now (the session's own rule)."""
    return session.is_bookable

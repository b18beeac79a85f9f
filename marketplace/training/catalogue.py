"""Read-side training queries: the catalogue, course and session pages, bookings and who may see what."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import bleach
import markdown
from markupsafe import Markup
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from ..core import permissions
from ..core.clock import LONDON, utcnow
from ..core.money import format_pence
from ..extensions import db
from ..organisations.models import Area, Organisation, OrgStatus
from .eligibility import booker_area_id
from .models import (
    Attendee,
    AttendeeStatus,
    Booking,
    BookingStatus,
    CalendarFeed,
    Course,
    CourseStatus,
    SessionStatus,
    Topic,
    TrainingSession,
    WaitingListEntry,
)

# --- Markdown --------------------------------------------------------------------------------------------------

_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "h2", "h3", "h4", "blockquote", "br", "code"}
_GOVUK_CLASSES = {
    "<p>": '<p class="govuk-body">',
    "<ul>": '<ul class="govuk-list govuk-list--bullet">',
    "<ol>": '<ol class="govuk-list govuk-list--number">',
    "<h2>": '<h2 class="govuk-heading-m">',
    "<h3>": '<h3 class="govuk-heading-s">',
    "<h4>": '<h4 class="govuk-heading-s">',
    "<a ": '<a class="govuk-link" ',
}


def render_markdown(text: str | None) -> Markup:
    """A publisher's Markdown as safe HTML in GOV.UK styles (the page keeps its only <h1>)."""
    html = re.sub(r"<(/?)h1>", r"<\1h2>", markdown.markdown(text or ""))
    clean = bleach.clean(
        html, tags=_TAGS, attributes={"a": ["href", "title"]}, protocols={"http", "https", "mailto"}, strip=True
    )
    for tag, styled in _GOVUK_CLASSES.items():
        clean = clean.replace(tag, styled)
    return Markup(clean)  # noqa: S704  (bleach has removed every tag and attribute not allowed above)


# --- prices ----------------------------------------------------------------------------------------------------


def _names(areas) -> str:
    """'Leeds', or 'Leeds, Bradford and Wakefield'."""
    names = [area.name for area in areas]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def price_text(course: Course) -> str:
    """'Free', '£40', or '£10 for people working in Leeds, £40 otherwise' (enterprises and relief workers there)."""
    full, subsidised = course.full_price_pence, course.subsidised_price_pence
    served = course.organisation.served_areas
    if full == 0 or subsidised == full or not served:
        return format_pence(full)
    return f"{format_pence(subsidised)} for people working in {_names(served)}, {format_pence(full)} otherwise"


def viewer_area_id(user) -> int | None:
    """The area a signed-in person books from: their first enterprise's, or their relief worker area."""
    if not user or not user.is_authenticated:
        return None
    memberships = permissions.enterprise_memberships(user)
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
    if filters.starts_to:
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
        .options(contains_eager(TrainingSession.course).contains_eager(Course.organisation))
    )


def catalogue_query(filters: CatalogueFilters, *, my_area_id: int | None = None) -> Select:
    """Bookable sessions (scheduled, booking still open) of published courses of approved publishers, soonest first."""
    now = utcnow()
    return (
        _sessions_with_course()
        .where(
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.starts_at > now,
            TrainingSession.booking_deadline > now,
            Course.status == CourseStatus.PUBLISHED,
            Organisation.status == OrgStatus.APPROVED,
            *_conditions(filters, my_area_id),
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    )


def topics() -> list[Topic]:
    """Every topic, alphabetically."""
    return list(db.session.scalars(select(Topic).order_by(Topic.name)))


def areas() -> list[Area]:
    """Every area, alphabetically."""
    return list(db.session.scalars(select(Area).order_by(Area.name)))


# --- courses and sessions --------------------------------------------------------------------------------------


def is_publisher_member(user, course: Course) -> bool:
    """The person belongs to the body that publishes the course."""
    return permissions.membership_in(user, course.organisation) is not None


def visible_course(course_id: int, user) -> Course | None:
    """A published course, or any course of the person's own publisher."""
    course = db.session.get(Course, course_id)
    if course is None or (course.status != CourseStatus.PUBLISHED and not is_publisher_member(user, course)):
        return None
    return course


def upcoming_sessions(course: Course) -> list[TrainingSession]:
    """The course's scheduled sessions still to come, soonest first."""
    query = _sessions_with_course().where(
        TrainingSession.course_id == course.id,
        TrainingSession.status == SessionStatus.SCHEDULED,
        TrainingSession.starts_at > utcnow(),
    )
    return list(db.session.scalars(query.order_by(TrainingSession.starts_at, TrainingSession.id)).unique())


def _live_attendee_of(user):
    """Attendees of confirmed bookings made by the person or naming them."""
    return (
        select(Attendee)
        .join(Booking, Booking.id == Attendee.booking_id)
        .where(
            Booking.status == BookingStatus.CONFIRMED,
            Attendee.status != AttendeeStatus.CANCELLED,
            or_(Booking.booker_id == user.id, Attendee.email == user.email.lower()),
        )
    )


def is_confirmed_on(user, session: TrainingSession) -> bool:
    """The person has a confirmed place on the session (as an attendee or as the booker)."""
    if not user or not user.is_authenticated:
        return False
    query = _live_attendee_of(user).where(Attendee.session_id == session.id).limit(1)
    return db.session.scalar(query) is not None


def can_see_private(user, session: TrainingSession) -> bool:
    """Venue, online link and attendee names: for people confirmed on the session and the publisher's members."""
    if not user or not user.is_authenticated:
        return False
    return is_publisher_member(user, session.course) or is_confirmed_on(user, session)


def visible_session(session_id: int, user) -> TrainingSession | None:
    """A session of a published course, or one the person publishes or is booked on."""
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        return None
    if session.course.status == CourseStatus.PUBLISHED or can_see_private(user, session):
        return session
    return None


def attendee_names(user, session: TrainingSession) -> list[str]:
    """Names the person may see: everyone booked, for the publisher; otherwise the people on their own bookings."""
    live = (Attendee.session_id == session.id, Attendee.status != AttendeeStatus.CANCELLED)
    query = select(Attendee.name).join(Booking, Booking.id == Attendee.booking_id)
    query = query.where(*live, Booking.status == BookingStatus.CONFIRMED)
    if not is_publisher_member(user, session.course):
        named_in = select(Attendee.booking_id).where(*live, Attendee.email == user.email.lower())
        query = query.where(or_(Booking.booker_id == user.id, Booking.id.in_(named_in)))
    return list(db.session.scalars(query.order_by(Attendee.name)))


def booking_closed(session: TrainingSession) -> bool:
    """A scheduled session whose booking deadline has passed."""
    return session.status == SessionStatus.SCHEDULED and utcnow() >= session.booking_deadline


def is_bookable(session: TrainingSession) -> bool:
    """Open for booking now: scheduled, published and before the deadline."""
    return (
        session.status == SessionStatus.SCHEDULED
        and session.course.status == CourseStatus.PUBLISHED
        and utcnow() < session.booking_deadline
    )


# --- bookings --------------------------------------------------------------------------------------------------


def can_view_booking(user, booking: Booking) -> bool:
    """The booker, members of the booking's enterprise and the publisher's members."""
    if booking.booker_id == user.id:
        return True
    if booking.organisation is not None and permissions.membership_in(user, booking.organisation):
        return True
    return is_publisher_member(user, booking.session.course)


def can_cancel_booking(user, booking: Booking) -> bool:
    """The booker, or an owner of the booking's enterprise."""
    if booking.booker_id == user.id:
        return True
    return booking.organisation is not None and permissions.can_manage_organisation(user, booking.organisation)


def visible_booking(booking_id: int, user) -> Booking | None:
    """A booking the person may see, or None."""
    booking = db.session.get(Booking, booking_id, options=[selectinload(Booking.payment)])
    return booking if booking is not None and can_view_booking(user, booking) else None


def hold_minutes_left(booking: Booking) -> int:
    """Whole minutes (at least 0) before a reserved booking's hold lapses."""
    if booking.status != BookingStatus.RESERVED or booking.hold_expires_at is None:
        return 0
    return max(0, -(-int((booking.hold_expires_at - utcnow()).total_seconds()) // 60))


def _bookings_of(user) -> Select:
    """Bookings the person made, with their session and payment loaded."""
    return (
        select(Booking)
        .join(Booking.session)
        .where(Booking.booker_id == user.id)
        .options(contains_eager(Booking.session), selectinload(Booking.payment))
    )


def upcoming_bookings(user) -> list[Booking]:
    """The person's live bookings for sessions still to come, soonest first."""
    query = _bookings_of(user).where(
        TrainingSession.starts_at > utcnow(),
        Booking.status.in_((BookingStatus.RESERVED, BookingStatus.CONFIRMED)),
        TrainingSession.status == SessionStatus.SCHEDULED,
    )
    return list(db.session.scalars(query.order_by(TrainingSession.starts_at, Booking.id)).unique())


def past_bookings_query(user) -> Select:
    """The person's other bookings (past, cancelled or expired), newest session first, for pagination."""
    live_future = and_(
        TrainingSession.starts_at > utcnow(),
        Booking.status.in_((BookingStatus.RESERVED, BookingStatus.CONFIRMED)),
        TrainingSession.status == SessionStatus.SCHEDULED,
    )
    return _bookings_of(user).where(~live_future).order_by(TrainingSession.starts_at.desc(), Booking.id.desc())


def places_booked_for(user) -> list[Attendee]:
    """Confirmed places someone else booked naming the person, for sessions still to come."""
    query = (
        select(Attendee)
        .join(Booking, Booking.id == Attendee.booking_id)
        .join(TrainingSession, TrainingSession.id == Attendee.session_id)
        .where(
            Attendee.email == user.email.lower(),
            Attendee.status != AttendeeStatus.CANCELLED,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.booker_id != user.id,
            TrainingSession.starts_at > utcnow(),
        )
        .options(selectinload(Attendee.booking))
        .order_by(TrainingSession.starts_at)
    )
    return list(db.session.scalars(query))


# --- waiting list and calendar ---------------------------------------------------------------------------------


def own_waiting_entry(entry_id: int, user) -> WaitingListEntry | None:
    """The person's own waiting-list entry, or None."""
    entry = db.session.get(WaitingListEntry, entry_id)
    return entry if entry is not None and entry.user_id == user.id else None


def existing_feed_token(user) -> str | None:
    """The person's calendar feed token if they have created one (looking never creates one)."""
    return db.session.scalar(select(CalendarFeed.token).where(CalendarFeed.user_id == user.id))

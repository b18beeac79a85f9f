"""Training pages anyone can see (catalogue, course, session) and the calendar feed and its address."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...core.pagination import CURSOR_ARG, keyset_page
from ...core.permissions import allows, public, signed_in
from ...extensions import db
from .. import calendar, catalogue, waiting
from .. import permissions as access
from ..forms_booking import catalogue_filter_form
from .blueprint import bp


@bp.route("", endpoint="catalogue")
@public
def catalogue_page():
    """Find training: scheduled sessions of published courses, filtered and paginated."""
    form = catalogue_filter_form(request.args, catalogue.topics(), catalogue.areas())
    form.validate()
    filters = form.filters()
    my_area_id = catalogue.viewer_area_id(current_user)
    if filters.price == "subsidised" and not (my_area_id or filters.area_id):
        form.price.errors.append("Select an area to find courses subsidised there")
    query = catalogue.catalogue_query(filters, my_area_id=my_area_id)
    page = keyset_page(query, catalogue.CATALOGUE_ORDER, request.args.get(CURSOR_ARG), count=True)
    return render_template(
        "training/catalogue.html",
        filter_form=form,
        page=page,
        price_text=catalogue.price_text,
        filtered=any(value for key, value in request.args.items() if key not in ("page", CURSOR_ARG)),
        title="Find training",
    )


@bp.route("/courses/<int:course_id>")
@public
def show_course(course_id: int):
    """A course: what it covers, its price, and its sessions still to come (drafts for its publisher only)."""
    course = access.visible_course(course_id, current_user) or abort(404)
    return render_template(
        "training/course.html",
        course=course,
        description=catalogue.render_markdown(course.description),
        price=catalogue.price_text(course),
        sessions=catalogue.upcoming_sessions(course),
        booking_closed=catalogue.booking_closed,
        title=course.title,
    )


@bp.route("/sessions/<int:session_id>")
@public
def show_session(session_id: int):
    """A session: when, seats left, how to book; the venue and attendees only for those booked or publishing."""
    session = access.visible_session(session_id, current_user) or abort(404)
    private = access.can_see_private(current_user, session)
    return render_template(
        "training/session.html",
        session=session,
        course=session.course,
        price=catalogue.price_text(session.course),
        private=private,
        publisher_view=private and access.is_course_publisher(current_user, session),
        attendee_names=access.attendee_names(current_user, session) if private else [],
        bookable=catalogue.is_bookable(session),
        may_book=not current_user.is_authenticated or allows(current_user, "may_book", session),
        waiting_entry_id=waiting.live_entry_id(session.id, current_user.id) if current_user.is_authenticated else None,
        booking_closed=catalogue.booking_closed(session),
        title=session.course.title,
    )


@bp.route("/calendar", endpoint="calendar")
@signed_in
def calendar_page():
    """The person's private calendar feed address."""
    token = calendar.stored_token(current_user.id)
    feed_url = url_for("training.calendar_feed", token=token, _external=True) if token else None
    return render_template("training/calendar.html", feed_url=feed_url, title="Your training calendar")


@bp.route("/calendar/new-address", methods=["POST"])
@signed_in
def renew_calendar():
    """Create the calendar address, or replace it so the old one stops working."""
    had_one = calendar.stored_token(current_user.id) is not None
    calendar.feed_token(current_user, renew=True)
    db.session.commit()
    replaced = "Your new calendar address is ready. The old one no longer works."
    flash(replaced if had_one else "Your calendar address is ready.", "success")
    return redirect(url_for("training.calendar"))


@bp.route("/calendar/<token>.ics")
@public
def calendar_feed(token: str):
    """A person's confirmed sessions as a calendar feed (the unguessable token is the permission)."""
    ics = calendar.feed_ics(token)
    if ics is None:
        abort(404)
    return Response(ics, mimetype="text/calendar", headers={"Cache-Control": "private, no-store"})

"""Privacy of cover requests: private notes and the absence category are erased 90 days after the request ends,
leaving the rest; they are never written into audit events or other workers' notifications."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.accounts.models import IntendedRole
from marketplace.core.audit import AuditEvent
from marketplace.core.notifications import Notification
from marketplace.cover import erasure
from marketplace.cover.models import CoverRequest
from marketplace.cover.statuses import RequestStatus, ShiftStatus
from marketplace.extensions import db
from tests import factories
from tests.cover.builders import NOW
from tests.cover.world import cover_world
from tests.races import POSTGRES_ONLY

NOTES = "Key safe 1234"  # what cover_world's request keeps private


@pytest.fixture
def posted(ctx, clock):
    """cover_world through the services: a two-shift request (3 and 4 days ahead) with private notes and an
    absence category, its first shift accepted; and the request's end."""
    clock.set(NOW)
    owner = factories.user(name="Owner A")
    enterprise = factories.enterprise(owner, name="Enterprise A")
    officer = factories.user(name="Officer", role=IntendedRole.PUBLISHER)
    council = factories.publisher(officer)
    worker = factories.relief_worker().user
    values = cover_world(officer, council, owner, enterprise, worker, worked=False)
    db.session.commit()
    request = db.session.get(CoverRequest, values["request_id"])
    return request.id, request.ends_at, owner


def _request(request_id) -> CoverRequest:
    db.session.expire_all()
    return db.session.get(CoverRequest, request_id)


def test_erased_90_days_after_the_request_ends_not_89(posted, clock):
    """89 days (and a minute short of 90) after the last shift ends: kept; at 90 days: erased."""
    request_id, ends_at, _ = posted
    assert erasure.erase_private_details(ends_at + timedelta(days=89)) == 0
    assert erasure.erase_private_details(ends_at + timedelta(days=90, minutes=-1)) == 0
    db.session.commit()
    kept = _request(request_id)
    assert (kept.private_notes, kept.absence_category, kept.private_erased_at) == (NOTES, "sickness", None)

    at = ends_at + timedelta(days=90)
    assert erasure.erase_private_details(at) == 1
    db.session.commit()
    erased = _request(request_id)
    assert (erased.private_notes, erased.absence_category, erased.private_erased_at) == (None, None, at)


def test_erasure_leaves_the_rest_of_the_request(posted):
    """The description, area, status, end, and the shifts with who worked them are all kept."""
    request_id, ends_at, _ = posted
    before = _request(request_id)
    kept = (before.description, before.area_id, before.status, before.ends_at, before.pool_id, before.organisation_id)
    shifts = [(s.id, s.status, s.worker_id, s.starts_at, s.ends_at) for s in before.shifts]
    erasure.erase_private_details(ends_at + timedelta(days=90))
    db.session.commit()
    after = _request(request_id)
    assert (after.description, after.area_id, after.status, after.ends_at, after.pool_id, after.organisation_id) == kept
    assert [(s.id, s.status, s.worker_id, s.starts_at, s.ends_at) for s in after.shifts] == shifts
    assert after.description == "Visits at home." and after.status == RequestStatus.PARTLY_FILLED
    assert [s.status for s in after.shifts] == [ShiftStatus.ACCEPTED, ShiftStatus.OPEN]


def test_erasure_is_idempotent(posted):
    """A second run changes nothing, not even when it was erased."""
    request_id, ends_at, _ = posted
    first = ends_at + timedelta(days=90)
    assert erasure.erase_private_details(first) == 1
    db.session.commit()
    assert erasure.erase_private_details(first + timedelta(days=1)) == 0
    db.session.commit()
    assert _request(request_id).private_erased_at == first


def test_only_requests_ended_90_days_ago_are_erased(posted, clock):
    """A request ending later keeps its private details until its own 90 days are up."""
    request_id, ends_at, owner = posted
    later = _request(request_id)
    other = CoverRequest(
        pool_id=later.pool_id,
        organisation_id=later.organisation_id,
        area_id=later.area_id,
        description="Evening calls.",
        private_notes="Back door code 9876",
        absence_category="injury",
        status=RequestStatus.OPEN,
        ends_at=ends_at + timedelta(days=10),
    )
    db.session.add(other)
    db.session.commit()
    assert erasure.erase_private_details(ends_at + timedelta(days=95)) == 1
    db.session.commit()
    assert (_request(other.id).private_notes, _request(other.id).absence_category) == ("Back door code 9876", "injury")
    assert erasure.erase_private_details(ends_at + timedelta(days=100)) == 1
    db.session.commit()
    assert _request(other.id).private_notes is None


def test_private_details_are_in_no_audit_event_or_other_notification(posted, client, login_as):
    """Posting, accepting and viewing the request record audit events (a view of the notes among them), and tell
    workers and the enterprise; none of them holds the private notes or the absence category."""
    request_id, _, owner = posted
    login_as(owner)
    page = client.get(f"/relief/requests/{request_id}")
    assert NOTES in page.get_data(as_text=True)
    db.session.expire_all()
    events = db.session.scalars(select(AuditEvent)).all()
    assert "cover_request.private_notes_viewed" in {event.action for event in events}
    assert "cover_request.open" in {event.action for event in events}
    for event in events:
        assert NOTES not in json.dumps(event.details) and "sickness" not in json.dumps(event.details), event.action
    notes = db.session.scalars(select(Notification)).all()
    assert notes, "the request told people"
    for note in notes:
        assert NOTES not in f"{note.title} {note.body} {note.link}", note.kind
        assert "sickness" not in f"{note.title} {note.body} {note.link}".lower(), note.kind


@POSTGRES_ONLY[0]
@POSTGRES_ONLY[1]
def test_concurrent_runs_erase_once(app, posted):
    """Five simultaneous runs on PostgreSQL: one erases the request, the others find nothing left to erase."""
    from tests.training.test_concurrency import run_concurrently

    request_id, ends_at, _ = posted
    at = ends_at + timedelta(days=90)
    outcomes = run_concurrently(app, [lambda: erasure.erase_private_details(at)] * 5)
    assert sorted(outcomes) == [0, 0, 0, 0, 1], outcomes
    erased = _request(request_id)
    assert (erased.private_notes, erased.absence_category, erased.private_erased_at) == (None, None, at)

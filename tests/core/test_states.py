"""One mechanism for status changes: the state-machine helper, and a guard that nothing else assigns a status."""

import ast
from pathlib import Path

import pytest
from sqlalchemy import select

from marketplace.core.audit import AuditEvent
from marketplace.core.states import IllegalTransition, StateMachine, advance, change
from marketplace.extensions import db
from marketplace.training.models import COURSE_STATES, Course, CourseStatus
from tests import factories

PACKAGE = Path(__file__).resolve().parents[2] / "marketplace"
HELPER = PACKAGE / "core" / "states.py"


def _is_status(name: str) -> bool:
    return name == "status" or name.endswith("_status")


def _targets(node: ast.AST):
    for target in getattr(node, "targets", None) or [getattr(node, "target", None)]:
        yield from target.elts if isinstance(target, ast.Tuple) else [target]


def direct_status_writes(source: str) -> list[int]:
    """Line numbers where code writes a status without the helper: `x.status = ...`, `setattr(x, "status", ...)`,
    or an UPDATE's `.values(status=...)` / `.values({"status": ...})`. Constructors of new rows are allowed."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            if any(isinstance(t, ast.Attribute) and _is_status(t.attr) for t in _targets(node)):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr":
            name = node.args[1] if len(node.args) > 1 else None
            if isinstance(name, ast.Constant) and isinstance(name.value, str) and _is_status(name.value):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "values":
            keys = [k.arg for k in node.keywords if k.arg]
            for arg in node.args:
                if isinstance(arg, ast.Dict):
                    keys += [k.value for k in arg.keys if isinstance(k, ast.Constant)]
            if any(isinstance(key, str) and _is_status(key) for key in keys):
                lines.append(node.lineno)
    return lines


def test_the_guard_sees_every_kind_of_direct_write():
    """The scanner itself: each way of writing a status directly is caught; reading and creating are not."""
    source = "\n".join(
        [
            "booking.status = 'cancelled'",
            "entry.status, entry.offered_at = 'offered', now",
            "setattr(payment, 'status', 'refunded')",
            "db.session.execute(update(Booking).values(status='expired'))",
            "db.session.execute(update(Booking).values({'status': 'expired'}))",
            "row = Booking(status='reserved')",
            "if booking.status == 'reserved': pass",
            "update(Payment).values(refunded_pence=1)",
        ]
    )
    assert direct_status_writes(source) == [1, 2, 3, 4, 5]


def test_no_code_assigns_a_status_except_the_state_machine_helper():
    """Every status change goes through core/states.change(): a conditional UPDATE with its audit event."""
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != HELPER
        for line in direct_status_writes(path.read_text())
    ]
    assert offenders == [], "Use marketplace.core.states.change() instead of assigning a status: " + ", ".join(
        offenders
    )


def test_every_model_with_a_status_has_a_state_machine(app):
    """A status column without a table of legal transitions is a rule with no home."""
    missing = [
        mapper.class_.__name__
        for mapper in db.Model.registry.mappers
        if "status" in mapper.columns and getattr(mapper.class_, "STATES", None) is None
    ]
    assert missing == []


def test_a_change_is_made_once_audited_and_reported(ctx):
    """The helper moves a course on, records who did it, and says it won; the same change again loses."""
    officer = factories.user(email="officer@example.com")
    course = factories.course(status=CourseStatus.DRAFT)
    db.session.commit()
    assert change(course, COURSE_STATES, CourseStatus.PUBLISHED, actor=officer) is True
    assert course.status == CourseStatus.PUBLISHED
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "course.published")).one()
    assert (event.actor_id, event.object_id, event.organisation_id) == (officer.id, course.id, course.organisation_id)
    assert change(course, COURSE_STATES, CourseStatus.PUBLISHED, actor=officer) is False
    assert db.session.scalar(select(db.func.count()).where(AuditEvent.action == "course.published")) == 1


def test_a_change_lost_to_another_transaction_reports_the_status_it_found(ctx):
    """The UPDATE's WHERE is the judge, not the object in memory: a stale copy loses and is brought up to date."""
    course = factories.course(status=CourseStatus.DRAFT)
    db.session.commit()
    db.session.execute(db.update(Course).where(Course.id == course.id).values({"status": CourseStatus.ARCHIVED}))
    # The object in memory still says draft; archived → archived is not legal, so the change must lose.
    assert change(course, COURSE_STATES, CourseStatus.ARCHIVED, actor=None) is False
    assert course.status == CourseStatus.ARCHIVED


def test_an_illegal_change_raises_and_changes_nothing(ctx):
    """published → draft is not in the table."""
    course = factories.course(status=CourseStatus.PUBLISHED)
    db.session.commit()
    with pytest.raises(IllegalTransition):
        advance(course, COURSE_STATES, CourseStatus.DRAFT, actor=None)
    db.session.expire_all()
    assert db.session.get(Course, course.id).status == CourseStatus.PUBLISHED
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == 0


def test_models_answer_what_their_table_allows(ctx):
    """Templates ask the model (course.can_publish) instead of restating the table."""
    assert factories.course(status=CourseStatus.DRAFT).can_publish
    assert not factories.course(status=CourseStatus.PUBLISHED).can_publish
    assert factories.course(status=CourseStatus.ARCHIVED).can_publish
    assert not factories.course(status=CourseStatus.ARCHIVED).can_archive
    assert not factories.course(status=CourseStatus.ARCHIVED).can_add_sessions


def test_a_machine_refuses_statuses_its_enum_does_not_have():
    """A typo in a transition table fails at import, not in production."""
    with pytest.raises(ValueError):
        StateMachine(CourseStatus, {CourseStatus.DRAFT: {"publishd"}}, "course")

"""Blank input is refused everywhere: every form's required text fields refuse whitespace with a message naming the
field, optional ones treat it as no answer, and the pages that take those forms write nothing."""

import importlib
import pkgutil

import pytest
from flask import url_for
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, SelectFieldBase, StringField

import marketplace
from marketplace.extensions import db

from . import factories

BLANK = "  \t  "


def _form_classes() -> list[type]:
    """Every FlaskForm subclass declared at module level anywhere in the app (every module imported first)."""
    for module in pkgutil.walk_packages(marketplace.__path__, "marketplace."):
        importlib.import_module(module.name)
    found, todo = set(), [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("marketplace.") and "<locals>" not in sub.__qualname__:
                found.add(sub)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _is_text(field) -> bool:
    """A typed-text field (passwords are taken exactly as typed)."""
    return isinstance(field, StringField) and not isinstance(field, PasswordField)


def _names_field(label: str, message: str) -> bool:
    """The message names the field: it contains the label's first words (at most two), '(optional)' aside."""
    words = label.removesuffix(" (optional)").lower().replace("'s", "").split()
    return " ".join(words[:2]) in message.lower().replace("'s", "")


def _blank_form(form_class):
    """The form as if every text field were posted as whitespace (choices emptied where the view would fill them)."""
    fields = form_class()
    data = MultiDict({field.name: BLANK for field in fields if _is_text(field)})
    form = form_class(formdata=data, meta={"csrf": False})
    for field in form:
        if isinstance(field, SelectFieldBase) and field.choices is None:
            field.choices = []
    return form


FORMS = _form_classes()


def test_the_walk_finds_the_forms():
    """The walk reaches every forms module (so a new form cannot slip past the test below)."""
    names = {cls.__name__ for cls in FORMS}
    assert {"RegisterForm", "EnterpriseForm", "PublisherForm", "CourseForm", "TopicForm", "CancelSessionForm"} <= names


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: cls.__name__)
def test_whitespace_is_refused_in_every_required_text_field(app, form_class):
    """Whitespace alone in a required text field is an error naming the field; in an optional one it is no answer."""
    with app.test_request_context(method="POST"):
        form = _blank_form(form_class)
        form.validate()
        problems = []
        for field in form:
            if not _is_text(field):
                continue
            label = field.label.text
            if field.flags.required:
                if not field.errors:
                    problems.append(f"{field.name}: whitespace accepted")
                elif not _names_field(label, field.errors[0]):
                    problems.append(f"{field.name}: {field.errors[0]!r} does not name {label!r}")
            elif field.data:
                problems.append(f"{field.name}: whitespace kept as {field.data!r}")
    assert problems == []


@pytest.fixture
def people(ctx):
    """An enterprise owner, a council officer with a course and a session, and an admin."""
    owner = factories.user(name="Owner")
    factories.enterprise(owner, name="Enterprise A")
    officer = factories.user(name="Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council", areas=("Leeds",))
    session = factories.training_session(factories.course(council))
    admin = factories.user(name="Admin", admin=True)
    db.session.commit()
    ids = {"org_id": council.id, "course_id": session.course_id, "session_id": session.id}
    return {"owner": owner, "officer": officer, "admin": admin}, ids


# persona, endpoint, URL arguments, what is posted (the required text fields as whitespace), the message expected
POSTS = [
    ("owner", "accounts.profile", (), {"name": BLANK}, "Enter your full name"),
    (
        "owner",
        "organisations.new_enterprise",
        (),
        {"name": BLANK, "legal_form": "sole_trader", "fte": "1", "postcode": "LS1 4AP"},
        "Enter your trading name",
    ),
    ("owner", "organisations.new_publisher", (), {"kind": "council", "name": BLANK}, "Enter the organisation name"),
    ("officer", "training.new_course", ("org_id",), {"title": BLANK, "description": BLANK}, "Enter a course title"),
    ("officer", "training.cancel_session", ("session_id",), {"reason": BLANK}, "Enter a reason for cancelling"),
    ("admin", "training.topics", (), {"name": BLANK}, "Enter the topic name"),
    ("admin", "admin.areas", (), {"name": BLANK, "gss_code": "E10000099", "nation": "England"}, "Enter the area"),
]


def _row_counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


@pytest.mark.parametrize(("persona", "endpoint", "args", "data", "message"), POSTS, ids=[p[1] for p in POSTS])
def test_whitespace_posts_write_nothing(app, people, login_as, client, persona, endpoint, args, data, message):
    """Posting whitespace shows the form again with the message, and no row anywhere is added or removed."""
    users, ids = people
    login_as(users[persona])
    with app.test_request_context():
        url = url_for(endpoint, **{arg: ids[arg] for arg in args})
    before = _row_counts()
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert _row_counts() == before
    assert users["owner"].name == "Owner"

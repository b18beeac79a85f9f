"""Admins rename and retire training topics: audited, admins only, the unique index has the last word, and a retired
topic is not offered for new courses while courses that have it keep it."""

import pytest

from marketplace.core.errors import NotAllowed
from marketplace.extensions import db
from marketplace.training import courses
from marketplace.training.models import Topic
from tests import factories
from tests.pages import soup, text

from .test_manage_courses import audit_actions


@pytest.fixture
def world(ctx, clock):
    """An admin, and a council officer whose course is on 'Oral health' (a topic of the test's own: the seeded ones
    outlive the test, so they are never renamed or retired here)."""
    admin = factories.user(name="Admin", admin=True)
    officer = factories.user(name="Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council", areas=("Leeds",))
    db.session.add(Topic(name="Oral health"))
    db.session.flush()
    course = factories.course(council, title="Mouth care", topic_name="Oral health")
    db.session.commit()
    return admin, officer, council, course


def _topic_options(response) -> list[str]:
    return [option.get_text(strip=True) for option in soup(response).select("select[name=topic_id] option")]


def test_admin_renames_a_topic(client, login_as, world):
    """The new name shows on the course; an existing name in any case is refused; whitespace is refused."""
    admin, officer, _, course = world
    topic = course.topic
    with pytest.raises(NotAllowed):
        courses.rename_topic(topic, "Oral and dental health", officer)
    login_as(admin)
    assert "Rename" in text(client.get("/training/topics"))
    blank = client.post(f"/training/topics/{topic.id}/rename", data={"name": "   "})
    assert "Enter the new name for the topic" in text(blank)
    clash = client.post(f"/training/topics/{topic.id}/rename", data={"name": "medication"})
    assert "There is already a topic called medication" in text(clash)
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).name == "Oral health"
    done = client.post(f"/training/topics/{topic.id}/rename", data={"name": "  Oral   and dental health "})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).name == "Oral and dental health"
    assert audit_actions(topic)[-1] == "topic.renamed"
    assert "Oral and dental health" in text(client.get(f"/training/courses/{course.id}"))


def test_a_retired_topic_is_not_offered_for_new_courses_but_courses_keep_it(client, login_as, world):
    """Retiring is audited and admin-only; the new-course form leaves it out; the course's own edit form keeps it."""
    admin, officer, council, course = world
    topic = course.topic
    with pytest.raises(NotAllowed):
        courses.retire_topic(topic, officer)
    login_as(admin)
    assert client.post(f"/training/topics/{topic.id}/retire").status_code == 302
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).retired_at is not None and audit_actions(topic)[-1] == "topic.retired"
    assert "Retired" in text(client.get("/training/topics"))
    client.post("/sign-out")
    login_as(officer)
    assert "Oral health" not in _topic_options(client.get(f"/training/manage/organisations/{council.id}/courses/new"))
    assert "Oral health" in _topic_options(client.get(f"/training/manage/courses/{course.id}/edit"))
    refused = client.post(
        f"/training/manage/organisations/{council.id}/courses/new", data={"title": "New", "topic_id": str(topic.id)}
    )
    assert "Select the topic" in text(refused) or "Not a valid choice" in text(refused)
    assert db.session.get(Topic, topic.id).name == "Oral health" and course.topic_id == topic.id

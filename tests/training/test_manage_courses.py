"""Publisher course pages: create, change, publish and archive; who may; topics for admins."""

import pytest
from sqlalchemy import func, select

from marketplace.core.audit import AuditEvent
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.training import courses
from marketplace.training.models import Course, CourseStatus, Topic
from tests import factories


@pytest.fixture
def council(ctx):
    """An approved Leeds council with an owner, and a second approved council with its own course."""
    officer = factories.user(name="Officer", role="publisher")
    organisation = factories.publisher(officer, name="Leeds City Council", areas=("Leeds",))
    rival = factories.user(name="Rival officer", role="publisher")
    other_course = factories.course(factories.publisher(rival, name="Other Council"), title="Their course")
    db.session.commit()
    return organisation, officer, rival, other_course


def course_form(**changes) -> dict:
    """A valid course form."""
    data = {
        "title": "Safer moving and handling",
        "topic_id": factories.topic("Moving and handling").id,
        "description": "Learn to **move people safely**.",
        "delivery": "in_person",
        "accreditation": "Skills for Care endorsed",
        "cpd_hours": "3.5",
        "certificate_validity_months": "",
        "full_price": "40",
        "subsidised_price": "12.50",
        "cancellation_cutoff_days": "7",
        "area_ids": [factories.area("Leeds").id],
        "max_fte": "",
    }
    return {**data, **changes}


def audit_actions(obj) -> list[str]:
    query = select(AuditEvent.action).where(
        AuditEvent.object_type == type(obj).__name__, AuditEvent.object_id == obj.id
    )
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def test_publisher_creates_a_draft_course(client, login_as, council):
    """The form saves a draft with prices in pence, areas, blank validity as none, and an audit event."""
    organisation, officer, _, _ = council
    login_as(officer)
    page = client.get(f"/training/manage/organisations/{organisation.id}/courses/new")
    assert 'value="7"' in page.get_data(as_text=True)  # the cut-off defaults to 7 days
    response = client.post(f"/training/manage/organisations/{organisation.id}/courses/new", data=course_form())
    course = db.session.scalar(select(Course).where(Course.title == "Safer moving and handling"))
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/training/manage/courses/{course.id}"
    )
    assert course.organisation_id == organisation.id and course.status == CourseStatus.DRAFT
    assert (course.full_price_pence, course.subsidised_price_pence) == (4000, 1250)
    assert course.certificate_validity_months is None and course.cancellation_cutoff_days == 7
    assert [a.name for a in course.eligible_areas] == ["Leeds"] and course.max_fte is None
    assert audit_actions(course) == ["course.created"]


def test_subsidised_price_above_full_price_is_refused(client, login_as, council):
    """A subsidy dearer than the full price is a form error and nothing is saved."""
    organisation, officer, _, _ = council
    login_as(officer)
    response = client.post(
        f"/training/manage/organisations/{organisation.id}/courses/new",
        data=course_form(full_price="10", subsidised_price="20"),
    )
    assert response.status_code == 200
    assert "The subsidised price must be no more than the full price" in response.get_data(as_text=True)
    assert (
        db.session.scalar(select(func.count()).select_from(Course).where(Course.organisation_id == organisation.id))
        == 0
    )


def test_money_must_be_money(client, login_as, council):
    """Prices that are not amounts are refused with a message saying what to enter."""
    organisation, officer, _, _ = council
    login_as(officer)
    response = client.post(
        f"/training/manage/organisations/{organisation.id}/courses/new", data=course_form(full_price="forty")
    )
    assert "Enter full price per place in pounds as an amount of money" in response.get_data(as_text=True)


def test_pending_publisher_cannot_create_courses(client, login_as, ctx):
    """A council waiting for approval sees why, and the form and the service both refuse."""
    officer = factories.user(role="publisher")
    pending = factories.publisher(officer, status="pending", name="Pending Council")
    db.session.commit()
    login_as(officer)
    page = client.get(f"/training/manage/organisations/{pending.id}/courses").get_data(as_text=True)
    assert "waiting for approval" in page and "Add a course" not in page
    assert client.get(f"/training/manage/organisations/{pending.id}/courses/new").status_code == 403
    assert (
        client.post(f"/training/manage/organisations/{pending.id}/courses/new", data=course_form()).status_code == 403
    )
    with pytest.raises(DomainError):
        courses.create_course(pending, officer, title="Not allowed")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0


def test_publish_archive_and_publish_again(client, login_as, council):
    """Draft → published → archived → published, each audited; an illegal step is refused and changes nothing."""
    organisation, officer, _, _ = council
    course = factories.course(organisation, status="draft")
    db.session.commit()
    login_as(officer)
    client.post(f"/training/manage/courses/{course.id}/publish")
    assert db.session.get(Course, course.id).status == CourseStatus.PUBLISHED
    response = client.post(f"/training/manage/courses/{course.id}/publish", follow_redirects=True)
    assert f"{course.title} is already published" in response.get_data(as_text=True)
    client.post(f"/training/manage/courses/{course.id}/archive")
    db.session.expire_all()
    assert db.session.get(Course, course.id).status == CourseStatus.ARCHIVED
    client.post(f"/training/manage/courses/{course.id}/publish")
    db.session.expire_all()
    assert db.session.get(Course, course.id).status == CourseStatus.PUBLISHED
    assert audit_actions(course) == ["course.published", "course.archived", "course.published"]


def test_edit_course(client, login_as, council):
    """The form shows stored values in pounds and saves changes, audited."""
    organisation, officer, _, _ = council
    course = factories.course(organisation, title="Old title", full_price_pence=4000, subsidised_price_pence=1050)
    db.session.commit()
    login_as(officer)
    page = client.get(f"/training/manage/courses/{course.id}/edit").get_data(as_text=True)
    assert 'value="40.00"' in page and 'value="10.50"' in page and 'value="Old title"' in page
    client.post(
        f"/training/manage/courses/{course.id}/edit",
        data=course_form(title="New title", certificate_validity_months="24", area_ids=[], max_fte="5"),
    )
    db.session.expire_all()
    course = db.session.get(Course, course.id)
    assert (course.title, course.certificate_validity_months, course.eligible_areas) == ("New title", 24, [])
    assert course.max_fte == 5 and audit_actions(course) == ["course.updated"]


def test_description_is_rendered_from_markdown_and_sanitised(client, login_as, council):
    """Markdown becomes HTML; scripts, javascript: links and extra h1s do not survive."""
    organisation, officer, _, _ = council
    text = "# Big\n\n**bold** <script>alert(1)</script> [bad](javascript:alert(2)) <img src=x onerror=alert(3)>"
    course = factories.course(organisation, description=text)
    db.session.commit()
    login_as(officer)
    page = client.get(f"/training/manage/courses/{course.id}").get_data(as_text=True)
    assert "<strong>bold</strong>" in page
    assert "<script>alert" not in page and "javascript:" not in page and "onerror" not in page


def test_course_list_shows_only_the_organisations_courses(client, login_as, council):
    """Your courses: this council's, not another's."""
    organisation, officer, _, _ = council
    factories.course(organisation, title="Our course")
    db.session.commit()
    login_as(officer)
    page = client.get(f"/training/manage/organisations/{organisation.id}/courses").get_data(as_text=True)
    assert "Our course" in page and "Their course" not in page


def test_another_council_gets_404_on_our_course_pages(client, login_as, council):
    """Course ids of another council are not found, for reading and for changing."""
    organisation, _, rival, _ = council
    course = factories.course(organisation, status="draft")
    db.session.commit()
    login_as(rival)
    for url in ("", "/edit", "/sessions/new"):
        assert client.get(f"/training/manage/courses/{course.id}{url}").status_code == 404
    for url in ("/publish", "/archive", "/edit", "/sessions/new"):
        assert client.post(f"/training/manage/courses/{course.id}{url}", data=course_form()).status_code == 404
    assert client.get(f"/training/manage/organisations/{organisation.id}/courses").status_code == 404
    assert client.post(f"/training/manage/organisations/{organisation.id}/courses/new").status_code == 404
    assert db.session.get(Course, course.id).status == CourseStatus.DRAFT


def test_people_who_do_not_publish_are_refused(client, login_as, council):
    """An entrepreneur cannot reach course management, even with their own enterprise's id; anonymous must sign in."""
    _, _, _, other_course = council
    owner = factories.user()
    enterprise = factories.enterprise(owner)
    db.session.commit()
    assert "/sign-in" in client.get(f"/training/manage/courses/{other_course.id}").headers["Location"]
    login_as(owner)
    assert client.get(f"/training/manage/courses/{other_course.id}").status_code == 404
    assert client.get(f"/training/manage/organisations/{enterprise.id}/courses").status_code == 404
    assert client.get(f"/training/manage/organisations/{enterprise.id}/courses/new").status_code == 404


def test_admin_adds_a_topic(client, login_as, ctx):
    """Admins add topics (audited); a repeat in another case is refused; others get 403."""
    admin = factories.user(admin=True)
    someone = factories.user()
    db.session.commit()
    login_as(someone)
    assert client.get("/training/topics").status_code == 403
    assert client.post("/training/topics", data={"name": "Oral health"}).status_code == 403
    client.post("/sign-out")
    login_as(admin)
    assert "First aid" in client.get("/training/topics").get_data(as_text=True)
    client.post("/training/topics", data={"name": "  Oral   health "})
    topic = db.session.scalar(select(Topic).where(Topic.name == "Oral health"))
    assert topic is not None and audit_actions(topic) == ["topic.created"]
    response = client.post("/training/topics", data={"name": "oral HEALTH"})
    assert "There is already a topic called oral HEALTH" in response.get_data(as_text=True)
    assert (
        db.session.scalar(select(func.count()).select_from(Topic).where(func.lower(Topic.name) == "oral health")) == 1
    )

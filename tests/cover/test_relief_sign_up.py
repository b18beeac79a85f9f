"""The relief worker sign-up says what happens next: checks, availability, then applying to a pool."""

from marketplace.extensions import db
from tests import factories
from tests.pages import check_page, main_text


def test_sign_up_page_says_what_happens_next(client, login_as):
    """Before saving, the page says the next steps: checks and availability, then a pool's manager's checks."""
    person = factories.user(role="relief_worker")
    db.session.commit()
    login_as(person)
    page = client.get("/relief/profile")
    check_page(page, "/relief/profile")
    words = main_text(page)
    assert "What happens next" in words
    assert "apply to a relief pool in your area" in words


def test_saving_the_profile_leads_to_the_checks_and_availability(client, login_as):
    """After saving, the dashboard asks for the DBS check and availability; the profile page links to both."""
    person = factories.user(role="relief_worker")
    db.session.commit()
    login_as(person)
    leeds = factories.area("Leeds").id
    client.post("/relief/profile", data={"area_id": leeds, "phone": "", "area_ids": [leeds], "skills": ["dementia"]})
    words = main_text(client.get("/dashboard"))
    assert "Add your DBS check and referees" in words
    assert "Say when you can work" in words
    profile = main_text(client.get("/relief/profile"))
    assert "Your DBS check and referees" in profile and "When you can work" in profile
    db.session.expire_all()
    assert [s.skill for s in person.relief_profile.skills] == ["dementia"]

"""The relief worker sign-up says honestly what happens next: pools and cover requests are still to come."""

from marketplace.extensions import db
from tests import factories
from tests.pages import check_page, main_text


def test_sign_up_page_says_what_happens_next(client, login_as):
    """Before saving, the page says pools are not open yet and that the person will be told when they can apply."""
    person = factories.user(role="relief_worker")
    db.session.commit()
    login_as(person)
    page = client.get("/relief/profile")
    check_page(page, "/relief/profile")
    words = main_text(page)
    assert "What happens next" in words
    assert "Relief pools and cover requests are not open yet" in words
    assert "We will tell you when you can apply to join a pool" in words


def test_saving_the_profile_says_pools_are_not_open_yet(client, login_as):
    """After saving, the confirmation says the profile is saved and that they will hear when they can apply."""
    person = factories.user(role="relief_worker")
    db.session.commit()
    login_as(person)
    client.post("/relief/profile", data={"area_id": factories.area("Leeds").id, "phone": ""})
    words = main_text(client.get("/dashboard"))
    assert "Your relief worker profile has been saved" in words
    assert "we will tell you when you can apply to join one" in words

"""In-app notifications and their emails."""

from sqlalchemy import func, select

from marketplace.core.notifications import Notification, notify, unread_count
from marketplace.extensions import db
from tests import factories


def notes(user) -> list[Notification]:
    return list(
        db.session.scalars(select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))
    )


def test_notify_emails_only_after_commit(ctx, outbox):
    """notify() stores a notification and emails the person only when the transaction commits."""
    person = factories.user(email="ann@example.com")
    db.session.commit()
    notify(person, "test", title="Your cover is confirmed", body="See you Monday.", link="https://backstop.test/x")
    assert outbox.messages() == []
    db.session.commit()
    [message] = outbox.to("ann@example.com")
    assert message["Subject"] == "Your cover is confirmed"
    assert "See you Monday." in message.get_body(preferencelist=("plain",)).get_content()
    assert [(n.kind, n.title, n.read_at) for n in notes(person)] == [("test", "Your cover is confirmed", None)]


def test_notify_rolled_back_sends_nothing(ctx, outbox):
    """A rolled-back notify() leaves no notification and no email, even after a later commit."""
    person = factories.user()
    db.session.commit()
    notify(person, "test", title="Never happened")
    db.session.rollback()
    db.session.commit()
    assert outbox.messages() == []
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_list_shows_notifications_and_unread_count(client, ctx, login_as):
    """The page lists the person's notifications (not others') and the navigation shows the unread count."""
    person, other = factories.user(), factories.user()
    factories.notification(person, title="First news")
    factories.notification(person, title="Second news")
    factories.notification(person, title="Old news", read=True)
    factories.notification(other, title="Someone else's news")
    db.session.commit()
    login_as(person)
    page = client.get("/notifications/").get_data(as_text=True)
    assert all(title in page for title in ("First news", "Second news", "Old news"))
    assert "Someone else" not in page
    assert "Notifications (2 unread)" in client.get("/dashboard").get_data(as_text=True)


def test_mark_all_read(client, ctx, login_as):
    """POST /notifications/read marks the person's notifications read, and nobody else's."""
    person, other = factories.user(), factories.user()
    factories.notification(person)
    factories.notification(person)
    factories.notification(other)
    db.session.commit()
    login_as(person)
    response = client.post("/notifications/read")
    assert response.headers["Location"] == "/notifications/"
    assert unread_count(person) == 0 and all(n.read_at for n in notes(person))
    assert unread_count(other) == 1
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Notifications (" not in page and "Notifications" in page


def test_mark_read_needs_csrf(client, ctx, login_as):
    """Without the CSRF token nothing is marked read."""
    person = factories.user()
    factories.notification(person)
    db.session.commit()
    login_as(person)
    assert client.post("/notifications/read", csrf=False).status_code == 400
    assert unread_count(person) == 1


def test_notifications_need_sign_in(client):
    """Anonymous visitors are sent to sign in."""
    assert client.get("/notifications/").headers["Location"].startswith("/sign-in")

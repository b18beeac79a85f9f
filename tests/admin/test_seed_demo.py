"""`flask seed-demo` builds the demo world and prints every login."""

from collections import Counter

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.cover.models import ReliefWorkerProfile
from marketplace.demo import DEMO_PASSWORD
from marketplace.extensions import db
from marketplace.organisations.models import Organisation
from tests.database import count


def _seed(app, *args):
    result = app.test_cli_runner().invoke(args=["seed-demo", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_seed_demo_builds_the_demo_world(app, ctx, client, login_as):
    """One admin, two approved councils and an NHS body, eight varied enterprises with owners, six relief workers."""
    output = _seed(app)
    db.session.expire_all()

    admins = db.session.scalars(select(User).where(User.is_admin.is_(True))).all()
    assert len(admins) == 1
    organisations = db.session.scalars(select(Organisation)).all()
    publishers = Counter((o.kind, o.status) for o in organisations if o.is_publisher)
    assert publishers == {("council", "approved"): 2, ("nhs", "approved"): 1}
    assert all(o.served_areas for o in organisations if o.is_publisher)
    enterprises = [o for o in organisations if o.is_enterprise]
    assert len(enterprises) == 8
    assert all(o.status == "approved" for o in enterprises)
    assert len({o.legal_form for o in enterprises}) >= 5
    assert len({o.area_id for o in enterprises}) >= 3
    assert all(o.fte <= 5 for o in enterprises)
    assert all([m.role for m in o.memberships] == ["owner"] for o in organisations)
    assert count(ReliefWorkerProfile) == 6
    assert all(u.is_verified for u in db.session.scalars(select(User)))

    assert DEMO_PASSWORD in output
    for email in db.session.scalars(select(User.email)):
        assert email in output
    admin = admins[0]
    login_as(admin, password=DEMO_PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_if_empty_does_nothing_the_second_time(app, ctx):
    """With --if-empty, a first run seeds an empty database and a second run changes nothing."""
    first = _seed(app, "--if-empty")
    assert "Demo logins" in first
    users, organisations = count(User), count(Organisation)
    assert (users, organisations) == (1 + 3 + 8 + 6, 11)

    second = _seed(app, "--if-empty")

    assert "nothing to do" in second
    assert "Demo logins" not in second
    db.session.expire_all()
    assert (count(User), count(Organisation)) == (users, organisations)

"""The throttle is exact under concurrency: 40 simultaneous wrong guesses get exactly 10 password checks."""

import pytest

from marketplace.accounts import services
from marketplace.accounts.models import SignInFailure
from marketplace.extensions import db
from tests import factories
from tests.races import POSTGRES_ONLY, lost, race

pytestmark = POSTGRES_ONLY


@pytest.fixture
def person(ctx):
    user = factories.user(email="ada@example.com")
    db.session.commit()
    return user


def test_forty_simultaneous_guesses_count_exactly_ten(app, person, clock):
    """Ten are checked (and refused as wrong); thirty are refused by the throttle; ten failures are kept."""

    email = person.email

    def guess():
        return lambda: services.authenticate(email, "definitely not it", "203.0.113.1")

    outcomes = race(app, [guess for _ in range(40)])
    messages = sorted(lost(outcome) for outcome in outcomes)
    assert messages.count(services.BAD_CREDENTIALS) == 10, outcomes
    assert messages.count(services.THROTTLED) == 30, outcomes
    db.session.expire_all()
    assert db.session.query(SignInFailure).count() == 10

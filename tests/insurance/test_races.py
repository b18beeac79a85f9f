"""Insurance races on PostgreSQL: pledges racing for a scheme's last places never pass its maximum, and activation
run twice at once charges each member exactly once."""

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.insurance import activation
from marketplace.insurance.models import Enrolment, Scheme
from marketplace.insurance.statuses import HOLDS_PLACE, SchemeStatus
from marketplace.organisations.models import Organisation
from marketplace.payments.models import Payment
from tests import factories
from tests.database import count
from tests.insurance.world import answers, open_scheme
from tests.races import POSTGRES_ONLY, race

pytestmark = POSTGRES_ONLY


@pytest.fixture
def council(ctx, clock):
    officer = factories.user(role="publisher")
    body = factories.publisher(officer)
    db.session.commit()
    return officer, body


@pytest.mark.parametrize("_", range(3))
def test_pledges_racing_for_the_last_places_never_pass_the_maximum(app, council, _):
    """Two places left, six owners pledging at once: two get them, four are told it is full."""
    scheme = open_scheme(*council, threshold=2, max_members=3)
    first = factories.user()
    activation.join(scheme, factories.enterprise(first), first, answers=answers(scheme), invoice_mandate=True)
    owners = [(person.id, factories.enterprise(person).id) for person in (factories.user() for _ in range(6))]
    db.session.commit()
    scheme_id = scheme.id

    def pledge(person_id, organisation_id):
        def load():
            row = db.session.get(Scheme, scheme_id)
            organisation = db.session.get(Organisation, organisation_id)
            person = db.session.get(type(first), person_id)
            _ = (row.questions, row.areas, organisation.memberships, person.memberships)
            return lambda: activation.join(row, organisation, person, answers=answers(row), invoice_mandate=True)

        return load

    outcomes = race(app, [pledge(*pair) for pair in owners])
    assert not [o for o in outcomes if isinstance(o, str) and o.startswith("ERROR")], outcomes
    refused = [str(o) for o in outcomes if not isinstance(o, Enrolment)]
    assert len(refused) == 4 and set(refused) == {"This scheme is full"}, outcomes
    held = select(func.count()).where(Enrolment.scheme_id == scheme_id, Enrolment.status.in_(HOLDS_PLACE))
    assert db.session.scalar(held) == 3


@pytest.mark.parametrize("_", range(3))
def test_activation_run_twice_at_once_charges_each_member_once(app, council, _):
    officer, _body = council
    scheme = open_scheme(*council, threshold=3)
    for _n in range(4):
        owner = factories.user()
        activation.join(scheme, factories.enterprise(owner), owner, answers=answers(scheme), invoice_mandate=True)
    db.session.commit()
    scheme_id = scheme.id

    def run():
        row = db.session.get(Scheme, scheme_id)
        return lambda: activation.activate(row)

    outcomes = race(app, [run, run])
    assert sorted(outcomes) == [0, 4], outcomes
    db.session.expire_all()
    assert db.session.get(Scheme, scheme_id).status == SchemeStatus.ACTIVE
    assert count(Payment) == 4

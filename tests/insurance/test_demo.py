"""The demo shows insurance in each state: a scheme that went ahead with members covered (certificates that check
as valid today, premiums paid), one open and short of its threshold, and one that did not go ahead (nobody
charged)."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.insurance import certificates, enrolments
from marketplace.insurance.models import Enrolment, Scheme
from marketplace.payments.models import Payment, PaymentPurpose, PaymentStatus
from tests.admin.test_seed_demo import _seed


def test_the_demo_has_a_scheme_in_every_state(app, ctx):
    _seed(app)
    db.session.expire_all()
    by_status = {scheme.status: scheme for scheme in db.session.scalars(select(Scheme))}
    assert set(by_status) == {"active", "open", "failed"}
    covered = db.session.scalars(select(Enrolment).where(Enrolment.scheme_id == by_status["active"].id)).all()
    assert len(covered) == 2 and all(certificates.check(e).valid for e in covered)
    assert 0 < enrolments.members(by_status["open"]) < by_status["open"].threshold
    premiums = db.session.scalars(select(Payment).where(Payment.purpose == PaymentPurpose.SCHEME_PREMIUM)).all()
    assert len(premiums) == 2 and {p.status for p in premiums} == {PaymentStatus.SUCCEEDED}
    failed = db.session.scalars(select(Enrolment).where(Enrolment.scheme_id == by_status["failed"].id)).all()
    assert failed and {e.status for e in failed} == {"cancelled"} and all(e.payment_id is None for e in failed)

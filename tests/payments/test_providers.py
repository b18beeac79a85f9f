"""The provider interface answers every mode question; statuses change through their tables; one set of words."""

import pytest
from sqlalchemy import select

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.payments import services as payments
from marketplace.payments.models import PAYMENT_STATES, PaymentStatus, Refund, RefundStatus
from marketplace.payments.providers import (
    NotSupported,
    ProviderError,
    RefundRequest,
    all_providers,
    get_provider,
    provider_of,
)
from marketplace.training import booking as bookings
from marketplace.training.booking import Person
from tests import factories
from tests.pages import text


def _actions() -> list[str]:
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_each_provider_answers_the_mode_questions(app, ctx):
    """Invoices are confirmed on order, listed, marked paid by hand and credited; card payments are none of those."""
    invoice, card = get_provider("invoice"), get_provider("stripe")
    answers = ("confirms_on_order", "issues_invoice", "marked_paid_by_hand", "credits_unpaid", "receives_webhooks")
    assert [getattr(invoice, a) for a in answers] == [True, True, True, True, False]
    assert [getattr(card, a) for a in answers] == [False, False, False, False, True]
    assert card.supports("start") and not invoice.supports("start")
    assert invoice.supports("refund") and card.supports("refund")


def test_an_operation_a_provider_does_not_offer_says_so(ctx):
    """The base class refuses what a provider does not implement, with a provider-neutral error."""
    payment = factories.payment(provider="invoice")
    with pytest.raises(NotSupported):
        provider_of(payment).start(payment, None)
    with pytest.raises(NotSupported):
        provider_of(payment).verified_event(b"{}", {})


def test_a_provider_turns_its_own_errors_into_provider_errors(app, ctx, stripe_mode):
    """Stripe refusing the key reaches the services as ProviderError, never as a Stripe type."""
    app.config["STRIPE_SECRET_KEY"] = "rk_wrong_key"
    payment = factories.payment(provider="stripe", status="succeeded")
    with pytest.raises(ProviderError):
        provider_of(payment).refund(payment, RefundRequest(100, "k-wrong-key"))


def test_invoice_reference_is_the_invoice_providers(app, ctx):
    """Only a payment through the invoice provider takes an invoice reference when it is created."""
    invoice = payments.create_payment(purpose="training_booking", amount_pence=500, description="x", key="k-invoice")
    app.config["PAYMENT_PROVIDER"] = "stripe"
    try:
        card = payments.create_payment(purpose="training_booking", amount_pence=500, description="x", key="k-card")
    finally:
        app.config["PAYMENT_PROVIDER"] = "invoice"
    assert invoice.invoice_reference == f"BSP-{invoice.created_at:%Y}-{invoice.id:06d}"
    assert card.provider == "stripe" and card.invoice_reference is None


def test_only_providers_with_webhooks_have_a_webhook_address(app):
    """/payments/<name>/webhook exists for each provider that receives webhooks, under its old endpoint name."""
    rules = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.endswith("/webhook")}
    expected = {f"/payments/{p.name}/webhook": f"payments_webhooks.{p.name}_webhook" for p in all_providers()}
    assert rules == {path: endpoint for path, endpoint in expected.items() if "stripe" in path}


def test_forms_may_lead_to_the_hosted_payment_page_only_with_card_payments(app, client, stripe_server):
    """The CSP's form-action names the configured provider's checkout page, and nothing else with invoices."""
    assert "form-action 'self';" in client.get("/").headers["Content-Security-Policy"]
    app.config.update(PAYMENT_PROVIDER="stripe", STRIPE_API_BASE=stripe_server.base_url)
    try:
        policy = client.get("/").headers["Content-Security-Policy"]
    finally:
        app.config.update(PAYMENT_PROVIDER="invoice", STRIPE_API_BASE=None)
    assert f"form-action 'self' {stripe_server.base_url.rstrip('/')};" in policy


def test_what_the_payer_is_told_about_a_refund(ctx):
    """An unpaid invoice is reduced; anything paid is refunded (in full when it is all of it)."""
    owed = factories.payment(provider="invoice", amount_pence=2000)
    paid = factories.payment(provider="stripe", status="succeeded", amount_pence=2000)
    assert payments.refund_words(owed, 2000) == (
        f"You will not have to pay: we will take £20 off invoice {owed.invoice_reference}."
    )
    assert payments.refund_words(paid, 2000) == "You will get a full refund of £20."
    assert payments.refund_words(paid, 500) == "You will get a refund of £5."


def test_a_cancelled_card_order_stops_the_checkout_and_an_invoice_is_credited(ctx, stripe_mode):
    """Unpaid: a checkout is cancelled (nothing to refund), an invoice is reduced by a credit."""
    card = factories.payment(provider="stripe")
    invoice = factories.payment(provider="invoice", amount_pence=2000)
    assert payments.settle_cancelled_order(card, 2000, "cancelled") is None
    assert card.status == PaymentStatus.CANCELLED and card.refunds == []
    credit = payments.settle_cancelled_order(invoice, 2000, "cancelled")
    assert (credit.status, invoice.status, invoice.refunded_pence) == ("succeeded", "cancelled", 2000)
    assert _actions().count("payment.cancelled") == 1 and _actions().count("payment.refunded") == 1


def test_a_failed_refund_is_settled_once_with_its_audit_names(ctx):
    """refunded → succeeded is in the table; the refund's failure and the payment's change are audited once each."""
    assert PAYMENT_STATES.allows(PaymentStatus.REFUNDED, PaymentStatus.SUCCEEDED)
    payment = factories.payment(provider="stripe", status="refunded", amount_pence=1000)
    payment.refunded_pence = 1000
    row = Refund(payment=payment, amount_pence=1000, reason="t", provider_reference="re_1", idempotency_key="k-1")
    db.session.add(row)
    db.session.flush()
    assert payments.record_refund_outcome("re_1", RefundStatus.FAILED)
    assert not payments.record_refund_outcome("re_1", RefundStatus.FAILED)
    assert (row.status, payment.status, payment.refunded_pence) == ("failed", "succeeded", 0)
    assert _actions() == ["payment.refund_failed", "payment.refund_reversed"]


def test_every_payment_status_has_words_and_pages_use_the_same(client, login_as, ctx):
    """One map: the booking page's payment row, the invoice page and the invoices list say the same words."""
    assert all(status.label for status in PaymentStatus)
    council = factories.publisher(areas=("Leeds",))
    session = factories.training_session(factories.course(council))
    owner = factories.user()
    booking = bookings.create_booking(session, owner, factories.enterprise(owner), [Person("Ann", "ann@example.com")])
    db.session.commit()
    login_as(owner)
    words = PaymentStatus.PENDING.label
    assert f"Payment {words}" in text(client.get(f"/training/bookings/{booking.id}"))
    assert f"Status {words}" in text(client.get(f"/payments/invoices/{booking.payment.id}"))
    listed = text(client.get(f"/payments/organisations/{booking.organisation_id}/invoices"))
    assert f"{booking.payment.invoice_reference}" in listed and words in listed

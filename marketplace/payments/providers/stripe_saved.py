"""Saved payment methods at Stripe: a Customer per organisation, Checkout in setup mode, off-session charges."""

from datetime import UTC, datetime

import stripe

from ..models import PaymentStatus
from .base import MethodSaved, OffSessionCharge, ProviderError
from .stripe_api import calling_stripe, client, id_of

OFF_SESSION = "off_session"  # metadata marking our off-session PaymentIntents (Checkout's have their own events)

_CHARGE_STATUS = {
    "succeeded": PaymentStatus.SUCCEEDED,
    "processing": PaymentStatus.PENDING,
    "requires_capture": PaymentStatus.PENDING,
    "requires_confirmation": PaymentStatus.PENDING,
    # Off-session, the payer is not there to authenticate or choose another card: the attempt has failed.
    "requires_action": PaymentStatus.FAILED,
    "requires_payment_method": PaymentStatus.FAILED,
    "canceled": PaymentStatus.FAILED,
}


class StripeSavedMethods:
    """The saved-method operations of the Stripe provider (mixed into StripeProvider)."""

    def create_customer(self, organisation, key: str) -> str:
        """A Customer for the organisation; a retry with the key returns the same one."""
        params = {"name": organisation.name[:250], "metadata": {"organisation_id": str(organisation.id)}}
        with calling_stripe():
            return client().v1.customers.create(params=params, options={"idempotency_key": key}).id

    def start_saving_method(self, saved, *, return_url: str, cancel_url: str, key: str) -> tuple[str, str]:
        """A Checkout Session in setup mode for the customer (the open one already started, if there is one)."""
        metadata = {"organisation_id": str(saved.organisation_id)}
        params = {
            "mode": "setup",
            "customer": saved.provider_customer_id,
            "payment_method_types": ["card"],
            "success_url": return_url,
            "cancel_url": cancel_url,
            "metadata": metadata,
            "setup_intent_data": {"metadata": metadata},
        }
        with calling_stripe():
            if saved.setup_reference:
                existing = client().v1.checkout.sessions.retrieve(saved.setup_reference)
                if existing.status == "open":
                    return existing.id, existing.url
            session = client().v1.checkout.sessions.create(params=params, options={"idempotency_key": key})
        return session.id, session.url

    def charge_off_session(self, payment, saved) -> OffSessionCharge:
        """A confirmed off-session PaymentIntent keyed by the payment's idempotency key (a retry charges once)."""
        params = {
            "amount": payment.amount_pence,
            "currency": payment.currency.lower(),
            "customer": saved.provider_customer_id,
            "payment_method": saved.payment_method_reference,
            "confirm": True,
            "off_session": True,
            "description": payment.description[:250],
            "metadata": {"payment_id": str(payment.id), "charge": OFF_SESSION},
        }
        try:
            intent = client().v1.payment_intents.create(
                params=params, options={"idempotency_key": payment.idempotency_key}
            )
        except stripe.CardError as error:  # declined, or the bank wants the payer to authenticate
            return _declined(payment, error)
        except stripe.StripeError as error:
            raise ProviderError(str(error)) from error
        return _charge_of(intent)


def _declined(payment, error: stripe.CardError) -> OffSessionCharge:
    """A refused off-session charge: Stripe's PaymentIntent (if it sent one) and why, in words for people."""
    details = error.error
    intent = getattr(details, "payment_intent", None) if details is not None else None
    reason = (details.message if details is not None else None) or str(error)
    return OffSessionCharge(id_of(intent), PaymentStatus.FAILED, payment.id, reason[:300])


def _charge_of(intent) -> OffSessionCharge:
    """Where a PaymentIntent stands, in our terms."""
    status = _CHARGE_STATUS.get(intent.status, PaymentStatus.PENDING)
    error = intent.last_payment_error
    reason = (error.message or error.code) if error is not None and status == PaymentStatus.FAILED else None
    payment_id = _metadata(intent, "payment_id")
    return OffSessionCharge(intent.id, status, int(payment_id) if payment_id else None, reason)


def _metadata(obj, key: str) -> str | None:
    """One of our metadata values on a Stripe object (None when absent)."""
    return obj.metadata.to_dict().get(key) if obj.metadata else None


def _intent_settled(data) -> list:
    """An off-session charge's outcome, read back from Stripe (whichever event, in whatever order, it came in)."""
    intent = client().v1.payment_intents.retrieve(data.id)
    if _metadata(intent, "charge") != OFF_SESSION:
        return []  # a Checkout payment's intent: its checkout.session events say what happened
    charge = _charge_of(intent)
    return [] if charge.status == PaymentStatus.PENDING else [charge]


def setup_completed(session) -> list:
    """The payment method a complete setup session saved, if Stripe says its SetupIntent succeeded."""
    if session.status != "complete" or not session.setup_intent:
        return []
    intent = client().v1.setup_intents.retrieve(id_of(session.setup_intent))
    if intent.status != "succeeded" or not intent.payment_method:
        return []
    customer = id_of(intent.customer) or id_of(session.customer)
    return [MethodSaved(customer, id_of(intent.payment_method), datetime.fromtimestamp(intent.created, UTC))]


SAVED_METHOD_READERS = {
    "payment_intent.succeeded": _intent_settled,
    "payment_intent.payment_failed": _intent_settled,
}

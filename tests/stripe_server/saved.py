"""Saved payment methods in the fake Stripe: Customers, Checkout in setup mode, SetupIntents, PaymentMethods and
PaymentIntents confirmed off-session (succeeding or declined by the saved card's behaviour)."""

import copy

from .objects import fixture, new_id
from .schema import StripeApiError

# Test cards by what they do when charged off-session (last 4 digits of Stripe's own test numbers).
CARDS = {"visa": "4242", "declined": "0341", "authentication_required": "3184"}
_DECLINES = {
    "declined": ("card_declined", "generic_decline", "Your card was declined."),
    "authentication_required": (
        "authentication_required",
        "authentication_required",
        "Your card was declined. This transaction requires authentication.",
    ),
}


class SavedMethodResources:
    """Customers, setup sessions and intents, payment methods, payment intents (mixed into FakeStripe)."""

    def create_customer(self, params: dict) -> dict:
        """POST /v1/customers."""
        customer = fixture("customer")
        customer.update(
            id=new_id("cus", 14),
            created=self._time(),
            name=params.get("name"),
            email=params.get("email"),
            description=params.get("description"),
            metadata=params.get("metadata") or {},
            balance=0,
            currency=None,
            default_source=None,
            discount=None,
            address=None,
            shipping=None,
            phone=None,
            test_clock=None,
        )
        customer["invoice_settings"] = {**customer["invoice_settings"], "default_payment_method": None}
        self._store(customer)
        return self.public(customer)

    def create_setup_checkout(self, params: dict) -> dict:
        """POST /v1/checkout/sessions with mode=setup: a session and its SetupIntent awaiting a payment method."""
        if "line_items" in params:
            raise StripeApiError(400, "You cannot pass `line_items` in `setup` mode.", param="line_items")
        customer = params.get("customer")
        if customer is not None:
            self.get_object("customer", customer, "customer")
        intent = self._setup_intent(customer, (params.get("setup_intent_data") or {}).get("metadata") or {})
        session = self._setup_session(params, customer, intent["id"])
        session["_line_items"] = []
        session["_payment_intent_data"] = {}
        self._store(session)
        return self.public(session)

    def _setup_session(self, params: dict, customer: str | None, intent_id: str) -> dict:
        session = fixture("checkout.session")
        session_id = new_id("cs_test", 58)
        created = self._time()
        session.update(
            id=session_id,
            created=created,
            expires_at=params.get("expires_at", created + 24 * 3600),
            status="open",
            payment_status="no_payment_required",
            mode="setup",
            currency=params.get("currency"),
            amount_subtotal=None,
            amount_total=None,
            success_url=params["success_url"],
            cancel_url=params.get("cancel_url"),
            client_reference_id=params.get("client_reference_id"),
            customer=customer,
            customer_email=params.get("customer_email"),
            metadata=params.get("metadata") or {},
            payment_intent=None,
            setup_intent=intent_id,
            subscription=None,
            invoice=None,
            customer_details=None,
            url=f"{self.base_url}/checkout/{session_id}",
            payment_method_types=params.get("payment_method_types", ["card"]),
            total_details=None,
            invoice_creation=None,
        )
        return session

    def _setup_intent(self, customer: str | None, metadata: dict) -> dict:
        intent = fixture("setup_intent")
        intent_id = new_id("seti")
        intent.update(
            id=intent_id,
            created=self._time(),
            customer=customer,
            metadata=metadata,
            status="requires_payment_method",
            client_secret=f"{intent_id}_secret_{new_id('s')[2:]}",
            last_setup_error=None,
            next_action=None,
            payment_method=None,
            payment_method_configuration_details=None,
            usage="off_session",
        )
        return self._store(intent)

    def complete_setup_checkout(self, session_id: str, card: str = "visa") -> dict:
        """Test control (and the hosted page's Save button): the payer saved a card (see CARDS) in the session."""
        with self.lock:
            session = self.get_object("checkout.session", session_id, "session")
            if session["mode"] != "setup" or session["status"] != "open":
                raise StripeApiError(400, f"This Checkout Session is {session['status']}, not an open setup session.")
            intent = self.objects[session["setup_intent"]]
            method = self._payment_method(card, session["customer"])
            intent.update(status="succeeded", payment_method=method["id"])
            details = fixture("checkout.session")["customer_details"]
            details.update(email=session["customer_email"] or "customer@example.com", name="Test Customer")
            session.update(status="complete", url=None, customer_details=details)
            return self.public(session)

    def _payment_method(self, card: str, customer: str | None) -> dict:
        if card not in CARDS:
            raise ValueError(f"Unknown test card {card!r}; use one of {', '.join(CARDS)}")
        method = fixture("payment_method")
        method.update(id=new_id("pm"), created=self._time(), customer=customer, metadata={}, type="card")
        method["card"] = {**method["card"], "brand": "visa", "last4": CARDS[card], "country": "GB"}
        method["_card"] = card
        return self._store(method)

    def create_payment_intent(self, params: dict) -> dict:
        """POST /v1/payment_intents: confirmed at once with confirm=true (off-session if asked), as the card does."""
        if params.get("off_session") and not params.get("confirm"):
            raise StripeApiError(400, "off_session can only be used when confirm=true.", param="off_session")
        if params["amount"] < 30:
            raise StripeApiError(400, "Amount must be at least £0.30 gbp", code="amount_too_small", param="amount")
        intent = self._new_intent(params)
        self._store(intent)
        if params.get("confirm"):
            self._confirm(intent, params)
        return self.public(intent)

    def _new_intent(self, params: dict) -> dict:
        intent = fixture("payment_intent")
        intent_id = new_id("pi")
        intent.update(
            id=intent_id,
            amount=params["amount"],
            amount_received=0,
            currency=params["currency"].lower(),
            created=self._time(),
            status="requires_payment_method",
            latest_charge=None,
            client_secret=f"{intent_id}_secret_{new_id('s')[2:]}",
            metadata=params.get("metadata") or {},
            description=params.get("description"),
            customer=params.get("customer"),
            payment_method=params.get("payment_method"),
            canceled_at=None,
            last_payment_error=None,
            next_action=None,
            processing=None,
            shipping=None,
            payment_method_configuration_details=None,
            managed_payments=None,
            capture_method="automatic",
            receipt_email=None,
            application_fee_amount=None,
            on_behalf_of=None,
            transfer_data=None,
            transfer_group=params.get("transfer_group"),
            setup_future_usage=None,
        )
        return intent

    def _confirm(self, intent: dict, params: dict) -> None:
        method_id = params.get("payment_method")
        if method_id is None:
            raise StripeApiError(
                400,
                "You cannot confirm this PaymentIntent because it's missing a payment method.",
                code="payment_intent_unexpected_state",
            )
        method = self.get_object("payment_method", method_id, "payment_method")
        if method["customer"] != params.get("customer"):
            raise StripeApiError(
                400, f"The provided PaymentMethod {method_id} does not belong to the Customer.", param="payment_method"
            )
        if method["_card"] in _DECLINES:
            self._decline(intent, method)
        self.succeed_payment_intent(intent["id"])

    def _decline(self, intent: dict, method: dict) -> None:
        code, decline_code, message = _DECLINES[method["_card"]]
        charge = self._charge(intent, status="failed")
        error = {
            "type": "card_error",
            "code": code,
            "decline_code": decline_code,
            "message": message,
            "charge": charge["id"],
            "payment_method": self.public(method),
        }
        intent.update(status="requires_payment_method", latest_charge=charge["id"], last_payment_error=error)
        extra = {"decline_code": decline_code, "charge": charge["id"], "payment_intent": self.public(intent)}
        raise StripeApiError(402, message, type="card_error", code=code, extra=extra)

    def succeed_payment_intent(self, intent_id: str) -> dict:
        """Test control (and a confirm that works): the PaymentIntent succeeds with a paid charge."""
        with self.lock:
            intent = self.get_object("payment_intent", intent_id, "intent")
            charge = self._charge(intent, status="succeeded")
            intent.update(
                status="succeeded",
                amount_received=intent["amount"],
                latest_charge=charge["id"],
                last_payment_error=None,
            )
            return self.public(intent)

    def _charge(self, intent: dict, *, status: str) -> dict:
        charge = fixture("charge")
        charge_id = new_id("ch")
        paid = status == "succeeded"
        charge.update(
            id=charge_id,
            amount=intent["amount"],
            amount_captured=intent["amount"] if paid else 0,
            amount_refunded=0,
            captured=paid,
            paid=paid,
            refunded=False,
            status=status,
            currency=intent["currency"],
            created=self._time(),
            payment_intent=intent["id"],
            payment_method=intent["payment_method"],
            customer=intent["customer"],
            balance_transaction=new_id("txn") if paid else None,
            metadata=copy.deepcopy(intent["metadata"]),
            description=intent["description"],
            source=None,
            receipt_url=f"{self.base_url}/receipts/{charge_id}",
            transfer_data=None,
            transfer_group=None,
            on_behalf_of=None,
            application_fee_amount=None,
            receipt_email=None,
            refunds={
                "object": "list",
                "data": [],
                "has_more": False,
                "total_count": 0,
                "url": f"/v1/charges/{charge_id}/refunds",
            },
        )
        return self._store(charge)

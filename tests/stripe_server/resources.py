"""In-memory Stripe objects (shaped from Stripe's fixtures) and the operations on them."""

import copy
import hashlib
import hmac
import threading
import time

import stripe

from .connect import ConnectResources
from .objects import FIXTURES_FILE, fixture, new_id
from .saved import SavedMethodResources
from .schema import StripeApiError

__all__ = ["FIXTURES_FILE", "FakeStripe", "fixture", "new_id"]


class FakeStripe(ConnectResources, SavedMethodResources):
    """The state of the fake Stripe account, and the API operations and test controls that change it."""

    base_url = ""

    def __init__(self, now=time.time):
        self.lock = threading.RLock()
        self.default_now = now
        self.reset()

    def reset(self) -> None:
        """Forget every object, idempotency key and logged request."""
        with self.lock:
            self.objects: dict[str, dict] = {}
            self.idempotency: dict[str, tuple] = {}
            self.requests: list = []
            self.now = self.default_now

    def _time(self) -> int:
        return int(self.now())

    def _store(self, obj: dict) -> dict:
        self.objects[obj["id"]] = obj
        return obj

    def get_object(self, kind: str, object_id: str, param: str | None = None) -> dict:
        """The stored object (not a copy) of this kind, or Stripe's 404 `resource_missing`."""
        obj = self.objects.get(object_id)
        if obj is None or obj.get("object") != kind:
            raise StripeApiError(404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param)
        return obj

    def expand(self, obj: dict, paths: list[str]) -> dict:
        """A copy of `obj` with the `expand[]` paths (dotted, e.g. `payment_intent.latest_charge`) expanded."""
        obj = self.public(obj)
        for path in paths:
            node = obj
            for part in path.split("."):
                if not isinstance(node, dict) or part not in node:
                    raise StripeApiError(400, f"This property cannot be expanded ({path}).")
                value = node[part]
                if isinstance(value, str):
                    if value not in self.objects:
                        raise StripeApiError(400, f"This property cannot be expanded ({path}).")
                    value = node[part] = self.public(self.objects[value])
                node = value
        return obj

    # Checkout Sessions

    def create_checkout_session(self, params: dict) -> dict:
        """POST /v1/checkout/sessions (payment mode with `price_data` line items, or setup mode)."""
        if params.get("mode") == "setup":
            return self.create_setup_checkout(params)
        if params.get("mode") != "payment":
            if "mode" not in params:
                raise StripeApiError(400, "Missing required param: mode.", code="parameter_missing", param="mode")
            raise StripeApiError(
                400, "The Backstop Stripe test server supports only mode=payment and mode=setup.", param="mode"
            )
        currency, amount = self._line_items_total(params.get("line_items"))
        created = self._time()
        expires_at = params.get("expires_at", created + 24 * 3600)
        if not created + 30 * 60 <= expires_at <= created + 24 * 3600:
            raise StripeApiError(
                400,
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.",
                param="expires_at",
            )
        session = fixture("checkout.session")
        session_id = new_id("cs_test", 58)
        metadata = params.get("metadata") or {}
        session.update(
            id=session_id,
            created=created,
            expires_at=expires_at,
            status="open",
            payment_status="unpaid",
            mode="payment",
            currency=currency,
            amount_subtotal=amount,
            amount_total=amount,
            success_url=params["success_url"],
            cancel_url=params.get("cancel_url"),
            client_reference_id=params.get("client_reference_id"),
            customer_email=params.get("customer_email"),
            metadata=metadata if isinstance(metadata, dict) else {},
            payment_intent=None,
            customer_details=None,
            url=f"{self.base_url}/checkout/{session_id}",
            after_expiration=None,
            shipping_cost=None,
            shipping_address_collection=None,
            currency_conversion=None,
            collected_information=None,
            payment_method_configuration_details=None,
            adaptive_pricing=None,
            managed_payments=None,
            custom_text={key: None for key in session["custom_text"]},
            total_details={"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            invoice_creation={"enabled": False, "invoice_data": session["invoice_creation"]["invoice_data"]},
            locale=params.get("locale"),
            payment_method_types=params.get("payment_method_types", ["card"]),
        )
        session["_line_items"] = params["line_items"]
        session["_payment_intent_data"] = params.get("payment_intent_data") or {}
        self._store(session)
        return self.public(session)

    @staticmethod
    def _line_items_total(line_items) -> tuple[str, int]:
        if not line_items:
            raise StripeApiError(
                400, "Missing required param: line_items.", code="parameter_missing", param="line_items"
            )
        currencies, total = set(), 0
        for i, item in enumerate(line_items):
            prefix = f"line_items[{i}]"
            if "price_data" not in item:
                raise StripeApiError(400, "The Backstop Stripe test server needs price_data.", param=f"{prefix}[price]")
            if "quantity" not in item:
                message = f"Quantity is required. Add `quantity` to `{prefix}`"
                raise StripeApiError(400, message, code="parameter_missing", param=f"{prefix}[quantity]")
            price = item["price_data"]
            for needed, other in (("unit_amount", None), ("product_data", "product")):
                if needed not in price and other not in price:
                    name = f"{prefix}[price_data][{needed}]"
                    raise StripeApiError(400, f"Missing required param: {name}.", code="parameter_missing", param=name)
            currencies.add(price["currency"].lower())
            total += price["unit_amount"] * item["quantity"]
        if len(currencies) > 1:
            raise StripeApiError(400, "All line items must use the same currency.", param="line_items")
        return currencies.pop(), total

    def expire_checkout(self, session_id: str) -> dict:
        """Expire an open Checkout Session (as POST .../expire does, or as Stripe does at `expires_at`)."""
        with self.lock:
            session = self.get_object("checkout.session", session_id, "session")
            if session["status"] != "open":
                raise StripeApiError(
                    400,
                    f'Only Checkout Sessions with a status in ["open"] can be expired. '
                    f'This Checkout Session has a status of "{session["status"]}".',
                )
            session.update(status="expired", url=None)
            return self.public(session)

    def complete_checkout(self, session_id: str) -> dict:
        """Pay an open Checkout Session: a succeeded PaymentIntent and Charge; the session becomes complete/paid."""
        with self.lock:
            session = self.get_object("checkout.session", session_id, "session")
            if session["status"] != "open":
                raise StripeApiError(400, f"This Checkout Session is {session['status']}, not open.")
            data = session["_payment_intent_data"]
            intent_id, charge_id = new_id("pi"), new_id("ch")
            amount, currency, created = session["amount_total"], session["currency"], self._time()
            email = session["customer_email"] or "customer@example.com"
            transfer_data = data.get("transfer_data")
            intent = fixture("payment_intent")
            intent.update(
                id=intent_id,
                amount=amount,
                amount_received=amount,
                currency=currency,
                created=created,
                status="succeeded",
                latest_charge=charge_id,
                client_secret=f"{intent_id}_secret_{new_id('s')[2:]}",
                metadata=data.get("metadata") or {},
                description=data.get("description"),
                canceled_at=None,
                last_payment_error=None,
                next_action=None,
                processing=None,
                shipping=None,
                payment_method=new_id("pm"),
                payment_method_configuration_details=None,
                managed_payments=None,
                capture_method=data.get("capture_method", "automatic"),
                receipt_email=data.get("receipt_email"),
                application_fee_amount=data.get("application_fee_amount"),
                on_behalf_of=data.get("on_behalf_of"),
                transfer_data=transfer_data,
                transfer_group=data.get("transfer_group"),
            )
            charge = fixture("charge")
            charge.update(
                id=charge_id,
                amount=amount,
                amount_captured=amount,
                amount_refunded=0,
                captured=True,
                paid=True,
                refunded=False,
                status="succeeded",
                currency=currency,
                created=created,
                payment_intent=intent_id,
                payment_method=intent["payment_method"],
                balance_transaction=new_id("txn"),
                metadata=copy.deepcopy(intent["metadata"]),
                description=intent["description"],
                source=None,
                receipt_url=f"{self.base_url}/receipts/{charge_id}",
                transfer_data=transfer_data,
                transfer_group=intent["transfer_group"],
                on_behalf_of=intent["on_behalf_of"],
                application_fee_amount=intent["application_fee_amount"],
                receipt_email=intent["receipt_email"],
                refunds={
                    "object": "list",
                    "data": [],
                    "has_more": False,
                    "total_count": 0,
                    "url": f"/v1/charges/{charge_id}/refunds",
                },
            )
            charge["billing_details"]["email"] = email
            self._store(intent)
            self._store(charge)
            details = fixture("checkout.session")["customer_details"]
            details.update(email=email, name="Test Customer")
            session.update(
                status="complete", payment_status="paid", payment_intent=intent_id, url=None, customer_details=details
            )
            return self.public(session)

    # Refunds

    def create_refund(self, params: dict) -> dict:
        """POST /v1/refunds: refund all that remains of a charge, or `amount` of it."""
        charge = self._refundable_charge(params)
        remaining = charge["amount"] - charge["amount_refunded"]
        amount = params.get("amount", remaining)
        if amount <= 0:
            raise StripeApiError(400, "Invalid positive integer", code="parameter_invalid_integer", param="amount")
        if remaining <= 0:
            raise StripeApiError(
                400, f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded"
            )
        if amount > remaining:
            message = f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})"
            raise StripeApiError(400, message, code="amount_too_large", param="amount")
        refund = fixture("refund")
        refund.update(
            id=new_id("re"),
            amount=amount,
            charge=charge["id"],
            payment_intent=charge["payment_intent"],
            currency=charge["currency"],
            created=self._time(),
            reason=params.get("reason"),
            metadata=params.get("metadata") or {},
            status="succeeded",
            balance_transaction=new_id("txn"),
            payment_method=charge["payment_method"],
        )
        self._store(refund)
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        refunds = charge["refunds"]
        refunds["data"].insert(0, copy.deepcopy(refund))
        refunds["total_count"] = len(refunds["data"])
        return self.public(refund)

    def _refundable_charge(self, params: dict) -> dict:
        if "charge" in params:
            return self.get_object("charge", params["charge"], "charge")
        if "payment_intent" not in params:
            raise StripeApiError(
                400,
                "One of the following params should be provided for this request: payment_intent or charge.",
                code="parameter_missing",
            )
        intent = self.get_object("payment_intent", params["payment_intent"], "payment_intent")
        if intent["status"] != "succeeded" or not intent["latest_charge"]:
            raise StripeApiError(
                400,
                f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.",
                code="charge_not_refundable",
                param="payment_intent",
            )
        return self.objects[intent["latest_charge"]]

    # Events and webhooks

    def event(
        self, type: str, data_object: dict, previous_attributes: dict | None = None, *, account: str | None = None
    ) -> dict:
        """Build (and store, for GET /v1/events/{id}) an `event` wrapping a copy of `data_object`; `account` is the
        connected account a Connect event is about."""
        with self.lock:
            evt = fixture("event")
            evt.update(
                id=new_id("evt"),
                type=type,
                created=self._time(),
                livemode=False,
                pending_webhooks=1,
                api_version=getattr(stripe, "api_version", None),
                data={"object": copy.deepcopy(data_object)},
                request={"id": None, "idempotency_key": None},
            )
            if previous_attributes is not None:
                evt["data"]["previous_attributes"] = copy.deepcopy(previous_attributes)
            if account is not None:
                evt["account"] = account
            self._store(evt)
            return self.public(evt)

    @staticmethod
    def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
        """A `Stripe-Signature` header value for `payload` signed with the endpoint `secret`."""
        signature = getattr(stripe, "WebhookSignature", None)
        if signature is not None and hasattr(signature, "generate_signature_header"):
            return signature.generate_signature_header(payload, secret, timestamp=timestamp)
        timestamp = int(time.time()) if timestamp is None else timestamp
        digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
        return f"t={timestamp},v1={digest}"

    @staticmethod
    def public(obj: dict) -> dict:
        """A copy of a stored object without the fake's private (`_`-prefixed) fields."""
        return {key: copy.deepcopy(value) for key, value in obj.items() if not key.startswith("_")}

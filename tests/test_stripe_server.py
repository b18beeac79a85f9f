"""The Stripe test server answers the real `stripe` library like Stripe does."""

import http.client
import json
import time
from urllib.parse import urlsplit

import pytest
import stripe

from marketplace.core.clock import clock as app_clock
from tests.stripe_server import StripeApiError, StripeTestServer, decode_form, schema

SUCCESS_URL = "https://backstop.example/bookings/7/paid?session_id={CHECKOUT_SESSION_ID}"


def session_params(**overrides) -> dict:
    """Checkout Session parameters like the app's (one booking, £12.50 x 2)."""
    params = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 2,
                "price_data": {"currency": "gbp", "unit_amount": 1250, "product_data": {"name": "Pottery class"}},
            }
        ],
        "success_url": SUCCESS_URL,
        "cancel_url": "https://backstop.example/bookings/7",
        "client_reference_id": "booking-7",
        "customer_email": "pat@example.com",
        "metadata": {"booking_id": "7"},
        "payment_intent_data": {"metadata": {"booking_id": "7"}},
        "expires_at": int(app_clock.now().timestamp()) + 3600,  # the server tells the time by the app clock
    }
    params.update(overrides)
    return params


def raw(server, method: str, path: str, body: str = "", headers: dict | None = None):
    """One plain HTTP request (no redirects followed): (status, headers, body text)."""
    connection = http.client.HTTPConnection(urlsplit(server.base_url).netloc, timeout=5)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def test_decode_form_builds_nested_dicts_and_lists():
    pairs = [
        ("line_items[0][price_data][unit_amount]", "500"),
        ("line_items[0][quantity]", "1"),
        ("metadata[booking_id]", "7"),
        ("expand[]", "payment_intent"),
        ("expand[]", "payment_intent.latest_charge"),
        ("metadata[3]", "x"),
    ]
    assert decode_form(pairs) == {
        "line_items": [{"price_data": {"unit_amount": "500"}, "quantity": "1"}],
        "metadata": {"booking_id": "7", "3": "x"},
        "expand": ["payment_intent", "payment_intent.latest_charge"],
    }


def test_create_and_retrieve_checkout_session(stripe_server, stripe_client):
    created = stripe_client.v1.checkout.sessions.create(params=session_params())

    assert created.id.startswith("cs_test_")
    assert created.object == "checkout.session"
    assert (created.status, created.payment_status, created.mode) == ("open", "unpaid", "payment")
    assert (created.amount_total, created.currency) == (2500, "gbp")
    assert created.url == f"{stripe_server.base_url}/checkout/{created.id}"
    assert created.payment_intent is None
    fetched = stripe_client.v1.checkout.sessions.retrieve(created.id)
    assert fetched.id == created.id
    assert fetched.metadata["booking_id"] == "7"
    assert fetched.client_reference_id == "booking-7"
    assert not any(key.startswith("_") for key in fetched.to_dict())
    recorded = stripe_server.requests[0]
    assert (recorded.method, recorded.path) == ("POST", "/v1/checkout/sessions")
    assert recorded.params["line_items"][0]["price_data"]["unit_amount"] == "1250"


def test_unknown_nested_parameter_is_rejected(stripe_client):
    params = session_params()
    params["line_items"][0]["price_data"]["unit_amont"] = params["line_items"][0]["price_data"].pop("unit_amount")

    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.checkout.sessions.create(params=params)

    assert caught.value.http_status == 400
    assert caught.value.code == "parameter_unknown"
    assert caught.value.param == "line_items[0][price_data][unit_amont]"
    assert "Received unknown parameter: line_items[0][price_data][unit_amont]" in caught.value.user_message


def test_unknown_top_level_and_query_parameters_are_rejected(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.checkout.sessions.create(params=session_params(sucess_url="https://x.example"))
    assert (caught.value.code, caught.value.param) == ("parameter_unknown", "sucess_url")

    created = stripe_client.v1.checkout.sessions.create(params=session_params())
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.checkout.sessions.retrieve(created.id, params={"limit": 3})
    assert caught.value.param == "limit"


@pytest.mark.parametrize(
    ("change", "param"),
    [
        (lambda p: p.pop("success_url"), "success_url"),
        (lambda p: p["line_items"][0]["price_data"].pop("currency"), "line_items[0][price_data][currency]"),
        (
            lambda p: p["line_items"][0]["price_data"].update(product_data={"description": "Clay"}),
            "line_items[0][price_data][product_data][name]",
        ),
        (lambda p: p["line_items"][0]["price_data"].pop("product_data"), "line_items[0][price_data][product_data]"),
        (lambda p: p.pop("mode"), "mode"),
    ],
)
def test_missing_required_parameter_is_rejected(stripe_client, change, param):
    params = session_params()
    change(params)

    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.checkout.sessions.create(params=params)

    assert (caught.value.code, caught.value.param) == ("parameter_missing", param)


def test_wrong_types_and_enums_are_rejected(stripe_client):
    params = session_params()
    params["line_items"][0]["quantity"] = "two"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.checkout.sessions.create(params=params)
    assert (caught.value.code, caught.value.param) == ("parameter_invalid_integer", "line_items[0][quantity]")

    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.checkout.sessions.create(params=session_params(mode="donation"))
    assert caught.value.param == "mode"


def test_allow_list_admits_a_newer_parameter(stripe_client, monkeypatch):
    extra = {("post", "/v1/checkout/sessions"): {"payment_intent_data[new_field]": {"type": "string"}}}
    monkeypatch.setattr(schema, "ALLOW_LIST", extra)
    params = session_params(payment_intent_data={"metadata": {"booking_id": "7"}, "new_field": "yes"})

    assert stripe_client.v1.checkout.sessions.create(params=params).status == "open"


def test_idempotent_replay_returns_the_stored_response(stripe_server, stripe_client):
    options, params = {"idempotency_key": "booking-7-attempt-1"}, session_params()  # the very same request twice
    first = stripe_client.v1.checkout.sessions.create(params=params, options=options)
    second = stripe_client.v1.checkout.sessions.create(params=params, options=options)

    assert second.id == first.id
    assert second.last_response.headers.get("Idempotent-Replayed") == "true"
    assert first.last_response.headers.get("Idempotent-Replayed") is None
    assert [r.idempotency_key for r in stripe_server.requests] == ["booking-7-attempt-1"] * 2
    assert len([o for o in stripe_server.objects.values() if o["object"] == "checkout.session"]) == 1


def test_same_idempotency_key_with_other_params_fails(stripe_client):
    options, params = {"idempotency_key": "booking-7-attempt-1"}, session_params()
    stripe_client.v1.checkout.sessions.create(params=params, options=options)

    with pytest.raises(stripe.IdempotencyError):
        stripe_client.v1.checkout.sessions.create(params={**params, "client_reference_id": "8"}, options=options)


@pytest.mark.parametrize("key", ["sk_live_abcdefghijklmnop", "pk_test_abcdefghijklmnop", "nonsense"])
def test_bad_api_key_is_refused(stripe_server, key):
    base = stripe_server.base_url
    client = stripe.StripeClient(key, base_addresses={"api": base, "connect": base}, max_network_retries=0)

    with pytest.raises(stripe.AuthenticationError) as caught:
        client.v1.checkout.sessions.create(params=session_params())

    assert caught.value.http_status == 401
    assert caught.value.json_body["error"]["type"] == "invalid_request_error"
    assert caught.value.json_body["error"]["message"].startswith("Invalid API Key provided: ")


def test_missing_api_key_and_unknown_path_use_stripes_error_shape(stripe_server):
    status, _, body = raw(stripe_server, "GET", "/v1/checkout/sessions/cs_test_x")
    assert status == 401
    assert json.loads(body)["error"]["type"] == "invalid_request_error"

    status, _, body = raw(stripe_server, "GET", "/v1/nothing/here", headers={"Authorization": "Bearer sk_test_x"})
    assert status == 404
    assert json.loads(body)["error"]["message"].startswith("Unrecognized request URL (GET: /v1/nothing/here)")


def test_unknown_object_is_resource_missing(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.payment_intents.retrieve("pi_missing")

    assert (caught.value.http_status, caught.value.code) == (404, "resource_missing")


def test_complete_then_refund_in_parts(stripe_server, stripe_client):
    created = stripe_client.v1.checkout.sessions.create(params=session_params())

    completed = stripe_server.complete_checkout(created.id)

    assert (completed["status"], completed["payment_status"]) == ("complete", "paid")
    session = stripe_client.v1.checkout.sessions.retrieve(created.id, params={"expand": ["payment_intent"]})
    intent = session.payment_intent
    assert intent.id == completed["payment_intent"]
    assert (intent.status, intent.amount, intent.metadata["booking_id"]) == ("succeeded", 2500, "7")
    charge = stripe_client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.paid, charge.amount_refunded, charge.payment_intent) == (True, 0, intent.id)

    part = stripe_client.v1.refunds.create(
        params={
            "payment_intent": intent.id,
            "amount": 1000,
            "reason": "requested_by_customer",
            "metadata": {"booking_id": "7"},
        },
    )
    rest = stripe_client.v1.refunds.create(params={"charge": charge.id})

    assert (part.status, part.amount, part.charge) == ("succeeded", 1000, charge.id)
    assert rest.amount == 1500
    assert stripe_client.v1.refunds.retrieve(part.id).metadata["booking_id"] == "7"
    charge = stripe_client.v1.charges.retrieve(charge.id)
    assert (charge.amount_refunded, charge.refunded) == (2500, True)


def test_over_refund_fails(stripe_server, stripe_client):
    session = stripe_server.complete_checkout(stripe_client.v1.checkout.sessions.create(params=session_params()).id)
    intent = session["payment_intent"]

    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.refunds.create(params={"payment_intent": intent, "amount": 2501})
    assert (caught.value.code, caught.value.param) == ("amount_too_large", "amount")

    stripe_client.v1.refunds.create(params={"payment_intent": intent})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.refunds.create(params={"payment_intent": intent, "amount": 1})
    assert caught.value.code == "charge_already_refunded"


def test_refund_of_an_unpaid_intent_or_without_target_fails(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.refunds.create(params={"amount": 100})
    assert caught.value.code == "parameter_missing"

    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.refunds.create(params={"payment_intent": "pi_missing"})
    assert (caught.value.code, caught.value.param) == ("resource_missing", "payment_intent")


def test_expire_an_open_session_only(stripe_server, stripe_client):
    created = stripe_client.v1.checkout.sessions.create(params=session_params())

    expired = stripe_client.v1.checkout.sessions.expire(created.id)

    assert (expired.status, expired.url) == ("expired", None)
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.checkout.sessions.expire(created.id)
    with pytest.raises(StripeApiError, match="expired"):
        stripe_server.complete_checkout(created.id)
    other = stripe_client.v1.checkout.sessions.create(params=session_params())
    stripe_server.expire_checkout(other.id)
    assert stripe_client.v1.checkout.sessions.retrieve(other.id).status == "expired"


def test_hosted_checkout_page_pays_and_redirects(stripe_server, stripe_client):
    created = stripe_client.v1.checkout.sessions.create(params=session_params())
    path = urlsplit(created.url).path

    status, _, page = raw(stripe_server, "GET", path)
    assert status == 200
    assert "25.00 GBP" in page and "Pottery class" in page and "https://backstop.example/bookings/7" in page

    status, headers, _ = raw(stripe_server, "POST", f"{path}/pay")
    assert status == 303
    assert headers["Location"] == f"https://backstop.example/bookings/7/paid?session_id={created.id}"
    assert stripe_client.v1.checkout.sessions.retrieve(created.id).payment_status == "paid"
    assert raw(stripe_server, "POST", f"{path}/pay")[0] == 410


def test_event_is_shaped_like_stripes_and_retrievable(stripe_server, stripe_client):
    session = stripe_server.complete_checkout(stripe_client.v1.checkout.sessions.create(params=session_params()).id)

    event = stripe_server.event("checkout.session.completed", session)

    assert event["id"].startswith("evt_") and event["object"] == "event"
    assert (event["type"], event["data"]["object"]["id"]) == ("checkout.session.completed", session["id"])
    assert event["api_version"] == stripe.api_version
    assert stripe_client.v1.events.retrieve(event["id"]).type == "checkout.session.completed"


def test_signed_webhook_verifies_and_stale_one_fails(stripe_server):
    event = stripe_server.event("checkout.session.expired", {"id": "cs_test_1", "object": "checkout.session"})
    payload = json.dumps(event)
    secret = "whsec_test_backstop"

    verified = stripe.Webhook.construct_event(payload, stripe_server.sign(payload, secret), secret, tolerance=300)

    assert (verified.id, verified.type) == (event["id"], "checkout.session.expired")
    stale = stripe_server.sign(payload, secret, timestamp=int(time.time()) - 301)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, stale, secret, tolerance=300)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, stripe_server.sign(payload, "whsec_other"), secret, tolerance=300)


def test_context_manager_starts_and_stops_a_private_server():
    with StripeTestServer() as server:
        assert raw(server, "GET", "/v1/balance", headers={"Authorization": "Bearer sk_test_x"})[0] == 404
    assert server.httpd is None


# Saved payment methods: Customers, Checkout in setup mode, SetupIntents, off-session PaymentIntents


def saved_card(server, client, card: str = "visa"):
    """A Customer with a card saved through a setup-mode Checkout Session: (customer, payment method id)."""
    customer = client.v1.customers.create(params={"name": "Ann's Care", "metadata": {"organisation_id": "3"}})
    session = client.v1.checkout.sessions.create(
        params={
            "mode": "setup",
            "customer": customer.id,
            "payment_method_types": ["card"],
            "success_url": "https://backstop.example/saved",
            "cancel_url": "https://backstop.example/cancelled",
            "setup_intent_data": {"metadata": {"organisation_id": "3"}},
        }
    )
    server.complete_setup_checkout(session.id, card=card)
    intent = client.v1.setup_intents.retrieve(session.setup_intent)
    return customer, intent.payment_method


def intent_params(customer, method, **overrides) -> dict:
    """An off-session PaymentIntent's parameters like the app's (a £42.50 cover charge)."""
    params = {
        "amount": 4250,
        "currency": "gbp",
        "customer": customer.id,
        "payment_method": method,
        "confirm": True,
        "off_session": True,
        "metadata": {"payment_id": "12", "charge": "off_session"},
    }
    params.update(overrides)
    return params


def test_setup_checkout_saves_a_card_for_the_customer(stripe_server, stripe_client):
    customer = stripe_client.v1.customers.create(params={"name": "Ann's Care"})
    assert customer.id.startswith("cus_") and stripe_client.v1.customers.retrieve(customer.id).name == "Ann's Care"
    session = stripe_client.v1.checkout.sessions.create(
        params={"mode": "setup", "customer": customer.id, "success_url": SUCCESS_URL, "cancel_url": SUCCESS_URL}
    )
    assert (session.mode, session.status, session.customer, session.payment_intent) == (
        "setup",
        "open",
        customer.id,
        None,
    )
    assert stripe_client.v1.setup_intents.retrieve(session.setup_intent).status == "requires_payment_method"
    stripe_server.complete_setup_checkout(session.id)
    assert stripe_client.v1.checkout.sessions.retrieve(session.id).status == "complete"
    intent = stripe_client.v1.setup_intents.retrieve(session.setup_intent)
    assert (intent.status, intent.customer, intent.usage) == ("succeeded", customer.id, "off_session")
    method = stripe_client.v1.payment_methods.retrieve(intent.payment_method)
    assert (method.customer, method.card.last4) == (customer.id, "4242")


def test_setup_mode_refuses_line_items_and_an_unknown_customer(stripe_client):
    items = session_params()["line_items"]
    for params, message in (
        ({"line_items": items}, "line_items"),
        ({"customer": "cus_missing"}, "No such customer"),
    ):
        with pytest.raises(stripe.InvalidRequestError, match=message):
            stripe_client.v1.checkout.sessions.create(
                params={"mode": "setup", "success_url": SUCCESS_URL, "cancel_url": SUCCESS_URL, **params}
            )


def test_hosted_setup_page_saves_a_card_and_redirects(stripe_server, stripe_client):
    session = stripe_client.v1.checkout.sessions.create(
        params={"mode": "setup", "success_url": SUCCESS_URL, "cancel_url": SUCCESS_URL}
    )
    status, _, page = raw(stripe_server, "GET", f"/checkout/{session.id}")
    assert status == 200 and "Save card" in page
    status, headers, _ = raw(stripe_server, "POST", f"/checkout/{session.id}/pay")
    assert status == 303 and headers["Location"] == SUCCESS_URL.replace("{CHECKOUT_SESSION_ID}", session.id)
    assert stripe_client.v1.setup_intents.retrieve(session.setup_intent).status == "succeeded"


def test_off_session_payment_intent_succeeds_with_a_paid_charge(stripe_server, stripe_client):
    customer, method = saved_card(stripe_server, stripe_client)
    intent = stripe_client.v1.payment_intents.create(params=intent_params(customer, method))
    assert (intent.status, intent.amount_received, intent.customer) == ("succeeded", 4250, customer.id)
    charge = stripe_client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.paid, charge.amount, charge.payment_intent) == (True, 4250, intent.id)


@pytest.mark.parametrize(
    "card, code", [("declined", "card_declined"), ("authentication_required", "authentication_required")]
)
def test_off_session_decline_is_a_card_error_with_the_intent(stripe_server, stripe_client, card, code):
    customer, method = saved_card(stripe_server, stripe_client, card)
    with pytest.raises(stripe.CardError) as raised:
        stripe_client.v1.payment_intents.create(params=intent_params(customer, method))
    assert raised.value.http_status == 402 and raised.value.code == code
    intent = raised.value.error.payment_intent
    assert intent.status == "requires_payment_method" and intent.last_payment_error.code == code
    stored = stripe_client.v1.payment_intents.retrieve(intent.id)
    assert stored.status == "requires_payment_method"
    stripe_server.succeed_payment_intent(intent.id)  # the payer authenticated later
    assert stripe_client.v1.payment_intents.retrieve(intent.id).status == "succeeded"


def test_payment_intent_checks_like_stripe(stripe_server, stripe_client):
    customer, method = saved_card(stripe_server, stripe_client)
    other, _ = saved_card(stripe_server, stripe_client)
    cases = [
        (intent_params(customer, method, confirm=False), "off_session can only be used when confirm=true"),
        (intent_params(other, method), "does not belong to the Customer"),
        (intent_params(customer, "pm_missing"), "No such payment_method"),
        ({"amount": 4250}, "Missing required param: currency"),
        (intent_params(customer, method, surprise="x"), "Received unknown parameter: surprise"),
    ]
    for params, message in cases:
        with pytest.raises(stripe.InvalidRequestError, match=message):
            stripe_client.v1.payment_intents.create(params=params)


def test_payment_intent_replay_by_idempotency_key_charges_once(stripe_server, stripe_client):
    customer, method = saved_card(stripe_server, stripe_client)
    options = {"idempotency_key": "cover-charge-7"}
    first = stripe_client.v1.payment_intents.create(params=intent_params(customer, method), options=options)
    again = stripe_client.v1.payment_intents.create(params=intent_params(customer, method), options=options)
    assert first.id == again.id and first.latest_charge == again.latest_charge
    charges = [obj for obj in stripe_server.objects.values() if obj["object"] == "charge"]
    assert len(charges) == 1


def test_declined_payment_intent_replays_the_same_decline(stripe_server, stripe_client):
    customer, method = saved_card(stripe_server, stripe_client, "declined")
    options = {"idempotency_key": "cover-charge-8"}
    ids = []
    for _ in range(2):
        with pytest.raises(stripe.CardError) as raised:
            stripe_client.v1.payment_intents.create(params=intent_params(customer, method), options=options)
        ids.append(raised.value.error.payment_intent.id)
    assert ids[0] == ids[1]
    assert sum(obj["object"] == "payment_intent" for obj in stripe_server.objects.values()) == 1


# Connect: Express accounts, AccountLinks, Transfers


def express_account(client):
    """An Express account in GB asking for transfers, as the app opens one."""
    return client.v1.accounts.create(
        params={
            "type": "express",
            "country": "GB",
            "email": "ria@example.com",
            "business_type": "individual",
            "capabilities": {"transfers": {"requested": True}},
            "metadata": {"user_id": "5"},
        }
    )


def test_express_account_waits_for_onboarding_then_can_be_paid(stripe_server, stripe_client):
    account = express_account(stripe_client)
    assert account.id.startswith("acct_") and account.type == "express" and account.country == "GB"
    assert (account.payouts_enabled, account.details_submitted, account.capabilities.transfers) == (
        False,
        False,
        "inactive",
    )
    stripe_server.complete_onboarding(account.id)
    fetched = stripe_client.v1.accounts.retrieve(account.id)
    assert (fetched.payouts_enabled, fetched.details_submitted, fetched.capabilities.transfers) == (
        True,
        True,
        "active",
    )


def test_account_type_and_capabilities_are_checked(stripe_client):
    with pytest.raises(stripe.InvalidRequestError, match="type=express"):
        stripe_client.v1.accounts.create(params={"type": "standard"})
    with pytest.raises(stripe.InvalidRequestError, match="Received unknown parameter: capabilities\\[teleport\\]"):
        stripe_client.v1.accounts.create(params={"type": "express", "capabilities": {"teleport": {"requested": True}}})


def test_account_link_leads_to_a_hosted_onboarding_page(stripe_server, stripe_client):
    account = express_account(stripe_client)
    link = stripe_client.v1.account_links.create(
        params={
            "account": account.id,
            "type": "account_onboarding",
            "return_url": "https://backstop.example/earnings",
            "refresh_url": "https://backstop.example/earnings/setup",
        }
    )
    assert link.object == "account_link" and link.expires_at > link.created
    path = urlsplit(link.url).path
    status, _, page = raw(stripe_server, "GET", path)
    assert status == 200 and "Finish" in page
    status, headers, _ = raw(stripe_server, "POST", path)
    assert status == 303 and headers["Location"] == "https://backstop.example/earnings"
    assert stripe_client.v1.accounts.retrieve(account.id).payouts_enabled is True
    with pytest.raises(stripe.InvalidRequestError, match="Missing required param: type"):
        stripe_client.v1.account_links.create(params={"account": account.id})
    with pytest.raises(stripe.InvalidRequestError, match="No such account"):
        stripe_client.v1.account_links.create(params={"account": "acct_missing", "type": "account_onboarding"})


def transfer_params(account, **overrides) -> dict:
    """A Transfer like the app's (a relief worker's pay)."""
    params = {"amount": 9600, "currency": "gbp", "destination": account.id, "metadata": {"payout_id": "4"}}
    params.update(overrides)
    return params


def test_transfer_to_an_onboarded_account(stripe_server, stripe_client):
    account = express_account(stripe_client)
    with pytest.raises(stripe.InvalidRequestError, match="capabilities enabled: transfers") as raised:
        stripe_client.v1.transfers.create(params=transfer_params(account))
    assert raised.value.code == "insufficient_capabilities_for_transfer"
    stripe_server.complete_onboarding(account.id)
    transfer = stripe_client.v1.transfers.create(params=transfer_params(account, transfer_group="payout-4"))
    assert transfer.id.startswith("tr_") and (transfer.amount, transfer.currency, transfer.destination) == (
        9600,
        "gbp",
        account.id,
    )
    assert stripe_client.v1.transfers.retrieve(transfer.id).metadata["payout_id"] == "4"
    for params, message in (
        (transfer_params(account, amount=0), "Invalid positive integer"),
        (transfer_params(account, destination="acct_missing"), "No such account"),
        ({"amount": 100, "currency": "gbp"}, "Missing required param: destination"),
    ):
        with pytest.raises(stripe.InvalidRequestError, match=message):
            stripe_client.v1.transfers.create(params=params)


def test_transfer_replay_by_idempotency_key_pays_once(stripe_server, stripe_client):
    account = express_account(stripe_client)
    stripe_server.complete_onboarding(account.id)
    options = {"idempotency_key": "cover-pay-4"}
    first = stripe_client.v1.transfers.create(params=transfer_params(account), options=options)
    again = stripe_client.v1.transfers.create(params=transfer_params(account), options=options)
    assert first.id == again.id and len(stripe_server.transfers()) == 1
    with pytest.raises(stripe.IdempotencyError):
        stripe_client.v1.transfers.create(params=transfer_params(account, amount=1), options=options)


def test_restricted_account_cannot_be_paid(stripe_server, stripe_client):
    account = express_account(stripe_client)
    stripe_server.complete_onboarding(account.id)
    stripe_server.restrict_account(account.id)
    assert stripe_client.v1.accounts.retrieve(account.id).payouts_enabled is False
    with pytest.raises(stripe.InvalidRequestError, match="capabilities"):
        stripe_client.v1.transfers.create(params=transfer_params(account))


def test_connect_event_names_its_account(stripe_server, stripe_client):
    account = express_account(stripe_client)
    event = stripe_server.event("account.updated", stripe_server.complete_onboarding(account.id), account=account.id)
    assert (event["type"], event["account"], event["data"]["object"]["id"]) == (
        "account.updated",
        account.id,
        account.id,
    )

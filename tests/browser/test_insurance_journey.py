"""The insurance journey in Chromium with the Stripe test server (issue 11): a council publishes a scheme with
three tiers and a threshold of 5 through its form; five enterprises pledge, each saving a card through Checkout in
setup mode (nobody charged); the job activates it when enrolment closes; each member is charged the locked tier's
price less the subsidy, off-session, once; each certificate verifies on the public page. A second scheme that
reaches 3 of its 5 fails at its close and nobody is charged.

What is not the journey's point is made through the services: the people, organisations and the failing scheme's
pledges (tests/insurance/world.py)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from marketplace.core.jobs import run_due
from marketplace.extensions import db
from marketplace.insurance import activation
from marketplace.insurance.models import Enrolment, Scheme
from marketplace.payments.models import Payment, PaymentPurpose, PaymentStatus, SavedPaymentMethod

from .. import factories
from ..insurance.world import answers, open_scheme
from ..payments.test_saved_methods import intents_posted
from .conftest import sign_in
from .test_cover_journey import redirect_back_to_live_server
from .test_training_journeys import arrived, deliver_webhook, fill_date, fresh

pytestmark = pytest.mark.browser

SCHEME, FAILING = "Leeds care insurance 2027", "Cornwall care insurance 2027"
# The clock fixture stands at 10:00 UTC on Monday 2 November 2026. Enrolment closes on the 4th; cover runs from
# the 5th for a year; the journey's job runs on the morning of the 5th.
CLOSES, STARTS, ENDS = "2026-11-04", "2026-11-05", "2027-11-04"
CLOSE_RUN = datetime(2026, 11, 5, 8, 0, tzinfo=UTC)
# Five members reach the third tier (£180 a year); the council pays £20 of it: each is charged £160.
CHARGED_PENCE = 16_000


@pytest.fixture
def context_options() -> dict:
    return {"bypass_csp": True}  # axe is injected as an inline script (see test_cover_journey.py)


def publish(page: Page, council) -> int:
    page.goto(f"/insurance/manage/organisations/{council.id}/schemes/new")
    arrived(page, "Set up an insurance scheme")
    page.get_by_label("Scheme name").fill(SCHEME)
    page.get_by_label("What the scheme is").fill("Public liability for care and support businesses in Leeds.")
    page.get_by_label("Insurer", exact=True).fill("Example Mutual")
    page.get_by_label("Insurer's FCA firm reference number").fill("123456")
    fill_date(page, "Cover starts", STARTS)
    fill_date(page, "Cover ends", ENDS)
    fill_date(page, "Enrolment opens", "2026-11-01")
    fill_date(page, "Enrolment closes", CLOSES)
    page.get_by_label("Members needed to go ahead").fill("5")
    page.get_by_label("A fixed amount per member").check()
    page.get_by_label("Fixed subsidy per member a year, in pounds (optional)").fill("20")
    page.get_by_label("Public liability: limit in pounds (optional)").fill("5000000")
    page.get_by_label("Price a year for each member, from 1 member, in pounds").fill("240")
    page.get_by_label("Price tier 2: from this many members (optional)").fill("3")
    page.get_by_label("Price tier 2: price a year for each member, in pounds (optional)").fill("200")
    page.get_by_label("Price tier 3: from this many members (optional)").fill("5")
    page.get_by_label("Price tier 3: price a year for each member, in pounds (optional)").fill("180")
    page.get_by_role("button", name="Save scheme").click()
    arrived(page, SCHEME)
    page.get_by_role("button", name="Open for members").click()
    expect(page.get_by_text("The scheme is open for members.")).to_be_visible()
    [scheme] = fresh(Scheme, Scheme.name == SCHEME)
    return scheme.id


def pledge(page: Page, live_server: str, stripe_server, owner, enterprise, scheme_id: int, members_before: int) -> None:
    """Join from the scheme's page (the price shown is the tier the pool reaches), then save a card."""
    sign_in(page, owner.email)
    page.goto(f"/insurance/schemes/{scheme_id}")
    arrived(page, SCHEME)
    reached = {0: "£240", 1: "£240", 2: "£200", 3: "£200", 4: "£180"}[members_before]
    expect(page.get_by_role("main")).to_contain_text(f"With you, the pool reaches {reached} a year")
    page.get_by_role("link", name=f"Join for {enterprise.name}").click()
    arrived(page, f"Join {SCHEME}")
    page.get_by_role("button", name="Join the scheme").click()
    arrived(page, SCHEME)
    expect(page.get_by_role("main")).to_contain_text("Your card is charged only if the scheme goes ahead")
    redirect_back_to_live_server(page, live_server, stripe_server, r"/checkout/[^/]+/pay$")
    page.get_by_role("button", name="Save or change the card for your premium").click()
    expect(page.get_by_text("Save a card for future payments.")).to_be_visible()
    page.get_by_role("button", name="Save card").click()
    expect(page).to_have_url(re.compile(rf"/insurance/schemes/{scheme_id}\?card=saved$"))
    [saved] = fresh(SavedPaymentMethod, SavedPaymentMethod.organisation_id == enterprise.id)
    session = stripe_server.get_object("checkout.session", saved.setup_reference)
    assert (
        deliver_webhook(live_server, stripe_server, stripe_server.event("checkout.session.completed", session)) == 200
    )


def test_five_pledges_activate_at_the_close_and_a_scheme_short_of_its_threshold_fails(
    new_page, live_server, stripe_mode, clock
):
    officer = factories.user(name="Olive Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council")
    people = []
    for n in range(5):
        owner = factories.user(name=f"Owner {n + 1}")
        people.append((owner, factories.enterprise(owner, name=f"Care Business {n + 1}")))
    failing = open_scheme(officer, council, name=FAILING, enrolment_closes=datetime(2026, 11, 4).date())
    for owner, enterprise in people[:3]:
        activation.join(failing, enterprise, owner, answers=answers(failing), invoice_mandate=True)
    db.session.commit()
    failing_id = failing.id

    page = new_page()
    sign_in(page, officer.email)
    scheme_id = publish(page, council)
    for number, (owner, enterprise) in enumerate(people):
        pledge(new_page(), live_server, stripe_mode, owner, enterprise, scheme_id, number)
    assert fresh(Payment) == [] and intents_posted(stripe_mode) == []  # nobody charged yet

    clock.set(CLOSE_RUN)
    run_due(clock.now())
    [scheme] = fresh(Scheme, Scheme.id == scheme_id)
    assert (scheme.status, scheme.locked_price_pence, scheme.locked_members) == ("active", 18_000, 5)
    premiums = fresh(Payment, Payment.purpose == PaymentPurpose.SCHEME_PREMIUM)
    assert sorted(p.amount_pence for p in premiums) == [CHARGED_PENCE] * 5
    assert {p.status for p in premiums} == {PaymentStatus.SUCCEEDED}
    intents = intents_posted(stripe_mode)
    assert len(intents) == 5 and len({r.idempotency_key for r in intents}) == 5
    run_due(clock.now())  # again: nobody charged twice
    assert len(intents_posted(stripe_mode)) == 5

    [failed] = fresh(Scheme, Scheme.id == failing_id)
    assert failed.status == "failed"
    assert {e.status for e in fresh(Enrolment, Enrolment.scheme_id == failing_id)} == {"cancelled"}
    assert fresh(Payment, Payment.description.like(f"{FAILING}%")) == []  # nobody charged for it

    check = new_page()
    for enrolment in fresh(Enrolment, Enrolment.scheme_id == scheme_id):
        check.goto("/insurance/verify")
        arrived(check, "Check a certificate of insurance")
        check.get_by_label("Member number").fill(enrolment.member_number.lower())
        check.get_by_role("button", name="Check").click()
        arrived(check, enrolment.organisation.name)
        expect(check.get_by_role("main")).to_contain_text("Valid: covered from 5 November 2026 to 4 November 2027")
    member = new_page()
    owner, enterprise = people[0]
    sign_in(member, owner.email)
    member.goto(f"/insurance/schemes/{scheme_id}")
    expect(member.get_by_role("main")).to_contain_text("You paid £160")
    with member.expect_download() as download:
        member.get_by_role("link", name="Download your certificate (PDF)").click()
    assert download.value.suggested_filename.startswith("certificate-BKI-")
    assert timedelta(0) <= clock.now() - CLOSE_RUN < timedelta(days=1)

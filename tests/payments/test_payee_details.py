"""Payment details: a publisher's owners and finance people say how its invoices are paid; every rule of the form,
who may use it, the audit and the warning when bank details change, and the dashboard task while they are missing."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from marketplace.core.errors import DomainError, NotAllowed
from marketplace.extensions import db
from marketplace.organisations.models import MemberRole
from marketplace.payments import payee
from marketplace.payments.models import PayeeDetails
from tests import factories
from tests.database import audit_events, fresh, notifications_for
from tests.pages import error_summary, errors, h1, soup, text

BLANK = "  \t "


@pytest.fixture
def world(ctx):
    """Leeds council without payment details: its owner, a finance person and a plain member; outsiders."""
    officer = factories.user(name="Owen Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council", payment_details=False)
    finance = factories.user(name="Fran Finance")
    factories.membership(finance, council, role=MemberRole.FINANCE)
    clerk = factories.user(name="Cleo Clerk")
    factories.membership(clerk, council, role=MemberRole.MEMBER)
    entrepreneur = factories.user(name="Erin Owner")
    enterprise = factories.enterprise(entrepreneur, name="Erin Care")
    other_officer = factories.user(name="Olive Other", role="publisher")
    factories.publisher(other_officer, name="Cornwall Council")
    admin = factories.user(name="Ada Admin", admin=True)
    db.session.commit()
    return SimpleNamespace(
        officer=officer, council=council, finance=finance, clerk=clerk, entrepreneur=entrepreneur,
        enterprise=enterprise, other_officer=other_officer, admin=admin,
    )  # fmt: skip


def page(world) -> str:
    return f"/payments/organisations/{world.council.id}/payment-details"


def valid(**changes) -> dict:
    """A complete form with bank details; a key set to None is left out."""
    data = {
        "payee_name": "Leeds City Council",
        "sort_code": "30-94-30",
        "account_number": "1234 5678",
        "payment_link": "",
        "terms_days": "30",
        "vat_wording": "No VAT is charged: the council is not VAT registered for this service",
        "address": "Civic Hall\nCalverley Street\nLeeds LS1 1UR",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def saved(world) -> PayeeDetails | None:
    fresh()
    return db.session.scalar(select(PayeeDetails).where(PayeeDetails.organisation_id == world.council.id))


def test_the_form_starts_empty_with_bank_detail_inputs_as_gov_uk_sets_them(client, login_as, world):
    """Nothing is filled in for the person (no default terms); sort code and account number are short numeric
    inputs with autocomplete off."""
    login_as(world.officer)
    response = client.get(page(world))
    assert h1(response) == "Payment details for Leeds City Council"
    form = soup(response)
    sort_code, account = form.select_one("#sort_code"), form.select_one("#account_number")
    assert "govuk-input--width-5" in sort_code["class"] and "govuk-input--width-10" in account["class"]
    for box in (sort_code, account):
        assert (box["inputmode"], box["autocomplete"], box["spellcheck"]) == ("numeric", "off", "false")
    assert form.select_one("#terms_days").get("value") in (None, "")
    assert all(not box.get("value") for box in form.select("input.govuk-input"))


def test_owner_saves_bank_details_stored_without_spaces_or_dashes(client, login_as, world):
    """Saved and audited; the sort code and account number lose their separators; back on the organisation page."""
    login_as(world.officer)
    response = client.post(page(world), data=valid())
    assert response.headers["Location"] == f"/organisations/{world.council.id}"
    assert "The payment details of Leeds City Council have been saved." in text(
        client.get(response.headers["Location"])
    )
    details = saved(world)
    assert (details.sort_code, details.account_number, details.sort_code_shown) == ("309430", "12345678", "30-94-30")
    assert details.payment_link is None and details.terms_days == 30
    assert details.address_lines == ["Civic Hall", "Calverley Street", "Leeds LS1 1UR"]
    (event,) = audit_events("payment.payee_details_saved")
    assert event.actor_id == world.officer.id and event.organisation_id == world.council.id
    assert "account_number" in event.details["changed"] and event.details["new"]["sort_code"] == "309430"


def test_a_payment_link_alone_is_enough(client, login_as, world):
    """No bank details, a secure payment link: saved (VAT wording is optional)."""
    login_as(world.finance)
    data = valid(sort_code="", account_number="", payment_link="https://pay.leeds.example/invoices", vat_wording="")
    assert client.post(page(world), data=data).status_code == 302
    details = saved(world)
    assert (details.sort_code, details.account_number) == (None, None)
    assert details.payment_link == "https://pay.leeds.example/invoices" and details.vat_wording is None


def test_bank_details_and_a_link_together(client, login_as, world):
    login_as(world.officer)
    assert client.post(page(world), data=valid(payment_link="https://pay.leeds.example")).status_code == 302
    details = saved(world)
    assert details.sort_code == "309430" and details.payment_link == "https://pay.leeds.example"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"payee_name": BLANK}, "Enter the payee name"),
        ({"address": BLANK}, "Enter the postal address"),
        ({"sort_code": "30943"}, "Enter a sort code like 309430"),
        ({"sort_code": "30-94-3O"}, "Enter a sort code like 309430"),
        ({"sort_code": "٣٠٩٤٣٠"}, "Enter a sort code like 309430"),  # digits, but not 0-9
        ({"account_number": "1234567"}, "Enter an account number with 8 digits"),
        ({"account_number": "123456789"}, "Enter an account number with 8 digits"),
        ({"sort_code": "309430", "account_number": ""}, "Enter the account number as well as the sort code"),
        ({"sort_code": "", "account_number": "12345678"}, "Enter the sort code as well as the account number"),
        ({"sort_code": "", "account_number": ""}, "Enter a sort code and account number, or a payment link"),
        ({"payment_link": "http://pay.leeds.example"}, "Enter a payment link that starts with https://"),
        ({"payment_link": "https://"}, "Enter a payment link that starts with https://"),
        ({"payment_link": "javascript:alert(1)"}, "Enter a payment link that starts with https://"),
        ({"terms_days": ""}, "Enter the payment terms in days"),
        ({"terms_days": "thirty"}, "Enter the payment terms as a whole number of days, like 30"),
        ({"terms_days": "0"}, "Payment terms must be between 1 and 120 days"),
        ({"terms_days": "121"}, "Payment terms must be between 1 and 120 days"),
        ({"terms_days": None}, "Enter the payment terms in days"),
        ({"vat_wording": "x" * 301}, "VAT statement must be 300 characters or fewer"),
    ],
)
def test_each_invalid_answer_is_refused_naming_its_field(client, login_as, world, changes, message):
    """The form comes back (title starting "Error:") with the message, and nothing is saved."""
    login_as(world.officer)
    response = client.post(page(world), data=valid(**changes))
    assert response.status_code == 200
    assert soup(response).title.get_text().startswith("Error: ")
    assert any(found.startswith(message) for found in errors(response)), errors(response)
    assert message in error_summary(response)
    assert saved(world) is None and audit_events("payment.payee_details_saved") == []


def test_an_empty_post_is_refused_field_by_field(client, login_as, world):
    """Nothing posted at all: each required answer is asked for, and no row appears."""
    login_as(world.officer)
    response = client.post(page(world), data={})
    found = errors(response)
    for message in ("Enter the payee name", "Enter the payment terms in days", "Enter the postal address"):
        assert message in found
    assert saved(world) is None


@pytest.mark.parametrize(("who", "status"), [("clerk", 403), ("entrepreneur", 404), ("other_officer", 404)])
def test_only_the_publishers_owners_and_finance_people_may(client, login_as, world, who, status):
    """A plain member of the council is refused (403); other organisations' people do not see the page (404)."""
    login_as(getattr(world, who))
    assert client.get(page(world)).status_code == status
    assert client.post(page(world), data=valid()).status_code == status
    assert saved(world) is None


def test_a_platform_admin_who_is_not_a_member_is_refused(client, login_as, world):
    login_as(world.admin)
    assert client.get(page(world)).status_code == 404


def test_an_enterprise_has_no_payment_details_page(client, login_as, world):
    """Enterprises pay invoices, they do not raise them: 404 even for the owner."""
    login_as(world.entrepreneur)
    assert client.get(f"/payments/organisations/{world.enterprise.id}/payment-details").status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client, world):
    assert "/sign-in" in client.get(page(world)).headers["Location"]


def test_the_service_keeps_the_rules_without_the_form(world):
    """A job or command calling the service is refused the same way: permission first, then each rule."""
    details = {key: value for key, value in valid().items()} | {"terms_days": 30}
    with pytest.raises(NotAllowed):
        payee.save_payee_details(world.council, world.clerk, **details)
    with pytest.raises(DomainError, match="Enter the account number as well as the sort code"):
        payee.save_payee_details(world.council, world.officer, **(details | {"account_number": None}))
    with pytest.raises(DomainError, match="Payment terms must be between 1 and 120 days"):
        payee.save_payee_details(world.council, world.officer, **(details | {"terms_days": 365}))
    with pytest.raises(DomainError, match="https://"):
        payee.save_payee_details(world.council, world.officer, **(details | {"payment_link": "ftp://x.example"}))
    assert payee.details_for(world.council) is None


def test_changing_the_bank_details_is_audited_and_the_other_finance_people_are_told(client, login_as, world):
    """The form shows what was saved; a new account number is recorded old and new, and the owner (not the person
    who changed it) is warned. Saving the same again records nothing."""
    login_as(world.officer)
    client.post(page(world), data=valid())
    client.post("/sign-out")
    login_as(world.finance)
    assert soup(client.get(page(world))).select_one("#account_number")["value"] == "12345678"
    client.post(page(world), data=valid(account_number="87654321"))
    assert saved(world).account_number == "87654321"
    event = audit_events("payment.payee_details_saved")[-1]
    assert event.actor_id == world.finance.id and event.details["changed"] == ["account_number"]
    assert (event.details["old"], event.details["new"]) == (
        {"account_number": "12345678"},
        {"account_number": "87654321"},
    )
    titles = [note.title for note in notifications_for(world.officer, "payee_details_changed")]
    assert titles == ["Fran Finance changed how Leeds City Council is paid"]
    assert notifications_for(world.finance, "payee_details_changed") == []
    assert notifications_for(world.clerk, "payee_details_changed") == []

    client.post(page(world), data=valid(account_number="87654321"))
    assert len(audit_events("payment.payee_details_saved")) == 2


def _tasks(client) -> dict[str, str]:
    found = soup(client.get("/dashboard")).select(".govuk-task-list__link")
    return {" ".join(a.get_text(" ").split()): a["href"] for a in found}


TASK = "Add your payment details so invoices say how to pay"


def test_missing_details_are_a_task_for_owners_and_finance_until_given(client, login_as, world):
    """The owner and the finance person are asked; the plain member is not; once saved the task goes."""
    login_as(world.officer)
    assert _tasks(client).get(TASK) == page(world)
    client.post("/sign-out")
    login_as(world.clerk)
    assert TASK not in _tasks(client)
    client.post("/sign-out")
    login_as(world.finance)
    assert _tasks(client).get(TASK) == page(world)
    client.post(page(world), data=valid())
    assert TASK not in _tasks(client)


def test_the_organisation_page_links_to_the_payment_details_for_those_who_may_change_them(client, login_as, world):
    login_as(world.finance)
    links = [a["href"] for a in soup(client.get(f"/organisations/{world.council.id}")).select("main a")]
    assert page(world) in links
    client.post("/sign-out")
    login_as(world.clerk)
    links = [a["href"] for a in soup(client.get(f"/organisations/{world.council.id}")).select("main a")]
    assert page(world) not in links


def test_a_whitespace_post_writes_nothing(client, login_as, world):
    """Whitespace in every text field: the required ones are asked for, the optional ones are no answer."""
    login_as(world.officer)
    data = {field: BLANK for field in payee.FIELDS if field != "terms_days"} | {"terms_days": "30"}
    response = client.post(page(world), data=data)
    assert "Enter the payee name" in error_summary(response) and "Enter the postal address" in error_summary(response)
    assert "Enter a sort code and account number, or a payment link" in error_summary(response)
    assert saved(world) is None

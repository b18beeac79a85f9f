"""axe-core (WCAG 2.0/2.1/2.2 A and AA rules) finds no violations on insurance's pages, and none scrolls sideways at
390 px: the scheme page (as the public and as a covered member with a proof link), joining, the certificate check,
proof of cover, and the publisher's scheme page and form. The data is tests/insurance/world.py's insurance_world."""

import pytest

from marketplace.extensions import db
from marketplace.insurance.models import Scheme

from .. import factories
from ..insurance.world import insurance_world, open_scheme
from .test_cover_accessibility import _check

pytestmark = pytest.mark.browser


@pytest.fixture
def context_options() -> dict:
    """axe is injected as an inline script, which the app's CSP (rightly) blocks: bypass it in these tests only."""
    return {"bypass_csp": True}


@pytest.fixture
def insurance(ctx, clock):
    officer = factories.user(name="Olive Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council")
    owner = factories.user(name="Owen Owner")
    enterprise = factories.enterprise(owner, name="Enterprise A")
    values = insurance_world(officer, council, owner, enterprise)
    joiner = factories.user(name="Jo Joiner")
    other = factories.enterprise(joiner, name="Enterprise B")
    pledging = open_scheme(officer, council, name="West Yorkshire care insurance")
    db.session.commit()
    return {
        "officer": officer.email,
        "owner": owner.email,
        "joiner": joiner.email,
        "council_id": council.id,
        "other_id": other.id,
        "pledging_id": pledging.id,
        "name": db.session.get(Scheme, values["scheme_id"]).name,
        **values,
    }


def test_scheme_page_public_and_as_a_member(new_page, insurance):
    _check(new_page, None, f"/insurance/schemes/{insurance['pledging_id']}", "West Yorkshire care insurance")
    _check(new_page, insurance["owner"], f"/insurance/schemes/{insurance['scheme_id']}", insurance["name"])


def test_join_page(new_page, insurance):
    path = f"/insurance/schemes/{insurance['pledging_id']}/join/{insurance['other_id']}"
    _check(new_page, insurance["joiner"], path, "Join West Yorkshire care insurance")


def test_certificate_check_and_proof_of_cover(new_page, insurance):
    _check(new_page, None, "/insurance/verify", "Check a certificate of insurance")
    _check(new_page, None, f"/insurance/verify/{insurance['number']}", "Enterprise A")
    _check(new_page, None, f"/insurance/proof/{insurance['link']}", "Enterprise A")


def test_publisher_pages(new_page, insurance):
    _check(new_page, insurance["officer"], f"/insurance/manage/schemes/{insurance['scheme_id']}", insurance["name"])
    _check(
        new_page,
        insurance["officer"],
        f"/insurance/manage/organisations/{insurance['council_id']}/schemes/new",
        "Set up an insurance scheme",
    )

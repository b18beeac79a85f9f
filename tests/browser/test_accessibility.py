"""axe-core (WCAG 2.0/2.1/2.2 A and AA rules) finds no violations on the main pages, signed out and in."""

import json

import pytest
from playwright.sync_api import Page, expect

from marketplace.extensions import db
from marketplace.organisations.models import MemberRole, MembershipStatus

from .. import factories
from .conftest import ROOT, sign_in

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def context_options() -> dict:
    """axe is injected as an inline script, which the app's CSP (rightly) blocks: bypass it in these tests only."""
    return {"bypass_csp": True}


def axe_violations(page: Page) -> list[dict]:
    """Run axe on the page as it is now."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make test does)")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(r => r.violations.map(v => ({"
        "id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,"
        "nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary}))})))",
        AXE_TAGS,
    )


def assert_accessible(page: Page) -> None:
    """Fail with a readable list of every violation."""
    violations = axe_violations(page)
    if violations:
        lines = [f"{len(violations)} axe violation(s) on {page.url}:"]
        for v in violations:
            lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
            for node in v["nodes"]:
                lines.append(f"    {json.dumps(node['target'])}: {node['html'][:200]}")
                lines.append("      " + (node["summary"] or "").replace("\n", "\n      "))
        pytest.fail("\n".join(lines), pytrace=False)


def h1(page: Page):
    return page.get_by_role("heading", level=1)


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "Backstop: shared services for care micro-enterprises"),
        ("/register", "Create an account"),
        ("/sign-in", "Sign in"),
    ],
)
def test_public_pages(page: Page, ctx, path, heading):
    page.goto(path)
    expect(h1(page)).to_have_text(heading)
    assert_accessible(page)


def test_the_check_can_fail(page: Page, ctx):
    """The harness really runs axe: an image without alt text on a real page is reported."""
    page.goto("/")
    page.locator("main").evaluate("main => main.insertAdjacentHTML('beforeend', '<img src=\"/favicon.svg\">')")
    assert "image-alt" in [v["id"] for v in axe_violations(page)]


def test_sign_in_with_errors(page: Page, ctx):
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Enter your email address")).to_be_visible()
    assert_accessible(page)


def test_entrepreneur_dashboard(page: Page, ctx):
    owner = factories.user()
    factories.enterprise(owner, name="Ada's Home Care", legal_form="limited_company")
    db.session.commit()
    sign_in(page, owner.email)
    expect(page.get_by_role("link", name="Add the registration number of Ada's Home Care")).to_be_visible()
    assert_accessible(page)


def test_enterprise_set_up_form(page: Page, ctx):
    person = factories.user()
    db.session.commit()
    sign_in(page, person.email)
    page.get_by_role("link", name="Set up your enterprise").click()
    expect(h1(page)).to_have_text("Set up your enterprise")
    assert_accessible(page)
    page.get_by_role("button", name="Save enterprise").click()
    expect(page.get_by_role("link", name="Enter your trading name")).to_be_visible()
    assert_accessible(page)


def test_members_page(page: Page, ctx):
    owner = factories.user(name="Olive Owner")
    enterprise = factories.enterprise(owner, name="Ada's Home Care")
    factories.membership(factories.user(name="Mo Member"), enterprise, role=MemberRole.MEMBER)
    requester = factories.user(name="Rita Requester")
    factories.membership(requester, enterprise, role=MemberRole.MEMBER, status=MembershipStatus.REQUESTED)
    factories.invitation(enterprise, "ivy@example.com")
    db.session.commit()
    sign_in(page, owner.email)
    page.goto(f"/organisations/{enterprise.id}/members")
    expect(h1(page)).to_have_text("Members of Ada's Home Care")
    expect(page.get_by_role("button", name="Remove Mo Member")).to_be_visible()
    expect(page.get_by_role("button", name="Accept Rita Requester")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel invitation to ivy@example.com")).to_be_visible()
    assert_accessible(page)


def test_admin_audit_page(page: Page, ctx):
    admin = factories.user(admin=True)
    db.session.commit()
    sign_in(page, admin.email)
    page.goto("/admin/audit")
    expect(h1(page)).to_have_text("Audit log")
    expect(page.get_by_role("cell", name="account.signed_in")).to_be_visible()
    assert_accessible(page)

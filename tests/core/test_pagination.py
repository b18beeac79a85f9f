"""Pagination shows a bounded window of page links, whatever the number of pages."""

from marketplace.core.pagination import Page


def page(number: int, total: int) -> Page:
    return Page(items=[], number=number, total=total, per_page=10)


def test_window_has_first_last_and_neighbours_with_gaps():
    """Page 50 of 200 shows 1 … 49 50 51 … 200."""
    assert page(50, 2000).window() == [1, None, 49, 50, 51, None, 200]


def test_small_ranges_have_no_gaps():
    """Three pages are all shown."""
    assert page(2, 30).window() == [1, 2, 3]


def test_links_stay_bounded_on_a_long_audit_log(client, login_as, ctx):
    """The audit log with thousands of events renders a handful of page links, not one per page."""
    from marketplace.core.audit import AuditEvent
    from marketplace.extensions import db
    from tests import factories

    admin = factories.user(admin=True)
    db.session.add_all([AuditEvent(action="test.bulk", details={}) for _ in range(2600)])
    db.session.commit()
    login_as(admin)
    html = client.get("/admin/audit?page=20").get_data(as_text=True)
    assert html.count('class="govuk-pagination__item') <= 9
    assert "govuk-pagination__item--ellipsis" in html

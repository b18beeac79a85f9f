"""No browser date or time pickers: dates are GOV.UK date inputs (day, month, year boxes) and times hour and minute
boxes (marketplace/core/date_input.py). Browser pickers differ by browser, are hard to use with a screen reader or
by voice, and the GOV.UK Design System advises against them."""

import re
from pathlib import Path

from bs4 import BeautifulSoup

from marketplace.extensions import db

from . import factories

ROOT = Path(__file__).resolve().parents[1]
PICKER_TYPES = ("date", "time", "datetime-local", "month", "week")
# type="date" in a template, or "type": "date" / type="date" in a form's render_kw
PICKER = re.compile(r"""type["']?\s*[:=]\s*["'](""" + "|".join(PICKER_TYPES) + r""")["']""")


def test_no_template_or_form_asks_for_a_picker():
    """Not one template or Python module gives an input a picker type."""
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for folder, pattern in (("templates", "*.html"), ("marketplace", "*.py"))
        for path in sorted((ROOT / folder).rglob(pattern))
        for match in PICKER.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_scan_finds_a_picker():
    """The pattern really matches the ways a picker is asked for."""
    for text in ('<input type="date">', "render_kw={'type': 'time'}", '"type": "datetime-local"'):
        assert PICKER.search(text), text
    assert not PICKER.search('<input type="text" inputmode="numeric">')


def test_pages_with_dates_render_no_picker(client, login_as, ctx, clock):
    """The session form, the audit log's filters and the catalogue's filters render text boxes only."""
    officer = factories.user(name="Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council", areas=("Leeds",))
    session = factories.training_session(factories.course(council))
    admin = factories.user(admin=True)
    db.session.commit()
    pages = []
    login_as(officer)
    pages += [client.get(f"/training/manage/courses/{session.course_id}/sessions/new")]
    pages += [client.get(f"/training/manage/sessions/{session.id}/edit"), client.get("/training")]
    client.post("/sign-out")
    login_as(admin)
    pages += [client.get("/admin/audit")]
    for response in pages:
        assert response.status_code == 200, response.request.path
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        assert soup.select('input[name$="-day"], input[name$="-hour"], input[name="starts_from"]'), (
            response.request.path
        )
        types = {box.get("type", "text") for box in soup.find_all("input")}
        assert not types & set(PICKER_TYPES), response.request.path

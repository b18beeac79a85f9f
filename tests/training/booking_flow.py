"""Booking through the pages as a person does: the form posts to the check-your-answers page, whose confirm button
(or a Change button) posts the answers it carries as hidden fields."""

from tests.pages import soup

CHECK_TITLE = "Check your answers before booking"


def check(client, session_id: int, data: dict):
    """Post the booking form: the check page when the answers are complete, else the form again."""
    return client.post(f"/training/sessions/{session_id}/book", data=data)


def is_check_page(response) -> bool:
    """The response is the check-your-answers page."""
    heading = soup(response).h1 if response.status_code == 200 else None
    return heading is not None and heading.get_text(strip=True) == CHECK_TITLE


def posted_answers(check_page) -> dict:
    """The hidden fields the check page's form posts (the answers, the CSRF token and the check's seal)."""
    form = soup(check_page).select_one("form[action$='/book/confirm']")
    return {field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")}


def confirm(client, check_page, **changes):
    """Press 'Confirm booking' on a check page (changes: hidden fields altered, as a crafted post would)."""
    form = soup(check_page).select_one("form[action$='/book/confirm']")
    return client.post(form["action"], data={**posted_answers(check_page), **changes})


def change(client, check_page, field: str):
    """Press a Change button on a check page: back to the form with the answers kept."""
    button = soup(check_page).select_one(f"button[name=change][value={field}]")
    return client.post(button["formaction"].split("#")[0], data={**posted_answers(check_page), "change": field})


def book(client, session_id: int, data: dict):
    """Fill in the form and confirm on the check page; the form's response itself if it did not reach the check."""
    page = check(client, session_id, data)
    return confirm(client, page) if is_check_page(page) else page

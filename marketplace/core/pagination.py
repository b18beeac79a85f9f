"""Pagination for select() queries, with GOV.UK pagination component parameters."""

from dataclasses import dataclass

from flask import current_app, request, url_for
from sqlalchemy import Select, func, select

from ..extensions import db


@dataclass
class Page:
    """One page of results."""

    items: list
    number: int
    total: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def window(self, around: int = 1) -> list[int | None]:
        """Page numbers to show: first, last and those around the current one; None marks a gap (…)."""
        wanted = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        shown, previous = [], 0
        for n in sorted(n for n in wanted if 1 <= n <= self.pages):
            if n - previous > 1:
                shown.append(None)
            shown.append(n)
            previous = n
        return shown

    def govuk_params(self) -> dict | None:
        """Parameters for govukPagination, or None when there is one page."""
        if self.pages <= 1:
            return None
        args = request.args.to_dict(flat=False)  # keep repeated keys (a GOV.UK date is three values)

        def link(number: int) -> str:
            return url_for(request.endpoint, **{**(request.view_args or {}), **args, "page": number})

        items = [
            {"ellipsis": True} if n is None else {"number": n, "href": link(n), "current": n == self.number}
            for n in self.window()
        ]
        params = {"items": items}
        if self.number > 1:
            params["previous"] = {"href": link(self.number - 1)}
        if self.number < self.pages:
            params["next"] = {"href": link(self.number + 1)}
        return params


def paginate(query: Select, number: int, per_page: int | None = None) -> Page:
    """Run a query for one page, plus one count query."""
    per_page = per_page or current_app.config["PAGE_SIZE"]
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number = max(1, min(number, max(1, -(-total // per_page))))
    items = list(db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)).unique())
    return Page(items=items, number=number, total=total, per_page=per_page)

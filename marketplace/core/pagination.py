"""Keyset ("seek") pagination for select() queries, with GOV.UK pagination parameters (Previous and Next).

A page is found by where the last one ended, never by counting rows to skip: the query seeks past the sort values
of the previous page's last row (`WHERE (starts_at, id) > (:last_starts_at, :last_id)`) and fetches one row more
than a page to know whether there is a next one. So a deep page costs what the first does, with no OFFSET and no
COUNT of the whole query. Lists that say how many rows match count up to a cap only ("More than 1,000 sessions").

The position travels in the address as `?cursor=...`: the sort values, the direction and the page number, signed
with the app's secret (and the list's sort columns), so a cursor cannot be forged, edited, or carried from one list
to another. A cursor that is junk, expired by a new secret, or from another list simply gives the first page.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask import current_app, request, url_for
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import Select, and_, func, literal, or_, select, tuple_
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from ..extensions import db

CURSOR_ARG = "cursor"
_IGNORED_ARGS = {CURSOR_ARG, "page"}  # "page": the old numbered links (?page=3), now the first page
COUNT_CAP = 1000  # lists that say how many rows match count this far at most


# --- sort keys -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Key:
    column: object  # a column expression
    descending: bool


def _keys(order: Sequence) -> list[_Key]:
    """The sort keys from order_by terms (`col`, `col.asc()`, `col.desc()`); every one must be NOT NULL, since a
    NULL cannot be sought past (the last one should be unique, e.g. the id, to make the order total)."""
    keys = []
    for term in order:
        if isinstance(term, UnaryExpression) and term.modifier in (operators.desc_op, operators.asc_op):
            key = _Key(term.element, term.modifier is operators.desc_op)
        else:
            key = _Key(getattr(term, "expression", term), False)  # a mapped attribute's column
        if getattr(key.column, "nullable", False):
            raise ValueError(f"keyset pagination cannot sort by the nullable column {key.column}")
        keys.append(key)
    if not keys:
        raise ValueError("keyset pagination needs a sort order ending in a unique column")
    return keys


def _order_by(keys: list[_Key], reverse: bool) -> list:
    return [key.column.desc() if key.descending != reverse else key.column.asc() for key in keys]


def _beyond(keys: list[_Key], values: list, reverse: bool):
    """Rows after `values` in the sort order (before them when reverse)."""
    bound = [literal(value, key.column.type) for key, value in zip(keys, values, strict=True)]
    descending = {key.descending != reverse for key in keys}
    if len(descending) == 1:  # one direction: a row comparison, which an index on the columns answers directly
        columns = tuple_(*(key.column for key in keys))
        return columns < tuple_(*bound) if descending.pop() else columns > tuple_(*bound)
    # Mixed directions: (a > x) or (a = x and b < y) ..., with the first column's bound repeated for the index.
    terms, equal = [], []
    for key, value in zip(keys, bound, strict=True):
        down = key.descending != reverse
        terms.append(and_(*equal, key.column < value if down else key.column > value))
        equal.append(key.column == value)
    first = keys[0].column
    lead = first <= bound[0] if keys[0].descending != reverse else first >= bound[0]
    return and_(lead, or_(*terms))


# --- cursors ---------------------------------------------------------------------------------------------------


def _serializer(keys: list[_Key]) -> URLSafeSerializer:
    """Signed with the app's secret and salted with the sort columns: a cursor is only good for its own list."""
    salt = "page-cursor:" + ",".join(f"{key.column}{' desc' if key.descending else ''}" for key in keys)
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _encode_value(value):
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    return value


def _decode_value(value):
    if isinstance(value, dict):
        ((tag, text),) = value.items()
        return {"t": datetime.fromisoformat, "d": date.fromisoformat, "n": Decimal}[tag](text)
    return value


def _cursor(keys: list[_Key], direction: str, number: int, values) -> str:
    return _serializer(keys).dumps([direction, number, [_encode_value(value) for value in values]])


@dataclass(frozen=True)
class _Position:
    before: bool  # the page ends just before the row with these values (going back); else starts just after it
    number: int  # which page this is, counting from 1
    values: list


def _position(keys: list[_Key], cursor: str | None) -> _Position | None:
    """Where a cursor points, or None for the first page (no cursor, or one that is not valid for this list)."""
    if not cursor:
        return None
    try:
        direction, number, values = _serializer(keys).loads(cursor)
        if direction not in ("a", "b") or not isinstance(number, int) or number < 2 or len(values) != len(keys):
            return None
        return _Position(direction == "b", number, [_decode_value(value) for value in values])
    except (BadData, ValueError, TypeError, KeyError, AttributeError):
        return None


# --- pages -----------------------------------------------------------------------------------------------------


@dataclass
class Page:
    """One page of results, with cursors for the pages either side (None: no page there)."""

    items: list
    per_page: int
    number: int = 1
    next_cursor: str | None = None
    previous_cursor: str | None = None  # None on the second page too: its Previous is the first page, no cursor
    count: int | None = None  # how many rows match, counted up to count_cap (None: not counted)
    count_cap: int = COUNT_CAP

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def more_than_cap(self) -> bool:
        """More rows match than were counted."""
        return self.count is not None and self.count > self.count_cap

    @property
    def count_figure(self) -> str:
        """'24', or 'more than 1,000' (empty when not counted)."""
        if self.count is None:
            return ""
        return f"more than {self.count_cap:,}" if self.more_than_cap else f"{self.count:,}"

    def count_text(self, singular: str, plural: str) -> str:
        """'1 session', '24 sessions' or 'More than 1,000 sessions' (empty when not counted)."""
        if self.count is None:
            return ""
        noun = singular if self.count == 1 else plural
        return f"{self.count_figure[:1].upper()}{self.count_figure[1:]} {noun}"

    def govuk_params(self) -> dict | None:
        """Parameters for govukPagination (Previous and Next links only), or None when there is one page."""
        if not (self.has_previous or self.has_next):
            return None
        args = {name: values for name, values in request.args.to_dict(flat=False).items() if name not in _IGNORED_ARGS}

        def link(cursor: str | None) -> str:  # keep repeated keys (a GOV.UK date is three values)
            extra = {CURSOR_ARG: cursor} if cursor else {}
            return url_for(request.endpoint, **{**(request.view_args or {}), **args, **extra})

        params = {}
        if self.has_previous:  # the second page's Previous is the plain first page (no cursor)
            params["previous"] = {"href": link(self.previous_cursor)}
        if self.has_next:
            params["next"] = {"href": link(self.next_cursor)}
        return params


def count_up_to(query: Select, cap: int = COUNT_CAP) -> int:
    """How many rows the query gives, counting no further than cap + 1 (a COUNT over a LIMIT subquery)."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).limit(cap + 1).subquery())) or 0


def keyset_page(
    query: Select,
    order: Sequence,
    cursor: str | None = None,
    per_page: int | None = None,
    *,
    count: bool = False,
    count_cap: int = COUNT_CAP,
) -> Page:
    """The page of the query that a cursor points to (the first page without one), sorted by `order` (order_by
    terms of NOT NULL columns ending in a unique one, such as `(Session.starts_at, Session.id)`; it replaces the
    query's own order). One query for the page (per_page + 1 rows) and, with count=True, one bounded count."""
    per_page = per_page or current_app.config["PAGE_SIZE"]
    keys = _keys(order)
    position = _position(keys, cursor)
    page = _fetch(query, keys, position, per_page) if position else None
    if page is None or not page.items:  # a cursor past the end (rows since removed) shows the first page instead
        page = _fetch(query, keys, None, per_page)
    page.count_cap = count_cap
    if count:
        page.count = count_up_to(query, count_cap)
    return page


def _fetch(query: Select, keys: list[_Key], position: _Position | None, per_page: int) -> Page:
    reverse = bool(position and position.before)
    entities = len(query.column_descriptions)
    statement = query.order_by(None).order_by(*_order_by(keys, reverse)).add_columns(*(key.column for key in keys))
    if position:
        statement = statement.where(_beyond(keys, position.values, reverse))
    rows = list(db.session.execute(statement.limit(per_page + 1)).unique())
    more = len(rows) > per_page
    rows = rows[:per_page]
    if reverse:
        rows.reverse()
    number = position.number if position else 1
    if reverse and not more:  # went back to the start: this is the first page, whatever the cursor said
        number = 1
    items = [row[0] if entities == 1 else tuple(row[:entities]) for row in rows]
    if not rows:
        return Page(items=[], per_page=per_page, number=number)
    first, last = rows[0][entities:], rows[-1][entities:]
    has_next = more if not reverse else True
    return Page(
        items=items,
        per_page=per_page,
        number=number,
        next_cursor=_cursor(keys, "a", number + 1, last) if has_next else None,
        previous_cursor=_cursor(keys, "b", number - 1, first) if number > 2 else None,
    )

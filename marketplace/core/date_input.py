"""GOV.UK date input (day, month, year) and time (hour, minute) fields: text boxes, never a browser picker.

Each part is its own input (`starts_on-day`, `starts_on-month`, `starts_on-year`), so a message can be tied to the
part that is wrong: only that part is styled as an error, and the error summary links to it (`error_anchor`).
Messages follow the GOV.UK date input guidance: nothing entered, a part missing, not a real date, outside the years
allowed. Years are bounded relative to today on the injectable clock (this year to five ahead by default).
"""

from datetime import date, time

from flask import render_template
from markupsafe import Markup
from wtforms import Field
from wtforms.utils import unset_value
from wtforms.validators import StopValidation

from .clock import today


class PartsInput:
    """Renders a PartsField as the GOV.UK date input component: a fieldset, a legend, a hint and one box per part.
    Built as govuk-frontend-wtf's widgets are (params, then the template), so templates/macros/fast.html can render
    the same params."""

    template = "govuk_frontend_wtf/date.html"  # {{ govukDateInput(params) }}

    def __call__(self, field, **kwargs) -> Markup:
        return self.render(self.map_gov_params(field, **kwargs))

    def map_gov_params(self, field, **kwargs) -> dict:
        """The GOV.UK date input's params."""
        params = kwargs.get("params", {})
        error_parts = field.error_parts or (field.parts if field.errors else ())
        items = [
            {
                "label": label,
                "id": f"{field.id}-{part}",
                "name": f"{field.name}-{part}",
                "value": value,
                "classes": " ".join(
                    filter(None, [f"govuk-input--width-{width}", part in error_parts and "govuk-input--error"])
                ),
            }
            for (part, label, width), value in zip(field.PARTS, field.shown_parts(), strict=True)
        ]
        legend = params.get("fieldset", {}).get("legend", {}).get("classes", "govuk-fieldset__legend--s")
        return {
            "id": field.id,
            "fieldset": {"legend": {"text": field.label.text, "classes": legend}},
            "hint": {"text": field.description} if field.description else None,
            "errorMessage": {"text": field.errors[0]} if field.errors else None,
            "items": items,
        }

    def render(self, params: dict) -> Markup:
        # render_template autoescapes every value put into the GOV.UK macro (bandit B704 does not apply)
        return Markup(render_template(self.template, params=params))  # nosec B704


class PartsField(Field):
    """A value typed in parts (day/month/year, hour/minute); subclasses say what the parts are and how to read them.

    `required` is the message when nothing is entered, or None for an optional field (then no parts is no value).
    After validation, `error_parts` names the parts to mark as wrong (all of them when a rule about the whole value is
    broken, as `add_error` records), and `error_anchor` is the id of the first of them.
    """

    PARTS: tuple[tuple[str, str, int], ...] = ()
    widget = PartsInput()

    def __init__(self, label: str, *, required: str | None, hint: str | None = None, **kwargs):
        super().__init__(label, **kwargs)
        self.required_message, self.hint = required, hint
        self.flags.required = required is not None
        self.parts = tuple(part for part, _, _ in self.PARTS)
        self.error_parts: tuple[str, ...] = ()
        self._typed: list[str] | None = None
        self._problem: tuple[str, tuple[str, ...]] | None = None

    # -- reading the parts --------------------------------------------------------------------------------------

    def process(self, formdata, data=unset_value, extra_filters=None) -> None:
        """Read the parts from their own names; a post with none of them is the same as one left blank."""
        self.process_errors, self.error_parts, self._problem, self._typed = [], (), None, None
        self.description = self.hint or self.example_hint()
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = self.data = data
        if formdata is not None:
            self._typed = [str(formdata.get(f"{self.name}-{part}", "")).strip() for part in self.parts]
            self.raw_data = self._typed
            self.data, self._problem = self._read(self._typed)

    def _read(self, typed: list[str]):
        """(value, None) or (None, (message, parts that are wrong)); nothing typed is no value."""
        missing = tuple(part for part, text in zip(self.parts, typed, strict=True) if not text)
        if len(missing) == len(self.parts):
            return None, ((self.required_message, self.parts) if self.required_message else None)
        if missing:
            return None, (f"{self.label.text} must include {self._listed(missing)}", missing)
        return self.parse(dict(zip(self.parts, typed, strict=True)))

    @staticmethod
    def _listed(parts: tuple[str, ...]) -> str:
        """'a month', 'a day and month', 'an hour'."""
        article = "an" if parts[0][0] in "aeiouh" else "a"
        return f"{article} {' and '.join(parts)}"

    def pre_validate(self, form) -> None:
        """The problem found in what was typed, tied to the parts that are wrong."""
        if self._problem:
            message, self.error_parts = self._problem
            raise StopValidation(message)

    def add_error(self, message: str, parts: tuple[str, ...] | None = None) -> None:
        """A rule the form checks across fields (the whole value, unless `parts` says which)."""
        self.errors.append(message)
        if parts:
            self.error_parts = tuple(dict.fromkeys((*self.error_parts, *parts)))

    @property
    def error_anchor(self) -> str:
        """The id the error summary links to: the first wrong part, or the first part."""
        wrong = [part for part in self.parts if part in self.error_parts]
        return f"{self.id}-{(wrong or self.parts)[0]}"

    # -- showing the parts --------------------------------------------------------------------------------------

    def shown_parts(self) -> list[str]:
        """What the boxes show: what was typed, or the stored value split into parts."""
        if self._typed is not None:
            return self._typed
        return self.split(self.data) if self.data is not None else [""] * len(self.parts)

    def _value(self) -> str:
        return " ".join(self.shown_parts())

    # -- for subclasses -----------------------------------------------------------------------------------------

    def parse(self, typed: dict[str, str]):
        raise NotImplementedError

    def split(self, value) -> list[str]:
        raise NotImplementedError

    def example_hint(self) -> str | None:
        return None


def _whole(text: str, digits: int) -> int | None:
    """A whole number of at most `digits` digits, or None."""
    return (
        int(text) if text.isascii() and text.isdigit() and len(text) <= digits else None
    )  # not '²' (int() refuses it)


class DateInputField(PartsField):
    """A date as GOV.UK's date input: day, month and year boxes; the year from `years_back` before this year to
    `years_ahead` after it (by the injectable clock)."""

    PARTS = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))

    def __init__(self, label: str, *, required: str | None, years_back: int = 0, years_ahead: int = 5, **kwargs):
        super().__init__(label, required=required, **kwargs)
        self.years_back, self.years_ahead = years_back, years_ahead

    def years(self) -> tuple[int, int]:
        """The first and last year allowed."""
        this_year = today().year
        return this_year - self.years_back, this_year + self.years_ahead

    def example_hint(self) -> str:
        first, last = self.years()
        return f"For example, 27 3 {min(first + 1, last)}"

    def parse(self, typed: dict[str, str]):
        day, month, year = _whole(typed["day"], 2), _whole(typed["month"], 2), _whole(typed["year"], 4)
        wrong = tuple(
            part
            for part, ok in (
                ("day", day is not None and 1 <= day <= 31),
                ("month", month is not None and 1 <= month <= 12),
            )
            if not ok
        )
        if wrong:
            return None, (f"{self.label.text} must be a real date", wrong)
        first, last = self.years()
        if year is None or not first <= year <= last:
            return None, (f"{self.label.text} must be between {first} and {last}", ("year",))
        try:
            return date(year, month, day), None
        except ValueError:  # 31 in a 30-day month, or 29 February in a common year
            return None, (f"{self.label.text} must be a real date", ("day",))

    def split(self, value: date) -> list[str]:
        return [str(value.day), str(value.month), str(value.year)]


class TimeInputField(PartsField):
    """A time of day on the 24-hour clock as two boxes, hour and minute (GOV.UK has no time picker either)."""

    PARTS = (("hour", "Hour", 2), ("minute", "Minute", 2))

    def example_hint(self) -> str:
        return "Use the 24-hour clock. For example, 14 30"

    def process(self, formdata, data=unset_value, extra_filters=None) -> None:
        """'14:30' typed into the hour box alone is read as hour and minute."""
        if formdata is not None and not str(formdata.get(f"{self.name}-minute", "")).strip():
            hour = str(formdata.get(f"{self.name}-hour", "")).strip()
            for separator in (":", "."):
                if separator in hour:
                    formdata = formdata.copy()
                    formdata[f"{self.name}-hour"], formdata[f"{self.name}-minute"] = hour.split(separator, 1)
                    break
        super().process(formdata, data, extra_filters)

    def parse(self, typed: dict[str, str]):
        hour, minute = _whole(typed["hour"], 2), _whole(typed["minute"], 2)
        wrong = tuple(
            part
            for part, ok in (("hour", hour is not None and hour <= 23), ("minute", minute is not None and minute <= 59))
            if not ok
        )
        if wrong:
            return None, (f"{self.label.text} must be a real time on the 24-hour clock, like 14 30", wrong)
        return time(hour, minute), None

    def split(self, value: time) -> list[str]:
        return [f"{value.hour:02d}", f"{value.minute:02d}"]

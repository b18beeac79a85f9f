"""The session form's posted boxes from readable values: dates "2026-12-10" and times "09:30" become the GOV.UK
day/month/year and hour/minute inputs (`starts_on-day`, `start_time-hour`, ...); other fields pass through."""

DATES = ("starts_on", "deadline_on")
TIMES = ("start_time", "end_time", "deadline_time")


def boxes(values: dict) -> dict:
    """The form data a browser posts for these values."""
    posted = {}
    for name, value in values.items():
        if name in DATES:
            year, month, day = value.split("-")
            posted.update({f"{name}-day": day, f"{name}-month": month, f"{name}-year": year})
        elif name in TIMES:
            hour, minute = value.split(":")
            posted.update({f"{name}-hour": hour, f"{name}-minute": minute})
        else:
            posted[name] = value
    return posted

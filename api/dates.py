"""Partial dates in query strings (``2021``, ``2021-03``, ``2021-03-05``)."""
import datetime as dt
import re

import marshmallow as ma

PARTIAL_DATE = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
_FORM = re.compile(PARTIAL_DATE)


def date_range(value):
    """First and last day covered by a partial date, as ISO strings."""
    parts = [int(p) for p in value.split("-")]
    year, month, day = parts + [None] * (3 - len(parts))
    first = dt.date(year, month or 1, day or 1)
    if day:
        last = first
    elif month:
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    else:
        last = dt.date(year, 12, 31)
    return first.isoformat(), last.isoformat()


def validate_partial_date(value):
    if not _FORM.match(value):
        raise ma.ValidationError("must be a date as YYYY, YYYY-MM or YYYY-MM-DD")
    try:
        date_range(value)
    except ValueError as exc:
        raise ma.ValidationError(f"not a real date: {exc}") from exc


def year_before(iso_day):
    """The same day one year earlier (29 February maps to 28 February)."""
    day = dt.date.fromisoformat(iso_day)
    if day.year == 1:
        return "0000"
    try:
        return day.replace(year=day.year - 1).isoformat()
    except ValueError:
        return day.replace(year=day.year - 1, day=28).isoformat()

"""Partial dates in query strings (``2021``, ``2021-03``, ``2021-03-05``)."""
import calendar
import datetime as dt

# The form of a partial date; a value of this form may still be no real day (2021-02-30): that
# is checked when the request is answered (a 400 too, see api.fact_lists.require_real_dates).
PARTIAL_DATE = r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"


def date_range(value):
    """First and last day covered by a partial date, as ISO strings."""
    parts = [int(p) for p in value.split("-")]
    year, month, day = parts + [None] * (3 - len(parts))
    first = dt.date(year, month or 1, day or 1)
    if day:
        last = first
    elif month:
        last = first.replace(day=calendar.monthrange(year, month)[1])  # no overflow in 9999-12
    else:
        last = dt.date(year, 12, 31)
    return first.isoformat(), last.isoformat()


def year_before(iso_day):
    """The same day one year earlier (29 February maps to 28 February)."""
    day = dt.date.fromisoformat(iso_day)
    if day.year == 1:
        return "0000"
    try:
        return day.replace(year=day.year - 1).isoformat()
    except ValueError:
        return day.replace(year=day.year - 1, day=28).isoformat()

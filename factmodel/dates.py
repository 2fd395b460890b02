"""Partial ISO 8601 dates (``2011``, ``2023-03``, ``2024-07-24``) as intervals of days."""
import calendar
import datetime as dt
import re
from functools import lru_cache

# The form of a partial date. A value of this form may still be no calendar day (2021-02-30):
# :func:`interval` says so.
PARTIAL_DATE = r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
_FORM = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def normalise(value):
    """A bare YAML year (an int) becomes a string; strings pass through."""
    return f"{value:04d}" if isinstance(value, int) and not isinstance(value, bool) else value


@lru_cache(maxsize=65536)
def interval(value):
    """Return ``(first day, last day, precision)`` of a partial date, or raise ValueError.

    ``2023-03`` → ``("2023-03-01", "2023-03-31", "month")``.
    """
    match = _FORM.match(value or "")
    if not match:
        raise ValueError(f"{value!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    y = int(year)
    if y < 1:
        raise ValueError(f"{value!r}: year 0000 does not exist")
    if month is None:
        return f"{year}-01-01", f"{year}-12-31", "year"
    m = int(month)
    if not 1 <= m <= 12:
        raise ValueError(f"{value!r}: month {month} does not exist")
    last = calendar.monthrange(y, m)[1]
    if day is None:
        return f"{year}-{month}-01", f"{year}-{month}-{last:02d}", "month"
    if not 1 <= int(day) <= last:
        raise ValueError(f"{value!r}: {year}-{month} has no day {day}")
    return value, value, "day"


def date_range(value):
    """First and last day covered by a partial date, as ISO strings (ValueError if none)."""
    first, last, _ = interval(value)
    return first, last


def days_before(day, days=1):
    """The ISO day ``days`` before ``day`` (the first day there is, if that is before it)."""
    try:
        return (dt.date.fromisoformat(day) - dt.timedelta(days=days)).isoformat()
    except OverflowError:
        return "0001-01-01"


# early/mid/late beside a month-precision date (docs/methodology.md, section 3): its first and
# last day of the month (None: to the month's end)
MONTH_PARTS = {"early": (1, 10), "mid": (11, 20), "late": (21, None)}


def part_range(value, part):
    """First and last day of ``part`` (``early``: 1-10, ``mid``: 11-20, ``late``: 21 to the end)
    of the month-precision date ``value`` (ValueError for another precision or part); with
    ``part`` None, :func:`date_range`."""
    first, last, precision = interval(value)
    if part is None:
        return first, last
    if precision != "month":
        raise ValueError(f"{value!r} has {precision} precision: early/mid/late only qualify a month (YYYY-MM)")
    if part not in MONTH_PARTS:
        raise ValueError(f"{part!r} is none of {', '.join(MONTH_PARTS)}")
    low, high = MONTH_PARTS[part]
    return f"{value}-{low:02d}", last if high is None else f"{value}-{high:02d}"

"""The relative dates of an article (``yesterday``, ``on Monday``, ``last month``...) resolved
against its publication day, as the README's "Fact conventions" say: the table ``kb new-source``
prints (:mod:`kb.stubs`), which the validator shows too when a fact is dated after its source
(:mod:`kb.rules`).
"""
import datetime as dt
import re

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def _month(year, month, shift):
    index = year * 12 + month - 1 + shift
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def relative_dates(published):
    """``[(phrase, partial date or range, how)]``: the relative wordings of an article
    published on ``published`` (YYYY-MM-DD) resolved as the README's "Fact conventions" say."""
    day = dt.date.fromisoformat(published)
    iso = day.isoformat
    rows = [("today, this morning, tonight", iso(), "the publication day"),
            ("yesterday", (day - dt.timedelta(days=1)).isoformat(), "the day before")]
    for number, name in enumerate(WEEKDAYS):
        back = (day.weekday() - number) % 7
        if back == 0:
            rows.append((f"{name} ({name} evening, on {name})", iso(),
                         f"the publication day itself; the {name} before is {(day - dt.timedelta(7)).isoformat()}"))
        else:
            rows.append((f"{name} ({name} evening, on {name})", (day - dt.timedelta(back)).isoformat(),
                         f"the {name} before the publication day"))
    monday = day - dt.timedelta(day.weekday())
    week = lambda start: f"{start.isoformat()}..{(start + dt.timedelta(6)).isoformat()}"
    rows += [("this week", week(monday), "Monday..Sunday; a single date needs the day (else use the month)"),
             ("last week", week(monday - dt.timedelta(7)), "Monday..Sunday of the previous week"),
             ("next week", week(monday + dt.timedelta(7)), "for predictions"),
             ("this month", _month(day.year, day.month, 0), "month precision"),
             ("last month", _month(day.year, day.month, -1), "month precision"),
             ("next month", _month(day.year, day.month, 1), "for predictions"),
             ("this year", f"{day.year:04d}", "year precision"),
             ("last year", f"{day.year - 1:04d}", "year precision"),
             ("next year", f"{day.year + 1:04d}", "for predictions")]
    for number, name in enumerate(MONTHS, 1):
        year = day.year if number <= day.month else day.year - 1
        rows.append((f"in {name}", f"{year:04d}-{number:02d}", "the most recent not after publication"))
    for number, name in enumerate(MONTHS, 1):
        rows.append((f"{name} last year", f"{day.year - 1:04d}-{number:02d}", "month precision"))
    return rows


def table(published, text):
    """The lines ``kb new-source`` prints for an article published on ``published`` with
    ``text``: a heading, then each relative wording and what it resolves to (``*`` marks those
    the text uses; months only when it does)."""
    rows = relative_dates(published)
    width = max(len(r[0]) for r in rows)
    lines = ["relative dates in this article (* = the wording occurs in the text):"]
    for phrase, value, how in rows:
        mark = "*" if occurs(phrase, text) else " "
        if mark == " " and phrase.split()[0] in MONTHS + ["in"]:
            continue  # the months are listed only when the text uses them
        lines.append(f" {mark} {phrase:<{width}}  {value:<22}  {how}")
    return lines


def occurs(phrase, text):
    words = [w for w in re.split(r"[ ,()]+", phrase.split(" (")[0]) if w]
    return re.search(r"\b" + r"\s+".join(map(re.escape, words)) + r"\b", text, re.IGNORECASE) is not None

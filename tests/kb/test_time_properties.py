"""Time certainty as properties, on generated facts (Hypothesis): the build's time rules
(kb/time_rules.py) give each fact its span and its certainty columns, and the one window rule
(factmodel/certainty.py, the SQL the API runs) is evaluated on them in SQLite.

- a fact's certain days meet its possible days (``held`` inside the span, ``whole`` overlapping it);
- certain ⊆ possible, for every window;
- narrowing a window never adds a match, certain or possible;
- a state is never a match on or after the day a ``former`` one ended;
- an undated act without a written not_after is never possible after its earliest article.
"""
import datetime as dt
import sqlite3

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from factmodel import certainty
from factmodel.dates import date_range
from factmodel.spans import OPEN_END, OPEN_START
from kb.time_rules import time_of

YEARS = st.integers(2005, 2026)


@st.composite
def partial_dates(draw):
    year = draw(YEARS)
    form = draw(st.sampled_from(["year", "month", "day"]))
    if form == "year":
        return f"{year}"
    month = draw(st.integers(1, 12))
    if form == "month":
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{draw(st.integers(1, 28)):02d}"


@st.composite
def facts(draw):
    kind = draw(st.sampled_from(["act", "state", "prediction"]))
    fact = {"type": "event", "status": "predicted" if kind == "prediction" else "stated", "time_kind": kind}
    bounds = {"act": ("not_before", "not_after"), "state": ("valid_from", "valid_until"),
              "prediction": ("expected_not_before", "expected_not_after")}[kind]
    for name in bounds:
        if draw(st.booleans()):
            fact[name] = draw(partial_dates())
    date = draw(st.none() | partial_dates())
    if kind == "state" and draw(st.integers(0, 4)) == 0:
        fact["former"] = True
        fact.pop("valid_until", None)
    if date is not None and draw(st.integers(0, 4)) == 0:
        fact["date_inferred"] = True
    published = sorted(draw(st.lists(partial_dates().map(lambda d: date_range(d)[1]), min_size=1, max_size=3)))
    return fact, date, published


def built(fact, date, published):
    """What the build stores for the fact: (span, certainty), or None when the rules refuse it."""
    problems = []
    start, end = date_range(date) if date else (None, None)
    precision = None if date is None else {4: "year", 7: "month", 10: "day"}[len(date)]
    if date and fact["status"] == "stated" and start > published[0]:
        return None  # a stated fact dated after one of its sources: refused per citation by kb/rules.py
    _, _, span, certain = time_of(fact, date, precision, start, end, published, lambda *a: problems.append(a))
    return None if problems else (span, certain)


@st.composite
def windows(draw):
    low = draw(st.none() | partial_dates().map(lambda d: date_range(d)[0]))
    high = draw(st.none() | partial_dates().map(lambda d: date_range(d)[1]))
    assume(low is None or high is None or low <= high)
    return low, high


def matches(rows, window):
    """{id: (certain, possible)} of ``rows`` for ``window``, by the API's SQL."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE f (id INTEGER, span_start, span_end, whole_start, whole_end, held_start, held_end)")
    conn.executemany("INSERT INTO f VALUES (?, ?, ?, ?, ?, ?, ?)",
                     [(i, *span, *certain) for i, (span, certain) in enumerate(rows)])
    conn.row_factory = sqlite3.Row
    clauses, params = certainty.overlap(window)
    possible = {r[0] for r in conn.execute("SELECT id FROM f WHERE " + (" AND ".join(clauses) or "1"), params)}
    clause, params = certainty.certain("f", window)
    certain = {r[0] for r in conn.execute(f"SELECT id FROM f WHERE {clause}", params)}
    # the same rule on a row, which marks a list's items; and NOT of the clause is its opposite
    assert certain == {r["id"] for r in conn.execute("SELECT * FROM f") if certainty.is_certain(r, window)}
    assert not certain & {r[0] for r in conn.execute(f"SELECT id FROM f WHERE NOT {clause}", params)}
    assert len(certain) + conn.execute(f"SELECT count(*) FROM f WHERE NOT {clause}", params).fetchone()[0] == len(rows)
    conn.close()
    return certain, possible


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


@SETTINGS
@given(facts())
def test_certain_days_meet_the_possible_days(generated):
    stored = built(*generated)
    assume(stored is not None)
    (low, high), (whole_start, whole_end, held_start, held_end) = stored
    assert low <= high or (low, high) == (OPEN_START, OPEN_END)
    if held_start is not None:
        assert low <= held_start <= held_end <= high
    if whole_start is not None:
        assert whole_start <= whole_end and whole_start <= high and whole_end >= low


@SETTINGS
@given(st.lists(facts(), min_size=1, max_size=12), windows(), windows())
def test_certain_within_possible_and_narrowing_never_adds(generated, window, other):
    rows = [stored for stored in (built(*g) for g in generated) if stored is not None]
    assume(rows)
    certain, possible = matches(rows, window)
    assert certain <= possible
    # a narrower window: the intersection of the two
    lows = [d for d in (window[0], other[0]) if d]
    highs = [d for d in (window[1], other[1]) if d]
    narrow = (max(lows) if lows else None, min(highs) if highs else None)
    assume(narrow[0] is None or narrow[1] is None or narrow[0] <= narrow[1])
    narrow_certain, narrow_possible = matches(rows, narrow)
    assert narrow_possible <= possible and narrow_certain <= possible
    assert narrow_certain <= narrow_possible


@SETTINGS
@given(facts(), windows())
def test_a_former_state_is_never_a_match_from_its_observation_on(generated, window):
    fact, date, published = generated
    assume(fact["time_kind"] == "state" and fact.get("former"))
    stored = built(fact, date, published)
    assume(stored is not None)
    observed = date_range(date)[0] if date else published[0]
    certain, possible = matches([stored], (observed, window[1] if window[1] and window[1] >= observed else None))
    assert certain == set() and possible == set()


@SETTINGS
@given(facts())
def test_an_undated_act_is_never_possible_after_its_earliest_article(generated):
    fact, date, published = generated
    assume(fact["time_kind"] == "act" and date is None and "not_after" not in fact)  # not_after: derived
    stored = built(fact, date, published)
    assume(stored is not None)
    day_after = (dt.date.fromisoformat(published[0]) + dt.timedelta(days=1)).isoformat()
    certain, possible = matches([stored], (day_after, None))
    assert possible == set()

"""A state observed again (a citation's ``observed``) and parts of a month (``*_part``: early,
mid, late), as properties of the time rules (kb/time_rules.py) and the window rule
(factmodel/certainty.py), then served (docs/methodology.md, section 3; issue 31).

- a state observed on d1 and again on d2 is certainly valid on every day from d1 to d2;
- as known by a day before d2's source was published (``as_of``), the later observation and the
  extent it adds are dropped: the build's ``fact_extents`` (:func:`as_of_views`) and the served
  time (:func:`factmodel.observations.time_as_of`) agree;
- early/mid/late are days 1-10, 11-20 and 21 to the month's end, and only qualify a month.
"""
import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from factmodel.certainty import is_certain
from factmodel.dates import date_range, part_range
from factmodel.observations import time_as_of
from kb.jsonschemas import load_schemas
from kb.time_rules import as_of_views, time_of
from tests.kb.test_time_properties import SETTINGS, matches, partial_dates

DAY = dt.timedelta(days=1)


def _day(iso, days=0):
    return (dt.date.fromisoformat(iso) + days * DAY).isoformat()


def _precision(value):
    return {4: "year", 7: "month", 10: "day"}[len(value)]


@st.composite
def observed_states(draw):
    """A state (valid_until not written) dated ``d1``, cited by an article published on or after
    it, and observed again on ``d2`` (> d1) by an article published on or after ``d2``."""
    d1, d2 = draw(partial_dates()), draw(partial_dates())
    assume(date_range(d2)[0] > date_range(d1)[1])
    p1 = _day(date_range(d1)[1], draw(st.integers(0, 400)))
    p2 = _day(max(date_range(d2)[1], p1), draw(st.integers(0, 400)))
    fact = {"type": "lease", "status": "stated", "citations": [{"source": "a", "quote": "..."},
                                                               {"source": "b", "quote": "...", "observed": d2}]}
    if draw(st.booleans()):
        fact["valid_from"] = draw(partial_dates())
        assume(date_range(fact["valid_from"])[0] <= date_range(d1)[1])
    return fact, d1, (p1, p2)


def _time(fact, date, published, by=None):
    problems = []
    start, end = date_range(date)
    cited = [(c, p) for c, p in zip(fact["citations"], published) if by is None or p <= by]
    kind, time, span, certain = time_of(fact, date, _precision(date), start, end, [p for _, p in cited],
                                        lambda *a: problems.append(a), cited)
    assert not problems, problems
    return time, span, certain


@SETTINGS
@given(observed_states(), st.integers(0, 4000))
def test_a_state_observed_again_holds_for_certain_in_between(generated, offset):
    fact, d1, published = generated
    time, span, certain = _time(fact, d1, published)
    d2 = fact["citations"][1]["observed"]
    # every day from the end of the first observation to the start of the latest (a day-precision
    # d1 and d2: every day from d1 to d2), and valid_at either observation itself
    first, last = date_range(d1)[1], date_range(d2)[0]
    day = _day(first, offset)
    assume(day <= last)
    columns = dict(zip(("whole_start", "whole_end", "held_start", "held_end"), certain))
    for window in ((day, day), date_range(d1), date_range(d2)):
        assert is_certain(columns, window)
        assert matches([(span, certain)], window) == ({0}, {0})  # the SQL says the same
    assert [o["date"] for o in time["observations"]] == [d1, fact["citations"][1]["observed"]]
    assert time["date"] == d1 and time["valid_until"] == fact["citations"][1]["observed"]
    assert time["valid_until_basis"] == "observation"


@SETTINGS
@given(observed_states())
def test_as_of_drops_the_later_observation_and_its_extent(generated):
    fact, d1, (p1, p2) = generated
    assume(p1 < p2)
    time, span, certain = _time(fact, d1, (p1, p2))
    early_time, early_span, early_certain = _time(fact, d1, (p1, p2), by=p1)
    views = as_of_views(fact, d1, _precision(d1), *date_range(d1), list(zip(fact["citations"], (p1, p2))))
    assert views == [(p1, _day(p2, -1), early_span, early_certain)]
    assert early_span[1] < span[1] and early_span[0] == span[0]  # the sort key stays the stored one
    # the served time as known by then, from the stored one (factmodel/observations.py), is the build's
    served = time_as_of(time, [{"source": "a"}])
    assert served == early_time
    after = _day(date_range(d1)[1], 1)
    assert matches([(early_span, early_certain)], (after, after)) == (set(), set())


def test_no_view_when_every_observation_is_the_date():
    fact = {"type": "lease", "status": "stated", "citations": [{"source": "a", "quote": "..."},
                                                               {"source": "b", "quote": "..."}]}
    cited = list(zip(fact["citations"], ("2020-05-01", "2025-01-01")))
    assert as_of_views(fact, "2020-04", "month", "2020-04-01", "2020-04-30", cited) == []
    time, span, _ = _time(fact, "2020-04", ("2020-05-01", "2025-01-01"))
    assert span == ("2020-04-01", "2020-04-30") and time["valid_until"] == "2020-04"


@pytest.mark.parametrize("value, part, days", [
    ("2024-12", "early", ("2024-12-01", "2024-12-10")),
    ("2024-12", "mid", ("2024-12-11", "2024-12-20")),
    ("2024-12", "late", ("2024-12-21", "2024-12-31")),
    ("2024-02", "late", ("2024-02-21", "2024-02-29")),
    ("2023-02", "late", ("2023-02-21", "2023-02-28")),
    ("2024-04", "late", ("2024-04-21", "2024-04-30")),
    ("2024-04", None, ("2024-04-01", "2024-04-30")),
])
def test_parts_of_a_month(value, part, days):
    assert part_range(value, part) == days


@pytest.mark.parametrize("value", ["2024", "2024-12-05"])
def test_a_part_only_qualifies_a_month(value):
    with pytest.raises(ValueError):
        part_range(value, "early")
    schema = load_schemas()["facts"]
    fact = {"id": "x-y", "type": "event", "summary": "Something happened somewhere.", "date": value,
            "date_precision": _precision(value), "status": "stated", "kind": "support", "actors": [],
            "location": None, "citations": [{"source": "s", "quote": "abc"}]}
    assert not list(schema.errors({"facts": [fact]}))
    assert list(schema.errors({"facts": [{**fact, "date_part": "early"}]}))
    assert list(schema.errors({"facts": [{**fact, "valid_from_part": "late"}]}))  # no valid_from beside it
    month = {**fact, "date": "2024-12", "date_precision": "month"}
    assert not list(schema.errors({"facts": [{**month, "date_part": "early", "not_after": "2025-01", "not_after_part": "mid"}]}))


@pytest.mark.parametrize("part, window, certain, possible", [
    ("early", ("2024-12-01", "2024-12-10"), True, True),
    ("early", ("2024-12-11", "2024-12-31"), False, False),
    ("late", ("2024-12-21", "2024-12-31"), True, True),
    ("mid", ("2024-12-15", "2024-12-15"), False, True),
])
def test_a_part_narrows_the_span_of_an_act_and_a_state_bound(part, window, certain, possible):
    fact = {"type": "event", "status": "stated", "date_part": part}
    start, end = part_range("2024-12", part)
    problems = []
    _, time, span, columns = time_of(fact, "2024-12", "month", start, end, ["2025-01-05"],
                                     lambda *a: problems.append(a))
    assert not problems and span == (start, end) and time["date_part"] == part
    assert matches([(span, columns)], window) == (({0} if certain else set()), ({0} if possible else set()))
    # a state's bounds: valid_until late December 2024
    state = {"type": "lease", "status": "stated", "valid_until": "2024-12", "valid_until_part": part}
    _, time, span, _ = time_of(state, "2024-11-03", "day", "2024-11-03", "2024-11-03", ["2024-11-05"],
                               lambda *a: problems.append(a))
    assert not problems and span == ("2024-11-03", end) and time["valid_until_part"] == part

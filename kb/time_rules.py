"""The time rules of a fact: its time kind, its bounds (``not_before`` .. ``expected_not_after``),
where each bound comes from, its span and its certainty, as pure functions called by
:func:`kb.rules.check_fact` (see docs/methodology.md, section 3).

Only these bounds are derived: an act (or the making of a prediction) is not after its earliest
citing article (basis ``publication``); a prediction is not expected before it was made, its
date or a written ``not_before`` (``prediction``); a state holds from and to its observation unless the curator says otherwise
(``observation``: its date, or the earliest citing article when undated), and, observed again by
a later citation (its ``observed``), until its latest observation; a ``former`` state ended before
its observation. Every other bound is the curator's (``curator``). A month-precision date or
bound may carry a part of the month (``date_part``, ``valid_from_part``…: early, mid, late), which
narrows its days (:func:`factmodel.dates.part_range`).
"""
from factmodel import dates
from factmodel.vocabulary import FACT_TYPES
from factmodel.spans import OPEN_END, OPEN_START

DATED_STATUSES = {"stated", "reported"}
BOUNDS = ("not_before", "not_after", "valid_from", "valid_until", "expected_not_before", "expected_not_after")
BOUND_KINDS = {"not_before": ("act", "prediction"), "not_after": ("act", "prediction"), "valid_from": ("state",),
               "valid_until": ("state",), "expected_not_before": ("prediction",), "expected_not_after": ("prediction",)}
ORDERED = (("not_before", "not_after"), ("valid_from", "valid_until"), ("expected_not_before", "expected_not_after"))


def default_time_kind(fact):
    """``prediction`` for predicted facts; else the type's (``x-time-kind`` and ``x-state-kinds`` in
    schema/facts.schema.json: ``state`` for troop deployments, leases, positions and stances; else ``act``)."""
    if fact["status"] == "predicted":
        return "prediction"
    return FACT_TYPES[fact["type"]].default_time_kind(fact)


def observations_of(fact, date, start, end, cited):
    """A state's observations, earliest first: ``[(partial date, (first day, last day), source id)]``,
    one per citation of ``cited`` (``[(citation, published)]``): its ``observed``, else the fact's
    ``date`` (``start``..``end``, narrowed by its part), else its source's publication date."""
    found = []
    for citation, published in cited:
        value = dates.normalise(citation.get("observed"))
        if value is not None:
            try:
                days = dates.date_range(value)
            except ValueError:
                continue  # reported by time_of
        elif start is not None:
            value, days = date, (start, end)
        else:
            value, days = published, (published, published)
        found.append((value, days, citation["source"]))
    return sorted(found, key=lambda o: o[1])


def time_of(fact, date, precision, start, end, published, issue, cited=()):
    """The fact's time kind, its ``time`` object, its span ``(first day or '', last day or
    '9999-12-31')`` (the days the sources allow: a window overlapping it is a *possible* match)
    and its certainty ``(whole_start, whole_end, held_start, held_end)`` (a window holding all
    of ``whole`` or overlapping ``held`` is a *certain* match; None where there is none); ``issue``
    is told of bounds that do not fit (see docs/methodology.md, section 3). ``cited``: the valid
    citations with their sources' publication dates, ``[(citation, published)]`` (their
    ``observed``: a state's later observations)."""
    kind = fact.get("time_kind") or default_time_kind(fact)
    bounds, days = {}, {}  # bound -> partial date as written; bound -> (first day, last day)
    for name in BOUNDS:
        value = dates.normalise(fact.get(name))
        bounds[name] = value
        if value is None:
            continue
        try:
            days[name] = dates.part_range(value, fact.get(f"{name}_part"))
        except ValueError as exc:
            issue(name, f"{name} {exc}")
            continue
        if kind not in BOUND_KINDS[name]:
            allowed = " and ".join(f"{k}s" for k in BOUND_KINDS[name])
            issue(name, f"{name} is for {allowed} only; this fact's time kind is {kind!r}")
    former, inferred = bool(fact.get("former")), bool(fact.get("date_inferred"))
    if former and kind != "state":
        issue("former", f"former is for states only (a post or a presence over by the observation); this fact's "
                        f"time kind is {kind!r}")
    if former and bounds["valid_until"] is not None:
        issue("former", "a former state ended before its observation: leave valid_until out (or drop former and "
                        "keep valid_until)")
    if inferred and date is None:
        issue("date_inferred", "date_inferred says the date is the curator's inference, but date is null")
    for low, high in ORDERED:
        if low in days and high in days and days[low][0] > days[high][1]:
            issue(low, f"{low} {bounds[low]} is after {high} {bounds[high]}")
            del days[high]  # one problem: not reported again against the observation
    first = min(published) if published else None
    observed = (start, end) if start is not None else ((first, first) if first else None)  # a state's observation
    for citation, source_date in cited:
        number = next(i for i, c in enumerate(fact["citations"]) if c is citation)
        value = dates.normalise(citation.get("observed"))
        if value is None:
            continue
        try:
            seen_days = dates.date_range(value)
        except ValueError as exc:
            issue("citations", f"observed {exc}", number, "observed")
            continue
        if kind != "state" or former:
            issue("citations", f"observed (a state observed again) is for states that held; this fact's time kind "
                               f"is {kind!r}{' and it is former' if former else ''}", number, "observed")
        elif start is None:
            issue("citations", "observed: give the state's date, its first observation, when a citation observes "
                               "it again", number, "observed")
        elif seen_days[0] < start:
            issue("citations", f"observed {value} is before the fact's date {date}, its first observation",
                  number, "observed")
        if seen_days[0] > source_date:
            issue("citations", f"observed {value} is after its source was published ({source_date})", number,
                  "observed")
    seen_all = observations_of(fact, date, start, end, cited) if kind == "state" and not former else []
    latest = seen_all[-1] if seen_all and observed is not None and seen_all[-1][1] > observed else None
    if kind == "act" and start is not None:
        if "not_before" in days and days["not_before"][0] > end:
            issue("not_before", f"not_before {bounds['not_before']} is after date {date}")
        if "not_after" in days and days["not_after"][1] < start:
            issue("not_after", f"not_after {bounds['not_after']} is before date {date}")
    elif kind == "state" and observed is not None and former:
        if "valid_from" in days and days["valid_from"][0] >= observed[0]:
            issue("valid_from", f"valid_from {bounds['valid_from']} is not before the observation ({date or first}), "
                                "which a former state ended before")
    elif kind == "state" and observed is not None:
        seen = date if start is not None else f"its earliest source, {first}"
        if "valid_from" in days and days["valid_from"][0] > observed[1]:
            issue("valid_from", f"valid_from {bounds['valid_from']} is after the date it is reported true ({seen})")
        if "valid_until" in days and days["valid_until"][1] < observed[0]:
            issue("valid_until", f"valid_until {bounds['valid_until']} is before the date it is reported true "
                                 f"({seen}); a state over before its observation is `former: true`")
        elif "valid_until" in days and latest is not None and days["valid_until"][1] < latest[1][0]:
            issue("valid_until", f"valid_until {bounds['valid_until']} is before the state's latest observation "
                                 f"({latest[0]}, {latest[2]}); a state that may have lapsed is a new fact")
    elif kind == "prediction" and (start is not None or "not_before" in days):
        made = (date, start) if start is not None else (f"not before {bounds['not_before']}", days["not_before"][0])
        if "expected_not_after" in days and days["expected_not_after"][1] < made[1]:
            issue("expected_not_after", f"expected_not_after {bounds['expected_not_after']} is before the prediction "
                                        f"was made ({made[0]})")
    if kind == "act" and published:
        latest = max(published)
        given = [("not_before", days.get("not_before")), ("not_after", days.get("not_after"))]
        if fact["status"] not in DATED_STATUSES:  # stated and reported facts: checked per citation
            given.insert(0, ("date", None if start is None else (start, end)))
        for name, interval in given:
            if interval is not None and interval[0] > latest:
                issue(name, f"{name} {date if name == 'date' else bounds[name]} of an act is after its latest source "
                            f"was published ({latest})")

    basis = {name: ("curator" if bounds[name] is not None else None) for name in BOUNDS}
    date_part = fact.get("date_part") if date is not None else None
    parts = {name: (fact.get(f"{name}_part") if bounds[name] is not None else None) for name in BOUNDS}
    ended_before = None

    def derive(name, value, why, interval):
        bounds[name], basis[name], days[name] = value, why, interval

    if kind != "state" and bounds["not_after"] is None and first is not None:
        derive("not_after", first, "publication", (first, first))  # never later than the article
        if "not_before" in days and first < days["not_before"][0] <= max(published):  # (after the latest: above)
            issue("not_before", f"not_before {bounds['not_before']} is after the earliest source citing it was "
                                f"published ({first}), which it cannot be later than")
    if kind == "prediction" and bounds["expected_not_before"] is None:
        # not expected before it was made: its date, else a written not_before (an undated one may
        # have been made any time before its article: nothing is derived)
        made = (date, (start, end)) if start is not None else (bounds["not_before"], days.get("not_before"))
        if made[0] is not None and made[1] is not None:
            derive("expected_not_before", made[0], "prediction", made[1])
            parts["expected_not_before"] = date_part if start is not None else parts["not_before"]
    if kind == "state" and observed is not None:
        seen = date if start is not None else first
        if former:
            ended_before = observed[0]  # over before the observation; a start only if written
        else:
            if bounds["valid_from"] is None:
                derive("valid_from", seen, "observation", observed)  # from the observation (methodology 3)
                parts["valid_from"] = date_part
            if bounds["valid_until"] is None and latest is not None:
                # to its latest observation: a citation observing it again asserts it held in between
                derive("valid_until", latest[0], "observation", latest[1])
            elif bounds["valid_until"] is None:
                derive("valid_until", seen, "observation", observed)  # to the observation: nothing later is said
                parts["valid_until"] = date_part
    time = {"kind": kind, "date": date, "precision": precision, "date_inferred": inferred}
    for name in BOUNDS:
        time[name], time[f"{name}_basis"] = bounds[name], basis[name]
        if name == "valid_until":
            time["ended_before"], time["ended_before_basis"] = ended_before, "observation" if ended_before else None
    # added later, last: the observations of a state (one per citation) and the parts of the month
    time["observations"] = [{"date": value, "source": source} for value, _, source in seen_all]
    time["date_part"] = date_part
    for name in BOUNDS:
        time[f"{name}_part"] = parts[name]

    if kind == "act":
        low = days.get("not_before", (OPEN_START,))[0]
        high = days.get("not_after", (None, OPEN_END))[1]
        span = (max(start, low), min(end, high)) if start is not None else (low, high)
        # certain: every day it may have happened lies in the window; an inferred date is not the source's
        whole = (low, high) if inferred else span
        return kind, time, span, (*whole, None, None)
    if kind == "prediction":
        span = (days.get("expected_not_before", (OPEN_START,))[0], days.get("expected_not_after", (None, OPEN_END))[1])
        return kind, time, span, (*span, None, None)
    if former:
        span = (days.get("valid_from", (OPEN_START,))[0], dates.days_before(ended_before) if ended_before else OPEN_END)
        return kind, time, span, (None, None, None, None)  # no day is known: never a certain match
    since, until = days.get("valid_from", (OPEN_START, OPEN_START)), days.get("valid_until", (OPEN_END, OPEN_END))
    span = (since[0], until[1])
    if latest is not None and not inferred:  # observed again: it held from its first observation to its latest at least
        since = (since[0], min(since[1], observed[1]))
        until = (min(until[0], latest[1][0]), until[1]) if bounds["valid_until"] is not None else until
    held = (since[1], until[0]) if since[1] <= until[0] else (None, None)  # latest start .. earliest end
    whole = observed if observed is not None and not inferred else (None, None)  # holds on a day of it
    return kind, time, span, (*whole, *held)


def as_of_views(fact, date, precision, start, end, cited):
    """What a state observed again is known as by each earlier day its sources were published:
    ``[(known from, known until, span, certainty)]`` (the ``fact_extents`` rows, each the
    :func:`time_of` of the citations published by ``known from``, until the day before the next
    publication), only where that differs from the whole fact's; [] for every other fact."""
    days = sorted({published for _, published in cited})
    if len(days) < 2 or not any(citation.get("observed") for citation, _ in cited):
        return []

    def known(by):
        subset = [(c, p) for c, p in cited if p <= by]
        _, _, span, certain = time_of(fact, date, precision, start, end, [p for _, p in subset],
                                      lambda *args: None, subset)
        return span, certain

    whole = known(days[-1])
    return [(day, dates.days_before(following), *known(day)) for day, following in zip(days, days[1:])
            if known(day) != whole]

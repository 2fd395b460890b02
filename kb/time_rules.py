"""The time rules of a fact: its time kind, its bounds (``not_before`` .. ``expected_not_after``)
and its span, as pure functions called by :func:`kb.rules.check_fact` (see docs/methodology.md).
"""
from factmodel import dates
from factmodel.spans import OPEN_END, OPEN_START

DATED_STATUSES = {"stated", "reported"}
STATE_TYPES = {"troop_deployment", "lease", "position"}  # facts that are states of affairs by default
BOUNDS = ("not_before", "not_after", "valid_from", "valid_until", "expected_not_before", "expected_not_after")
BOUND_KINDS = {"not_before": ("act", "prediction"), "not_after": ("act", "prediction"), "valid_from": ("state",),
               "valid_until": ("state",), "expected_not_before": ("prediction",), "expected_not_after": ("prediction",)}
ORDERED = (("not_before", "not_after"), ("valid_from", "valid_until"), ("expected_not_before", "expected_not_after"))
TIME_KEYS = ("kind", "date", "precision", *BOUNDS)


def default_time_kind(fact):
    """``prediction`` for predicted facts; ``state`` for troop deployments, leases, positions
    and stances; else ``act``."""
    if fact["status"] == "predicted":
        return "prediction"
    if fact["type"] in STATE_TYPES or (fact["type"] == "statement" and fact.get("kind") == "stance"):
        return "state"
    return "act"


def time_of(fact, date, precision, start, end, published, issue):
    """The fact's time kind, its ``time`` object and its span ``(first day or '', last day or
    '9999-12-31')``; ``issue`` is told of bounds that do not fit (see docs/methodology.md)."""
    kind = fact.get("time_kind") or default_time_kind(fact)
    bounds, days = {}, {}  # bound -> partial date as written; bound -> (first day, last day)
    for name in BOUNDS:
        value = dates.normalise(fact.get(name))
        bounds[name] = value
        if value is None:
            continue
        try:
            days[name] = dates.date_range(value)
        except ValueError as exc:
            issue(name, f"{name} {exc}")
            continue
        if kind not in BOUND_KINDS[name]:
            allowed = " and ".join(f"{k}s" for k in BOUND_KINDS[name])
            issue(name, f"{name} is for {allowed} only; this fact's time kind is {kind!r}")
    for low, high in ORDERED:
        if low in days and high in days and days[low][0] > days[high][1]:
            issue(low, f"{low} {bounds[low]} is after {high} {bounds[high]}")
    if start is not None:
        if kind == "act":
            if "not_before" in days and days["not_before"][0] > end:
                issue("not_before", f"not_before {bounds['not_before']} is after date {date}")
            if "not_after" in days and days["not_after"][1] < start:
                issue("not_after", f"not_after {bounds['not_after']} is before date {date}")
        elif kind == "state":
            if "valid_from" in days and days["valid_from"][0] > end:
                issue("valid_from", f"valid_from {bounds['valid_from']} is after the date it is reported true ({date})")
            if "valid_until" in days and days["valid_until"][1] < start:
                issue("valid_until",
                      f"valid_until {bounds['valid_until']} is before the date it is reported true ({date})")
        elif "expected_not_after" in days and days["expected_not_after"][1] < start:
            issue("expected_not_after", f"expected_not_after {bounds['expected_not_after']} is before the prediction "
                                        f"was made ({date})")
    if kind == "act" and published:
        latest = max(published)
        given = [("not_before", days.get("not_before")), ("not_after", days.get("not_after"))]
        if fact["status"] not in DATED_STATUSES:  # stated and reported facts: checked per citation
            given.insert(0, ("date", None if start is None else (start, end)))
        for name, interval in given:
            if interval is not None and interval[0] > latest:
                issue(name, f"{name} {date if name == 'date' else bounds[name]} of an act is after its latest source "
                            f"was published ({latest})")

    first = min(published) if published else None
    if kind != "state" and bounds["not_after"] is None:
        bounds["not_after"] = first  # derived: not after the earliest citing source's publication
    time = {"kind": kind, "date": date, "precision": precision, **bounds}
    span_of = dict(days)  # the bounds written (and valid)
    if "not_after" not in span_of and first is not None:
        span_of["not_after"] = (first, first)  # the derived one (a state without date uses it too)
    if kind == "act":
        if start is not None:
            span = (max(start, days["not_before"][0]) if "not_before" in days else start,
                    # never later than the article that reports it (the derived not_after too):
                    # "in 2020" in an article of 2020-04-28 spans 2020-01-01..2020-04-28
                    min(end, span_of["not_after"][1]) if "not_after" in span_of else end)
        else:
            span = (span_of.get("not_before", (OPEN_START,))[0], span_of.get("not_after", (None, OPEN_END))[1])
    elif kind == "state":
        span = (span_of["valid_from"][0] if "valid_from" in span_of else (start or OPEN_START),
                span_of["valid_until"][1] if "valid_until" in span_of else (end or span_of.get("not_after", (None, OPEN_END))[1]))
    else:
        span = (span_of["expected_not_before"][0] if "expected_not_before" in span_of else (start or OPEN_START),
                span_of["expected_not_after"][1] if "expected_not_after" in span_of else OPEN_END)
    return kind, time, span

"""A state's observations as known by a day (``as_of``): the served ``time`` of a fact keeps only
the observations of the citations published by then, and a ``valid_until`` derived from the
latest observation (basis ``observation``) is the latest of those kept (docs/methodology.md,
section 3). The SQL of a date window reads the same extent from ``fact_extents``, which the build
writes with the same rules (kb/time_rules.py ``as_of_views``); tests/kb/test_observations.py
checks that the two agree."""


def time_as_of(time, citations):
    """``time`` (a fact's served time object) as known from ``citations``, those published by
    the ``as_of`` day: the same object when no observation is dropped."""
    observations = time.get("observations") or []
    sources = {c["source"] for c in citations}
    kept = [o for o in observations if o["source"] in sources]
    if not kept or len(kept) == len(observations):  # none kept: not published by then (not listed)
        return time
    time = {**time, "observations": kept}
    if kept and time.get("valid_until_basis") == "observation":
        latest = kept[-1]["date"]
        time["valid_until"] = latest
        time["valid_until_part"] = time.get("date_part") if latest == time.get("date") else None
    return time

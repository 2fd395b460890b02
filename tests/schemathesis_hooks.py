"""Schemathesis hooks (loaded by tests/test_schemathesis.py for the live CLI and in-process runs).

Two kinds of value conform to the published schema yet are malformed in substance, and this
API answers them with 400 as its contract says (README, "Errors"): a cursor it did not sign
(cursors are HMAC-signed and bound to their list and sort order: no generator can forge one),
and a date of the right form that is no day of the calendar (2021-02-30: the pattern cannot
encode month lengths and leap years). Just before each call, a generated cursor is removed and
such a date is replaced by its month (schemathesis then re-derives whether the case is
positive or negative), rather than turning `positive_data_acceptance` off for 400: that check
keeps its full power for every other parameter. Those values are covered by tests/test_api_protocol.py and tests/test_hostile.py,
and real cursors are followed by tests/test_clients.py and the stateful phase's links.
"""
import datetime as dt
import re

import schemathesis

_FORM = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")
DATE_PARAMS = ("from", "to", "as_of")


def _real(value):
    """``value`` itself, or its month when it has the form of a date but is no real day."""
    if not isinstance(value, str) or not _FORM.match(value):
        return value  # malformed by the schema too: a normal negative case
    parts = [int(p) for p in value.split("-")]
    try:
        dt.date(max(parts[0], 1), *(parts[1:] + [1] * (3 - len(parts))))
    except ValueError:
        return value[:7]
    return value if parts[0] else "0001" + value[4:]


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    query = case.query
    if not query:
        return
    query.pop("cursor", None)
    for name in DATE_PARAMS:
        if name in query:
            query[name] = _real(query[name])

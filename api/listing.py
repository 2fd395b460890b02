"""The body of every fact list view (``/v1/facts``, ``/v1/meetings``, an entity's timeline…):
check what the filters name, run the query, and answer a page or the whole stream."""
from flask_smorest import abort

from factmodel.dates import date_range

from .blueprint import UNPROCESSABLE
from .json import json_response
from .pagination import after, page
from .queries.fact_list import FactQuery, sort_key
from .queries.facts import fact_rows, fact_stream, require_entities, require_source
from .queries.fts import fts_or_422
from .streams import response_format, stream


def require_real_dates(args):
    """422 for a partial date of the documented form that is no day of the calendar (2021-02-30,
    year 0000): the published ``pattern`` cannot encode month lengths and leap years."""
    for key, param in (("from_", "from"), ("to", "to"), ("as_of", "as_of")):
        if args.get(key):
            try:
                date_range(args[key])
            except ValueError as exc:
                abort(UNPROCESSABLE, errors={param: [f"not a real date: {exc}"]})


def fact_list(args, convert, scope, columns, **query):
    """A page of facts (or the whole stream for csv/ndjson) as the view's return value.

    ``convert``: the row dumper (``generic``, ``typed``); ``scope``: the list's name in its
    cursors; ``columns``: the CSV header; ``query``: :class:`FactQuery`'s keyword arguments.
    """
    if args.get("q") is not None:
        fts_or_422(args["q"])
    require_real_dates(args)
    require_entities(args.get("entity") or [], "entity")
    require_source(args.get("source"))
    fq = FactQuery(args, **query)
    fmt = response_format(args)
    if fmt != "json":
        if args.get("cursor"):
            abort(UNPROCESSABLE, errors={"cursor": [f"not used with format={fmt}: the stream has every row"]})
        return stream(fact_stream(fq), convert, fmt, columns)
    scope = f"{scope}:{args.get('sort')}"
    rows = fact_rows(fq, after=after(scope, args, 2), limit=args["limit"] + 1)
    body, headers = page(rows, args["limit"], scope, sort_key, convert)
    return json_response(body, headers)

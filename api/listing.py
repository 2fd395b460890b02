"""The body of every fact list view (``/v1/facts``, ``/v1/meetings``, an entity's timeline…):
check what the filters name, run the query, and answer a page or the whole stream."""
import functools

from flask import g
from flask_smorest import abort

from factmodel.dates import date_range

from . import analysis, search_queries
from .blueprint import UNPROCESSABLE
from .json import json_response
from .pagination import after, page
from .queries.fact_list import FactQuery, sort_key
from .queries.windows import span_stats
from .queries.changes import release_seq_or_422
from .queries.facts import fact_rows, fact_stream, require_entities, require_fact, require_source
from .queries.fts import fts_or_422
from .streams import response_format, stream


def require_real_dates(args):
    """422 for a partial date of the documented form that is no day of the calendar (2021-02-30,
    year 0000): the published ``pattern`` cannot encode month lengths and leap years."""
    for key, param in (("from_", "from"), ("to", "to"), ("valid_at", "valid_at"), ("as_of", "as_of")):
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
    require_entities([args.get("attributed_to")], "attributed_to")
    require_fact(args.get("related_to"), "related_to")
    if args.get("changed_since"):
        query = dict(query, changed_since=release_seq_or_422(args["changed_since"], "changed_since"))
    if args.get("as_of"):
        convert = functools.partial(convert, as_of=date_range(args["as_of"])[1])
    fq = FactQuery(args, spans=span_stats(g.db.conn, g.db.version), **query)
    fmt = response_format(args)
    if fmt != "json":
        if args.get("cursor"):
            abort(UNPROCESSABLE, errors={"cursor": [f"not used with format={fmt}: the stream has every row"]})
        if args.get("facet"):
            abort(UNPROCESSABLE, errors={"facet": [f"not used with format={fmt}: a stream has no page to count beside"]})
        if args.get("expand"):
            convert = analysis.expanding(convert)
        return stream(fact_stream(fq), convert, fmt, columns)
    scope = f"{scope}:{args.get('sort')}"
    last, rows = after(scope, args, 2), None
    if search_queries.answers(args) and (index := g.db.search_index()) is not None:
        # -- search index hook (api/search_queries.py): None when SQLite + FTS5 must answer
        rows = search_queries.fact_rows(g.db, index, args, query, last, args["limit"] + 1)
    if rows is None:
        rows = fact_rows(fq, after=last, limit=args["limit"] + 1)
    if args.get("expand"):  # issue #16: api/analysis.py
        convert = analysis.expanding(convert, rows[:args["limit"]])
    body, headers = page(rows, args["limit"], scope, sort_key, convert)
    if args.get("facet"):
        body["facets"] = analysis.facets(fq, args["facet"])
    return json_response(body, headers)

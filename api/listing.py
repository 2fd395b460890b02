"""The body of every fact list view (``/v1/facts``, ``/v1/meetings``, an entity's timeline…):
given the list's filters (api/filters.py), choose the engine, run the query, and answer a page
or the whole stream."""
import functools

from flask import g
from flask_smorest import abort

from factmodel.certainty import CERTAIN_COLUMNS, is_certain
from factmodel.vocabulary import ATTRIBUTED

from .blueprint import UNPROCESSABLE
from .filters import descending as sort_descending
from .http.json import json_response
from .http.pagination import after, page
from .http.streams import response_format, sent_limit, stream
from .queries.facets import facets
from .queries.fact_list import FactQuery, sort_key
from .queries.facts import fact_rows, fact_stream
from .queries.windows import certain_columns_as_of, span_stats
from .search import queries as search_queries
from .shapes import spreadsheet
from .shapes.expand import expanding


def fact_list(args, filters, convert, scope, columns):
    """A page of facts (or the whole stream for csv/ndjson) as the view's return value.

    ``filters``: the list's :class:`~api.filters.FactFilters` (:func:`api.filters.parse`);
    ``convert``: the row dumper (``generic``, ``typed``); ``scope``: the list's name in its
    cursors; ``columns``: the CSV header.
    """
    if filters.published_by:
        convert = functools.partial(convert, as_of=filters.published_by)
    if filters.window:
        convert = marking(convert, filters.window, filters.published_by)
    descending = sort_descending(args)
    fq = FactQuery(filters, descending=descending, spans=span_stats(g.db.conn, g.db.version))
    fmt = response_format(args)
    left_out = possible_matches(fq) if filters.certain else 0
    if fmt != "json":
        if args.get("cursor"):
            abort(UNPROCESSABLE, errors={"cursor": [f"not used with format={fmt}: the stream has every row"]})
        if args.get("facet"):
            abort(UNPROCESSABLE, errors={"facet": [f"not used with format={fmt}: a stream has no page to count beside"]})
        flat = spreadsheet if fmt == "csv" and args.get("flavour") == "spreadsheet" else None
        if args.get("expand") or flat:  # the spreadsheet flavour puts the names beside the ids
            convert = expanding(convert)
        response = stream(fact_stream(fq), convert, fmt, columns, name=stream_name(scope),
                          limit=sent_limit(args), spreadsheet=flat)
        response.headers["X-Possible-Matches"] = str(left_out)
        return response
    scope = f"{scope}:{args.get('sort')}"
    last, rows = after(scope, args, 2), None
    if search_queries.answers(filters) and (index := g.db.search_index()) is not None:
        # -- search index hook (api/search/queries.py): None when SQLite + FTS5 must answer
        rows = search_queries.fact_rows(g.db, index, filters, descending, last, args["limit"] + 1)
    if rows is None:
        rows = fact_rows(fq, after=last, limit=args["limit"] + 1)
    if args.get("expand"):  # issue #16: api/shapes/expand.py, api/queries/facets.py
        convert = expanding(convert, rows[:args["limit"]])
    body, headers = page(rows, args["limit"], scope, sort_key, convert)
    body["possible_matches"] = left_out
    if args.get("facet"):
        body["facets"] = facets(fq, args["facet"])
    return json_response(body, headers)


def stream_name(scope):
    """The CSV file's name of a list (issue 32): ``facts``, ``events``, ``source-<id>-facts``,
    ``entity-<id>-facts``."""
    kind, _, which = scope.partition(":")
    return f"{kind}-{which}-facts" if which else kind


def marking(convert, window, as_of=None):
    """``convert`` that also says of each item whether it matches ``window`` for certain or only
    possibly (``time_match``: factmodel/certainty.py), as known by ``as_of`` when given (a state
    observed again: api/queries/windows.py)."""
    def marked(row, **kwargs):
        item = convert(row, **kwargs)
        known = certain_columns_as_of(g.db.conn, row["id"], as_of) if as_of else None
        columns = dict(zip(CERTAIN_COLUMNS, known)) if known is not None else row
        item["time_match"] = "certain" if is_certain(columns, window) else "possible"
        return item
    return marked


def roles_of(entity_id, convert):
    """``convert`` that also says in which roles ``entity_id`` is in each fact (``roles``): those of
    the fact's own fields, and ``attributed`` when a citation's chain names it (an entity's timeline)."""
    def with_roles(row, **kwargs):
        item = convert(row, **kwargs)
        roles = [ref["role"] for ref in item["entities"] if ref["id"] == entity_id]
        if any(link["entity"] == entity_id for citation in item["citations"] for link in citation["attribution"]):
            roles.append(ATTRIBUTED)
        item["roles"] = roles
        return item
    return with_roles


_LEFT_OUT = {}  # (dataset version, sql, params) -> count: a dataset served never changes, so every page
_LEFT_OUT_MAX = 4096  # of one list (the same filters, another cursor) counts its possible matches once


def possible_matches(query):
    """How many facts ``query``'s filters match only possibly (the default left them out)."""
    sql, params = query.possible_only()
    key = (g.db.version, sql, tuple(params))
    if key not in _LEFT_OUT:
        if len(_LEFT_OUT) >= _LEFT_OUT_MAX:
            _LEFT_OUT.clear()
        _LEFT_OUT[key] = g.db.one(sql, params)[0]
    return _LEFT_OUT[key]

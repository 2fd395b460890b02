"""Turning fact rows into responses: the common and typed shapes, pages, CSV and NDJSON."""
import csv
import io

import orjson
from flask import Response, current_app, g, request, stream_with_context
from flask_smorest import abort

from factmodel.dates import date_range

from . import search_index
from .common import UNPROCESSABLE, decode_cursor, page
from .fact_query import FactQuery, fts_query
from .fact_schemas import TYPE_PATHS, TYPED_SCHEMAS, FactBaseSchema
from .json import json_response

loads = orjson.loads
TYPED_LINK = {ftype: f"/v1/{path}/" for ftype, path in TYPE_PATHS.items()}
# the type's own fields, in the order its schema declares (and dumps) them
TYPED_FIELDS = {ftype: tuple(name for name in schema().fields if name not in FactBaseSchema().fields)
                for ftype, schema in TYPED_SCHEMAS.items()}

COMMON = ("id", "type", "summary", "date", "date_precision", "status", "note")
MIMETYPES = {"json": "application/json", "csv": "text/csv", "ndjson": "application/x-ndjson"}
# Marks list operations that also stream CSV and NDJSON; see api.spec_plugins.StreamFormats.
STREAM_DOC = {"x-streams": True}


GENERIC_COLUMNS = [*COMMON, "attributes", "entities", "citations"]


def generic(row):
    """A fact row in the common shape, keys in :class:`~api.fact_schemas.FactSchema` order."""
    fid = row["id"]
    return {"id": fid, "type": row["type"], "summary": row["summary"], "date": row["date"],
            "date_precision": row["date_precision"], "status": row["status"], "note": row["note"],
            "entities": loads(row["entities"]), "citations": loads(row["citations"]),
            "links": {"self": "/v1/facts/" + fid, "typed": TYPED_LINK[row["type"]] + fid},
            "attributes": loads(row["attributes"])}


def typed(row):
    """A fact row in its typed shape (type fields at top level), keys in schema order."""
    fid, ftype = row["id"], row["type"]
    fact = {"id": fid, "type": ftype, "summary": row["summary"], "date": row["date"],
            "date_precision": row["date_precision"], "status": row["status"], "note": row["note"],
            "entities": loads(row["entities"]), "citations": loads(row["citations"]),
            "links": {"self": TYPED_LINK[ftype] + fid, "fact": "/v1/facts/" + fid}}
    attributes = loads(row["attributes"])
    for name in TYPED_FIELDS[ftype]:
        if name in attributes:
            fact[name] = attributes[name]
    return fact


def require_entities(ids, param):
    """400 naming ``param`` when any of ``ids`` is not a known entity."""
    ids = [i for i in ids if i]
    if not ids:
        return
    known = {r[0] for r in g.db.all(f"SELECT id FROM entities WHERE id IN ({', '.join('?' * len(ids))})", ids)}
    unknown = [i for i in ids if i not in known]
    if unknown:
        abort(UNPROCESSABLE, errors={param: [f"unknown entity {i!r}" for i in unknown]})


def require_source(sid, param="source"):
    if sid and g.db.one("SELECT 1 FROM sources WHERE id = ?", (sid,)) is None:
        abort(UNPROCESSABLE, errors={param: [f"unknown source {sid!r}"]})


def require_real_dates(args):
    """400 for a partial date of the documented form that is no day of the calendar (2021-02-30)."""
    for key, param in (("from_", "from"), ("to", "to"), ("as_of", "as_of")):
        if args.get(key):
            try:
                date_range(args[key])
            except ValueError as exc:
                abort(400, errors={param: [f"not a real date: {exc}"]})


def response_format(args):
    if args.get("format"):
        return args["format"]
    best = request.accept_mimetypes.best_match(
        ["application/json", "application/problem+json", "text/csv", "application/x-ndjson"], default="application/json")
    return {"text/csv": "csv", "application/x-ndjson": "ndjson"}.get(best, "json")


def fact_list(args, convert, scope, columns, **query):
    """A page of facts (or the whole stream for csv/ndjson) as the view's return value."""
    if args.get("q") is not None and fts_query(args["q"]) is None:
        abort(UNPROCESSABLE, errors={"q": ["must contain at least one letter or digit"]})
    require_real_dates(args)
    require_entities(args.get("entity") or [], "entity")
    require_source(args.get("source"))
    fq = FactQuery(args, **query)
    fmt = response_format(args)
    if fmt != "json":
        if args.get("cursor"):
            abort(UNPROCESSABLE, errors={"cursor": [f"not used with format={fmt}: the stream has every row"]})
        return _stream(fq, convert, fmt, columns)
    scope = f"{scope}:{args.get('sort')}"
    after = decode_cursor(scope, args["cursor"], 2) if args.get("cursor") else None
    rows = None
    if args.get("q") and (index := g.db.search_index()) is not None:  # -- search index hook (api/search_index.py)
        rows = search_index.fact_rows(g.db, index, args, query, after, args["limit"] + 1)
    if rows is None:
        rows = g.db.all(*fq.sql(after=after, limit=args["limit"] + 1))
    body, headers = page(rows, args["limit"], scope, lambda r: [r["sort_date"], r["id"]], convert)
    return json_response(body, headers)


def _stream(fq, convert, fmt, columns):
    db = g.db
    rows = db.stream(*fq.sql())

    def ndjson():
        for row in rows:
            yield orjson.dumps(convert(row)) + b"\n"

    def csv_lines():
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            item = convert(row)
            writer.writerow({k: (orjson.dumps(v).decode() if isinstance(v, (list, dict)) else v)
                             for k, v in item.items()})
            if buffer.tell() > 16384:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    body = ndjson() if fmt == "ndjson" else csv_lines()
    response = Response(stream_with_context(body), mimetype=MIMETYPES[fmt])
    if fmt == "csv":
        response.headers["Content-Disposition"] = "inline; filename=facts.csv"
    response.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    return response

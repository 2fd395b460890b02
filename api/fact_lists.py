"""Turning fact rows into responses: the common and typed shapes, pages, CSV and NDJSON."""
import csv
import io

import orjson
from flask import Response, current_app, g, request, stream_with_context
from flask_smorest import abort

from .common import UNPROCESSABLE, decode_cursor, page
from .dates import date_range
from .fact_query import FactQuery, fts_query
from .fact_schemas import TYPE_PATHS

COMMON = ("id", "type", "summary", "date", "date_precision", "status", "note")
MIMETYPES = {"json": "application/json", "csv": "text/csv", "ndjson": "application/x-ndjson"}
# Marks list operations that also stream CSV and NDJSON; see api.spec_plugins.StreamFormats.
STREAM_DOC = {"x-streams": True}


GENERIC_COLUMNS = [*COMMON, "attributes", "entities", "citations"]


def generic(row):
    fact = {key: row[key] for key in COMMON}
    fact["attributes"] = orjson.loads(row["attributes"])
    fact["entities"] = orjson.loads(row["entities"])
    fact["citations"] = orjson.loads(row["citations"])
    path = TYPE_PATHS[row["type"]]
    fact["links"] = {"self": f"/v1/facts/{row['id']}", "typed": f"/v1/{path}/{row['id']}"}
    return fact


def typed(row):
    fact = {key: row[key] for key in COMMON}
    fact.update(orjson.loads(row["attributes"]))
    fact["entities"] = orjson.loads(row["entities"])
    fact["citations"] = orjson.loads(row["citations"])
    path = TYPE_PATHS[row["type"]]
    fact["links"] = {"self": f"/v1/{path}/{row['id']}", "fact": f"/v1/facts/{row['id']}"}
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
    """422 for a partial date of the documented form that is no day of the calendar (2021-02-30)."""
    for key, param in (("from_", "from"), ("to", "to"), ("as_of", "as_of")):
        if args.get(key):
            try:
                date_range(args[key])
            except ValueError as exc:
                abort(UNPROCESSABLE, errors={param: [f"not a real date: {exc}"]})


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
    rows = g.db.all(*fq.sql(after=after, limit=args["limit"] + 1))
    body, headers = page(rows, args["limit"], scope, lambda r: [r["sort_date"], r["id"]], convert)
    return body, 200, headers


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

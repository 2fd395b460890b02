"""Whole lists as CSV or NDJSON streams (``format=`` or ``Accept``), and the apispec plugin that
documents them."""
import copy
import csv
import io
import itertools

import orjson
from apispec import BasePlugin
from flask import Response, current_app, request, stream_with_context
from flask_smorest import abort

MIMETYPES = {"json": "application/json", "csv": "text/csv", "ndjson": "application/x-ndjson"}
# Marks list operations that also stream CSV and NDJSON; see StreamFormats.
STREAM_DOC = {"x-streams": True}
STREAM_TYPES = {
    "text/csv": {"schema": {"type": "string"}, "example": "id,type,summary,date,...\n"},
    "application/x-ndjson": {"schema": {"type": "string"}, "example": '{"id": "...", "type": "meeting"}\n'},
}


class StreamFormats(BasePlugin):
    """Operations marked ``x-streams`` also answer 200 as CSV or NDJSON (``format=`` or ``Accept``)."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            if operation.pop("x-streams", False):
                response = operation["responses"].get(200) or operation["responses"]["200"]
                response.setdefault("content", {}).update(copy.deepcopy(STREAM_TYPES))


def response_format(args):
    """``json``, ``csv`` or ``ndjson``: the ``format`` parameter, else the best Accept match;
    ``flavour=spreadsheet`` is CSV (a 422 beside another ``format``)."""
    if args.get("flavour") == "spreadsheet":
        if args.get("format") not in (None, "csv"):
            abort(422, errors={"flavour": [f"a CSV flavour: not used with format={args['format']}"]})
        return "csv"
    if args.get("format"):
        return args["format"]
    best = request.accept_mimetypes.best_match(
        ["application/json", "application/problem+json", "text/csv", "application/x-ndjson"], default="application/json")
    return {"text/csv": "csv", "application/x-ndjson": "ndjson"}.get(best, "json")


# OWASP "CSV Injection": a cell a spreadsheet would read as a formula gets a leading apostrophe
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutral(value):
    """A spreadsheet cell's value: text that starts like a formula prefixed with ``'``."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def sent_limit(args):
    """``args["limit"]`` when the request sent ``limit``, else None: a stream has every row unless
    the client asked for fewer (the page size's default does not cut a download)."""
    return args.get("limit") if "limit" in request.args else None


def stream(rows, convert, fmt, columns, name="facts", limit=None, spreadsheet=None):
    """A streamed response of every row (the first ``limit`` when given), converted by ``convert``,
    as ``fmt`` (csv or ndjson; ``name``: the CSV file's name). ``spreadsheet``: a module with
    ``columns`` and ``flat`` (api/shapes/spreadsheet.py) for the spreadsheet flavour of CSV: flat
    columns, a UTF-8 BOM, formula-like cells neutralised, served as an attachment."""
    if limit is not None:
        rows = itertools.islice(rows, limit)

    def ndjson():
        for row in rows:
            yield orjson.dumps(convert(row)) + b"\n"

    def csv_lines():
        buffer = io.StringIO()
        if spreadsheet:
            buffer.write(BOM)
        writer = csv.DictWriter(buffer, fieldnames=spreadsheet.columns(columns) if spreadsheet else columns,
                                extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            item = convert(row)
            if spreadsheet:
                writer.writerow({k: neutral(v) for k, v in spreadsheet.flat(item).items()})
            else:
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
        disposition = "attachment" if spreadsheet else "inline"
        response.headers["Content-Disposition"] = f"{disposition}; filename={name}.csv"
    response.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    return response

"""Whole lists as CSV or NDJSON streams (``format=`` or ``Accept``), and the apispec plugin that
documents them."""
import copy
import csv
import io

import orjson
from apispec import BasePlugin
from flask import Response, current_app, request, stream_with_context

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
    """``json``, ``csv`` or ``ndjson``: the ``format`` parameter, else the best Accept match."""
    if args.get("format"):
        return args["format"]
    best = request.accept_mimetypes.best_match(
        ["application/json", "application/problem+json", "text/csv", "application/x-ndjson"], default="application/json")
    return {"text/csv": "csv", "application/x-ndjson": "ndjson"}.get(best, "json")


def stream(rows, convert, fmt, columns, name="facts"):
    """A streamed response of every row, converted by ``convert``, as ``fmt`` (csv or ndjson;
    ``name``: the CSV file's name)."""
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
        response.headers["Content-Disposition"] = f"inline; filename={name}.csv"
    response.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    return response

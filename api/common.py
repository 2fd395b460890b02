"""Pieces every resource shares: the Blueprint and argument parser, query-string rules,
opaque keyset cursors and list envelopes."""
import base64
import hashlib
import hmac
import re

import marshmallow as ma
import orjson
from flask import current_app, g, request
from flask_smorest import Blueprint as _Blueprint
from flask_smorest import abort
from flask_smorest.arguments import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.routing import BaseConverter

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_ID = 120
CURSOR = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"  # base64url(payload) "." base64url(mac)

# 400: the request is malformed — it breaks the published schema, or carries a cursor this
# API did not sign for this list and order (tampered, truncated, foreign), or a date of the
# right form that is no day of the calendar (2021-02-30). 422: every parameter is well formed
# but names nothing usable: an id of no entity or source, free text without a word to search for.
UNPROCESSABLE = 422


class Parser(FlaskParser):
    """Query-string problems are 400s, and unknown parameters are refused."""

    DEFAULT_VALIDATION_STATUS = 400
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": ma.RAISE}


class Blueprint(_Blueprint):
    ARGUMENTS_PARSER = Parser()

    def arguments(self, schema, **kwargs):
        """flask-smorest's, also documenting the 422 of :data:`UNPROCESSABLE` when the
        schema's values can name things (``NAMES_THINGS``, true unless a schema says not)."""
        if isinstance(schema, type):
            schema = schema()  # one instance for every request: webargs instantiates a class each time
        decorate = super().arguments(schema, **kwargs)
        if not getattr(schema, "NAMES_THINGS", True):
            return decorate

        def decorator(func):
            view = decorate(func)
            view._apidoc["arguments"]["responses"][UNPROCESSABLE] = "UNPROCESSABLE"
            return view

        return decorator


class QuerySchema(ma.Schema):
    """Base of every query-string schema: a single-valued parameter may appear only once."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def _refuse_repeats(self, data, **kwargs):
        if isinstance(data, MultiDictProxy):
            repeated = {key: ["may be given only once"] for key in data.data
                        if key not in data.multiple_keys and len(data.data.getlist(key)) > 1}
            if repeated:
                raise ma.ValidationError(repeated)
        return data


class NoQuerySchema(QuerySchema):
    """For operations without parameters: any query parameter is refused (400)."""

    NAMES_THINGS = False


def slug_field(description, example=None, **kwargs):
    meta = {"description": description}
    if example:
        meta["example"] = example
    return ma.fields.String(validate=[ma.validate.Length(1, MAX_ID), ma.validate.Regexp(SLUG, error="not a valid id")],
                            metadata=meta, **kwargs)


def slug_list(description, example=None):
    return ma.fields.List(slug_field(description), validate=ma.validate.Length(max=10), metadata={
        "description": description + " (repeatable)", **({"example": [example]} if example else {})})


def limit_field():
    return ma.fields.Integer(load_default=20, validate=ma.validate.Range(1, 100), strict=False,
                             metadata={"description": "Page size, 1–100", "example": 20})


def cursor_field():
    return ma.fields.String(validate=[ma.validate.Length(3, 512), ma.validate.Regexp(CURSOR, error="not a cursor")],
                            metadata={"description": "Opaque cursor from the previous page's `next_cursor`"})


# -- cursors ----------------------------------------------------------------------------------
def _mac(payload):
    key = current_app.config["CURSOR_SECRET"].encode()
    return hmac.new(key, payload, hashlib.sha256).digest()[:12]


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_cursor(scope, key):
    """Sign ``key`` (a list of JSON scalars) for one list ``scope`` (endpoint and sort order)."""
    payload = orjson.dumps([scope, key])
    return f"{_b64(payload)}.{_b64(_mac(payload))}"


def decode_cursor(scope, cursor, size):
    """Return the key of a cursor made by :func:`encode_cursor` for ``scope``, or 400."""
    try:
        body, mac = cursor.split(".")
        payload = _unb64(body)
        if not hmac.compare_digest(_unb64(mac), _mac(payload)):
            raise ValueError("signature")
        got_scope, key = orjson.loads(payload)
        if got_scope != scope or not isinstance(key, list) or len(key) != size:
            raise ValueError("scope")
        if not all(isinstance(k, (str, int, float)) and not isinstance(k, bool) for k in key):
            raise ValueError("key")
    except (ValueError, TypeError, orjson.JSONDecodeError):
        abort(400, errors={"cursor": ["invalid or tampered cursor; start again without it"]})
    return key


def next_link(cursor):
    args = request.args.copy()
    args["cursor"] = cursor
    query = "&".join(f"{k}={v}" for k, v in _quoted_items(args))
    return f'<{request.path}?{query}>; rel="next"'


def _quoted_items(args):
    from urllib.parse import quote

    for key, values in args.lists():
        for value in values:
            yield quote(key, safe=""), quote(value, safe="")


def page(rows, limit, scope, key_of, convert):
    """Cut a ``limit + 1`` fetch into an envelope and set the Link header."""
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = encode_cursor(scope, key_of(rows[-1])) if more else None
    headers = {"Link": next_link(cursor)} if cursor else {}
    return {"data": [convert(row) for row in rows], "next_cursor": cursor}, headers


def page_of(item_schema, name):
    """An envelope schema ``{"data": [item], "next_cursor": ...}`` named ``name``."""
    return type(name, (ma.Schema,), {
        "data": ma.fields.List(ma.fields.Nested(item_schema), required=True),
        "next_cursor": ma.fields.String(allow_none=True, required=True, metadata={
            "description": "Cursor of the next page, null on the last page"}),
    })


def path_id(name, description, example):
    """Route ``parameters`` doc for an id in the path (its schema comes from :class:`SlugConverter`)."""
    return [{"in": "path", "name": name, "description": description, "example": example}]


def links(**targets):
    """``@blp.doc`` argument: OpenAPI links from the 200 response to other operations.

    ``targets``: ``{link name: (operationId, {parameter: runtime expression})}``; the expression
    is a JSON pointer into the response body (``/data/0/id``: the first item of a page).
    """
    return {"responses": {200: {"links": {
        name: {"operationId": op, "parameters": {param: f"$response.body#{pointer}" for param, pointer in params.items()}}
        for name, (op, params) in targets.items()}}}}


class ProblemSchema(ma.Schema):
    """RFC 9457 problem document."""

    type = ma.fields.String(required=True, metadata={"example": "https://syria-kb.example/problems/not-found"})
    title = ma.fields.String(required=True, metadata={"example": "Not Found"})
    status = ma.fields.Integer(required=True, metadata={"example": 404})
    detail = ma.fields.String(required=True, metadata={"example": "No fact with id 'nope'."})
    instance = ma.fields.String(metadata={"example": "/v1/facts/nope"})
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()), metadata={
        "description": "Messages per parameter, for validation failures", "example": {"limit": ["Must be between 1 and 100."]}})


class SlugConverter(BaseConverter):
    """Path segments that can be ids: anything else is a 404 before any view runs."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"
    part_isolating = True

    @staticmethod
    def spec(converter):
        return {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": MAX_ID}


def row_or_404(table, row_id, label):
    """The row of ``table`` with this id, or a 404 problem naming what was not found."""
    row = g.db.one(f"SELECT * FROM {table} WHERE id = ?", (row_id,))
    if row is None:
        abort(404, message=f"No {label} with id {row_id!r}.")
    return row

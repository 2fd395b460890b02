"""Keyset pagination: signed opaque cursors, page envelopes and the ``Link: rel="next"`` header."""
import base64
import hashlib
import hmac
from urllib.parse import quote

import marshmallow as ma
import orjson
from flask import current_app, request
from flask_smorest import abort

from ..blueprint import UNPROCESSABLE


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
    """Return the key of a cursor made by :func:`encode_cursor` for ``scope``, or 422: the cursor
    has the published form (the parameter's ``pattern``) but this API did not sign it for this
    list and sort order (tampered, truncated, foreign, or signed with another secret)."""
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
        abort(UNPROCESSABLE, errors={"cursor": [
            "not a cursor this API issued for this list and sort order (tampered, truncated or foreign); "
            "start again without it"]})
    return key


def after(scope, args, size):
    """The key the request's ``cursor`` resumes after (None without one)."""
    return decode_cursor(scope, args["cursor"], size) if args.get("cursor") else None


def next_link(cursor):
    args = request.args.copy()
    args["cursor"] = cursor
    query = "&".join(f"{quote(key, safe='')}={quote(value, safe='')}"
                     for key, values in args.lists() for value in values)
    return f'<{request.path}?{query}>; rel="next"'


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


def window_page_of(item_schema, name):
    """:func:`page_of` of a fact list, which may have a date window: plus ``possible_matches``."""
    return type(name, (ma.Schema,), {
        **page_of(item_schema, name + "Base")._declared_fields,
        "possible_matches": ma.fields.Integer(required=True, metadata={
            "description": "How many facts the filters select whose possible days only overlap the window (`from`, "
                           "`to`, `valid_at`), left out because `time_match` is `certain` (the default): ask with "
                           "`time_match=possible` to see them. 0 without a window or with `time_match=possible`; "
                           "counted over the whole list, not the page", "example": 0}),
    })

"""HTTP caching and protocol headers, applied around every request.

The ETag is a hash of the dataset version and the request (path, query string, the
negotiated Accept), so ``If-None-Match`` is answered with 304 before any view or query runs.
"""
import functools
import hashlib
import os
import re
from email.utils import format_datetime
from datetime import datetime

from urllib.parse import unquote_to_bytes

from flask import current_app, g, request
from flask_smorest import abort

from .db import Unavailable

SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
NO_CACHE_PATHS = ("/healthz", "/readyz")
DB_FREE_PATHS = ("/healthz", "/openapi.json")
EXPOSED = "ETag, Link, X-Dataset-Version, X-Request-Id, Last-Modified, Cache-Control"


# Headers every response carries, whatever it is (added, never replaced: nothing else sets them).
STATIC_HEADERS = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
                  ("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED))
PREFLIGHT_HEADERS = (("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS"),
                     ("Access-Control-Allow-Headers", "Accept, If-None-Match, X-Request-Id"),
                     ("Access-Control-Max-Age", "86400"))

# These hooks run on every request: each binds the request, g and the app once (a context-local
# proxy costs a lookup per use) and reads the WSGI environ directly where werkzeug would parse.


def _etag(req, version):
    accept = req.environ.get("HTTP_ACCEPT", "")
    raw = f"{version}\n{req.full_path}\n{accept}".encode("utf-8", "surrogateescape")
    return hashlib.blake2b(raw, digest_size=12).hexdigest()


@functools.lru_cache(maxsize=8)
def _http_date(iso):
    return format_datetime(datetime.fromisoformat(iso.replace("Z", "+00:00")), usegmt=True)


def _refuse_malformed():
    """Bodies are never read, so a declared one over the limit is refused; a path or query
    string that is not UTF-8 once percent-decoded is refused rather than guessed at."""
    length = request.content_length
    if length and length > current_app.config["MAX_CONTENT_LENGTH"]:
        abort(413, message="This API accepts no request bodies this large.")
    try:
        request.environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
        unquote_to_bytes(request.query_string).decode("utf-8")
    except UnicodeError:
        abort(400, message="The path or query string is not valid UTF-8.")


def before_request():
    req, ctx, app = request._get_current_object(), g._get_current_object(), current_app._get_current_object()
    environ = req.environ
    incoming = environ.get("HTTP_X_REQUEST_ID", "")
    ctx.request_id = incoming if incoming and SAFE_REQUEST_ID.match(incoming) else os.urandom(16).hex()
    _refuse_malformed()
    try:
        ctx.db = db = app.extensions["kb_db"].current()
    except Unavailable:
        if req.path in DB_FREE_PATHS or req.path.startswith("/docs"):
            ctx.db = None  # liveness, the spec and the explorer do not need the database
            return None
        raise
    if req.method in ("GET", "HEAD") and req.path not in NO_CACHE_PATHS:
        ctx.etag = etag = _etag(req, db.version)
        if "HTTP_IF_NONE_MATCH" in environ and etag in req.if_none_match:
            return app.response_class(status=304)  # after_request adds the ETag and cache headers
    return None


def after_request(response):
    req, ctx, app = request._get_current_object(), g._get_current_object(), current_app._get_current_object()
    headers = response.headers
    add = headers.add
    add("X-Request-Id", ctx.get("request_id", ""))
    for key, value in STATIC_HEADERS:
        add(key, value)
    replica = app.config.get("REPLICA_ID")
    if replica:
        add("X-Replica", replica)
    db = ctx.get("db")
    if db is not None:
        add("X-Dataset-Version", db.version)
    if req.method == "OPTIONS":
        for key, value in PREFLIGHT_HEADERS:
            add(key, value)
    if req.path in NO_CACHE_PATHS:
        headers["Cache-Control"] = "no-store"
    elif response.status_code in (200, 304) and db is not None and ctx.get("etag"):
        headers["ETag"] = f'"{ctx.etag}"'
        headers["Cache-Control"] = f"public, max-age={app.config['CACHE_MAX_AGE']}"
        headers["Last-Modified"] = _http_date(db.built_at)
        headers["Vary"] = "Accept, Origin"
    return response

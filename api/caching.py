"""HTTP caching and protocol headers, applied around every request.

The ETag is a hash of the dataset version and the request (path, query string, the
negotiated Accept), so ``If-None-Match`` is answered with 304 before any view or query runs.
"""
import hashlib
import re
import uuid
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


def _etag(version):
    accept = request.headers.get("Accept", "")
    raw = f"{version}\n{request.full_path}\n{accept}".encode("utf-8", "surrogateescape")
    return hashlib.blake2b(raw, digest_size=12).hexdigest()


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
    incoming = request.headers.get("X-Request-Id", "")
    g.request_id = incoming if SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
    _refuse_malformed()
    try:
        g.db = current_app.extensions["kb_db"].current()
    except Unavailable:
        if request.path in DB_FREE_PATHS or request.path.startswith("/docs"):
            g.db = None  # liveness, the spec and the explorer do not need the database
            return None
        raise
    if request.method in ("GET", "HEAD") and request.path not in NO_CACHE_PATHS:
        g.etag = _etag(g.db.version)
        if g.etag in request.if_none_match:
            response = current_app.response_class(status=304)
            response.set_etag(g.etag)
            return response
    return None


def after_request(response):
    headers = response.headers
    headers["X-Request-Id"] = g.get("request_id", "")
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Access-Control-Allow-Origin"] = "*"
    headers["Access-Control-Expose-Headers"] = EXPOSED
    replica = current_app.config.get("REPLICA_ID")
    if replica:
        headers["X-Replica"] = replica
    db = g.get("db")
    if db is not None:
        headers["X-Dataset-Version"] = db.version
    if request.method == "OPTIONS":
        headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        headers["Access-Control-Allow-Headers"] = "Accept, If-None-Match, X-Request-Id"
        headers["Access-Control-Max-Age"] = "86400"
    if request.path in NO_CACHE_PATHS:
        headers["Cache-Control"] = "no-store"
    elif response.status_code in (200, 304) and g.get("etag") and db is not None:
        response.set_etag(g.etag)
        headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
        headers["Last-Modified"] = _http_date(db.built_at)
        headers["Vary"] = "Accept, Origin"
    return response

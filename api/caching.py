"""HTTP caching and protocol headers, applied around every request.

The ETag is a hash of the dataset version and the request (path, query string, the
negotiated Accept), so ``If-None-Match`` is answered with 304 before any view or query runs.

Two pieces share the work. :class:`Protocol` wraps the Flask app at the WSGI level: it gives
each request its id, answers a conditional GET whose ETag still holds with 304 before Flask
builds a request at all (no routing, no view, no query), and adds the protocol headers to
every response as it is started (request id, CORS, nosniff, dataset version, and the caching
headers of 200s and 304s). :func:`before_request`, a Flask hook, refuses malformed requests,
opens the dataset for the views (``g.db``) and answers the conditional GETs the WSGI layer
left to it (those it cannot vouch for, such as percent-encoded query strings) the same way.
"""
import functools
import hashlib
import os
import re
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import unquote_to_bytes

from flask import current_app, g, request
from flask_smorest import abort
from werkzeug.http import parse_etags

from .db import Unavailable

SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
NO_CACHE_PATHS = ("/healthz", "/readyz")
DB_FREE_PATHS = ("/healthz", "/openapi.json")
EXPOSED = "ETag, Link, X-Dataset-Version, X-Request-Id, Last-Modified, Cache-Control"
STATE = "kb.request"  # environ key of the request's RequestState

# Headers every response carries, whatever it is.
STATIC_HEADERS = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
                  ("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED)]
PREFLIGHT_HEADERS = [("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS"),
                     ("Access-Control-Allow-Headers", "Accept, If-None-Match, X-Request-Id"),
                     ("Access-Control-Max-Age", "86400")]
# headers this module sets, replacing any the view set (a stream sets its own Cache-Control)
_CACHING = frozenset(["etag", "cache-control", "last-modified", "vary"])
_NO_STORE = frozenset(["cache-control"])


class RequestState:
    """What the protocol layer knows of one request: its id, and once the dataset is open,
    the dataset and the request's ETag (None when the response is not cacheable)."""

    __slots__ = ("request_id", "db", "etag")

    def __init__(self, request_id):
        self.request_id = request_id
        self.db = None
        self.etag = None


def _request_id(environ):
    incoming = environ.get("HTTP_X_REQUEST_ID", "")
    return incoming if incoming and SAFE_REQUEST_ID.match(incoming) else os.urandom(16).hex()


def etag_for(version, full_path, accept):
    raw = f"{version}\n{full_path}\n{accept}".encode("utf-8", "surrogateescape")
    return hashlib.blake2b(raw, digest_size=12).hexdigest()


@functools.lru_cache(maxsize=8)
def _http_date(iso):
    return format_datetime(datetime.fromisoformat(iso.replace("Z", "+00:00")), usegmt=True)


@functools.lru_cache(maxsize=8)
def _cache_control(max_age):
    return f"public, max-age={max_age}"


def _refuse_malformed():
    """Bodies are never read, so a declared one over the limit is refused; a path or query
    string that is not UTF-8 once percent-decoded is refused rather than guessed at."""
    environ = request.environ
    if environ.get("CONTENT_LENGTH"):
        length = request.content_length
        if length and length > current_app.config["MAX_CONTENT_LENGTH"]:
            abort(413, message="This API accepts no request bodies this large.")
    path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
    if path.isascii() and query.isascii() and "%" not in query:
        return  # ASCII is UTF-8: the checks below would pass
    try:
        path.encode("latin-1").decode("utf-8")
        unquote_to_bytes(request.query_string).decode("utf-8")
    except UnicodeError:
        abort(400, message="The path or query string is not valid UTF-8.")


def before_request():
    req, ctx, app = request._get_current_object(), g._get_current_object(), current_app._get_current_object()
    environ = req.environ
    state = environ.get(STATE)
    if state is None:  # the Flask app called without the Protocol wrapper
        state = environ[STATE] = RequestState(_request_id(environ))
    ctx.request_id = state.request_id
    _refuse_malformed()
    try:
        ctx.db = state.db = db = app.extensions["kb_db"].current()
    except Unavailable:
        if req.path in DB_FREE_PATHS or req.path.startswith("/docs"):
            ctx.db = None  # liveness, the spec and the explorer do not need the database
            return None
        raise
    if req.method in ("GET", "HEAD") and req.path not in NO_CACHE_PATHS:
        ctx.etag = state.etag = etag = etag_for(db.version, req.full_path, environ.get("HTTP_ACCEPT", ""))
        if "HTTP_IF_NONE_MATCH" in environ and etag in req.if_none_match:
            return app.response_class(status=304)  # Protocol adds the ETag and cache headers
    return None


class Protocol:
    """WSGI middleware around the Flask app (see the module docstring)."""

    def __init__(self, wsgi_app, app):
        self.wsgi_app = wsgi_app
        self.app = app
        self.fast_304 = True  # tests switch it off to compare with Flask's own 304

    def headers(self, state, environ, code, headers):
        """The response's headers with the protocol's added (``headers`` is changed in place)."""
        config = self.app.config
        no_cache = "/" + environ.get("PATH_INFO", "").lstrip("/") in NO_CACHE_PATHS
        cacheable = not no_cache and code in (200, 304) and state.db is not None and state.etag is not None
        if no_cache or cacheable:
            replaced = {name.lower() for name, _ in headers} & (_NO_STORE if no_cache else _CACHING)
            if replaced:
                headers[:] = [(k, v) for k, v in headers if k.lower() not in replaced]
        headers.append(("X-Request-Id", state.request_id))
        headers.extend(STATIC_HEADERS)
        replica = config.get("REPLICA_ID")
        if replica:
            headers.append(("X-Replica", replica))
        db = state.db
        if db is not None:
            headers.append(("X-Dataset-Version", db.version))
        if environ.get("REQUEST_METHOD") == "OPTIONS":
            headers.extend(PREFLIGHT_HEADERS)
        if no_cache:
            headers.append(("Cache-Control", "no-store"))
        elif cacheable:
            headers.append(("ETag", f'"{state.etag}"'))
            headers.append(("Cache-Control", _cache_control(config["CACHE_MAX_AGE"])))
            if code == 200:  # a 304 carries no Last-Modified (werkzeug drops it as an entity header)
                headers.append(("Last-Modified", _http_date(db.built_at)))
            headers.append(("Vary", "Accept, Origin"))
        return headers

    def not_modified(self, environ, state):
        """True when this conditional GET can be answered 304 here: a well-formed request
        (no body, plain ASCII path and query) whose ETag is in ``If-None-Match``."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return False
        path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
        if (environ.get("CONTENT_LENGTH") not in (None, "", "0") or "HTTP_TRANSFER_ENCODING" in environ
                or not path.isascii() or not query.isascii() or "%" in query or environ.get("SCRIPT_NAME")):
            return False  # Flask decides (it may refuse the request): its hook answers 304 too
        path = "/" + path.lstrip("/")  # werkzeug's request.path
        if path in NO_CACHE_PATHS:
            return False
        try:
            db = self.app.extensions["kb_db"].current()
        except Unavailable:
            return False
        etag = etag_for(db.version, f"{path}?{query}", environ.get("HTTP_ACCEPT", ""))
        if etag not in parse_etags(environ["HTTP_IF_NONE_MATCH"]):
            return False
        state.db, state.etag = db, etag
        return True

    def __call__(self, environ, start_response):
        state = environ[STATE] = RequestState(_request_id(environ))
        if self.fast_304 and "HTTP_IF_NONE_MATCH" in environ and self.not_modified(environ, state):
            start_response("304 NOT MODIFIED", self.headers(state, environ, 304, []))
            return []

        def start(status, headers, exc_info=None):
            return start_response(status, self.headers(state, environ, int(status[:3]), headers), exc_info)

        return self.wsgi_app(environ, start)

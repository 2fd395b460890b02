"""The HTTP protocol around every request, as WSGI middleware: request ids, refusal of
malformed requests, the protocol headers, and ETags with the only 304 path.

The ETag is a hash of the dataset version and the request (path, query string, the
negotiated Accept), so ``If-None-Match`` is answered with 304 here, before Flask builds a
request at all (no routing, no view, no query): 61k instructions instead of 861k
(docs/benchmarks.md). Every response is given, as it is started, its request id, CORS and
security headers, the dataset version and the caching headers of 200s and 304s.
"""
import functools
import hashlib
import os
import re
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import unquote_to_bytes

from werkzeug.exceptions import default_exceptions
from werkzeug.http import parse_etags
from werkzeug.wsgi import get_content_length

from . import errors
from .db import DATASET, Unavailable, request_dataset

SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
NO_CACHE_PATHS = ("/healthz", "/readyz", "/metrics")
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
    """What the protocol layer knows of one request: its id, and its ETag (None when the
    response is not cacheable)."""

    __slots__ = ("request_id", "etag")

    def __init__(self, request_id):
        self.request_id = request_id
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


# ---- limits: request sizes ------------------------------------------------------------------
# The app, not the server, bounds the request head, so whatever the server (deploy/serve.py) it
# is answered with a problem document. Every conforming request fits (tests/test_schemathesis.py);
# Granian's own buffer (deploy/serve.py HTTP1_BUFFER) is above the largest head allowed here.
MAX_TARGET = 8190  # bytes of path + "?" + query string
MAX_HEADERS = 50  # header fields (a repeated name counts once: the server joins its values)
MAX_HEADER = 8190  # bytes of one header field, name and value


def too_large(environ):
    """``(status, message)`` for a request over the size limits above, else None."""
    if len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", "")) + 1 > MAX_TARGET:
        return 414, f"The request target is longer than {MAX_TARGET} bytes."
    fields = 0
    for key, value in environ.items():
        if key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            fields += 1
            if len(key) + len(value) > MAX_HEADER:
                return 431, f"A header field is longer than {MAX_HEADER} bytes."
    if fields > MAX_HEADERS:
        return 431, f"The request has more than {MAX_HEADERS} header fields."
    return None
# ---- end of limits ----------------------------------------------------------------------------


def refusal(environ, max_length):
    """``(status, message)`` for a malformed request, else None. A request over the size
    limits is refused; bodies are never read, so a declared one over the limit is refused; a
    path or query string that is not UTF-8 once percent-decoded is refused rather than guessed at."""
    refused = too_large(environ)
    if refused:
        return refused
    if environ.get("CONTENT_LENGTH"):
        length = get_content_length(environ)
        if length and length > max_length:
            return 413, "This API accepts no request bodies this large."
    path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
    if path.isascii() and query.isascii() and "%" not in query:
        return None  # ASCII is UTF-8: the checks below would pass
    try:
        path.encode("latin-1").decode("utf-8")
        unquote_to_bytes(query.encode("latin-1")).decode("utf-8")
    except UnicodeError:
        return 400, "The path or query string is not valid UTF-8."
    return None


def full_path(environ):
    """werkzeug's ``request.full_path`` of a well-formed request: ``/path?query``, decoded."""
    path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
    if not (path.isascii() and query.isascii()):
        path, query = path.encode("latin-1").decode("utf-8"), query.encode("latin-1").decode("utf-8")
    return "/" + path.lstrip("/") + "?" + query


class Protocol:
    """WSGI middleware around the Flask app (see the module docstring)."""

    def __init__(self, wsgi_app, app):
        self.wsgi_app = wsgi_app
        self.app = app

    def headers(self, state, environ, code, headers):
        """The response's headers with the protocol's added (``headers`` is changed in place)."""
        config = self.app.config
        db = environ.get(DATASET)
        no_cache = "/" + environ.get("PATH_INFO", "").lstrip("/") in NO_CACHE_PATHS
        cacheable = not no_cache and code in (200, 304) and db is not None and state.etag is not None
        if no_cache or cacheable:
            replaced = {name.lower() for name, _ in headers} & (_NO_STORE if no_cache else _CACHING)
            if replaced:
                headers[:] = [(k, v) for k, v in headers if k.lower() not in replaced]
        headers.append(("X-Request-Id", state.request_id))
        headers.extend(STATIC_HEADERS)
        replica = config.get("REPLICA_ID")
        if replica:
            headers.append(("X-Replica", replica))
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

    def refuse(self, environ, start, status, message):
        """The problem document of a refused request, as Flask's error handling makes it."""
        error = default_exceptions[status]()
        error.data = {"message": message}
        with self.app.request_context(environ):
            response = self.app.finalize_request(errors.handle_http_exception(error), from_error_handler=True)
        return response(environ, start)

    def etag(self, environ):
        """The ETag of a GET or HEAD whose answer may be cached, or None."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        path = full_path(environ)
        if path[:path.index("?")] in NO_CACHE_PATHS:
            return None
        try:
            db = request_dataset(environ, self.app.extensions["kb_db"])
        except Unavailable:
            return None  # Flask decides: 503, or a page that needs no database
        return etag_for(db.version, path, environ.get("HTTP_ACCEPT", ""))

    def __call__(self, environ, start_response):
        state = environ[STATE] = RequestState(_request_id(environ))

        def start(status, headers, exc_info=None):
            return start_response(status, self.headers(state, environ, int(status[:3]), headers), exc_info)

        refused = refusal(environ, self.app.config["MAX_CONTENT_LENGTH"])
        if refused:
            return self.refuse(environ, start, *refused)
        state.etag = etag = self.etag(environ)
        if etag is not None and etag in parse_etags(environ.get("HTTP_IF_NONE_MATCH")):
            start_response("304 NOT MODIFIED", self.headers(state, environ, 304, []))
            return []
        return self.wsgi_app(environ, start)

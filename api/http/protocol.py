"""The HTTP protocol around every request, as WSGI middleware: request ids, refusal of
malformed requests (what is malformed: :mod:`api.http.limits`), the protocol headers, and ETags
with the only 304 path.

The ETag is a hash of the dataset version, the representation version (:func:`representation_version`:
the API's version, its spec and the code that shapes responses) and the request (path, query
string, the negotiated Accept), so ``If-None-Match`` is answered with 304 here, before Flask
builds a request at all (no routing, no view, no query): 61k instructions instead of 861k
(docs/benchmarks.md). Every response is given, as it is started, its request id, CORS and
security headers, the dataset version and the caching headers of 200s and 304s.

Conditional requests follow RFC 9110 section 13 for GET and HEAD (HEAD is answered as GET,
without a body):

- ``If-None-Match`` with entity tags: weak comparison (``W/"x"`` matches ``"x"``), any tag of a
  list; a match is a 304 here, early. Only a 200 ever carries an ETag, and the tag is a hash of
  what the 200 depends on, so a tag that matches is one this URL's 200 was given.
- ``If-None-Match: *`` (true when the resource has a current representation) and
  ``If-Modified-Since`` without ``If-None-Match`` (evaluated only when that field is absent, as
  RFC 9110 13.2.2 orders) are decided after the app answered: only a 200 becomes a 304 (a
  precondition is ignored when the answer would not be 2xx), here as well. Last-Modified is
  the dataset's ``built_at`` (kb.built_at.built_at_epoch), so it is the same on every replica.
- An invalid ``If-Modified-Since`` date, or one given with ``If-None-Match``, is ignored.
"""
import functools
import hashlib
import os
import re
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

import orjson
from werkzeug.exceptions import default_exceptions
from werkzeug.http import parse_date, parse_etags

from ..dataset.db import DATASET, request_dataset
from ..exceptions import Unavailable
from . import errors
from .limits import refusal
from .public_url import BASE_URL, TrustedProxies, base_url

SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
NO_CACHE_PATHS = ("/healthz", "/readyz", "/metrics")
# The downloaded files set their own validators (ETag: the file's SHA-256) and answer their
# conditional and Range requests themselves (api/resources/downloads.py): no ETag of ours there.
OWN_VALIDATORS = "/v1/downloads/"
EXPOSED = "ETag, Link, X-Dataset-Version, X-Request-Id, Last-Modified, Cache-Control, Content-Range, Accept-Ranges"
STATE = "kb.request"  # environ key of the request's RequestState

# Headers every response carries, whatever it is.
STATIC_HEADERS = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
                  ("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED)]
PREFLIGHT_HEADERS = [("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS"),
                     ("Access-Control-Allow-Headers", "Accept, If-None-Match, If-Modified-Since, X-Request-Id, Range, If-Range"),
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


# representation_version hashes these files of the api package, at any depth: the code that shapes
# responses, the pages' templates and their static files
REPRESENTATION_FILES = ("**/*.py", "templates/**/*", "static/**/*")


def source_digest(package, digest):
    """Feed ``digest`` every file of ``package`` that :data:`REPRESENTATION_FILES` names, by path."""
    for path in sorted({p for pattern in REPRESENTATION_FILES for p in package.glob(pattern) if p.is_file()}):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest


def representation_version(app):
    """The version of the representations this code serves: ``info.version`` of the spec, ``+``,
    a hash of the spec (without ``servers``, which differ per deployment) and of the api package's
    source. A release that changes how anything is shaped changes every ETag, even when the
    dataset stays the same; replicas running the same code agree."""
    api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    with app.app_context():
        spec = {key: value for key, value in api.spec.to_dict().items() if key != "servers"}  # not in place
    digest = hashlib.blake2b(orjson.dumps(spec, option=orjson.OPT_SORT_KEYS), digest_size=8)
    source_digest(Path(__file__).resolve().parent.parent, digest)  # api/, this module being api/http/protocol.py
    return f"{spec['info']['version']}+{digest.hexdigest()}"


def etag_for(version, representation, full_path, accept, base=""):
    """The opaque tag of one answer: dataset version, representation version, request, Accept, and
    the public base URL the answer's absolute links are built from (api/http/public_url.py)."""
    raw = f"{version}\n{representation}\n{full_path}\n{accept}\n{base}".encode("utf-8", "surrogateescape")
    return hashlib.blake2b(raw, digest_size=12).hexdigest()


@functools.lru_cache(maxsize=8)
def _built_at(iso):
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


@functools.lru_cache(maxsize=8)
def _http_date(iso):
    return format_datetime(_built_at(iso), usegmt=True)


def not_modified_since(environ, built_at):
    """RFC 9110 13.1.3: true when ``If-Modified-Since`` is a valid HTTP-date at or after the
    dataset's build time (Last-Modified, whole seconds). None when the field is absent or invalid."""
    field = environ.get("HTTP_IF_MODIFIED_SINCE")
    if not field:
        return None
    since = parse_date(field)
    if since is None:
        return None
    return _built_at(built_at) <= since


@functools.lru_cache(maxsize=8)
def _cache_control(max_age):
    return f"public, max-age={max_age}"


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
        self.representation = representation_version(app)
        # a trusted proxy's forwarded scheme and host first: the public address is read from them
        self.entry = TrustedProxies(self.handle, app.config["TRUSTED_PROXIES"])

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
            # Accept only: no answer depends on Origin (Access-Control-Allow-Origin is always *),
            # so a shared cache keeps one entry per URL and Accept, whatever the Origin
            headers.append(("Vary", "Accept"))
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
        if path[:path.index("?")] in NO_CACHE_PATHS or path.startswith(OWN_VALIDATORS):
            return None
        try:
            db = request_dataset(environ, self.app.extensions["kb_db"])
        except Unavailable:
            return None  # Flask decides: 503, or a page that needs no database
        return etag_for(db.version, self.representation, path, environ.get("HTTP_ACCEPT", ""), environ[BASE_URL])

    def not_modified(self, state, environ, start_response):
        start_response("304 NOT MODIFIED", self.headers(state, environ, 304, []))
        return []

    def if_200(self, state, environ, start_response, start):
        """Run the app; a 200 becomes a 304 (its body dropped unread), anything else passes."""
        started = []

        def capture(status, headers, exc_info=None):
            started[:] = [status, headers, exc_info]
            return _no_write

        body = self.wsgi_app(environ, capture)
        status, headers, exc_info = started
        if status[:3] == "200":
            if hasattr(body, "close"):
                body.close()
            return self.not_modified(state, environ, start_response)
        start(status, headers, exc_info)
        return body

    def __call__(self, environ, start_response):
        return self.entry(environ, start_response)

    def handle(self, environ, start_response):
        state = environ[STATE] = RequestState(_request_id(environ))
        environ[BASE_URL] = base_url(environ, self.app.config["PUBLIC_URL"])

        def start(status, headers, exc_info=None):
            return start_response(status, self.headers(state, environ, int(status[:3]), headers), exc_info)

        refused = refusal(environ, self.app.config["MAX_CONTENT_LENGTH"])
        if refused:
            return self.refuse(environ, start, *refused)
        state.etag = etag = self.etag(environ)
        if etag is not None:
            if_none_match = environ.get("HTTP_IF_NONE_MATCH")
            if if_none_match is not None:
                tags = parse_etags(if_none_match)
                if tags.star_tag:
                    return self.if_200(state, environ, start_response, start)
                if tags.contains_weak(etag):
                    return self.not_modified(state, environ, start_response)
            elif not_modified_since(environ, environ[DATASET].built_at):
                return self.if_200(state, environ, start_response, start)
        return self.wsgi_app(environ, start)


def _no_write(data):
    raise RuntimeError("this app returns its body; it does not write()")

"""Limits: request sizes, and the refusal of a malformed request (:func:`refusal`).

The app, not the server, bounds the request head, so whatever the server (deploy/serve.py) it
is answered with a problem document. Every conforming request fits (tests/api/test_schemathesis.py);
Granian's own buffer (deploy/serve.py HTTP1_BUFFER) is above the largest head allowed here.
The refusal is answered, as a problem document, by :mod:`api.http.protocol`.
"""
from urllib.parse import unquote_to_bytes

from werkzeug.wsgi import get_content_length

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

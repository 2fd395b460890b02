"""The pages' blueprint: what every page shares (its headers, its error pages, its rendering).
The routes are in :mod:`api.pages.facts`, :mod:`api.pages.catalog` and :mod:`api.pages.home`.

Pages a person can read, check and cite: ``/facts/{id}``, ``/sources/{id}``, ``/entities/{id}``,
``/`` and ``/search``.

Server-rendered HTML (Jinja2), readable without JavaScript, at addresses of their own (not by
content negotiation on ``/v1``, so a client that sends ``Accept: text/html`` keeps getting JSON
there). Each page links its JSON item (``<link rel="alternate">``); each JSON item links its page
(``Link`` header, :func:`api.blueprint.page_link`). They pass through the same protocol layer as
the API (ETag, 304, HEAD, Cache-Control, request ids) and carry a strict Content-Security-Policy:
no script runs on them at all; the JSON-LD blocks are data.
"""
from flask import Blueprint, g, redirect, render_template, request
from werkzeug.exceptions import HTTPException

from ..http.public_url import BASE_URL
from . import data, passages

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
HTML = "text/html; charset=utf-8"

blp = Blueprint("pages", __name__, template_folder="../templates", static_folder="../static/pages",
                static_url_path="/pages/static")


@blp.after_request
def _headers(response):
    response.headers["Content-Security-Policy"] = CSP
    return response


@blp.errorhandler(HTTPException)
def _error_page(error):
    """A 404 or 410 (the tombstone's reason) as a page, for people following a link."""
    message = (getattr(error, "data", None) or {}).get("message") or error.description
    body = render_template("pages/error.html", code=error.code, title=error.name, message=message)
    return body, error.code, {"Content-Type": HTML, "Cache-Control": "no-store"}


@blp.errorhandler(data.Moved)
def _moved(moved):
    """A former id's page redirects for good to the current one (308, like the API)."""
    kind = request.path.split("/")[1]
    return redirect(f"/{kind}/{moved.new_id}", 308)


def base():
    """The public base URL (api/http/public_url.py): what the permalinks and JSON-LD ids start with."""
    return request.environ.get(BASE_URL) or request.host_url.rstrip("/")


def passage(split, start, end):
    """The quote at ``start``/``end`` in its sentences (``split``: :func:`data.text_and_sentences`)."""
    text, spans, starts = split
    return passages.passage(text, spans, start, end, starts=starts)


def render(template, **context):
    """A 200 page of ``template`` with the public base URL and the dataset served in its context."""
    return render_template(template, base=base(), dataset=g.db, **context), 200, {"Content-Type": HTML}


@blp.get("/facts/<path:rest>")
@blp.get("/sources/<path:rest>")
@blp.get("/entities/<path:rest>")
def not_found(rest):
    """Any other address under a page's path: the 404 page, not the API's problem document."""
    return _error_page(_NotFound(f"No page at {request.path}."))


class _NotFound(HTTPException):
    code = 404
    name = "Not Found"

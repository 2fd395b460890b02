"""Pages a person can read, check and cite: ``/facts/{id}``, ``/sources/{id}``, ``/entities/{id}``.

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
from . import data, linked_data, passages, words

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


def _base():
    return request.environ.get(BASE_URL) or request.host_url.rstrip("/")


def _passage(split, start, end):
    text, spans, starts = split
    return passages.passage(text, spans, start, end, starts=starts)


def _page(template, **context):
    return render_template(template, base=_base(), dataset=g.db, **context), 200, {"Content-Type": HTML}


@blp.get("/facts/<slug:fact_id>")
def fact(fact_id):
    fact = data.fact(fact_id)
    named = [e["id"] for e in fact["entities"]] + [a["entity"] for c in fact["citations"]
                                                    for a in c["attribution"] if a["entity"]]
    entities = data.entities(named)
    names = {i: e["name"] for i, e in entities.items()}
    sources = data.sources([c["source"] for c in fact["citations"]])
    texts = {sid: data.text_and_sentences(sid) for sid in sources}
    citations = [{**c, "chain": words.chain_words(c, names),
                  "passage": _passage(texts[c["source"]], c["start"], c["end"])} for c in fact["citations"]]
    related = data.summaries([r["fact"] for r in fact["relations"]] + list(fact["conflicts_with"]))
    base = _base()
    ld = linked_data.document(linked_data.claim_node(base, fact, sources, entities))
    return _page("pages/fact.html", fact=fact, entities=entities, citations=citations, related=related,
                 status=words.status_words(fact), time=words.time_words(fact), words=words,
                 ld=linked_data.script(ld))


@blp.get("/sources/<slug:source_id>")
def source(source_id):
    source = data.source(source_id)
    split = data.text_and_sentences(source_id)
    text, spans, _ = split
    cited = [{**dict(c), "passage": _passage(split, c["start"], c["end"])}
             for c in data.citations_of(source_id)]
    sentences = passages.coverage(text, spans, [(c["start"], c["end"]) for c in cited])
    base = _base()
    node = linked_data.article_node(base, source)
    if source["republish"]:
        node["text"] = text
    node["subjectOf"] = [{"@id": f"{base}/facts/{fid}"} for fid in dict.fromkeys(c["fact_id"] for c in cited)]
    ld = linked_data.document(node)
    return _page("pages/source.html", source=source, cited=cited, sentences=sentences, words=words,
                 uncited=sum(not s.cited for s in sentences), ld=linked_data.script(ld))


@blp.get("/entities/<slug:entity_id>")
def entity(entity_id):
    entity = data.entity(entity_id)
    facts = data.entity_facts(entity_id)
    base = _base()
    node = linked_data.entity_node(base, entity, full=True)
    node["subjectOf"] = [{"@id": f"{base}/facts/{f['id']}"} for f in facts]
    return _page("pages/entity.html", entity=entity, facts=facts, words=words,
                 ld=linked_data.script(linked_data.document(node)))


@blp.get("/facts/<path:rest>")
@blp.get("/sources/<path:rest>")
@blp.get("/entities/<path:rest>")
def not_found(rest):
    """Any other address under a page's path: the 404 page, not the API's problem document."""
    return _error_page(_NotFound(f"No page at {request.path}."))


class _NotFound(HTTPException):
    code = 404
    name = "Not Found"

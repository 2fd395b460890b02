"""The source and entity pages: ``/sources/{id}`` (the cited passages in article order and the
coverage) and ``/entities/{id}`` (every fact the entity is in, in time order, with its roles: the
facts, roles and order of ``/v1/entities/{id}/facts``, the same cursor paging; related entities)."""
import functools

import marshmallow as ma
from flask import g
from webargs.flaskparser import parser

from factmodel import vocabulary
from factmodel.facts import generic

from .. import filters
from ..http.pagination import after, page
from ..listing import roles_of
from ..params import QuerySchema, cursor_field
from ..queries.fact_list import FactQuery, sort_key
from ..queries.facts import fact_rows
from ..queries.related import related_rows
from ..queries.windows import span_stats
from . import data, linked_data, passages, words
from .blueprint import base, blp, passage, render

PAGE = 20  # facts per entity page: the API timeline's default page


class EntityPageArgs(QuerySchema):
    role = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(vocabulary.TIMELINE_ROLES)),
                          validate=ma.validate.Length(max=len(vocabulary.TIMELINE_ROLES)))
    cursor = cursor_field()


@functools.lru_cache(maxsize=1024)
def _related(version, entity_id):
    """The 12 entities sharing the most facts with ``entity_id`` (``/v1/entities/{id}/related``'s first
    page): counted once per dataset version (the key) and entity, per process."""
    return [dict(row) for row in related_rows(entity_id, {}, None, 12)]


@blp.get("/sources/<slug:source_id>")
def source(source_id):
    source = data.source(source_id)
    split = data.text_and_sentences(source_id)
    text, spans, _ = split
    cited = [{**dict(c), "passage": passage(split, c["start"], c["end"])} for c in data.citations_of(source_id)]
    sentences = passages.coverage(text, spans, [(c["start"], c["end"]) for c in cited])
    node = linked_data.article_node(base(), source)
    if source["republish"]:
        node["text"] = text
    node["subjectOf"] = [{"@id": f"{base()}/facts/{fid}"} for fid in dict.fromkeys(c["fact_id"] for c in cited)]
    return render("pages/source.html", source=source, cited=cited, sentences=sentences, words=words,
                  uncited=sum(not s.cited for s in sentences), ld=linked_data.script(linked_data.document(node)))


@blp.get("/entities/<slug:entity_id>")
def entity(entity_id):
    entity = data.entity(entity_id)
    args = {**parser.parse(EntityPageArgs, location="query"), "limit": PAGE}
    scope = f"entity:{entity_id}:None"  # the API's timeline's: its cursors work here, and the other way
    query = FactQuery(filters.parse(args, about=entity_id), spans=span_stats(g.db.conn, g.db.version))
    rows = fact_rows(query, after=after(scope, args, 2), limit=PAGE + 1)
    body, _ = page(rows, PAGE, scope, sort_key, roles_of(entity_id, generic))
    facts = [{**f, "time_words": words.time_words(f), "possible": not f["time"]["date"] or f["time"]["date_inferred"]}
             for f in body["data"]]
    related = _related(g.db.version, entity_id)
    node = linked_data.entity_node(base(), entity, full=True)
    node["subjectOf"] = [{"@id": f"{base()}/facts/{f['id']}"} for f in facts]
    return render("pages/entity.html", entity=entity, facts=facts, next_cursor=body["next_cursor"],
                  roles=args.get("role") or [], role_counts=entity["fact_counts"], related=related, words=words,
                  ld=linked_data.script(linked_data.document(node)))

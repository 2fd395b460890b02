"""``/v1/entities``: people, countries, organizations, places and groups, and their timelines."""
import marshmallow as ma
from flask.views import MethodView

from factmodel import vocabulary
from factmodel.facts import generic

from .. import filters
from ..blueprint import Blueprint, links, page_link, page_link_header, path_id
from ..http.pagination import after, page, page_of
from ..http.streams import STREAM_DOC
from ..listing import fact_list, roles_of
from ..params import CommonFactArgs, EntityFactArgs, QuerySchema, cursor_field, limit_field
from ..queries.catalog import entity_or_404, entity_rows
from ..queries.related import related_key, related_rows
from ..search.fts import fts_or_422
from ..shapes.catalog import ENTITY_TYPES, EntitySchema, entity
from ..shapes.facets import fact_page_of
from ..shapes.fact_dumpers import GENERIC_COLUMNS
from ..shapes.facts import FactSchema
from ..shapes.related import RelatedEntitySchema, related

F = ma.fields
blp = Blueprint("entities", __name__, url_prefix="/v1/entities",
                description="People, countries, organizations, places and groups the facts refer to")
EntityPageSchema = page_of(EntitySchema, "EntityPageSchema")
RelatedEntityPageSchema = page_of(RelatedEntitySchema, "RelatedEntityPageSchema")
FactPageSchema = fact_page_of(FactSchema, "FactPageSchema")
ENTITY_ID = path_id("entity_id", "Id of the entity", "bashar-al-assad")


class EntityArgs(QuerySchema):
    type = F.String(validate=ma.validate.OneOf(ENTITY_TYPES), metadata={
        "description": "Only entities of this type (`unnamed` entities are listed only when asked for)"})
    q = F.String(validate=ma.validate.Length(1, 200), metadata={
        "description": "Name or alias, case- and diacritic-insensitive, word prefixes match", "example": "erdogan"})
    limit = limit_field()
    cursor = cursor_field()


# /v1/entities/{id}/related (issue #16: api/queries/related.py, api/shapes/related.py)
class RelatedArgs(QuerySchema):
    role = F.String(validate=ma.validate.OneOf(vocabulary.TIMELINE_ROLES), metadata={
        "description": "Only facts in which this entity has this role", "example": "participant"})
    related_role = F.String(validate=ma.validate.OneOf(vocabulary.TIMELINE_ROLES), metadata={
        "description": "Only entities taking part in this role", "example": "participant"})
    from_ = CommonFactArgs._declared_fields["from_"]
    to = CommonFactArgs._declared_fields["to"]
    time_match = CommonFactArgs._declared_fields["time_match"]
    limit = limit_field()
    cursor = cursor_field()


@blp.route("")
class Entities(MethodView):
    @blp.arguments(EntityArgs, location="query")
    @blp.response(200, EntityPageSchema)
    @blp.doc(operationId="listEntities", **links(item=("getEntity", {"entity_id": "/data/0/id"}),
                                                 facts=("listEntityFacts", {"entity_id": "/data/0/id"})))
    def get(self, args):
        """List entities

        Filter by `type` and by `q`, which matches names and aliases whatever the case or
        diacritics (`erdogan` finds Erdoğan). Ordered by id. Unnamed entities ("the reports")
        are listed only with `type=unnamed`.
        """
        match = fts_or_422(args["q"]) if args.get("q") else None
        last = after("entities", args, 1)
        rows = entity_rows(args["limit"] + 1, type=args.get("type"), match=match, q=args.get("q"),
                          after=last[0] if last else None)
        body, headers = page(rows, args["limit"], "entities", lambda r: [r["id"]], entity)
        return body, 200, headers


@blp.route("/<slug:entity_id>", parameters=ENTITY_ID)
class Entity(MethodView):
    @blp.response(200, EntitySchema, headers=page_link_header("/entities/vladimir-putin"))
    @blp.alt_response(308, response="MOVED")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(410, response="GONE")
    @blp.doc(operationId="getEntity", **links(facts=("listEntityFacts", {"entity_id": "/id"})))
    def get(self, entity_id):
        """Get one entity

        Name, aliases, description and how many facts involve it, with a link to its timeline.
        Unnamed entities (type `unnamed`) are served here too. A former id redirects (308).
        """
        return entity(entity_or_404(entity_id)), 200, page_link(f"/entities/{entity_id}")


@blp.route("/<slug:entity_id>/facts", parameters=ENTITY_ID)
class EntityFacts(MethodView):
    @blp.arguments(EntityFactArgs, location="query")
    @blp.response(200, FactPageSchema)
    @blp.alt_response(308, response="MOVED")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(410, response="GONE")
    @blp.doc(operationId="listEntityFacts", **STREAM_DOC, **links(item=("getFact", {"fact_id": "/data/0/id"})))
    def get(self, args, entity_id):
        """The entity's timeline

        Every fact the entity is in, by date: in any role of the fact's own fields (participant,
        speaker, actor, target…) and where a citation's attribution chain names it (`attributed`:
        according to, reported by, released by, said to, citing). Each item says in which roles
        (`roles`); `role=` keeps those where it has one of them. Unlike `entity=` on `/v1/facts`
        (its own fields only), it answers "what does X say, and what is said on X's authority".
        Accepts every filter of `/v1/facts`; `entity` narrows to facts that also involve those
        entities. A former id redirects (308), the query string kept.
        """
        entity_or_404(entity_id)
        return fact_list(args, filters.parse(args, about=entity_id), roles_of(entity_id, generic),
                         f"entity:{entity_id}", GENERIC_COLUMNS)


@blp.route("/<slug:entity_id>/related", parameters=ENTITY_ID)
class RelatedEntities(MethodView):
    @blp.arguments(RelatedArgs, location="query")
    @blp.response(200, RelatedEntityPageSchema)
    @blp.alt_response(308, response="MOVED")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(410, response="GONE")
    @blp.doc(operationId="listRelatedEntities", **links(item=("getEntity", {"entity_id": "/data/0/id"})))
    def get(self, args, entity_id):
        """Entities that share facts with it

        Every other entity involved in a fact with this one, with how many facts they share and
        the most recent of them, most shared first (then by id). `role`: only facts where this
        entity has that role; `related_role`: only entities in that role; `from`/`to`: only facts
        whose span overlaps the window. A former id redirects (308).
        """
        entity_or_404(entity_id)
        window = filters.window_or_422(args)
        scope = f"related:{entity_id}"
        last = after(scope, args, 2)
        rows = related_rows(entity_id, args, window, args["limit"] + 1, after=last)
        body, headers = page(rows, args["limit"], scope, related_key, related(entity_id))
        return body, 200, headers

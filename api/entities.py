"""``/v1/entities``: people, countries, organizations, places and groups, and their timelines."""
import marshmallow as ma
import orjson
from flask import g
from flask.views import MethodView
from flask_smorest import abort

from . import search_index
from .common import (UNPROCESSABLE, Blueprint, row_or_404, QuerySchema, cursor_field, decode_cursor, limit_field, links, page,
                     page_of, path_id)
from .fact_lists import GENERIC_COLUMNS, STREAM_DOC, fact_list, generic
from .fact_query import fts_query
from .fact_schemas import FactArgs, FactSchema

F = ma.fields
ENTITY_TYPES = ["person", "country", "organization", "place", "group"]
blp = Blueprint("entities", __name__, url_prefix="/v1/entities",
                description="People, countries, organizations, places and groups the facts refer to")


class EntitySchema(ma.Schema):
    id = F.String(required=True, metadata={"example": "recep-tayyip-erdogan"})
    type = F.String(required=True, validate=ma.validate.OneOf(ENTITY_TYPES), metadata={"example": "person"})
    name = F.String(required=True, metadata={"example": "Recep Tayyip Erdoğan"})
    aliases = F.List(F.String(), required=True, metadata={"example": ["Erdogan", "Erdoğan"]})
    description = F.String(required=True, metadata={"example": "President of Turkey."})
    fact_count = F.Integer(required=True, metadata={"example": 6})
    links = F.Dict(keys=F.String(), values=F.String(), required=True, metadata={
        "example": {"self": "/v1/entities/recep-tayyip-erdogan", "facts": "/v1/entities/recep-tayyip-erdogan/facts"}})


EntityPageSchema = page_of(EntitySchema, "EntityPageSchema")
FactPageSchema = page_of(FactSchema, "FactPageSchema")


class EntityArgs(QuerySchema):
    type = F.String(validate=ma.validate.OneOf(ENTITY_TYPES), metadata={"description": "Only entities of this type"})
    q = F.String(validate=ma.validate.Length(1, 200), metadata={
        "description": "Name or alias, case- and diacritic-insensitive, word prefixes match", "example": "erdogan"})
    limit = limit_field()
    cursor = cursor_field()


def _entity(row):
    return {"id": row["id"], "type": row["type"], "name": row["name"], "aliases": orjson.loads(row["aliases"]),
            "description": row["description"], "fact_count": row["fact_count"],
            "links": {"self": f"/v1/entities/{row['id']}", "facts": f"/v1/entities/{row['id']}/facts"}}


def get_entity(entity_id):
    return row_or_404("entities", entity_id, "entity")


@blp.route("")
class Entities(MethodView):
    @blp.arguments(EntityArgs, location="query")
    @blp.response(200, EntityPageSchema)
    @blp.doc(operationId="listEntities", **links(item=("getEntity", {"entity_id": "/data/0/id"}),
                                                 facts=("listEntityFacts", {"entity_id": "/data/0/id"})))
    def get(self, args):
        """List entities

        Filter by `type` and by `q`, which matches names and aliases whatever the case or
        diacritics (`erdogan` finds Erdoğan). Ordered by id.
        """
        where, params = [], []
        if args.get("type"):
            where.append("type = ?")
            params.append(args["type"])
        if args.get("q"):
            match = fts_query(args["q"])
            if match is None:
                abort(UNPROCESSABLE, errors={"q": ["must contain at least one letter or digit"]})
            index = g.db.search_index()
            if index is not None:  # -- search index hook: the Tantivy index of api/search_index.py
                where.append("id IN (SELECT ref_id FROM search WHERE id IN (SELECT value FROM json_each(?)))")
                params.append(orjson.dumps(search_index.entity_ids(g.db, index, args["q"])).decode())
            else:
                where.append("id IN (SELECT s.ref_id FROM search_fts JOIN search s ON s.id = search_fts.rowid "
                             "WHERE search_fts MATCH ? AND s.kind = 'entity')")
                params.append(match)
        if args.get("cursor"):
            where.append("id > ?")
            params.append(decode_cursor("entities", args["cursor"], 1)[0])
        sql = "SELECT * FROM entities" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id LIMIT ?"
        rows = g.db.all(sql, params + [args["limit"] + 1])
        body, headers = page(rows, args["limit"], "entities", lambda r: [r["id"]], _entity)
        return body, 200, headers


ENTITY_ID = path_id("entity_id", "Id of the entity", "bashar-al-assad")


@blp.route("/<slug:entity_id>", parameters=ENTITY_ID)
class Entity(MethodView):
    @blp.response(200, EntitySchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.doc(operationId="getEntity", **links(facts=("listEntityFacts", {"entity_id": "/id"})))
    def get(self, entity_id):
        """Get one entity

        Name, aliases, description and how many facts involve it, with a link to its timeline.
        """
        return _entity(get_entity(entity_id))


@blp.route("/<slug:entity_id>/facts", parameters=ENTITY_ID)
class EntityFacts(MethodView):
    @blp.arguments(FactArgs, location="query")
    @blp.response(200, FactPageSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.doc(operationId="listEntityFacts", **STREAM_DOC, **links(item=("getFact", {"fact_id": "/data/0/id"})))
    def get(self, args, entity_id):
        """The entity's timeline

        Every fact the entity takes part in, in any role, by date. Accepts every filter of
        `/v1/facts`; `entity` narrows to facts that also involve those entities.
        """
        get_entity(entity_id)
        return fact_list(args, generic, f"entity:{entity_id}", GENERIC_COLUMNS,
                         types=args.get("type") or (), entity=entity_id)

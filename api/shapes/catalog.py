"""Schemas and row converters of the catalog: entities, sources and search hits."""
import marshmallow as ma
import orjson

from factmodel import vocabulary

from .vocab import open_choice

F = ma.fields
ENTITY_TYPES = vocabulary.ENTITY_TYPES  # schema/entities.schema.json
HIT_KINDS = ["entity", "fact", "source"]
HIT_LINKS = {"entity": "/v1/entities/", "fact": "/v1/facts/", "source": "/v1/sources/"}


class EntitySchema(ma.Schema):
    id = F.String(required=True, metadata={"example": "recep-tayyip-erdogan"})
    type = open_choice(ENTITY_TYPES, "What the entity is", required=True)
    name = F.String(required=True, metadata={"example": "Recep Tayyip Erdoğan"})
    aliases = F.List(F.String(), required=True, metadata={"example": ["Erdogan", "Erdoğan"]})
    description = F.String(required=True, metadata={"example": "President of Turkey."})
    fact_count = F.Integer(required=True, metadata={
        "description": "How many facts involve it in a role of their own fields (what `entity=` finds)", "example": 6})
    fact_counts = F.Dict(keys=F.String(), values=F.Integer(), required=True, metadata={
        "description": "How many facts it has each role in, `speaker` and `attributed` (named in a citation's "
                       "attribution chain: according to, reported by, released by, said to, citing) included: its "
                       "timeline (`/v1/entities/{id}/facts`) lists them all, `role=` one of them",
        "example": {"actor": 2, "attributed": 1, "speaker": 3}})
    links = F.Dict(keys=F.String(), values=F.String(), required=True, metadata={
        "example": {"self": "/v1/entities/recep-tayyip-erdogan", "facts": "/v1/entities/recep-tayyip-erdogan/facts"}})


class SourceSchema(ma.Schema):
    id = F.String(required=True, metadata={"example": "bloomberg-2024-07-25"})
    title = F.String(required=True)
    publisher = F.String(required=True, metadata={"example": "Bloomberg"})
    published = F.String(required=True, metadata={"example": "2024-07-25"})
    url = F.String(required=True, allow_none=True, metadata={"description": "Canonical address, null where unknown"})
    language = F.String(required=True, metadata={"example": "en"})
    note = F.String(required=True, allow_none=True)
    fact_count = F.Integer(required=True, metadata={"example": 31})
    links = F.Dict(keys=F.String(), values=F.String(), required=True, metadata={
        "example": {"self": "/v1/sources/bloomberg-2024-07-25", "facts": "/v1/sources/bloomberg-2024-07-25/facts"}})


class SourceDetailSchema(SourceSchema):
    text = F.String(required=True, metadata={"description": "The article's text; citation offsets index into it"})


class HitSchema(ma.Schema):
    kind = open_choice(HIT_KINDS, "What the hit is", required=True)
    id = F.String(required=True, metadata={"example": "assad-violates-idlib-ceasefire-2020-01"})
    title = F.String(required=True)
    snippet = F.String(required=True, metadata={
        "description": "Matching text with each match wrapped in <mark>…</mark>",
        "example": "Assad violated a <mark>ceasefire</mark> in rebel-held <mark>Idlib</mark> in January 2020"})
    score = F.Float(required=True, metadata={"description": "Relevance, higher is better"})
    link = F.String(required=True, metadata={"example": "/v1/facts/assad-violates-idlib-ceasefire-2020-01"})
    matched_entities = F.List(F.String(), required=True, metadata={
        "description": "A fact found through the names of entities it involves: those entities (ids), whose name "
                       "or aliases hold a searched word the fact's own text does not. Empty when the fact's own "
                       "text holds every word, and for entity and source hits (since 1.8.0)",
        "example": ["tartus-port"]})


SOURCE_KEYS = tuple(key for key in SourceSchema().fields if key != "links")  # the row's columns
HIT_KEYS = tuple(HitSchema().fields)


def entity(row):
    """An entity row for :class:`EntitySchema` to dump."""
    return {"id": row["id"], "type": row["type"], "name": row["name"], "aliases": orjson.loads(row["aliases"]),
            "description": row["description"], "fact_count": row["fact_count"],
            "fact_counts": orjson.loads(row["fact_counts"]),
            "links": {"self": f"/v1/entities/{row['id']}", "facts": f"/v1/entities/{row['id']}/facts"}}


def source(row, with_text=False):
    """A source row for :class:`SourceSchema` (with its text: :class:`SourceDetailSchema`) to dump."""
    out = {key: row[key] for key in SOURCE_KEYS}
    out["links"] = {"self": f"/v1/sources/{row['id']}", "facts": f"/v1/sources/{row['id']}/facts"}
    if with_text:
        out["text"] = row["text"]
    return out


def hit(row):
    """A search row in :class:`HitSchema`'s shape, encoded by orjson without the dump."""
    values = {"id": row["ref_id"], "score": round(-row["rank"], 6), "link": HIT_LINKS[row["kind"]] + row["ref_id"]}
    return {key: values[key] if key in values else row[key] for key in HIT_KEYS}

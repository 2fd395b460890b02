"""Issue #16: the shape of ``/v1/entities/{id}/related`` (:mod:`api.queries.related` reads it)."""
import marshmallow as ma

F = ma.fields


class SharedFactSchema(ma.Schema):
    id = F.String(required=True, metadata={"example": "putin-assad-meeting-2024-07-24"})
    date = F.String(required=True, allow_none=True, metadata={"description": "Partial ISO 8601 date, null if undated",
                                                              "example": "2024-07-24"})
    summary = F.String(required=True)
    link = F.String(required=True, metadata={"example": "/v1/facts/putin-assad-meeting-2024-07-24"})


class RelatedEntitySchema(ma.Schema):
    id = F.String(required=True, metadata={"example": "vladimir-putin"})
    name = F.String(required=True, metadata={"example": "Vladimir Putin"})
    type = F.String(required=True, metadata={"example": "person"})
    shared_facts = F.Integer(required=True, metadata={"description": "How many facts (matching the filters) "
                                                                     "involve both entities", "example": 4})
    latest_shared_fact = F.Nested(SharedFactSchema, required=True, metadata={
        "description": "The most recent of them (by the start of its span; undated ones count as oldest)"})
    links = F.Dict(keys=F.String(), values=F.String(), required=True, metadata={"example": {
        "self": "/v1/entities/vladimir-putin",
        "shared_facts": "/v1/entities/bashar-al-assad/facts?entity=vladimir-putin"}})


def related(entity_id):
    """A row to :class:`RelatedEntitySchema`'s shape."""
    def convert(row):
        return {"id": row["id"], "name": row["name"], "type": row["type"], "shared_facts": row["n"],
                "latest_shared_fact": {"id": row["fact_id"], "date": row["date"], "summary": row["summary"],
                                       "link": f"/v1/facts/{row['fact_id']}"},
                "links": {"self": f"/v1/entities/{row['id']}",
                          "shared_facts": f"/v1/entities/{entity_id}/facts?entity={row['id']}"}}
    return convert

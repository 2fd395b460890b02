"""The shapes of ``/v1/reconcile`` (:mod:`api.resources.reconcile`): the service manifest and the
answer to a batch of queries (the W3C Reconciliation Service API 0.2)."""
import marshmallow as ma

F = ma.fields


class TypeSchema(ma.Schema):
    id = F.String(required=True, metadata={"example": "person"})
    name = F.String(required=True, metadata={"example": "Person"})


# stable names of the entity ids and their types, the same on every server (not addresses)
IDENTIFIER_SPACE = "https://syria-kb.example/id/entities/"
SCHEMA_SPACE = "https://syria-kb.example/id/entity-types/"
PREVIEW_SIZE = {"width": 400, "height": 300}


class PreviewSchema(ma.Schema):
    url = F.String(required=True, metadata={"example": "https://kb.example.org/v1/entities/{{id}}",
                                            "description": "The entity at this server's public address"})
    width = F.Integer(required=True, metadata={"example": PREVIEW_SIZE["width"]})
    height = F.Integer(required=True, metadata={"example": PREVIEW_SIZE["height"]})


class SuggestServiceSchema(ma.Schema):
    service_url = F.String(required=True, metadata={"example": "https://kb.example.org"})
    service_path = F.String(required=True, metadata={"example": "/v1/reconcile/suggest/entity"})


class SuggestSchema(ma.Schema):
    entity = F.Nested(SuggestServiceSchema, required=True, metadata={
        "description": "Where OpenRefine asks for entities as the user types (since 1.11.0)"})


class SuggestionSchema(ma.Schema):
    id = F.String(required=True, metadata={"example": "recep-tayyip-erdogan"})
    name = F.String(required=True, metadata={"example": "Recep Tayyip Erdoğan"})
    description = F.String(required=True, metadata={"example": "President of Turkey"})
    notable = F.List(F.Nested(TypeSchema), required=True, metadata={"description": "Its type"})


class SuggestionsSchema(ma.Schema):
    result = F.List(F.Nested(SuggestionSchema), required=True, metadata={
        "description": "Entities a name or alias of which has a word starting with each word of `prefix`, best "
                       "first (the reconciliation score, then id); at most 10"})


class ManifestSchema(ma.Schema):
    versions = F.List(F.String(), required=True, metadata={"example": ["0.2"]})
    name = F.String(required=True)
    identifierSpace = F.String(required=True, metadata={
        "example": IDENTIFIER_SPACE, "description": "A stable URI naming the entity ids, the same on every server "
                                                    "(since 1.7.0; was the server's address)"})
    schemaSpace = F.String(required=True, metadata={"example": SCHEMA_SPACE})
    defaultTypes = F.List(F.Nested(TypeSchema), required=True)
    view = F.Dict(keys=F.String(), values=F.String(), required=True, metadata={
        "description": "`url`: an entity at this server's public address (`KB_PUBLIC_URL`, else the address the "
                       "request came to)",
        "example": {"url": "https://kb.example.org/v1/entities/{{id}}"}})
    preview = F.Nested(PreviewSchema, required=True, metadata={
        "description": "What OpenRefine shows for a candidate: the entity at this server's public address "
                       "(since 1.7.0)"})
    suggest = F.Nested(SuggestSchema, required=True, metadata={"description": "The suggest service (since 1.11.0)"})


# the answer: an object keyed by the query names (no marshmallow schema has arbitrary keys, so
# the view encodes it itself and this documents it)
RESULTS = {"type": "object", "description": "One member per query of `queries`, under the same name",
           "example": {"q0": {"result": [{"id": "recep-tayyip-erdogan", "name": "Recep Tayyip Erdoğan",
                                          "type": [{"id": "person", "name": "Person"}], "score": 100.0,
                                          "match": True}]}},
           "additionalProperties": {
               "type": "object", "required": ["result"], "properties": {"result": {
                   "type": "array", "description": "Candidates, best first", "items": {
                       "type": "object", "required": ["id", "name", "type", "score", "match"], "properties": {
                           "id": {"type": "string", "description": "Entity id"},
                           "name": {"type": "string"},
                           "type": {"type": "array", "items": {"type": "object", "required": ["id", "name"],
                                                               "properties": {"id": {"type": "string"},
                                                                              "name": {"type": "string"}}}},
                           "score": {"type": "number", "description": "0–100, higher is closer"},
                           "match": {"type": "boolean",
                                     "description": "The top candidate, when unambiguous: the only one with the very words of a name or alias, or scoring at least 75 with every other 15 points behind"}}}}}}}

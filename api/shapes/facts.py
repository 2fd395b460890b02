"""Marshmallow schemas of facts: the common shape, and one typed shape per fact type derived
from the vocabulary (its own fields, their descriptions and examples come from
``schema/facts.schema.json``: a field or a type added there appears here and in the spec)."""
import marshmallow as ma

from factmodel import vocabulary

from .vocab import open_choice

F = ma.fields
TYPE_PATHS = {name: ftype.path for name, ftype in vocabulary.FACT_TYPES.items()}
# JSON Schema ``type`` -> marshmallow field, for the fields that name no entity
FIELD_CLASSES = {"integer": F.Integer, "number": F.Float, "boolean": F.Boolean, "string": F.String}


class CitationSchema(ma.Schema):
    source = F.String(required=True, metadata={"description": "Source id", "example": "bloomberg-2024-07-25"})
    quote = F.String(required=True, metadata={"description": "Verbatim quote from the source text",
                                              "example": "The US has about 900 troops in northeastern Syria"})
    start = F.Integer(required=True, metadata={"description": "Offset of the quote's first character in the source text"})
    end = F.Integer(required=True, metadata={"description": "Offset just past the quote's last character"})


class EntityRefSchema(ma.Schema):
    id = F.String(required=True, metadata={"example": "vladimir-putin"})
    role = open_choice(vocabulary.ROLES, "The entity's part in the fact", required=True)


class FactBaseSchema(ma.Schema):
    id = F.String(required=True, metadata={"example": "putin-assad-meeting-2024-07-24"})
    type = open_choice(vocabulary.TYPES, "The fact's type", required=True)
    summary = F.String(required=True, metadata={
        "example": "Vladimir Putin met Bashar al-Assad on the evening of Wednesday 24 July 2024, the Kremlin said."})
    date = F.String(required=True, allow_none=True, metadata={
        "description": "Partial ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD); null when the source gives none",
        "example": "2024-07-24"})
    date_precision = open_choice(vocabulary.PRECISIONS, "Precision of `date`; null when `date` is null", required=True,
                                 allow_none=True)
    status = open_choice(vocabulary.STATUSES, "How the sources put it", required=True)
    note = F.String(required=True, allow_none=True, metadata={"description": "Curator's remark on the reading"})
    entities = F.List(F.Nested(EntityRefSchema), required=True, metadata={"description": "Every entity involved, with its role"})
    citations = F.List(F.Nested(CitationSchema), required=True)
    links = F.Dict(keys=F.String(), values=F.String(), required=True,
                   metadata={"example": {"self": "/v1/facts/putin-assad-meeting-2024-07-24",
                                         "typed": "/v1/meetings/putin-assad-meeting-2024-07-24"}})


class FactSchema(FactBaseSchema):
    attributes = F.Dict(required=True, metadata={"description": "The type-specific fields",
                                                 "example": {"participants": ["vladimir-putin", "bashar-al-assad"],
                                                             "location": None}})


def own_field(field):
    """The marshmallow field of one of a type's own fields (a :class:`factmodel.vocabulary.Field`):
    a list of entity ids, or one value (an entity id, a choice, a number, a string, a partial
    date), nullable when its JSON Schema allows null; ``description`` and the first of
    ``examples`` document it."""
    spec, metadata = field.spec, {}
    if "description" in spec:
        metadata["description"] = spec["description"]
    if "examples" in spec:
        metadata["example"] = spec["examples"][0]
    kwargs = {"required": field.required, "metadata": metadata}
    if field.many:
        return F.List(F.String(), **kwargs)
    if field.nullable:
        kwargs["allow_none"] = True
    if field.enum:  # an open vocabulary in responses (api.shapes.vocab)
        kwargs.pop("metadata")
        return open_choice(field.enum, spec.get("description"), **kwargs)
    return FIELD_CLASSES.get(spec.get("type"), F.String)(**kwargs)


def typed_schema(ftype):
    """``MeetingSchema`` & co: the common fields, then the type's own fields at top level."""
    fields = {field.name: own_field(field) for field in ftype.fields}
    return type(f"{ftype.schema_name}Schema", (FactBaseSchema,), fields)


TYPED_SCHEMAS = {name: typed_schema(ftype) for name, ftype in vocabulary.FACT_TYPES.items()}

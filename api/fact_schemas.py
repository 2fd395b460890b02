"""Marshmallow schemas of facts: the common shape and one concrete model per fact type."""
import marshmallow as ma

from factmodel import vocabulary
from factmodel.dates import PARTIAL_DATE

from .common import QuerySchema, cursor_field, limit_field, slug_field, slug_list

F = ma.fields
TYPES = vocabulary.TYPES
TYPE_PATHS = {name: ftype.path for name, ftype in vocabulary.FACT_TYPES.items()}
STATUSES = vocabulary.STATUSES
PRECISIONS = vocabulary.PRECISIONS
ROLES = vocabulary.ROLES
EVENT_KINDS = vocabulary.kinds("event")
STATEMENT_KINDS = vocabulary.kinds("statement")
QUALIFIERS = vocabulary.FACT_TYPES["troop_deployment"].field("count_qualifier").enum
FORMATS = ["json", "csv", "ndjson"]


def ref(description, example, **kwargs):
    return F.String(metadata={"description": description, "example": example}, **kwargs)


def refs(description, example):
    return F.List(F.String(), required=True, metadata={"description": description, "example": example})


class CitationSchema(ma.Schema):
    source = F.String(required=True, metadata={"description": "Source id", "example": "bloomberg-2024-07-25"})
    quote = F.String(required=True, metadata={"description": "Verbatim quote from the source text",
                                              "example": "The US has about 900 troops in northeastern Syria"})
    start = F.Integer(required=True, metadata={"description": "Offset of the quote's first character in the source text"})
    end = F.Integer(required=True, metadata={"description": "Offset just past the quote's last character"})


class EntityRefSchema(ma.Schema):
    id = F.String(required=True, metadata={"example": "vladimir-putin"})
    role = F.String(required=True, validate=ma.validate.OneOf(ROLES), metadata={"example": "participant"})


class FactBaseSchema(ma.Schema):
    id = F.String(required=True, metadata={"example": "putin-assad-meeting-2024-07-24"})
    type = F.String(required=True, validate=ma.validate.OneOf(TYPES), metadata={"example": "meeting"})
    summary = F.String(required=True, metadata={
        "example": "Vladimir Putin met Bashar al-Assad on the evening of Wednesday 24 July 2024, the Kremlin said."})
    date = F.String(required=True, allow_none=True, metadata={
        "description": "Partial ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD); null when the source gives none",
        "example": "2024-07-24"})
    date_precision = F.String(required=True, allow_none=True, validate=ma.validate.OneOf(PRECISIONS),
                              metadata={"example": "day"})
    status = F.String(required=True, validate=ma.validate.OneOf(STATUSES), metadata={"example": "stated"})
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


class MeetingSchema(FactBaseSchema):
    participants = refs("Entity ids of the participants (at least two)", ["vladimir-putin", "bashar-al-assad"])
    location = ref("Entity id of the place, null when not given", None, required=True, allow_none=True)


class TroopDeploymentSchema(FactBaseSchema):
    country = ref("Entity id of the country whose troops these are", "united-states", required=True)
    count = F.Integer(required=True, metadata={"example": 900})
    count_qualifier = F.String(required=True, validate=ma.validate.OneOf(QUALIFIERS), metadata={"example": "about"})
    location = ref("Entity id of the place", "northeastern-syria", required=True)
    supporting = ref("Entity id of who the troops support", "us-kurdish-allies", required=True, allow_none=True)


class LeaseSchema(FactBaseSchema):
    lessee = ref("Entity id of the lessee", "russia", required=True)
    lessor = ref("Entity id of the lessor, null when not given", None, required=True, allow_none=True)
    asset = ref("Entity id of the leased asset", "tartus-port", required=True)
    term_years = F.Integer(required=True, metadata={"example": 49})
    start_date = F.String(required=True, allow_none=True, metadata={"description": "Partial date, null when not given"})


class EventSchema(FactBaseSchema):
    kind = F.String(required=True, validate=ma.validate.OneOf(EVENT_KINDS), metadata={"example": "war_start"})
    actors = refs("Entity ids of the actors", ["syria", "syrian-opposition"])
    location = ref("Entity id of the place, null when not given", "syria", required=True, allow_none=True)


class StatementSchema(FactBaseSchema):
    speaker = ref("Entity id of the speaker", "dmitry-peskov", required=True)
    kind = F.String(required=True, validate=ma.validate.OneOf(STATEMENT_KINDS), metadata={"example": "denial"})
    text = F.String(required=True, metadata={"description": "What was said; verbatim when kind is quote"})
    about = refs("Entity ids the statement is about", ["vladimir-putin", "bashar-al-assad"])
    responds_to = F.String(required=True, allow_none=True, metadata={
        "description": "Id of the fact this statement answers", "example": "putin-unhappy-with-assad-claim-2020"})


class PositionSchema(FactBaseSchema):
    holder = ref("Entity id of the holder", "dmitry-peskov", required=True)
    title = F.String(required=True, metadata={"example": "Kremlin spokesman"})
    organization = ref("Entity id of the organization, null when not given", "kremlin", required=True, allow_none=True)


TYPED_SCHEMAS = {"meeting": MeetingSchema, "troop_deployment": TroopDeploymentSchema, "lease": LeaseSchema,
                 "event": EventSchema, "statement": StatementSchema, "position": PositionSchema}


def _date_arg(description, example, **kwargs):
    return F.String(validate=[ma.validate.Length(max=10),
                              ma.validate.Regexp(PARTIAL_DATE, error="must be a date as YYYY, YYYY-MM or YYYY-MM-DD")],
                    metadata={"description": description, "example": example}, **kwargs)


class CommonFactArgs(QuerySchema):
    """Filters every fact list accepts."""

    entity = slug_list("Only facts involving all of these entities", "vladimir-putin")
    source = slug_field("Only facts cited from this source", "bloomberg-2024-07-25")
    status = F.List(F.String(validate=ma.validate.OneOf(STATUSES)), validate=ma.validate.Length(max=4),
                    metadata={"description": "Only facts with one of these statuses (repeatable)"})
    from_ = _date_arg("Facts whose date interval ends on or after this partial date", "2023", data_key="from")
    to = _date_arg("Facts whose date interval starts on or before this partial date", "2024-07")
    as_of = _date_arg("Only what the sources had said by then: facts cited by a source published on or before "
                      "the end of this partial date", "2021")
    q = F.String(validate=ma.validate.Length(1, 200), metadata={"description": "Full-text search within the list",
                                                                "example": "ceasefire"})
    sort = F.String(load_default="date", validate=ma.validate.OneOf(["date", "-date"]), metadata={
        "description": "`date` (oldest first, undated first) or `-date` (newest first, undated last); ties by id"})
    limit = limit_field()
    cursor = cursor_field()
    format = F.String(validate=ma.validate.OneOf(FORMATS), metadata={
        "description": "`csv` or `ndjson` stream every matching row without pagination (also via Accept)"})


class FactArgs(CommonFactArgs):
    type = F.List(F.String(validate=ma.validate.OneOf(TYPES)), validate=ma.validate.Length(max=6),
                  metadata={"description": "Only facts of these types (repeatable)"})

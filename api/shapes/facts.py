"""Marshmallow schemas of facts: the common shape, and one typed shape per fact type derived
from the vocabulary (its own fields, their descriptions and examples come from
``schema/facts.schema.json``: a field or a type added there appears here and in the spec)."""
import marshmallow as ma

from factmodel import vocabulary
from factmodel.certainty import MATCHES
from factmodel.corroboration import VOICES
from factmodel.dates import MONTH_PARTS

from .vocab import open_choice

F = ma.fields
TYPE_PATHS = {name: ftype.path for name, ftype in vocabulary.FACT_TYPES.items()}
# JSON Schema ``type`` -> marshmallow field, for the fields that name no entity
FIELD_CLASSES = {"integer": F.Integer, "number": F.Float, "boolean": F.Boolean, "string": F.String}


# the provenance vocabulary (docs/methodology.md, sections 2, 3 and 6): the JSON Schema's enums
TIME_KINDS = vocabulary.TIME_KINDS
RELATION_TYPES = vocabulary.RELATION_TYPES
DIRECTIONS = ["outgoing", "incoming"]
ATTRIBUTION_RELATIONS = vocabulary.ATTRIBUTION_RELATIONS


def _partial_date(description, example=None):
    metadata = {"description": description + "; partial ISO 8601 date, null when not given"}
    if example:
        metadata["example"] = example
    return F.String(required=True, allow_none=True, metadata=metadata)


class AttributionSchema(ma.Schema):
    relation = open_choice(ATTRIBUTION_RELATIONS, "How the text attributes the assertion: `reported_by` (an outlet's "
                           "report), `according_to` (who said it), `said_to` (who was told), `citing` (the report's "
                           "sources), `released_by` (who released the material), `unattributed` (\"reportedly\", "
                           "nobody named)", required=True)
    entity = F.String(required=True, allow_none=True, metadata={
        "description": "Id of the entity the link names, null when it names none", "example": "bloomberg"})
    fact = F.String(required=True, allow_none=True, metadata={
        "description": "Id of the fact (the report) the link names, null when it names none",
        "example": "bloomberg-report-on-putin-and-assad-2020-04-28"})


class CitationSchema(ma.Schema):
    source = F.String(required=True, metadata={"description": "Source id", "example": "bloomberg-2024-07-25"})
    publisher = F.String(required=True, metadata={"description": "The source's publisher", "example": "Bloomberg"})
    title = F.String(required=True, metadata={"description": "The source's title"})
    published = F.String(required=True, metadata={"description": "The source's publication date",
                                                  "example": "2024-07-25"})
    quote = F.String(required=True, metadata={"description": "Verbatim quote from the source text",
                                              "example": "The US has about 900 troops in northeastern Syria"})
    start = F.Integer(required=True, metadata={
        "description": "Offset of the quote's first character in the source text, in Unicode code points of the "
                       "stored text (`text[start:end]` in Python). JavaScript strings count UTF-16 code units: "
                       "convert with `Array.from(text).slice(start, end).join(\"\")`, or count the code points "
                       "before an offset (docs/clients.md)"})
    end = F.Integer(required=True, metadata={"description": "Offset just past the quote's last character, in Unicode "
                                                            "code points of the stored text (as `start`)"})
    attribution = F.List(F.Nested(AttributionSchema), required=True, metadata={
        "description": "According to whom: the chain of attribution from the article inwards, [] when the "
                       "article asserts it in its own voice"})
    origin = F.String(required=True, metadata={
        "description": "The independent source this citation counts for: `report:<fact id>` (the innermost report "
                       "its chain names), `outlet:<id>` (the innermost outlet it names with `reported_by`, else the "
                       "article's, shared by every citation of one article unless they name two reports or "
                       "outlets); `independent_sources` counts the distinct ones", "example": "outlet:bloomberg"})
    voice = open_choice(VOICES, "`own` (the article's own voice: no link but the channel or the speaker) or "
                        "`attributed`", required=True)


BASES = ["curator", "publication", "prediction", "observation"]


def _basis(bound):
    return open_choice(BASES, f"Where `{bound}` comes from: `curator` (written in the seeds, with a note), "
                       "`publication` (the earliest citing article: never later than it), `prediction` (when the "
                       "prediction was made), `observation` (the day the source reports the state true, else the "
                       "earliest citing article); null when the bound is null", required=True, allow_none=True)


def _month_part(name):
    return open_choice(list(MONTH_PARTS), f"Which part of the month `{name}` (month precision, YYYY-MM) is: `early` "
                       "(days 1-10), `mid` (11-20), `late` (21 to the month's end); null when not said (since 1.10.0)",
                       required=True, allow_none=True)


class ObservationSchema(ma.Schema):
    date = F.String(required=True, metadata={"description": "When the source reports the state true (partial ISO "
                                                            "8601 date)", "example": "2025-03"})
    source = F.String(required=True, metadata={"description": "Id of the source", "example": "new-arab-2020-04-28"})


class TimeSchema(ma.Schema):
    """The fact's time (docs/methodology.md, section 3): every bound with where it comes from."""
    kind = open_choice(TIME_KINDS, "`act` (something happened or was said), `state` (a state of affairs, observed "
                       "on `date`) or `prediction` (made on `date`, expected at the `expected_*` time)", required=True)
    date = _partial_date("The fact's `date`", "2024-07-24")
    precision = open_choice(vocabulary.PRECISIONS, "Precision of `date`, null when undated", required=True,
                            allow_none=True)
    date_inferred = F.Boolean(required=True, metadata={
        "description": "The date is the curator's inference, not written in the text (the note says how): no match "
                       "is certain because of it"})
    not_before = _partial_date("An act or the making of a prediction: not before this")
    not_before_basis = _basis("not_before")
    not_after = _partial_date("An act or the making of a prediction: not after this (when not written, the "
                              "earliest citing source's publication date)", "2024-07-25")
    not_after_basis = _basis("not_after")
    valid_from = _partial_date("A state: valid from (when not written, the observation)")
    valid_from_basis = _basis("valid_from")
    valid_until = _partial_date("A state: valid until (when not written, the observation: nothing later is said)")
    valid_until_basis = _basis("valid_until")
    ended_before = _partial_date("A former state (`a former diplomat`): over before this day, its observation")
    ended_before_basis = _basis("ended_before")
    expected_not_before = _partial_date("A prediction: expected not before (when not written, when it was made)",
                                        "2024-08")
    expected_not_before_basis = _basis("expected_not_before")
    expected_not_after = _partial_date("A prediction: expected not after")
    expected_not_after_basis = _basis("expected_not_after")
    # since 1.10.0: a state's observations and the parts of the month (issue 31)
    observations = F.List(F.Nested(ObservationSchema), required=True, metadata={
        "description": "A state's observations, earliest first, one per citation: the day its source reports it true "
                       "(the citation's `observed`, else the fact's `date`, else the source's publication date). The "
                       "state holds from the first (`date`) to the latest: a citation observing it again asserts it "
                       "continued in between (`valid_until`, when not written, is the latest). With `as_of`, only "
                       "those of sources published by then. `[]` for acts and predictions"})
    date_part = _month_part("date")
    not_before_part = _month_part("not_before")
    not_after_part = _month_part("not_after")
    valid_from_part = _month_part("valid_from")
    valid_until_part = _month_part("valid_until")
    expected_not_before_part = _month_part("expected_not_before")
    expected_not_after_part = _month_part("expected_not_after")


class RelationSchema(ma.Schema):
    type = open_choice(RELATION_TYPES, "How the facts are linked (docs/methodology.md, section 6)", required=True)
    fact = F.String(required=True, metadata={"description": "Id of the other fact",
                                             "example": "putin-unhappy-with-assad-claim-2020"})
    direction = F.String(required=True, validate=ma.validate.OneOf(DIRECTIONS), metadata={
        "description": "`outgoing`: this fact → the other (this one responds to it); `incoming`: the other → this",
        "example": "outgoing"})


class EntityRefSchema(ma.Schema):
    id = F.String(required=True, metadata={"example": "vladimir-putin"})
    role = open_choice(vocabulary.ROLES, "The entity's part in the fact", required=True)
    # with expand=entities only (api/shapes/expand.py)
    name = F.String(metadata={"description": "The entity's name (with `expand=entities` only)",
                              "example": "Vladimir Putin"})
    type = F.String(metadata={"description": "The entity's type (with `expand=entities` only)", "example": "person"})
    aliases = F.List(F.String(), metadata={"description": "The entity's other names (with `expand=entities` only)",
                                           "example": ["Putin"]})


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
    time = F.Nested(TimeSchema, required=True, metadata={
        "description": "Which kind of \"when\" and its bounds (docs/methodology.md, section 3)"})
    status = open_choice(vocabulary.STATUSES, "How the sources put it", required=True)
    note = F.String(required=True, allow_none=True, metadata={"description": "Curator's remark on the reading"})
    entities = F.List(F.Nested(EntityRefSchema), required=True, metadata={"description": "Every entity involved, with its role"})
    citations = F.List(F.Nested(CitationSchema), required=True, metadata={
        "description": "The quotes the reading rests on; with `as_of`, only those published by then"})
    relations = F.List(F.Nested(RelationSchema), required=True, metadata={
        "description": "Links to other facts, in both directions, by type, direction and fact"})
    # corroboration (factmodel/corroboration.py)
    independent_sources = F.Integer(required=True, metadata={
        "description": "How many independent sources support it: the distinct `origin`s of its citations. "
                       "Citations whose chains name the same report, or the same outlet, count once (two outlets "
                       "relaying one Bloomberg report are one source), and all citations of one article count once "
                       "unless their chains name two reports or outlets (a 'reportedly' beside a relayed report is "
                       "not a second source); people named by `according_to`/`citing` are no origin. With `as_of`, "
                       "among the citations published by then (docs/methodology.md, section 2)", "example": 1})
    conflicts_with = F.List(F.String(), required=True, metadata={
        "description": "Ids of the facts it conflicts with (its `conflicts_with` relations, either direction: "
                       "stated by a curator or found by the build's rules); `/v1/conflicts` lists them side by side",
        "example": []})
    voice = open_choice(VOICES, "`own` when a citation carries it in the article's own voice (no attribution link "
                        "but the channel, `released_by`/`said_to`, or a statement's own speaker), `attributed` when "
                        "every citation attributes it to someone else (`according_to`, `reported_by`, `citing`, "
                        "`unattributed`): relayed claims and relayed predictions alike (docs/methodology.md, "
                        "section 2); with `as_of`, among the citations published by then", required=True)
    links = F.Dict(keys=F.String(), values=F.String(), required=True, metadata={
        "description": "`self`; `typed` (the common shape) or `fact` (a typed shape): the other shape; `history`: "
                       "every version of the fact across releases (since 1.7.0)",
        "example": {"self": "/v1/facts/putin-assad-meeting-2024-07-24",
                    "typed": "/v1/meetings/putin-assad-meeting-2024-07-24",
                    "history": "/v1/facts/putin-assad-meeting-2024-07-24/history"}})
    # since 1.10.0 (issue 31): last, so a column keeps its position
    corrected_by = F.List(F.String(), required=True, metadata={
        "description": "Ids of the facts that correct it (their `corrects` relations to it): a source stated a "
                       "wrong value that it or another source corrected later; the fact stays as it was stated, "
                       "its `status` unchanged. Empty when nothing corrects it; `corrected=true|false` filters "
                       "fact lists on it (docs/methodology.md, section 6)", "example": []})
    # in an entity's timeline only (api/listing.py roles_of)
    roles = F.List(open_choice(vocabulary.TIMELINE_ROLES, "A role"), required=False, metadata={
        "description": "In an entity's timeline (`/v1/entities/{id}/facts`) only: the roles the entity has in the "
                       "fact, those of the fact's own fields and `attributed` (a citation's chain names it)",
        "example": ["speaker", "attributed"]})
    # in a list with a window (from, to, valid_at) only: factmodel/certainty.py
    time_match = open_choice(MATCHES, "In a list with a window (`from`, `to`, `valid_at`) only: `certain` when the "
                             "sources place the fact in the window for certain, `possible` when its possible days "
                             "only overlap it (listed with `time_match=possible`)", required=False)


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
    # a number or null (``anyOf``: its one typed alternative) is that number, nullable
    kind = spec.get("type") or next((alt["type"] for alt in spec.get("anyOf", ()) if alt.get("type", "null") != "null"),
                                    None)
    return FIELD_CLASSES.get(kind, F.String)(**kwargs)


def typed_schema(ftype):
    """``MeetingSchema`` & co: the common fields, then the type's own fields at top level."""
    fields = {field.name: own_field(field) for field in ftype.fields}
    return type(f"{ftype.schema_name}Schema", (FactBaseSchema,), fields)


TYPED_SCHEMAS = {name: typed_schema(ftype) for name, ftype in vocabulary.FACT_TYPES.items()}

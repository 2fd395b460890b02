"""Query parameters: the parser's rules, the base schema, the shared fields and the filters
every fact list accepts."""
import re

import marshmallow as ma
from flask_smorest.arguments import FlaskParser
from webargs.multidictproxy import MultiDictProxy

from factmodel import vocabulary
from factmodel.certainty import MATCHES
from factmodel.corroboration import VOICES
from factmodel.dates import PARTIAL_DATE

F = ma.fields
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_ID = 120
CURSOR = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"  # base64url(payload) "." base64url(mac)
FORMATS = ["json", "csv", "ndjson"]
FLAVOURS = ["plain", "spreadsheet"]
FACETS = ["type", "status", "entity", "source", "year", "month", "independent_sources"]  # api/queries/facets.py, api/shapes/facets.py


class Parser(FlaskParser):
    """Values that break the published schema are 400s, and unknown parameters are refused
    (values that conform but are unusable are 422s: api.blueprint.UNPROCESSABLE)."""

    DEFAULT_VALIDATION_STATUS = 400
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": ma.RAISE}


class QuerySchema(ma.Schema):
    """Base of every query-string schema: a single-valued parameter may appear only once."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def _refuse_repeats(self, data, **kwargs):
        if isinstance(data, MultiDictProxy):
            repeated = {key: ["may be given only once"] for key in data.data
                        if key not in data.multiple_keys and len(data.data.getlist(key)) > 1}
            if repeated:
                raise ma.ValidationError(repeated)
        return data


class NoQuerySchema(QuerySchema):
    """For operations without parameters: any query parameter is refused (400)."""

    NAMES_THINGS = False


def slug_field(description, example=None, **kwargs):
    meta = {"description": description}
    if example:
        meta["example"] = example
    return F.String(validate=[ma.validate.Length(1, MAX_ID), ma.validate.Regexp(SLUG, error="not a valid id")],
                    metadata=meta, **kwargs)


def slug_list(description, example=None):
    return F.List(slug_field(description), validate=ma.validate.Length(max=10), metadata={
        "description": description + " (repeatable)", **({"example": [example]} if example else {})})


def limit_field():
    return F.Integer(load_default=20, validate=ma.validate.Range(1, 100), strict=False,
                     metadata={"description": "Page size, 1–100", "example": 20})


def flavour_field():
    """The CSV flavour (issue 32; api/shapes/spreadsheet.py)."""
    return F.String(validate=ma.validate.OneOf(FLAVOURS), metadata={
        "description": "CSV flavour (since 1.11.0). `plain` (default): the columns as they were, JSON in the "
                       "`entities`, `citations`, `time`, `relations` cells. `spreadsheet`: for Excel, LibreOffice "
                       "and Google Sheets: a UTF-8 BOM, flat columns (entity names beside ids, the first "
                       "citation's source, publisher, date and quote, the time bounds, lists joined by `; `), "
                       "partial dates with `X` for their unknown digits (`2024-07-XX`: kept as text), cells "
                       "starting with `=`, `+`, `-`, `@` prefixed with `'`, as an attachment named after the "
                       "collection. Implies `format=csv`; with `format=json` or `ndjson` it is a 422",
        "example": "spreadsheet"})


def cursor_field():
    return F.String(validate=[ma.validate.Length(3, 512), ma.validate.Regexp(CURSOR, error="not a cursor")],
                    metadata={"description": "Opaque cursor from the previous page's `next_cursor`: two base64url "
                                             "parts joined by a dot. One this API did not issue for this list "
                                             "and sort order is a 422: start again without it"})


def kinds_field(type_name, description):
    """A repeatable ``kind`` filter whose choices are the type's kinds in the vocabulary."""
    values = vocabulary.kinds(type_name)
    return F.List(F.String(validate=ma.validate.OneOf(values)), validate=ma.validate.Length(max=len(values)),
                  metadata={"description": description + " (repeatable)"})


def _date_arg(description, example, **kwargs):
    return F.String(validate=[ma.validate.Length(max=10),
                              ma.validate.Regexp(PARTIAL_DATE, error="must be a date as YYYY, YYYY-MM or YYYY-MM-DD")],
                    metadata={"description": description, "example": example}, **kwargs)


class CommonFactArgs(QuerySchema):
    """Filters every fact list accepts."""

    entity = slug_list("Only facts involving all of these entities", "vladimir-putin")
    source = slug_field("Only facts cited from this source", "bloomberg-2024-07-25")
    status = F.List(F.String(validate=ma.validate.OneOf(vocabulary.STATUSES)),
                    validate=ma.validate.Length(max=len(vocabulary.STATUSES)),
                    metadata={"description": "Only facts with one of these statuses (repeatable)"})
    from_ = _date_arg("Window start (a partial date is its first day): facts that happened, held or are expected "
                      "within the window from here, for certain (see `time_match`; docs/methodology.md, section 3)",
                      "2023", data_key="from")
    to = _date_arg("Window end (a partial date is its last day): facts that happened, held or are expected within "
                   "the window up to here, for certain (see `time_match`). A window that ends before it starts is "
                   "a 422", "2024-07")
    valid_at = _date_arg("Only states (deployments, leases, positions held, stances) known to hold on this day (a "
                         "month or a year: on some day of it); with `time_match=possible`, also those the sources "
                         "allow on it", "2024-03-01")
    time_match = F.String(load_default="certain", validate=ma.validate.OneOf(MATCHES), metadata={
        "description": "With a window (`from`, `to`, `valid_at`): `certain` (default) returns the facts the sources "
                       "place in it for certain (an act: every day it may have happened is in the window; a state: "
                       "known to hold on a day of it; a prediction: its whole expected time in it); `possible` adds "
                       "those whose possible days only overlap it. Each item then says which in `time_match`, and "
                       "a page says in `possible_matches` how many possible matches the default left out"})
    as_of = _date_arg("Only what the sources had said by then: facts cited by a source published on or before "
                      "the end of this partial date, each with only those citations", "2021")
    attributed_to = slug_field("Only facts with a citation whose attribution chain names this entity "
                               "(according to whom)", "bloomberg")
    voice = F.String(validate=ma.validate.OneOf(VOICES), metadata={
        "description": "`own`: facts a citation carries in the article's own voice; `attributed`: facts every "
                       "citation attributes to someone else (relayed claims and predictions); with `as_of`, among "
                       "the citations published by then", "example": "attributed"})
    min_sources = F.Integer(validate=ma.validate.Range(1, 1000), metadata={
        "description": "Only facts with at least this many independent sources (`independent_sources`; with "
                       "`as_of`, among the citations published by then)", "example": 2})
    related_to = slug_field("Only facts with a relation, in either direction, to this fact",
                            "putin-unhappy-with-assad-claim-2020")
    relation = F.String(validate=ma.validate.OneOf(vocabulary.RELATION_TYPES), metadata={
        "description": "Only relations of this type (with `related_to`: to that fact; alone: to any fact)",
        "example": "responds_to"})
    corrected = F.String(validate=ma.validate.OneOf(["true", "false"]), metadata={
        "description": "`true`: only facts a later fact corrects (`corrected_by` not empty: a source stated a wrong "
                       "value); `false`: only facts nothing corrects (since 1.10.0)", "example": "true"})
    changed_since = slug_field("Only facts a release after this one added, modified or renamed (and that the "
                               "release served still has). A release id, or a dataset version as "
                               "`X-Dataset-Version` sent it (the release it was); one this dataset does not know "
                               "is a 422",
                               "5c78aef9-e135d08014")
    q = F.String(validate=ma.validate.Length(1, 200), metadata={"description": "Full-text search within the list",
                                                                "example": "ceasefire"})
    sort = F.String(load_default="date", validate=ma.validate.OneOf(["date", "-date"]), metadata={
        "description": "`date` (oldest first, undated first) or `-date` (newest first, undated last); ties by id"})
    limit = limit_field()
    cursor = cursor_field()
    format = F.String(validate=ma.validate.OneOf(FORMATS), metadata={
        "description": "`csv` or `ndjson` stream every matching row without pagination (also via Accept); "
                       "`limit`, when sent, keeps the first rows of the stream"})
    # issue #16 (api/queries/facets.py)
    expand = F.String(validate=ma.validate.OneOf(["entities"]), metadata={
        "description": "`entities`: each item of a fact's `entities` also carries the entity's `name`, `type` and "
                       "`aliases` (in pages and streams)"})
    flavour = flavour_field()  # issue 32


class FactArgs(CommonFactArgs):
    type = F.List(F.String(validate=ma.validate.OneOf(vocabulary.TYPES)),
                  validate=ma.validate.Length(max=len(vocabulary.TYPES)),
                  metadata={"description": "Only facts of these types (repeatable)"})
    # issue #16 (api/queries/facets.py)
    facet = F.List(F.String(validate=ma.validate.OneOf(FACETS)), validate=ma.validate.Length(max=len(FACETS)),
                   metadata={"description": "Count the facts matching the filters (every page, not just this one) "
                                            "per value of these fields, top 30 values each, in the page's `facets`: "
                                            "`type`, `status`, `entity`, `source`, `year` and `month` of `date`, "
                                            "`independent_sources` (over every citation, as text) "
                                            "(repeatable, or comma-separated)", "example": ["type", "year"]})

    @ma.pre_load
    def _split_facets(self, data, **kwargs):
        """``facet=type,year`` is ``facet=type&facet=year``."""
        if isinstance(data, MultiDictProxy) and "facet" in data.data:
            values = [v for raw in data.data.getlist("facet") for v in raw.split(",")]
            multi = data.data.copy()
            multi.setlist("facet", values)
            data = MultiDictProxy(multi, self)
        return data


class EntityFactArgs(FactArgs):
    """An entity's timeline: the filters of ``/v1/facts`` and the entity's ``role``."""

    role = F.List(F.String(validate=ma.validate.OneOf(vocabulary.TIMELINE_ROLES)),
                  validate=ma.validate.Length(max=len(vocabulary.TIMELINE_ROLES)), metadata={
                      "description": "Only facts in which the entity has one of these roles (repeatable): a role of "
                                     "the fact's own fields (`participant`, `speaker`, `actor`, `target`…) or "
                                     "`attributed` (a citation's attribution chain names it)",
                      "example": ["attributed"]})

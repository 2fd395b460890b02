"""Issue #16: the page schema of a fact list with the optional ``facets`` of ``facet=`` (counted by
:mod:`api.queries.facets`)."""
import marshmallow as ma

from ..http.pagination import window_page_of
from ..queries.facets import FACET_SIZE

F = ma.fields


class FacetValueSchema(ma.Schema):
    value = F.String(required=True, allow_none=True, metadata={
        "description": "The value (an id for `entity` and `source`; YYYY or YYYY-MM for `year` and `month`); "
                       "null: facts without one (undated)", "example": "2024"})
    count = F.Integer(required=True, metadata={"description": "How many matching facts have it", "example": 12})


class FacetSchema(ma.Schema):
    values = F.List(F.Nested(FacetValueSchema), required=True, metadata={
        "description": f"The {FACET_SIZE} most frequent values, by count (highest first) then value"})
    more_values = F.Boolean(required=True, metadata={"description": "Other values exist beyond those shown"})
    truncated = F.Boolean(required=True, metadata={
        "description": "The count ran out of time (KB_FACET_TIME_LIMIT_MS) and was cut short: `values` is empty "
                       "rather than wrong; narrow the filters"})


def fact_page_of(item_schema, name):
    """:func:`api.http.pagination.page_of` plus the optional ``facets`` of ``facet=``."""
    return type(name, (ma.Schema,), {
        **window_page_of(item_schema, name + "Base")._declared_fields,
        "facets": F.Dict(keys=F.String(), values=F.Nested(FacetSchema), metadata={
            "description": "With `facet=`: per facet asked for, the counts over every fact matching the filters"}),
    })

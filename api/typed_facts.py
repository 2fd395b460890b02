"""What the typed fact resources (``/v1/meetings``…, made by api/resources/typed.py) share: the
bodies of their list and item views, and their documentation, worded from the fact type's
vocabulary entry (:class:`factmodel.vocabulary.FactType`)."""
from flask import request

from .blueprint import FACT_LINKS, links, page_link, path_id
from .filters import parse
from .http.json import json_response
from .listing import fact_list
from .http.pagination import window_page_of
from .queries.facts import fact_or_404
from .shapes.expand import EXPAND_PARAMETER, expanding, item_expand
from .shapes.fact_dumpers import TYPED_COLUMNS, typed
from .shapes.facts import TYPED_SCHEMAS
from .http.streams import STREAM_DOC


def label(ftype):
    """``troop_deployment`` -> ``troop deployment``."""
    return ftype.name.replace("_", " ")


def schema(ftype):
    """The type's typed response schema (``MeetingSchema``)."""
    return TYPED_SCHEMAS[ftype.name]


def page_schema(ftype):
    return window_page_of(schema(ftype), f"{ftype.schema_name}PageSchema")


def list_doc(ftype, args_schema, common_args):
    """``@blp.doc`` arguments of the type's list operation (``listMeetings``)."""
    own = [name for name in args_schema().fields if name not in common_args().fields]
    return {"operationId": f"list{ftype.plural}", "summary": f"List {ftype.path.replace('-', ' ')}",
            "description": f"{ftype.description}. Accepts the common fact filters plus "
                           + ", ".join(f"`{name}`" for name in own) + ".",
            **STREAM_DOC, **links(item=(f"get{ftype.schema_name}", {"fact_id": "/data/0/id"}))}


def id_parameter(ftype, example):
    """The item route's ``parameters``: the fact id, with an example id of the type."""
    return path_id("fact_id", f"Id of the {label(ftype)}", example)


def not_found(ftype):
    """``@blp.alt_response(404, ...)`` arguments of the type's item operation."""
    return {"response": "NOT_FOUND", "description": f"No {label(ftype)} with this id"}


def item_doc(ftype):
    """``@blp.doc`` arguments of the type's item operation (``getMeeting``)."""
    doc = {"operationId": f"get{ftype.schema_name}", "summary": f"Get one {ftype.path.rstrip('s').replace('-', ' ')}",
           "description": f"The {label(ftype)} with its fields at top level. A former id redirects (308) to the "
                          "fact's current id in the collection of its current type.",
           "parameters": [EXPAND_PARAMETER], **links(fact=("getFact", {"fact_id": "/id"}), **FACT_LINKS)}
    doc["responses"][308] = "MOVED"
    doc["responses"][410] = "GONE"
    return doc


def typed_list(args, ftype, filters):
    """A page (or stream) of the type's facts; ``filters``: ``{query parameter: role}`` of the resource."""
    parsed = parse(args, types=[ftype.name], role_params=filters, kind_table=ftype.table)
    return fact_list(args, parsed, typed, ftype.path, TYPED_COLUMNS[ftype.name])


def typed_item(fact_id, ftype):
    """The fact of this type with this id, in its typed shape (404 if none)."""
    convert = expanding(typed) if request.args and item_expand() else typed
    return json_response(convert(fact_or_404(fact_id, ftype.name)), page_link(f"/facts/{fact_id}"))

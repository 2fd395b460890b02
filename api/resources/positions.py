"""``/v1/positions``: positions with their own fields at top level (the ``position`` fact type)."""
from flask.views import MethodView

from factmodel.vocabulary import FACT_TYPES

from ..blueprint import Blueprint, doc_only
from ..params import CommonFactArgs, slug_field
from ..typed_facts import (id_parameter, item_doc, list_doc, not_found, page_schema, role_filters, schema, typed_item,
                           typed_list)

TYPE = FACT_TYPES["position"]
blp = Blueprint("positions", __name__, url_prefix="/v1/positions", description=TYPE.description)


class PositionsArgs(CommonFactArgs):
    holder = slug_field("Only positions held by this entity", "dmitry-peskov")
    organization = slug_field("Only positions in this organization", "kremlin")


# query parameter -> the position field whose entities it matches, in that field's role (x-role)
FILTERS = role_filters(TYPE, holder="holder", organization="organization")


@blp.route("")
class Positions(MethodView):
    @blp.arguments(PositionsArgs, location="query")
    @blp.response(200, page_schema(TYPE))
    @blp.doc(**list_doc(TYPE, PositionsArgs, CommonFactArgs))
    def get(self, args):
        return typed_list(args, TYPE, FILTERS)


# An item takes no query parameters and returns a finished Response: see doc_only.
@blp.route("/<slug:fact_id>", parameters=id_parameter(TYPE, "assad-president-of-syria-2020"))
@doc_only(blp.response(200, schema(TYPE)), blp.alt_response(404, **not_found(TYPE)), blp.doc(**item_doc(TYPE)))
def get_position(fact_id):
    return typed_item(fact_id, TYPE)

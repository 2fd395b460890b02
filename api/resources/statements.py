"""``/v1/statements``: statements with their own fields at top level (the ``statement`` fact type)."""
from flask.views import MethodView

from factmodel.vocabulary import FACT_TYPES

from ..blueprint import Blueprint, doc_only
from ..params import CommonFactArgs, kinds_field, slug_field, slug_list
from ..typed_facts import (id_parameter, item_doc, list_doc, not_found, page_schema, role_filters, schema, typed_item,
                           typed_list)

TYPE = FACT_TYPES["statement"]
blp = Blueprint("statements", __name__, url_prefix="/v1/statements", description=TYPE.description)


class StatementsArgs(CommonFactArgs):
    speaker = slug_field("Only statements by this entity", "dmitry-peskov")
    kind = kinds_field(TYPE.name, "Only statements of these kinds")
    about = slug_list("Only statements about all of these entities")


# query parameter -> the statement field whose entities it matches, in that field's role (x-role)
FILTERS = role_filters(TYPE, speaker="speaker", about="about")


@blp.route("")
class Statements(MethodView):
    @blp.arguments(StatementsArgs, location="query")
    @blp.response(200, page_schema(TYPE))
    @blp.doc(**list_doc(TYPE, StatementsArgs, CommonFactArgs))
    def get(self, args):
        return typed_list(args, TYPE, FILTERS)


# An item takes no query parameters and returns a finished Response: see doc_only.
@blp.route("/<slug:fact_id>", parameters=id_parameter(TYPE, "putin-unhappy-with-assad-claim-2020"))
@doc_only(blp.response(200, schema(TYPE)), blp.alt_response(404, **not_found(TYPE)), blp.doc(**item_doc(TYPE)))
def get_statement(fact_id):
    return typed_item(fact_id, TYPE)

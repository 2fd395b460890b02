"""``/v1/meetings``: meetings with their own fields at top level (the ``meeting`` fact type)."""
from flask.views import MethodView

from factmodel.vocabulary import FACT_TYPES

from ..blueprint import Blueprint, doc_only
from ..params import CommonFactArgs, slug_field, slug_list
from ..typed_facts import (id_parameter, item_doc, list_doc, not_found, page_schema, role_filters, schema, typed_item,
                           typed_list)

TYPE = FACT_TYPES["meeting"]
blp = Blueprint("meetings", __name__, url_prefix="/v1/meetings", description=TYPE.description)


class MeetingsArgs(CommonFactArgs):
    participant = slug_list("Only meetings with all of these participants", "vladimir-putin")
    location = slug_field("Only meetings at this place")


# query parameter -> the meeting field whose entities it matches, in that field's role (x-role)
FILTERS = role_filters(TYPE, participant="participants", location="location")


@blp.route("")
class Meetings(MethodView):
    @blp.arguments(MeetingsArgs, location="query")
    @blp.response(200, page_schema(TYPE))
    @blp.doc(**list_doc(TYPE, MeetingsArgs, CommonFactArgs))
    def get(self, args):
        return typed_list(args, TYPE, FILTERS)


# An item takes no query parameters and returns a finished Response: see doc_only.
@blp.route("/<slug:fact_id>", parameters=id_parameter(TYPE, "putin-assad-meeting-2024-07-24"))
@doc_only(blp.response(200, schema(TYPE)), blp.alt_response(404, **not_found(TYPE)), blp.doc(**item_doc(TYPE)))
def get_meeting(fact_id):
    return typed_item(fact_id, TYPE)

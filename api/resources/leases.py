"""``/v1/leases``: leases with their own fields at top level (the ``lease`` fact type)."""
from flask.views import MethodView

from factmodel.vocabulary import FACT_TYPES

from ..blueprint import Blueprint, doc_only
from ..params import CommonFactArgs, slug_field
from ..typed_facts import (id_parameter, item_doc, list_doc, not_found, page_schema, role_filters, schema, typed_item,
                           typed_list)

TYPE = FACT_TYPES["lease"]
blp = Blueprint("leases", __name__, url_prefix="/v1/leases", description=TYPE.description)


class LeasesArgs(CommonFactArgs):
    lessee = slug_field("Only leases held by this entity", "russia")
    lessor = slug_field("Only leases granted by this entity")
    asset = slug_field("Only leases of this asset", "tartus-port")


# query parameter -> the lease field whose entities it matches, in that field's role (x-role)
FILTERS = role_filters(TYPE, lessee="lessee", lessor="lessor", asset="asset")


@blp.route("")
class Leases(MethodView):
    @blp.arguments(LeasesArgs, location="query")
    @blp.response(200, page_schema(TYPE))
    @blp.doc(**list_doc(TYPE, LeasesArgs, CommonFactArgs))
    def get(self, args):
        return typed_list(args, TYPE, FILTERS)


# An item takes no query parameters and returns a finished Response: see doc_only.
@blp.route("/<slug:fact_id>", parameters=id_parameter(TYPE, "russia-tartus-port-lease"))
@doc_only(blp.response(200, schema(TYPE)), blp.alt_response(404, **not_found(TYPE)), blp.doc(**item_doc(TYPE)))
def get_lease(fact_id):
    return typed_item(fact_id, TYPE)

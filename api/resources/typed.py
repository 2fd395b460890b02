"""The typed fact resources, one per fact type, all made here from the vocabulary
(:mod:`factmodel.vocabulary`, read from ``schema/facts.schema.json``): ``/v1/meetings``,
``/v1/troop-deployments``… list a type's facts with its own fields at top level, and
``/v1/meetings/{fact_id}``… answer one.

From a path to its code: ``/v1/<path>`` is the type whose ``x-collection.path`` is ``<path>``
(``vocabulary.by_path``); its filters are the ``x-filter`` of its fields (the common fact
filters, ``CommonFactArgs`` in api/params.py, plus its own), the view bodies are
``typed_list``/``typed_item`` and the wording of its documentation is in api/typed_facts.py.
A type added to the JSON Schema gets its blueprint here with no other edit.
"""
from types import SimpleNamespace

from flask.views import MethodView

from factmodel.vocabulary import FACT_TYPES

from ..blueprint import Blueprint, doc_only, page_link_header
from ..params import CommonFactArgs, kinds_field, slug_field, slug_list
from ..typed_facts import (id_parameter, item_doc, list_doc, not_found, page_schema, schema, typed_item,
                           typed_list)


def filter_field(ftype, spec):
    """The query parameter of a :class:`factmodel.vocabulary.Filter`: a repeatable choice of the
    type's kinds, a repeatable entity id (all must match) or one entity id."""
    if spec.role is None:
        return kinds_field(ftype.name, spec.description)
    if spec.many:
        return slug_list(spec.description, spec.example)
    return slug_field(spec.description, spec.example)


def resource(ftype):
    """The type's blueprint, its query schema, its filters (``{query parameter: role}``) and its
    views: ``<Plural>`` (the list, a MethodView) and ``get_<type>`` (the item, a doc_only view)."""
    blp = Blueprint(ftype.path, __name__, url_prefix=f"/v1/{ftype.path}", description=ftype.description)
    args = type(f"{ftype.plural}Args", (CommonFactArgs,),
                {spec.param: filter_field(ftype, spec) for spec in ftype.filters})
    # query parameter -> the role of the entities it matches (the field's x-role)
    filters = {spec.param: spec.role for spec in ftype.filters if spec.role}

    def get(self, args):
        return typed_list(args, ftype, filters)

    get = blp.arguments(args, location="query")(blp.response(200, page_schema(ftype))(
        blp.doc(**list_doc(ftype, args, CommonFactArgs))(get)))
    blp.route("")(type(ftype.plural, (MethodView,), {"get": get}))

    # An item takes no query parameters and returns a finished Response: see doc_only.
    def item(fact_id):
        return typed_item(fact_id, ftype)

    item.__name__ = item.__qualname__ = f"get_{ftype.name}"
    item = blp.route("/<slug:fact_id>", parameters=id_parameter(ftype, ftype.example))(doc_only(
        blp.response(200, schema(ftype), headers=page_link_header(f"/facts/{ftype.example}")), blp.alt_response(404, **not_found(ftype)), blp.doc(**item_doc(ftype)))(item))
    return SimpleNamespace(TYPE=ftype, blp=blp, Args=args, FILTERS=filters, **{item.__name__: item})


# fact type -> its resource, in the vocabulary's order (the order of the paths in the spec)
TYPED = {name: resource(ftype) for name, ftype in FACT_TYPES.items()}

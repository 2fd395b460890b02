"""``/v1/reconcile`` (issues 16, 32): the W3C Reconciliation Service API 0.2, for OpenRefine and
the like, over the entities. ``GET`` without ``queries`` is the service manifest; ``GET`` with
``queries`` (the protocol allows both) or ``POST`` (form field ``queries``) answers a batch of
named queries with candidate entities, scored. The POST is a query: it writes nothing.

Candidates are the entities whose names or aliases contain every word of the query as a word
prefix, then those with any of its words; each is scored 0–100 by its best name or alias, word by
word (:mod:`factmodel.name_match`: rapidfuzz over the project's one fold). ``match`` is true for
the top candidate when it is unambiguous: the only one scoring 100 (the same words as a name or
alias), or scoring at least :data:`MATCH_SCORE` with every other candidate :data:`MATCH_MARGIN`
points behind. ``queries`` is published as a string: one that is not the batch its description
gives (not JSON, no query, an unknown type…) conforms to that schema but is unusable, a 422
naming ``queries`` (README: the rule between 400 and 422); a missing or too long one is a 400. The SQL is :mod:`api.queries.reconcile`, the shapes
:mod:`api.shapes.reconcile`.
"""
import marshmallow as ma
import orjson
from flask import current_app
from flask.views import MethodView
from flask_smorest import abort

from factmodel.name_match import best_score

from ..blueprint import UNPROCESSABLE, Blueprint
from ..http.json import json_response
from ..http.public_url import public_base
from ..params import NoQuerySchema, QuerySchema
from ..queries.reconcile import candidate_rows
from ..shapes.catalog import ENTITY_TYPES
from ..shapes.reconcile import IDENTIFIER_SPACE, PREVIEW_SIZE, RESULTS, SCHEMA_SPACE, ManifestSchema, SuggestionsSchema

F = ma.fields
blp = Blueprint("reconcile", __name__, url_prefix="/v1/reconcile",
                description="W3C Reconciliation Service API 0.2 over the entities (OpenRefine)")
MAX_QUERIES = 50
MATCH_SCORE, MATCH_MARGIN = 75.0, 15.0
TYPES = [t for t in ENTITY_TYPES if t != "unnamed"]
QUERIES_DESCRIPTION = (
    f"JSON object of 1 to {MAX_QUERIES} named queries (W3C Reconciliation API 0.2), each `{{\"query\": text of 1 to "
    f"200 characters, \"type\": an entity type or a list of them (optional), \"limit\": 1–100 (optional, 10)}}`; "
    "the protocol's other members (`properties`, `type_strict`) are accepted and ignored. A string that is not such "
    "an object is a 422 naming `queries`")


# 5000 characters: URL-encoded (up to 12 bytes a character), still within MAX_CONTENT_LENGTH (64 KiB)
class QueriesForm(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    queries = F.String(required=True, validate=ma.validate.Length(2, 5000), metadata={
        "description": QUERIES_DESCRIPTION, "example": '{"q0": {"query": "Erdogan", "type": "person", "limit": 3}}'})


class QueriesArgs(QuerySchema):
    """``GET /v1/reconcile/batch`` (and OpenRefine's ``GET /v1/reconcile?queries=``): a batch by
    GET (issue 32)."""

    # 680 characters: URL-encoded (up to 12 bytes a character) within the 8190-byte request target;
    # a larger batch goes by POST
    queries = F.String(required=True, validate=ma.validate.Length(2, 680), metadata={
        "description": QUERIES_DESCRIPTION + " (by GET, up to 680 characters: a larger batch goes by POST)",
        "example": '{"q0": {"query": "Recep Erdogan", "type": "person"}}'})


class ManifestArgs(QuerySchema):
    """``GET /v1/reconcile``: no documented parameter; ``queries`` is read all the same (OpenRefine
    sends its batches there), and is the only one accepted."""

    queries = F.String(validate=ma.validate.Length(2, 5000))


def _type(name):
    return {"id": name, "name": name.capitalize()}


def _queries(text):
    """The batch as ``{key: (query, types, limit)}``, or 422 naming ``queries`` (a string, as
    published, that is not the batch :data:`QUERIES_DESCRIPTION` describes)."""
    def bad(why):
        abort(UNPROCESSABLE, errors={"queries": [why]})
    try:
        batch = orjson.loads(text)
    except orjson.JSONDecodeError:
        bad("not JSON")
    if not isinstance(batch, dict) or not batch or len(batch) > MAX_QUERIES:
        bad(f"must be a JSON object of 1 to {MAX_QUERIES} named queries")
    out = {}
    for key, q in batch.items():
        if not isinstance(q, dict) or not isinstance(q.get("query"), str) or not 1 <= len(q["query"]) <= 200:
            bad(f"{key}: needs a `query` of 1 to 200 characters")
        types = q.get("type")
        types = [types] if isinstance(types, str) else types
        if types is not None and (not isinstance(types, list) or not all(t in TYPES for t in types)):
            bad(f"{key}: `type` must be one of {', '.join(TYPES)}, or a list of them")
        limit = q.get("limit", 10)
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 100:
            bad(f"{key}: `limit` must be a whole number from 1 to 100")
        out[key] = (q["query"], types or None, limit)
    return out


def _scored(query, types=None):
    """``[(score, entity row)]`` of the candidates of ``query``, best first (then by id)."""
    return sorted(((best_score(query, [row["name"], *orjson.loads(row["aliases"])], row["type"] == "person"), row)
                   for row in candidate_rows(query, types)), key=lambda s: (-s[0], s[1]["id"]))


def _candidates(query, types, limit):
    scored = _scored(query, types)
    top = scored[0][0] if scored else 0.0
    second = scored[1][0] if len(scored) > 1 else 0.0
    unambiguous = (top == 100.0 and second < 100.0) or (top >= MATCH_SCORE and second <= top - MATCH_MARGIN)
    return [{"id": row["id"], "name": row["name"], "type": [_type(row["type"])], "score": score,
             "match": i == 0 and unambiguous} for i, (score, row) in enumerate(scored[:limit])]


def _answer(text):
    return json_response({key: {"result": _candidates(*q)} for key, q in _queries(text).items()})


@blp.route("")
class Reconcile(MethodView):
    # The documented answer stays the manifest (every client generated since 1.0 reads it); the
    # batch OpenRefine sends here by GET is parsed by hand so that it is no documented parameter
    # (CHANGELOG 1.11.0: documented as GET /v1/reconcile/batch, which answers the same).
    @blp.response(200, ManifestSchema)
    @blp.doc(operationId="getReconciliationManifest", parameters=[],
             responses={400: {"$ref": "#/components/responses/BAD_REQUEST"}})
    def get(self):
        """Reconciliation service manifest

        What OpenRefine reads when the service is added (W3C Reconciliation Service API 0.2): the
        versions, the identifier space (a stable URI naming the entity ids), the types, and where
        to view and preview an entity: at this server's public address (`KB_PUBLIC_URL`, else the
        scheme and host the request came with, forwarded ones from a trusted proxy).

        Since 1.11.0, OpenRefine's batch by GET, `GET /v1/reconcile?queries=…` (the protocol's
        service URL with `queries`), answers the batch instead, exactly as
        `GET /v1/reconcile/batch?queries=…` (`reconcileByGet`) documents it; any other query
        parameter is a 400.
        """
        args = blp.ARGUMENTS_PARSER.parse(ManifestArgs(), location="query")
        if "queries" in args:
            return _answer(args["queries"])
        entity = f"{public_base()}/v1/entities/{{{{id}}}}"
        return json_response({"versions": ["0.2"], "name": current_app.config["API_TITLE"] + " (entities)",
                "identifierSpace": IDENTIFIER_SPACE, "schemaSpace": SCHEMA_SPACE,
                "defaultTypes": [_type(t) for t in TYPES], "view": {"url": entity},
                "preview": {"url": entity, **PREVIEW_SIZE},
                "suggest": {"entity": {"service_url": public_base(), "service_path": "/v1/reconcile/suggest/entity"}}})

    @blp.arguments(NoQuerySchema, location="query")
    @blp.arguments(QueriesForm, location="form")
    @blp.response(200, RESULTS)
    @blp.doc(operationId="reconcile")
    def post(self, args, form):
        """Reconcile names to entities

        For each named query of `queries`, the candidate entities, best first, with a score
        (0–100, word by word over names and aliases, diacritics and case folded) and `match`
        (the top candidate, when unambiguous: the only one with the very words of a name or
        alias, or scoring at least 75 with every other 15 points behind). A query: it writes
        nothing.
        """
        return _answer(form["queries"])


class SuggestArgs(QuerySchema):
    prefix = F.String(required=True, validate=ma.validate.Length(1, 200), metadata={
        "description": "What the user has typed so far", "example": "erdo"})
    cursor = F.Integer(load_default=0, strict=False, validate=ma.validate.Range(0, 190), metadata={
        "description": "How many suggestions to skip (the protocol's cursor: an offset)", "example": 0})


SUGGESTIONS = 10


@blp.route("/suggest/entity")
class SuggestEntity(MethodView):
    @blp.arguments(SuggestArgs, location="query")
    @blp.response(200, SuggestionsSchema)
    @blp.doc(operationId="suggestEntities")
    def get(self, args):
        """Suggest entities as a name is typed

        The suggest service of the reconciliation API (0.2, since 1.11.0): the entities whose
        names or aliases have a word starting with each word of `prefix` (diacritics and case
        folded), best first by the same score as reconciliation, 10 at a time after `cursor`.
        """
        prefix = args["prefix"]
        if not any(ch.isalnum() for ch in prefix):
            abort(UNPROCESSABLE, errors={"prefix": ["has no letter or digit to look for"]})
        page = _scored(prefix)[args["cursor"]:args["cursor"] + SUGGESTIONS]
        return {"result": [{"id": row["id"], "name": row["name"], "description": row["description"],
                            "notable": [_type(row["type"])]} for _, row in page]}


@blp.route("/batch")
class ReconcileBatch(MethodView):
    @blp.arguments(QueriesArgs, location="query")
    @blp.response(200, RESULTS)
    @blp.doc(operationId="reconcileByGet")
    def get(self, args):
        """Reconcile names to entities, by GET

        The batch of `queries` answered as `POST /v1/reconcile` answers it (since 1.11.0).
        OpenRefine sends the same batch to the service URL, `GET /v1/reconcile?queries=…`, and
        gets this answer there too.
        """
        return _answer(args["queries"])

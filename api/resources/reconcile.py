"""``/v1/reconcile`` (issue 16): the W3C Reconciliation Service API 0.2, for OpenRefine and the
like, over the entities. ``GET`` is the service manifest; ``POST`` (form field ``queries``, a
JSON object of named queries) answers each query with candidate entities, scored. The POST is a
query: it reads the entities and writes nothing.

Candidates are the entities whose names or aliases contain every word of the query as a word
prefix (the index ``/v1/entities?q=`` uses), or, when none does, any of its words; each is
scored 0–100 by the closeness of the query to its best name or alias (case and diacritics
ignored), and ``match`` is true for a candidate that is alone in scoring 100. The SQL is
:mod:`api.queries.reconcile`, the shapes :mod:`api.shapes.reconcile`.
"""
import difflib
import unicodedata

import marshmallow as ma
import orjson
from flask import current_app
from flask.views import MethodView
from flask_smorest import abort

from ..blueprint import UNPROCESSABLE, Blueprint
from ..http.json import json_response
from ..http.public_url import public_base
from ..params import NoQuerySchema
from ..queries.reconcile import candidate_rows
from ..shapes.catalog import ENTITY_TYPES
from ..shapes.reconcile import IDENTIFIER_SPACE, PREVIEW_SIZE, RESULTS, SCHEMA_SPACE, ManifestSchema

F = ma.fields
blp = Blueprint("reconcile", __name__, url_prefix="/v1/reconcile",
                description="W3C Reconciliation Service API 0.2 over the entities (OpenRefine)")
MAX_QUERIES = 50
TYPES = [t for t in ENTITY_TYPES if t != "unnamed"]


# 5000 characters: URL-encoded (up to 12 bytes a character), still within MAX_CONTENT_LENGTH (64 KiB)
class QueriesForm(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    queries = F.String(required=True, validate=ma.validate.Length(2, 5000), metadata={
        "description": f"JSON object of up to {MAX_QUERIES} named queries, each `{{\"query\": text, \"type\": "
                       f"entity type (optional), \"limit\": 1–100 (optional, 10)}}`; other members are ignored. "
                       "Content that is not such an object is a 422",
        "example": '{"q0": {"query": "Erdogan", "type": "person", "limit": 3}}'})


def _plain(text):
    text = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).replace("-", " ").split())


def _type(name):
    return {"id": name, "name": name.capitalize()}


def _queries(text):
    """The batch as ``{key: (query, type, limit)}``, or 422 naming ``queries``."""
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
        if q.get("type") is not None and q["type"] not in TYPES:
            bad(f"{key}: `type` must be one of {', '.join(TYPES)}")
        limit = q.get("limit", 10)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 100:
            bad(f"{key}: `limit` must be a whole number from 1 to 100")
        out[key] = (q["query"], q.get("type"), limit)
    return out


def _candidates(query, etype, limit):
    rows = candidate_rows(query, etype)
    wanted = _plain(query)
    scored = []
    for row in rows:
        names = [row["name"], *orjson.loads(row["aliases"])]
        score = max(difflib.SequenceMatcher(None, wanted, _plain(n)).ratio() for n in names)
        scored.append((round(score * 100, 1), row))
    scored.sort(key=lambda s: (-s[0], s[1]["id"]))
    exact = [s for s in scored if s[0] == 100.0]
    return [{"id": row["id"], "name": row["name"], "type": [_type(row["type"])], "score": score,
             "match": score == 100.0 and len(exact) == 1} for score, row in scored[:limit]]


@blp.route("")
class Reconcile(MethodView):
    @blp.arguments(NoQuerySchema, location="query")
    @blp.response(200, ManifestSchema)
    @blp.doc(operationId="getReconciliationManifest")
    def get(self, args):
        """Reconciliation service manifest

        What OpenRefine reads when the service is added (W3C Reconciliation Service API 0.2):
        the versions, the identifier space (a stable URI naming the entity ids), the types, and
        where to view and preview an entity: at this server's public address (`KB_PUBLIC_URL`,
        else the scheme and host the request came with, forwarded ones from a trusted proxy).
        """
        entity = f"{public_base()}/v1/entities/{{{{id}}}}"
        return {"versions": ["0.2"], "name": current_app.config["API_TITLE"] + " (entities)",
                "identifierSpace": IDENTIFIER_SPACE, "schemaSpace": SCHEMA_SPACE,
                "defaultTypes": [_type(t) for t in TYPES], "view": {"url": entity},
                "preview": {"url": entity, **PREVIEW_SIZE}}

    @blp.arguments(NoQuerySchema, location="query")
    @blp.arguments(QueriesForm, location="form")
    @blp.response(200, RESULTS)
    @blp.doc(operationId="reconcile")
    def post(self, args, form):
        """Reconcile names to entities

        For each named query of `queries`, the candidate entities, best first, with a score
        (0–100) and `match` (the only exact match of a name or alias). A query: it writes nothing.
        """
        return json_response({key: {"result": _candidates(*q)} for key, q in _queries(form["queries"]).items()})

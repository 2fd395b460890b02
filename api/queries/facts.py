"""Facts by id, and the lookups that check what a fact filter names."""
import difflib

import orjson
from flask import Response, g, request
from flask import abort as flask_abort
from flask_smorest import abort

from factmodel.facts import FACT_COLUMNS

from ..blueprint import UNPROCESSABLE
from ..search import index as search_index
from ..shapes.facts import TYPE_PATHS
from .releases import gone_or_404


def fact_or_404(fact_id, ftype=None):
    """The fact's row (of type ``ftype`` when given), or a 404 naming what was not found."""
    row = g.db.one(f"SELECT {FACT_COLUMNS} FROM facts f WHERE f.id = ?", (fact_id,))
    if row is None:
        moved = g.db.one("SELECT r.new_id, f.type FROM redirects r JOIN facts f ON f.id = r.new_id "
                         "WHERE r.old_id = ? AND r.kind = 'fact'", (fact_id,))
        if moved is not None:
            permanent_redirect(f"/v1/{TYPE_PATHS[moved['type']] if ftype else 'facts'}/{moved['new_id']}")
    if row is None:
        gone_or_404("fact", fact_id, f"No {(ftype or 'fact').replace('_', ' ')} with id {fact_id!r}.")  # 410 when a release removed it
    if row is None or (ftype and row["type"] != ftype):
        abort(404, message=f"No {(ftype or 'fact').replace('_', ' ')} with id {fact_id!r}.")
    return row


def permanent_redirect(path):
    """Answer ``308 Permanent Redirect`` to ``path`` (with the request's query string): an id
    that a fix renamed lives on as a former id of the current one (docs/methodology.md, section 7)."""
    query = request.query_string.decode("latin-1")
    location = path + ("?" + query if query else "")
    body = {"status": 308, "title": "Permanent Redirect", "location": location,
            "detail": f"{request.path} is a former id's URL: the resource lives at {location} for good."}
    flask_abort(Response(orjson.dumps(body), status=308, mimetype="application/json",
                         headers={"Location": location}))


def fact_rows(query, after=None, limit=None):
    """The rows of a :class:`FactQuery` after the key ``after``, ``limit`` of them."""
    return g.db.all(*query.sql(after=after, limit=limit))


def fact_stream(query):
    """Every row of a :class:`FactQuery`, fetched in chunks."""
    return g.db.stream(*query.sql())


def require_entities(ids, param):
    """422 naming ``param`` when any of ``ids`` is not a known entity, each with the closest ids by
    name and alias ("did you mean 'vladimir-putin'?" for ``putin``) when there are any."""
    ids = [i for i in ids if i]
    if not ids:
        return
    known = {r[0] for r in g.db.all(f"SELECT id FROM entities WHERE id IN ({', '.join('?' * len(ids))})", ids)}
    unknown = [i for i in ids if i not in known]
    if unknown:
        abort(UNPROCESSABLE, errors={param: [f"unknown entity {i!r}{_did_you_mean(i)}" for i in unknown]})


def _did_you_mean(value, most=3):
    """`` (did you mean 'a' or 'b'?)``: the entities one of whose names or aliases holds every
    word of ``value`` (folded as search folds them), else whose id is close to it; or ''."""
    wanted = search_index.words(value.replace("-", " ").replace("_", " "))
    if not wanted:
        return ""
    rows = g.db.all("SELECT id, name, aliases FROM entities WHERE type != 'unnamed' ORDER BY id")
    named = [r["id"] for r in rows
             if any(set(wanted) <= set(search_index.words(spelling))
                    for spelling in [r["id"].replace("-", " "), r["name"], *orjson.loads(r["aliases"])])]
    found = named or difflib.get_close_matches(value, [r["id"] for r in rows], n=most, cutoff=0.75)
    return f" (did you mean {' or '.join(repr(i) for i in found[:most])}?)" if found else ""


def require_source(sid, param="source"):
    """422 naming ``param`` when ``sid`` is not a known source."""
    if sid and g.db.one("SELECT 1 FROM sources WHERE id = ?", (sid,)) is None:
        abort(UNPROCESSABLE, errors={param: [f"unknown source {sid!r}"]})



def require_fact(fid, param):
    """422 naming ``param`` when ``fid`` is not a known fact."""
    if fid and g.db.one("SELECT 1 FROM facts WHERE id = ?", (fid,)) is None:
        abort(UNPROCESSABLE, errors={param: [f"unknown fact {fid!r}"]})

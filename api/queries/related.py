"""Issue #16: ``/v1/entities/{id}/related``, the entities that share facts with one entity, with
how many and the most recent shared fact (its SQL; the shapes are in
:mod:`api.shapes.related`, the arguments and the view in :mod:`api.resources.entities`).

Ordered by the number of shared facts (most first), then id; paginated by a signed cursor on
that pair. ``role``: only facts where the entity has this role; ``related_role``: counting the
other entities only in this role; ``from``/``to``: only facts that match the window (as on fact
lists: for certain unless ``time_match=possible``). "Most recent" is by the fact's sort date (the start of its span), undated
facts counting as oldest, ties by fact id.
"""
from flask import g

from ..filters import certain
from .windows import matching

SEP = " "  # between sort date and fact id in the "most recent" key: neither holds it, and it sorts before any date character


def related_rows(entity_id, args, window, limit, after=None):
    """Rows (id, name, type, n, latest fact id, date, summary) after the cursor key ``[n, id]``;
    ``window``: :func:`api.filters.window` of ``args``."""
    where, params = ["fe.entity_id = ?"], [entity_id]
    if args.get("role"):
        where.append("fe.role = ?")
        params.append(args["role"])
    clauses, values = matching(window, certain(args))  # the same rule as every fact list
    where += clauses
    params += values
    other = ["o.entity_id != ?"]
    params.append(entity_id)
    if args.get("related_role"):
        other.append("o.role = ?")
        params.append(args["related_role"])
    page = ""
    if after is not None:
        page = "WHERE s.n < ? OR (s.n = ? AND s.entity_id > ?)"
        params.extend([int(after[0]), int(after[0]), str(after[1])])
    sql = f"""
        WITH mine AS (SELECT DISTINCT fe.fact_id FROM fact_entities fe JOIN facts f ON f.id = fe.fact_id
                      WHERE {' AND '.join(where)}),
             shared AS (SELECT o.entity_id, count(DISTINCT o.fact_id) AS n, max(o.sort_date || '{SEP}' || o.fact_id) AS last
                        FROM mine JOIN fact_entities o ON o.fact_id = mine.fact_id
                        WHERE {' AND '.join(other)} GROUP BY o.entity_id)
        SELECT e.id, e.name, e.type, s.n, l.id AS fact_id, l.date, l.summary
        FROM shared s JOIN entities e ON e.id = s.entity_id
             JOIN facts l ON l.id = substr(s.last, instr(s.last, '{SEP}') + 1)
        {page} ORDER BY s.n DESC, s.entity_id LIMIT ?"""
    params.append(limit)
    return g.db.all(sql, params)


def related_key(row):
    return [row["n"], row["id"]]

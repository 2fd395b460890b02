"""SQL of ``/v1/reconcile`` (:mod:`api.resources.reconcile`): the candidate entities of a query."""
from flask import g

from ..search.fts import fts_query
from .catalog import ENTITY_SEARCH

MAX_CANDIDATES = 200


def candidate_rows(query, types=None):
    """Up to 200 entities (not ``unnamed``; of one of ``types`` when given): first those whose names
    or aliases contain every word of ``query`` as a word prefix, then those with any of its words
    (a label with a word no name has, "Assad regime", still finds Assad)."""
    where, params = ["type != 'unnamed'"], []
    if types:
        where.append(f"type IN ({', '.join('?' * len(types))})")
        params.extend(types)
    match = fts_query(query)
    if not match:
        return []
    sql = f"SELECT * FROM entities WHERE {' AND '.join(where)} AND {ENTITY_SEARCH} LIMIT {MAX_CANDIDATES}"
    rows = g.db.all(sql, [*params, match])
    if " " in match and len(rows) < MAX_CANDIDATES:
        seen = {row["id"] for row in rows}
        rows += [row for row in g.db.all(sql, [*params, match.replace('* "', '* OR "')])
                 if row["id"] not in seen][:MAX_CANDIDATES - len(rows)]
    return rows

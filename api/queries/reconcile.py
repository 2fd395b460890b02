"""SQL of ``/v1/reconcile`` (:mod:`api.resources.reconcile`): the candidate entities of a query."""
from flask import g

from ..search.fts import fts_query
from .catalog import ENTITY_SEARCH


def candidate_rows(query, etype):
    """Up to 200 entities (not ``unnamed``; of type ``etype`` when given) whose names or aliases
    contain every word of ``query`` as a word prefix, or, when none does, any of its words."""
    where, params = ["type != 'unnamed'"], []
    if etype:
        where.append("type = ?")
        params.append(etype)
    rows = []
    match = fts_query(query)
    if match:
        rows = g.db.all(f"SELECT * FROM entities WHERE {' AND '.join(where)} AND {ENTITY_SEARCH} LIMIT 200",
                        [*params, match])
        if not rows and " " in match:
            rows = g.db.all(f"SELECT * FROM entities WHERE {' AND '.join(where)} AND {ENTITY_SEARCH} LIMIT 200",
                            [*params, match.replace('* "', '* OR "')])
    return rows

"""SQL of ``/v1/conflicts`` (:mod:`api.resources.conflicts`): the pairs of facts linked by
``conflicts_with``, and the facts of a page of pairs."""
from flask import g

from factmodel.facts import FACT_COLUMNS

from ..filters import certain
from .windows import matching


def conflict_rows(args, window, limit, last=None):
    where, params = ["r.type = 'conflicts_with'", "r.direction = 'outgoing'"], []
    either = "SELECT 1 FROM {table} WHERE {column} IN (r.fact_id, r.other_id)"
    if args.get("type"):
        where.append(f"EXISTS ({either.format(table='facts x', column='x.id')} "
                     f"AND x.type IN ({', '.join('?' * len(args['type']))}))")
        params += args["type"]
    if args.get("entity"):
        where.append(f"EXISTS ({either.format(table='fact_entities x', column='x.fact_id')} AND x.entity_id = ? "
                     "AND x.role != 'attributed')")
        params.append(args["entity"])
    clauses, values = matching(window, certain(args), "x")  # the same rule as every fact list
    params += values
    if clauses:
        where.append(f"EXISTS ({either.format(table='facts x', column='x.id')} AND {' AND '.join(clauses)})")
    if last is not None:
        where.append("(r.fact_id, r.other_id) > (?, ?)")
        params += [str(last[0]), str(last[1])]
    return g.db.all(f"SELECT r.fact_id, r.other_id FROM fact_relations r WHERE {' AND '.join(where)} "
                    "ORDER BY r.fact_id, r.other_id LIMIT ?", [*params, limit])


def fact_rows_of(ids):
    """The rows (:data:`~factmodel.facts.FACT_COLUMNS`) of the facts ``ids``, in id order."""
    ids = sorted(ids)
    if not ids:
        return []
    return g.db.all(f"SELECT {FACT_COLUMNS} FROM facts f WHERE f.id IN ({', '.join('?' * len(ids))})", ids)

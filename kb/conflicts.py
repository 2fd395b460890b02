"""Build-time conflict detection (issue 16): rules that find facts which cannot both be true and
link them with a ``conflicts_with`` relation in ``fact_relations`` (both directions, like every
relation; ``facts.relations`` is filled from that table afterwards), next to the relations the
seeds state. A pair the seeds already link by ``conflicts_with`` is left as it is.

Rules (each one SQL query yielding pairs ``(a, b)`` with ``a < b``, after statements that prepare it):

- ``troop_count``: two troop deployments of the same country at the same place whose spans
  overlap and whose counts differ (both counts given), unless one ``corrects`` the other.

- for every fact type with an ``x-conflict`` in schema/facts.schema.json (:data:`factmodel.vocabulary.CONFLICTS`:
  counts, troop deployments, leases): ``<type>_value``: two facts of the type that share the
  ``same`` fields (text folded as names are, :func:`factmodel.folding.fold`; a null never matches)
  whose spans overlap and whose ``value``s cannot both be true, a qualified value being a range
  (``at_least`` N: N or more; ``up_to`` N: 0 to N; ``about`` and ``exact`` N: N), unless one
  ``corrects`` the other (a correction settles it: docs/methodology.md, section 6); and
  ``<type>_same_claim``: two facts of the type a curator linked by ``same_claim`` whose values
  cannot both be true, whatever their time.

Not (yet) a rule: "two dates for the same meeting". Two meetings of the same participants on
different days are usually two meetings (Putin and Assad met in 2023 and in 2024); telling a
disagreement from a second meeting needs the facts to say they are the same meeting
(``same_claim``) - a curator's call, recorded as ``conflicts_with`` in the seeds.
"""
from factmodel.folding import fold
from factmodel.vocabulary import CONFLICTS

# Each rule: the statements that prepare what it joins (temporary tables with an index, so the
# pairs are found by index lookups within a group, not by comparing every fact with every other),
# then the query yielding the pairs.
RULES = {
    "troop_count": ([
        """CREATE TEMP TABLE conflict_troops AS
           SELECT id, json_extract(attributes, '$.country') AS country,
                  json_extract(attributes, '$.location') AS location,
                  json_extract(attributes, '$.count') AS count, span_start, span_end
           FROM facts WHERE type = 'troop_deployment' AND json_extract(attributes, '$.count') IS NOT NULL""",
        "CREATE INDEX temp.conflict_troops_place ON conflict_troops (country, location)",
    ], """
        SELECT a.id, b.id FROM conflict_troops a JOIN conflict_troops b
            ON b.country = a.country AND b.location = a.location AND a.id < b.id
        WHERE a.count != b.count AND a.span_start <= b.span_end AND b.span_start <= a.span_end
          AND NOT EXISTS (SELECT 1 FROM fact_relations c WHERE c.type = 'corrects' AND c.fact_id = a.id
                          AND c.other_id = b.id)
    """, ["DROP TABLE temp.conflict_troops"]),
}


# a qualified value as the range it allows: [lo, hi] (hi NULL: no upper bound)
_LOW = "CASE {q} WHEN 'up_to' THEN 0 ELSE {v} END"
_HIGH = "CASE {q} WHEN 'at_least' THEN NULL ELSE {v} END"
_APART = ("(a.hi IS NOT NULL AND a.hi < b.lo) OR (b.hi IS NOT NULL AND b.hi < a.lo)")


def _declared(name, spec):
    """The two rules of a type's ``x-conflict`` (see the module docstring)."""
    table = f"conflict_{name}"
    same = list(spec["same"])
    value = f"json_extract(attributes, '$.{spec['value']}')"
    qualifier = f"json_extract(attributes, '$.{spec['qualifier']}')" if spec.get("qualifier") else "NULL"
    keys = ", ".join(f"kb_fold(json_extract(attributes, '$.{field}')) AS k{i}" for i, field in enumerate(same))
    prepare = [
        f"""CREATE TEMP TABLE {table} AS
            SELECT id, {keys}, {_LOW.format(q=qualifier, v=value)} AS lo, {_HIGH.format(q=qualifier, v=value)} AS hi,
                   span_start, span_end
            FROM facts WHERE type = '{name}' AND {value} IS NOT NULL""",
        f"CREATE INDEX temp.{table}_same ON {table} ({', '.join(f'k{i}' for i in range(len(same)))})",
    ]
    joined = " AND ".join(f"b.k{i} = a.k{i}" for i in range(len(same)))
    values = f"""
        SELECT a.id, b.id FROM {table} a JOIN {table} b ON {joined} AND a.id < b.id
        WHERE ({_APART}) AND a.span_start <= b.span_end AND b.span_start <= a.span_end
          AND NOT EXISTS (SELECT 1 FROM fact_relations c WHERE c.type = 'corrects' AND c.fact_id = a.id
                          AND c.other_id = b.id)
    """
    same_claim = f"""
        SELECT a.id, b.id FROM fact_relations r JOIN {table} a ON a.id = r.fact_id JOIN {table} b ON b.id = r.other_id
        WHERE r.type = 'same_claim' AND a.id < b.id AND ({_APART})
    """
    cleanup = [f"DROP TABLE temp.{table}"]
    return {f"{name}_value": (prepare, values, cleanup), f"{name}_same_claim": ([], same_claim, [])}


for _name, _spec in CONFLICTS.items():
    RULES.update(_declared(_name, _spec))


def _folded(text):
    return None if text is None else fold(text)


def detect_conflicts(conn):
    """Add the rules' ``conflicts_with`` relations to ``fact_relations``; return how many pairs.

    One INSERT ... SELECT: at 1M facts the rules find ~900k pairs, which as Python tuples (a set,
    a sorted list, the rows) took ~330 MB at the build's peak. SQLite sorts them on disk instead;
    the rows go in the same order as before: by pair, then its outgoing and its incoming row."""
    conn.create_function("kb_fold", 1, _folded, deterministic=True)
    for prepare, _, _ in RULES.values():
        for sql in prepare:
            conn.execute(sql)
    found = " UNION ".join(query for _, query, _ in RULES.values())  # UNION: a pair two rules find, once
    cursor = conn.execute(f"""
        WITH pair(a, b) AS ({found})
        INSERT OR IGNORE INTO fact_relations (fact_id, type, other_id, direction)
        SELECT iif(d, b, a), 'conflicts_with', iif(d, a, b), iif(d, 'incoming', 'outgoing')
        FROM pair, (SELECT 0 AS d UNION ALL SELECT 1)
        WHERE NOT EXISTS (SELECT 1 FROM fact_relations r WHERE r.type = 'conflicts_with'
                          AND r.fact_id IN (a, b) AND r.other_id = iif(r.fact_id = a, b, a))
        ORDER BY a, b, d""")
    for _, _, cleanup in RULES.values():
        for sql in cleanup:
            conn.execute(sql)
    return cursor.rowcount // 2

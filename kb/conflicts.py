"""Build-time conflict detection (issue 16): rules that find facts which cannot both be true and
link them with a ``conflicts_with`` relation in ``fact_relations`` (both directions, like every
relation; ``facts.relations`` is filled from that table afterwards), next to the relations the
seeds state. A pair the seeds already link by ``conflicts_with`` is left as it is.

Rules (each one SQL query yielding pairs ``(a, b)`` with ``a < b``, after statements that prepare it):

- ``troop_count``: two troop deployments of the same country at the same place whose spans
  overlap and whose counts differ (both counts given).

Not (yet) a rule: "two dates for the same meeting". Two meetings of the same participants on
different days are usually two meetings (Putin and Assad met in 2023 and in 2024); telling a
disagreement from a second meeting needs the facts to say they are the same meeting
(``same_claim``) - a curator's call, recorded as ``conflicts_with`` in the seeds.
"""
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
    """, ["DROP TABLE temp.conflict_troops"]),
}


def detect_conflicts(conn):
    """Add the rules' ``conflicts_with`` relations to ``fact_relations``; return how many pairs."""
    pairs = set()
    for prepare, query, cleanup in RULES.values():
        for sql in prepare:
            conn.execute(sql)
        pairs.update(conn.execute(query).fetchall())
        for sql in cleanup:
            conn.execute(sql)
    declared = set(conn.execute("SELECT fact_id, other_id FROM fact_relations WHERE type = 'conflicts_with'"))
    pairs = sorted(pair for pair in pairs if pair not in declared and pair[::-1] not in declared)
    conn.executemany("INSERT OR IGNORE INTO fact_relations (fact_id, type, other_id, direction) "
                     "VALUES (?, 'conflicts_with', ?, ?)",
                     [row for a, b in pairs for row in ((a, b, "outgoing"), (b, a, "incoming"))])
    return len(pairs)

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
    """Add the rules' ``conflicts_with`` relations to ``fact_relations``; return how many pairs.

    One INSERT ... SELECT: at 1M facts the rules find ~900k pairs, which as Python tuples (a set,
    a sorted list, the rows) took ~330 MB at the build's peak. SQLite sorts them on disk instead;
    the rows go in the same order as before: by pair, then its outgoing and its incoming row."""
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

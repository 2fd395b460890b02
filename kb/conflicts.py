"""Build-time conflict detection (issue 16): rules that find facts which cannot both be true and
link them with a ``conflicts_with`` relation in ``fact_relations`` (both directions, like every
relation; ``facts.relations`` is filled from that table afterwards), next to the relations the
seeds state. A pair the seeds already link by ``conflicts_with`` is left as it is.

Rules (each one SQL query yielding pairs ``(a, b)`` with ``a < b``):

- ``troop_count``: two troop deployments of the same country at the same place whose spans
  overlap and whose counts differ (both counts given).

Not (yet) a rule: "two dates for the same meeting". Two meetings of the same participants on
different days are usually two meetings (Putin and Assad met in 2023 and in 2024); telling a
disagreement from a second meeting needs the facts to say they are the same meeting
(``same_claim``) - a curator's call, recorded as ``conflicts_with`` in the seeds.
"""
RULES = {
    "troop_count": """
        SELECT a.id, b.id FROM facts a JOIN facts b ON a.type = 'troop_deployment' AND b.type = 'troop_deployment'
                                                    AND a.id < b.id
        WHERE json_extract(a.attributes, '$.country') = json_extract(b.attributes, '$.country')
          AND json_extract(a.attributes, '$.location') = json_extract(b.attributes, '$.location')
          AND json_extract(a.attributes, '$.count') IS NOT NULL
          AND json_extract(b.attributes, '$.count') IS NOT NULL
          AND json_extract(a.attributes, '$.count') != json_extract(b.attributes, '$.count')
          AND a.span_start <= b.span_end AND b.span_start <= a.span_end
    """,
}


def detect_conflicts(conn):
    """Add the rules' ``conflicts_with`` relations to ``fact_relations``; return how many pairs."""
    pairs = sorted({pair for sql in RULES.values() for pair in conn.execute(sql).fetchall()})
    conn.executemany("INSERT OR IGNORE INTO fact_relations (fact_id, type, other_id, direction) "
                     "VALUES (?, 'conflicts_with', ?, ?)",
                     [row for a, b in pairs for row in ((a, b, "outgoing"), (b, a, "incoming"))
                      if not conn.execute("SELECT 1 FROM fact_relations WHERE type = 'conflicts_with' AND "
                                          "((fact_id = ? AND other_id = ?) OR (fact_id = ? AND other_id = ?))",
                                          (a, b, b, a)).fetchone()])
    return len(pairs)

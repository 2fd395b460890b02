"""``EXPLAIN QUERY PLAN`` of every kind of fact-list query the API runs, on a given database.

    python -m bench.query_plans DB          # prints each plan; exit 1 if one is not indexed

The SQL comes from :class:`api.queries.fact_list.FactQuery` itself (the code the API runs), for the
first page and for a deep cursor page of: the whole list (both sort orders), an ``entity=``
filter, a typed role filter, an event ``kind=`` filter, ``from``/``to`` (a window, and a start
alone, whose spans may be open: a ``UNION ALL`` of ordered walks), ``valid_at``, ``attributed_to``,
``relation``, ``related_to``, a single type and ``changed_since``, and of the change feed
(``/v1/changes``: whole, since a release, one kind, one op; api/queries/changes.py). A plan passes when no table is read by a full scan
(``SCAN t`` without an index), no temporary B-tree sorts the result (``USE TEMP B-TREE FOR ORDER
BY``: every match would be read before the first row is returned) and every ``SCAN … USING
INDEX`` is an ordered walk that ``LIMIT`` stops. The one case allowed to sort is ``related_to``
(:data:`SORTS`): its matches are the relations of one fact, a handful, read from
``fact_relations(other_id, type, fact_id)``; an ordered walk of every fact filtered by the
relation would read the whole list to find them. Used by ``tests/api/test_query_plans.py`` (a 20k-fact database) and by
``bench/serve_bench.py`` (the databases it serves, 1M facts in ``make bench``).
"""
import re
import sqlite3
import sys
from pathlib import Path

from api.queries.changes import change_key, change_sql
from api.filters import descending, from_args
from api.queries.fact_list import FactQuery
from api.queries.windows import span_stats

LIMIT = 21  # a page of 20 and one more, as the API asks
# cases whose plan may sort its matches, and why (see the module docstring)
SORTS = {"related_to": "the few facts related to one fact, from fact_relations(other_id, type, fact_id)"}
_FULL_SCAN = re.compile(r"^SCAN (\w+)(?!\w)(?! USING (COVERING )?INDEX)(?! VIRTUAL TABLE)")


def _connect(db_path):
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def cases(conn):
    """``{name: (args, api.filters.from_args keyword arguments)}`` with values picked from the database:
    the entity in most facts, a participant of meetings, the commonest event kind, and a two-year
    window in the middle of the dated facts."""
    entity = conn.execute("SELECT id FROM entities ORDER BY fact_count DESC, id LIMIT 1").fetchone()[0]
    participant = conn.execute(
        "SELECT entity_id FROM fact_entities WHERE role = 'participant' GROUP BY entity_id "
        "ORDER BY count(*) DESC, entity_id LIMIT 1").fetchone()
    kind = conn.execute("SELECT kind FROM events GROUP BY kind ORDER BY count(*) DESC, kind LIMIT 1").fetchone()
    dated = conn.execute("SELECT count(*) FROM facts WHERE sort_date != ''").fetchone()[0]
    middle = conn.execute("SELECT sort_date FROM facts WHERE sort_date != '' ORDER BY sort_date, id "
                          "LIMIT 1 OFFSET ?", (max(dated // 2, 0),)).fetchone()
    year = int(middle[0][:4]) if middle else 2000
    window = {"from_": str(year), "to": str(year + 1)}
    attributed = conn.execute("SELECT entity_id FROM attributions WHERE entity_id IS NOT NULL GROUP BY entity_id "
                              "ORDER BY count(*) DESC, entity_id LIMIT 1").fetchone()
    related = conn.execute("SELECT other_id FROM fact_relations GROUP BY other_id "
                           "ORDER BY count(*) DESC, other_id LIMIT 1").fetchone()
    relation = conn.execute("SELECT type FROM fact_relations GROUP BY type ORDER BY count(*) DESC, type "
                            "LIMIT 1").fetchone()
    found = {
        "facts list": ({}, {}),
        "facts list, newest first": ({"sort": "-date"}, {}),
        "entity filter": ({"entity": [entity]}, {}),
        "entity filter + from/to": ({"entity": [entity], **window}, {}),
        "from/to": (window, {}),
        "from/to, newest first": ({**window, "sort": "-date"}, {}),
        "from/to, start only (open spans)": ({"from_": window["from_"]}, {}),
        "from/to, start only, newest first": ({"from_": window["from_"], "sort": "-date"}, {}),
        "from/to, start only + entity filter": ({"from_": window["from_"], "entity": [entity]}, {}),
        "valid_at": ({"valid_at": str(year)}, {}),  # known to hold on a day of the year (certain)
        "valid_at, possible": ({"valid_at": f"{year}-06-30", "time_match": "possible"}, {}),
        "from/to, possible": ({**window, "time_match": "possible"}, {}),
        "single type": ({}, {"types": ["meeting"]}),
        # facts changed after the last release but one (a filter of the ordered walk, like source=)
        "changed_since": ({}, {"changed_since": conn.execute("SELECT coalesce(max(seq), 1) - 1 FROM releases")
                               .fetchone()[0]}),
    }
    if attributed:
        found["attributed_to"] = ({"attributed_to": attributed[0]}, {})
    if relation:
        found["relation"] = ({"relation": relation[0]}, {})
    if related:
        found["related_to"] = ({"related_to": related[0]}, {})
    if participant:
        found["typed role filter (meetings?participant=)"] = ({}, {"types": ["meeting"],
                                                                  "roles": [("participant", participant[0])]})
    if kind:
        found["kind filter (events?kind=)"] = ({}, {"types": ["event"], "kinds": ("events", [kind[0]])})
    return found


def fact_query(args, kwargs, spans=None):
    """The :class:`FactQuery` the API runs for parsed ``args`` (and ``from_args`` keyword arguments)."""
    return FactQuery(from_args(args, **kwargs), descending=descending(args), spans=spans)


def change_cases(conn):
    """``{name: change_sql keyword arguments}``: the change feed (``/v1/changes``) whole, since the
    last release but one, of one kind, of one op."""
    since = conn.execute("SELECT coalesce(max(seq), 1) - 1 FROM releases").fetchone()[0]
    return {"change feed": {}, "change feed since a release": {"since": since},
            "change feed, one kind": {"kind": "fact"}, "change feed, one op": {"op": "modified"}}


def deep_change_key(conn, query, depth=0.9):
    """The cursor key ``[seq, kind, id]`` of the change ``depth`` of the way down the feed, or None."""
    sql, params = change_sql(**query)
    rows = conn.execute(sql, params).fetchall()
    return change_key(rows[int((len(rows) - 1) * depth)]) if len(rows) > 1 else None


def deep_key(conn, fq, depth=0.9):
    """The ``(sort_date, id)`` key of the row ``depth`` of the way down ``fq``'s whole list: what
    a cursor that far into the list holds."""
    sql, params = fq.sql()
    count = conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]
    if count < 2:
        return None
    row = conn.execute(f"{sql} LIMIT 1 OFFSET ?", [*params, int((count - 1) * depth)]).fetchone()
    return [row["sort_date"], row["id"]]


def problems(plan, may_sort=False):
    """What is wrong with a plan (a list of ``EXPLAIN QUERY PLAN`` detail strings); ``may_sort``:
    a sort of the matches is allowed (:data:`SORTS`)."""
    found = []
    for detail in plan:
        if _FULL_SCAN.match(detail):
            found.append(f"full scan: {detail}")
        if may_sort:
            continue
        if "USE TEMP B-TREE FOR ORDER BY" in detail or "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY" in detail:
            found.append(f"sorts every match: {detail}")
    return found


def vm_steps(conn, sql, params, every=100):
    """Roughly how many SQLite VM instructions running ``sql`` takes (counted in hundreds)."""
    steps = 0

    def count():
        nonlocal steps
        steps += 1
        return 0

    conn.set_progress_handler(count, every)
    try:
        conn.execute(sql, params).fetchall()
    finally:
        conn.set_progress_handler(None, every)
    return steps * every


def check(db_path, deep=True):
    """``[(name, sql, params, plan details, problems)]`` for every case, first and deep page."""
    conn = _connect(db_path)
    try:
        results = []
        spans = span_stats(conn)
        for name, (args, kwargs) in cases(conn).items():
            args = {"sort": "date", **args}
            fq = fact_query(args, kwargs, spans)
            pages = [("first page", None)]
            if deep:
                key = deep_key(conn, fq)
                if key is not None:
                    pages.append(("deep cursor page", key))
            for page, after in pages:
                sql, params = fq.sql(after=after, limit=LIMIT)
                plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
                results.append((f"{name}, {page}", sql, params, plan, problems(plan, may_sort=name in SORTS)))
        for name, query in change_cases(conn).items():
            key = deep_change_key(conn, query) if deep else None
            for page, after in [("first page", None)] + ([("deep cursor page", key)] if key else []):
                sql, params = change_sql(**query, after=after, limit=LIMIT)
                plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
                results.append((f"{name}, {page}", sql, params, plan, problems(plan)))
        return results
    finally:
        conn.close()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    bad = 0
    for name, sql, params, plan, found in check(argv[0]):
        print(f"{'FAIL' if found else 'ok  '} {name}")
        for detail in plan:
            print(f"       {detail}")
        bad += bool(found)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

"""SQL of the change feed (``/v1/changes``), of ``changed_since`` on fact lists and of a fact's
history (the ``releases``, ``changes`` and ``versions`` tables, kb/releases.py, docs/database.md).

The feed is one walk of the primary key of ``changes`` ``(seq, kind, id)``: the release's
``seq`` after ``since``, then kind, then id, resumed after a cursor key, so a page costs the
same at the first change and at the millionth (tests/api/test_query_plans.py).
"""
import sqlite3

from flask import g
from flask_smorest import abort

from ..blueprint import UNPROCESSABLE
from .releases import redirected_to

CHANGE_COLUMNS = "c.seq, c.release, c.kind, c.id, c.op, c.fields, c.new_id"
# FactQuery's ``changed_since``: the fact ``f`` was added, modified or renamed into after a release
# (``?``, twice: its seq). Two index lookups per fact of the ordered walk: changes_removed, changes_renamed.
CHANGED_FACT = ("(EXISTS (SELECT 1 FROM changes c WHERE c.kind = 'fact' AND c.id = f.id AND c.op IN ('added', "
                "'modified') AND c.seq > ?) OR EXISTS (SELECT 1 FROM changes c WHERE c.kind = 'fact' "
                "AND c.new_id = f.id AND c.seq > ?))")


def release_seq(release_or_version):
    """The ``seq`` of a release named by its id or by a dataset version (``X-Dataset-Version``) the
    dataset knows (``dataset_versions``, kb/releases.py; the one served, in a database without that
    table), or None."""
    row = g.db.one("SELECT seq FROM releases WHERE id = ?", (release_or_version,))
    if row is not None:
        return row["seq"]
    try:
        row = g.db.one("SELECT r.seq FROM dataset_versions d JOIN releases r ON r.id = d.release "
                       "WHERE d.version = ?", (release_or_version,))
    except sqlite3.OperationalError:  # a database built before dataset_versions
        row = None
        if release_or_version == g.db.version:
            row = g.db.one("SELECT max(seq) AS seq FROM releases")
    return row["seq"] if row is not None else None


def release_seq_or_422(release_id, param):
    """The ``seq`` of the release ``release_id`` (a release id or a dataset version), or 422 naming
    ``param`` (an unknown or foreign release)."""
    seq = release_seq(release_id)
    if seq is None:
        abort(UNPROCESSABLE, errors={param: [f"unknown release {release_id!r}: neither a release of the dataset "
                                             "served (GET /v1/releases lists them) nor a dataset version it "
                                             "knows (X-Dataset-Version)"]})
    return seq


def change_sql(since=0, kind=None, op=None, after=None, limit=None):
    """The SQL and parameters of the changes made after the release ``since`` (a seq; 0: every
    change), optionally of one ``kind`` and ``op``, after the cursor key ``after``
    (``[seq, kind, id]``), ``limit`` of them, in primary-key order."""
    # one lower bound on the key, so SQLite seeks to it (given two, it may seek to one and filter by the other)
    if after is not None and int(after[0]) > since:
        where, params = ["(c.seq, c.kind, c.id) > (?, ?, ?)"], [int(after[0]), str(after[1]), str(after[2])]
    else:
        where, params = ["c.seq > ?"], [since]
    if kind:
        where.append("+c.kind = ?")  # a filter of the walk: an equality SQLite would drop from the ORDER BY and sort for
        params.append(kind)
    if op:
        where.append("c.op = ?")
        params.append(op)
    sql = f"SELECT {CHANGE_COLUMNS} FROM changes c WHERE {' AND '.join(where)} ORDER BY c.seq, c.kind, c.id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return sql, params


def change_key(row):
    return [row["seq"], row["kind"], row["id"]]


def _lineage(fact_id):
    """``{id: last seq}``: ``fact_id`` (None: no bound) and every id renamed into it, directly or
    through others, up to the release that renamed it (a reused old id's later changes are not its)."""
    found, todo = {fact_id: None}, [(fact_id, None)]
    while todo:
        rid, until = todo.pop()
        for row in g.db.all("SELECT id, seq FROM changes WHERE kind = 'fact' AND new_id = ? AND op = 'renamed'"
                            + (" AND seq <= ?" if until is not None else ""), (rid, *([until] if until else []))):
            if row["id"] not in found:
                found[row["id"]] = row["seq"]
                todo.append((row["id"], row["seq"]))
    return found


def renamed_to(fact_id):
    """The id a rename gave ``fact_id`` (the last release that renamed it, else the seeds' ``former_ids``),
    or None."""
    row = g.db.one("SELECT op, new_id FROM changes WHERE kind = 'fact' AND id = ? ORDER BY seq DESC LIMIT 1",
                   (fact_id,))
    if row is not None and row["op"] == "renamed":
        return row["new_id"]
    return redirected_to("fact", fact_id)


def history_rows(fact_id):
    """Every change to the fact ``fact_id`` (under this id or a former one), oldest first, with the
    release's id and time and, for additions, modifications and renames, the content of that version."""
    clauses, params = [], []
    for rid, until in _lineage(fact_id).items():
        clauses.append("c.id = ?" + (" AND c.seq <= ?" if until is not None else ""))
        params += [rid] + ([until] if until is not None else [])
    return g.db.all(
        f"SELECT {CHANGE_COLUMNS}, r.built_at, v.content FROM changes c JOIN releases r ON r.seq = c.seq "
        f"LEFT JOIN versions v ON v.seq = c.seq AND v.kind = c.kind AND v.id = coalesce(c.new_id, c.id) "
        f"WHERE c.kind = 'fact' AND ({' OR '.join(f'({c})' for c in clauses)}) ORDER BY c.seq", params)

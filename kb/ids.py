"""Every fact id seen so far, with where it was first defined.

A table in a private temporary SQLite database (on disk, so a million ids do not take
memory): ``ids(id, file_no, item)``, ``file_no`` numbering the fact files in the order they
are read and ``item`` being the fact's index in its file's ``facts`` list.
"""
import sqlite3

import orjson


class IdRegistry:
    def __init__(self):
        self._conn = sqlite3.connect("")
        self._conn.execute("PRAGMA journal_mode = OFF")
        self._conn.execute("PRAGMA synchronous = OFF")
        self._conn.execute(
            "CREATE TABLE ids (id TEXT PRIMARY KEY, file_no INTEGER NOT NULL, item INTEGER NOT NULL) WITHOUT ROWID")

    def lookup(self, ids):
        """``{id: (file_no, item)}`` for those of ``ids`` already known."""
        if not ids:
            return {}
        rows = self._conn.execute("SELECT id, file_no, item FROM ids WHERE id IN (SELECT value FROM json_each(?))",
                                  (orjson.dumps(list(ids)),))
        return {fid: (file_no, item) for fid, file_no, item in rows}

    def unknown(self, ids):
        """Those of ``ids`` never seen."""
        if not ids:
            return set()
        return {row[0] for row in self._conn.execute(
            "SELECT value FROM json_each(?) WHERE value NOT IN (SELECT id FROM ids)", (orjson.dumps(list(ids)),))}

    def add(self, triples):
        """Record ``(id, file_no, item)`` triples (ids not seen before)."""
        self._conn.executemany("INSERT INTO ids VALUES (?, ?, ?)", triples)

    def similar(self, fid, limit=200_000):
        """Ids that could be a misspelling of ``fid`` (for "did you mean"): those sharing its
        first three characters, or every id when there are few."""
        rows = self._conn.execute("SELECT id FROM ids WHERE id >= ? AND id < ? LIMIT ?",
                                  (fid[:3], fid[:3] + "\uffff", limit)).fetchall()
        if len(rows) < 3:
            rows = self._conn.execute("SELECT id FROM ids LIMIT ?", (limit,)).fetchall()
        return [row[0] for row in rows]

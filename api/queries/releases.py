"""SQL of the releases (the ``releases`` and ``changes`` tables, kb/releases.py) and the tombstones:
an id that some release removed answers ``410 Gone`` naming that release, never a bare 404."""
import sqlite3

from flask import g
from flask_smorest import abort

RELEASE_COLUMNS = "seq, id, parent, commit_sha, built_at, history, working, added, modified, removed, renamed, counts"


def redirected_to(kind, old_id):
    """The current id of a former id of this ``kind`` (``fact``, ``entity``): the seeds' ``former_ids``
    (the ``redirects`` table), or None."""
    row = g.db.one("SELECT new_id FROM redirects WHERE old_id = ? AND kind = ?", (old_id, kind))
    return row["new_id"] if row is not None else None


def gone_or_404(kind, row_id, message):
    """Abort with 410 when a release removed this ``kind``'s ``row_id`` (and none added it back) or
    ``seeds/removals.yaml`` says why it was removed (kb/removals.py), else 404. The 410 names the
    release and gives the curator's reason when there is one."""
    try:
        removed = g.db.one("SELECT release FROM changes WHERE kind = ? AND id = ? AND op IN ('removed', 'renamed') "
                           "ORDER BY seq DESC LIMIT 1", (kind, row_id))
    except sqlite3.OperationalError:  # a database built before releases existed
        removed = None
    try:
        why = g.db.one("SELECT reason FROM removals WHERE kind = ? AND id = ?", (kind, row_id))
    except sqlite3.OperationalError:  # a database built before removals existed
        why = None
    if removed is not None or why is not None:
        where = f" in release {removed['release']!r}" if removed is not None else ""
        reason = f": {why['reason']}" if why is not None else "."
        abort(410, message=f"{kind.capitalize()} {row_id!r} was removed{where}{reason}")
    abort(404, message=message)


def release_rows(limit, before=None):
    """Releases newest first, before ``seq`` ``before``."""
    where, params = ("WHERE seq < ?", [before]) if before is not None else ("", [])
    return g.db.all(f"SELECT {RELEASE_COLUMNS} FROM releases {where} ORDER BY seq DESC LIMIT ?", params + [limit])


# a release that changed content (the first release of a history, a baseline, counts as one)
CHANGED_CONTENT = "(parent IS NULL OR added + modified + removed + renamed > 0)"


def previous_release(seq):
    """The id of the release before the one at ``seq``, skipping releases without content changes:
    the newest release with content changes before the newest one at or before ``seq``. So
    ``since=`` it lists what the content served at ``seq`` last changed. None: there is none."""
    row = g.db.one(f"SELECT id FROM releases WHERE {CHANGED_CONTENT} AND seq < (SELECT max(seq) FROM releases "
                   f"WHERE {CHANGED_CONTENT} AND seq <= ?) ORDER BY seq DESC LIMIT 1", (seq,))
    return row["id"] if row is not None else None


def newest_release():
    """The row of the release served (the newest), or None (a database without releases)."""
    try:
        return g.db.one(f"SELECT {RELEASE_COLUMNS} FROM releases ORDER BY seq DESC LIMIT 1")
    except sqlite3.OperationalError:  # a database built before releases existed
        return None


def is_empty(row):
    """A release without content changes (not the first): its content is its parent's."""
    return row["parent"] is not None and not any(row[op] for op in ("added", "modified", "removed", "renamed"))


def release_or_404(release_id):
    row = g.db.one(f"SELECT {RELEASE_COLUMNS} FROM releases WHERE id = ?", (release_id,))
    if row is None:
        abort(404, message=f"No release with id {release_id!r}.")
    return row

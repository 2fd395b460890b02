"""SQL of the releases (the ``releases`` and ``changes`` tables, kb/releases.py) and the tombstones:
an id that some release removed answers ``410 Gone`` naming that release, never a bare 404."""
import sqlite3

from flask import g
from flask_smorest import abort

RELEASE_COLUMNS = "seq, id, parent, commit_sha, built_at, history, working, added, modified, removed, renamed, counts"


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


def release_or_404(release_id):
    row = g.db.one(f"SELECT {RELEASE_COLUMNS} FROM releases WHERE id = ?", (release_id,))
    if row is None:
        abort(404, message=f"No release with id {release_id!r}.")
    return row

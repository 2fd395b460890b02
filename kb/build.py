"""Write the validated seeds into an SQLite database, atomically.

The database is built in a temporary file beside the target and moved into place with
``os.replace`` only when every check passed, so the file being served is never touched by
a failed or interrupted build. The tables written here are the contract with ``api``; the
full-text index (``kb/search_index.py``) is stored in the same file, so it is swapped with it.
"""
import os
import re
from datetime import datetime, timezone
from pathlib import Path

import orjson
import sqlite_utils
from tqdm import tqdm

from factmodel.vocabulary import FACT_TYPES

from . import search_index
from .validate import TYPE_FIELDS, Seeds

SCHEMA_VERSION = 1
BATCH = 5000
FTS_TOKENIZE = "unicode61 remove_diacritics 2"

TYPED_TABLES = {name: ftype.table for name, ftype in FACT_TYPES.items()}


class BuildFailed(Exception):
    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def default_db_path():
    return Path(os.environ.get("KB_DB", "var/kb.sqlite"))


def _json(value):
    return orjson.dumps(value).decode()


def _create_tables(db):
    db["meta"].create({"key": str, "value": str}, pk="key", not_null=["value"])
    db["sources"].create(
        {"id": str, "title": str, "publisher": str, "published": str, "url": str, "language": str,
         "note": str, "text": str, "fact_count": int},
        pk="id", not_null=["title", "publisher", "published", "language", "text", "fact_count"],
        defaults={"fact_count": 0},
    )
    db["entities"].create(
        {"id": str, "type": str, "name": str, "aliases": str, "description": str, "fact_count": int},
        pk="id", not_null=["type", "name", "aliases", "description", "fact_count"], defaults={"fact_count": 0},
    )
    db["facts"].create(
        {"id": str, "type": str, "summary": str, "date": str, "date_precision": str, "date_start": str,
         "date_end": str, "sort_date": str, "status": str, "first_published": str, "note": str,
         "attributes": str, "entities": str, "citations": str},
        pk="id",
        not_null=["type", "summary", "sort_date", "status", "first_published", "attributes", "entities", "citations"],
    )
    db["citations"].create(
        {"fact_id": str, "ord": int, "source_id": str, "quote": str, "start": int, "end": int},
        pk=("fact_id", "ord"), not_null=["source_id", "quote", "start", "end"],
        foreign_keys=[("fact_id", "facts", "id"), ("source_id", "sources", "id")],
    )
    db["fact_entities"].create(
        {"fact_id": str, "entity_id": str, "role": str, "type": str, "sort_date": str},
        pk=("fact_id", "entity_id", "role"), not_null=["type", "sort_date"],
        foreign_keys=[("fact_id", "facts", "id"), ("entity_id", "entities", "id")],
    )
    fk = lambda *cols: [("fact_id", "facts", "id")] + [(c, "entities", "id") for c in cols]  # noqa: E731
    db["meetings"].create(
        {"fact_id": str, "participants": str, "location": str, "sort_date": str},
        pk="fact_id", not_null=["participants", "sort_date"], foreign_keys=fk("location"),
    )
    db["troop_deployments"].create(
        {"fact_id": str, "country": str, "count": int, "count_qualifier": str, "location": str,
         "supporting": str, "sort_date": str},
        pk="fact_id", not_null=["country", "count", "count_qualifier", "location", "sort_date"],
        foreign_keys=fk("country", "location", "supporting"),
    )
    db["leases"].create(
        {"fact_id": str, "lessee": str, "lessor": str, "asset": str, "term_years": int, "start_date": str,
         "sort_date": str},
        pk="fact_id", not_null=["lessee", "asset", "term_years", "sort_date"], foreign_keys=fk("lessee", "lessor", "asset"),
    )
    db["events"].create(
        {"fact_id": str, "kind": str, "actors": str, "location": str, "sort_date": str},
        pk="fact_id", not_null=["kind", "actors", "sort_date"], foreign_keys=fk("location"),
    )
    db["statements"].create(
        {"fact_id": str, "speaker": str, "kind": str, "text": str, "about": str, "responds_to": str, "sort_date": str},
        pk="fact_id", not_null=["speaker", "kind", "text", "about", "sort_date"],
        foreign_keys=fk("speaker") + [("responds_to", "facts", "id")],
    )
    db["positions"].create(
        {"fact_id": str, "holder": str, "title": str, "organization": str, "sort_date": str},
        pk="fact_id", not_null=["holder", "title", "sort_date"], foreign_keys=fk("holder", "organization"),
    )
    db["search"].create(
        {"id": int, "kind": str, "ref_id": str, "title": str, "body": str},
        pk="id", not_null=["kind", "ref_id", "title", "body"],
    )


def _create_indexes(db):
    db["facts"].create_index(["sort_date", "id"])
    db["facts"].create_index(["type", "sort_date", "id"])
    db["facts"].create_index(["status", "sort_date", "id"])
    db["citations"].create_index(["source_id", "fact_id"])
    db["fact_entities"].create_index(["entity_id", "sort_date", "fact_id"])
    db["fact_entities"].create_index(["entity_id", "role", "sort_date", "fact_id"])
    db["entities"].create_index(["type", "id"])
    for table in TYPED_TABLES.values():
        db[table].create_index(["sort_date", "fact_id"])
    db["events"].create_index(["kind", "sort_date", "fact_id"])
    db["statements"].create_index(["kind", "sort_date", "fact_id"])
    db["search"].create_index(["kind", "ref_id"], unique=True)


FACT_COLUMNS = ["id", "type", "summary", "date", "date_precision", "date_start", "date_end", "sort_date", "status",
                "first_published", "note", "attributes", "entities", "citations"]
COLUMNS = {
    "facts": FACT_COLUMNS,
    "citations": ["fact_id", "ord", "source_id", "quote", "start", "end"],
    "fact_entities": ["fact_id", "entity_id", "role", "type", "sort_date"],
    "search": ["id", "kind", "ref_id", "title", "body"],
    **{table: ["fact_id", "sort_date", *TYPE_FIELDS[ftype]] for ftype, table in TYPED_TABLES.items()},
}


def _insert_sql(table):
    columns = COLUMNS[table]
    return f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({', '.join('?' * len(columns))})"


class _Batches:
    """Rows (tuples in ``COLUMNS`` order) waiting to be written, per table, flushed every
    BATCH facts with one ``executemany`` per table."""

    def __init__(self, conn):
        self.conn = conn
        self.sql = {table: _insert_sql(table) for table in COLUMNS}
        self.rows = {table: [] for table in COLUMNS}
        self.pending = 0

    def fact_done(self):
        self.pending += 1
        if self.pending >= BATCH:
            self.flush()

    def flush(self):
        for table, rows in self.rows.items():
            if rows:
                self.conn.executemany(self.sql[table], rows)
                rows.clear()
        self.pending = 0


def _write_fact(batches, fact, search_id):
    rows = batches.rows
    fid, ftype, attributes, citations = fact["id"], fact["type"], fact["attributes"], fact["citations"]
    sort_date = fact["date_start"] or ""
    rows["facts"].append((
        fid, ftype, fact["summary"], fact["date"], fact["date_precision"], fact["date_start"], fact["date_end"],
        sort_date, fact["status"], fact["first_published"], fact["note"], _json(attributes), _json(fact["entities"]),
        _json(citations),
    ))
    add = rows["citations"].append
    for ord_, citation in enumerate(citations):
        add((fid, ord_, citation["source"], citation["quote"], citation["start"], citation["end"]))
    add = rows["fact_entities"].append
    for ref in fact["entities"]:
        add((fid, ref["id"], ref["role"], ftype, sort_date))
    rows[TYPED_TABLES[ftype]].append((fid, sort_date, *(
        _json(value) if isinstance(value, list) else value for value in attributes.values())))
    body = " ".join([attributes.get("text") or ""] + [c["quote"] for c in citations])
    rows["search"].append((search_id, "fact", fid, fact["summary"], body))
    batches.fact_done()


def _remove_stale_temporaries(target):
    """Delete temporary files left by builds that were killed (their process is gone)."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(\d+)\.tmp$")
    for path in target.parent.glob(f".{target.name}.*.tmp"):
        match = pattern.match(path.name)
        if not match:
            continue
        pid = int(match.group(1))
        try:
            os.kill(pid, 0)
            alive = pid != os.getpid()
        except ProcessLookupError:
            alive = False
        except PermissionError:
            alive = True
        if not alive:
            path.unlink(missing_ok=True)


def build(seeds_dir, db_path, progress=None):
    """Validate ``seeds_dir`` and write ``db_path``. Return the ``meta`` dict.

    Raises :class:`BuildFailed` with every problem found; ``db_path`` is then untouched.
    """
    target = Path(db_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(target)
    tmp = target.parent / f".{target.name}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    try:
        meta = _build_into(Path(seeds_dir), tmp, progress)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        return meta
    finally:
        tmp.unlink(missing_ok=True)


def _build_into(seeds_dir, tmp, progress):
    seeds = Seeds(seeds_dir)
    seeds.load_sources()
    seeds.load_entities()
    db = sqlite_utils.Database(tmp)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA cache_size = -65536")
        _create_tables(db)
        conn = db.conn
        source_columns = ["id", "title", "publisher", "published", "url", "language", "note", "text"]
        with conn:
            conn.executemany(
                f"INSERT INTO sources ({', '.join(source_columns)}) VALUES ({', '.join('?' * len(source_columns))})",
                [tuple(row[c] for c in source_columns) for row in seeds.sources.values()])
            conn.executemany(
                "INSERT INTO entities (id, type, name, aliases, description) VALUES (?, ?, ?, ?, ?)",
                [(row["id"], row["type"], row["name"], _json(row["aliases"]), row["description"])
                 for row in seeds.entities.values()])
            search = [(i, "source", row["id"], row["title"], f"{row['publisher']} {row['text']}")
                      for i, row in enumerate(seeds.sources.values(), 1)]
            search += [(i, "entity", row["id"], row["name"], " ".join(row["aliases"]))
                       for i, row in enumerate(seeds.entities.values(), len(search) + 1)]
            conn.executemany(_insert_sql("search"), search)
        search_id = len(search)
        del search

        batches = _Batches(conn)
        files = seeds.fact_files()
        bar = tqdm(total=len(files), desc="facts", unit="file", disable=None if progress is None else not progress)

        def file_done(path):
            bar.set_postfix(facts=seeds.fact_count, refresh=False)
            bar.update()

        with conn:
            for fact in seeds.iter_facts(files, on_file=file_done):
                search_id += 1
                _write_fact(batches, fact, search_id)
            batches.flush()
        bar.close()
        problems = seeds.finish()
        if problems:
            raise BuildFailed(problems)

        with db.conn:
            _create_indexes(db)
            db.execute("UPDATE sources SET fact_count = (SELECT count(DISTINCT fact_id) FROM citations "
                       "WHERE citations.source_id = sources.id)")
            db.execute("UPDATE entities SET fact_count = (SELECT count(DISTINCT fact_id) FROM fact_entities "
                       "WHERE fact_entities.entity_id = entities.id)")
        db["search"].enable_fts(["title", "body"], tokenize=FTS_TOKENIZE)
        counts = {"sources": len(seeds.sources), "entities": len(seeds.entities), "facts": seeds.fact_count}
        for ftype, table in TYPED_TABLES.items():
            counts[table.replace("_", "-")] = db[table].count
        meta = {
            "dataset_version": seeds.dataset_version(SCHEMA_VERSION),
            "built_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "schema_version": str(SCHEMA_VERSION),
            "counts": _json(counts),
        }
        meta.update(search_index.write(db.conn))  # the Tantivy index, stored in this same file
        with db.conn:
            db["meta"].insert_all({"key": k, "value": v} for k, v in meta.items())
        db.analyze()
        return meta
    finally:
        db.close()

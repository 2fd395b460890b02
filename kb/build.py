"""Write the validated seeds into an SQLite database, atomically.

The database is built in a temporary file beside the target and moved into place with
``os.replace`` only when every check passed, so the file being served is never touched by
a failed or interrupted build. The tables (``kb/tables.py``, described in ``docs/database.md``)
are the contract with ``api``; the full-text index (``kb/search_index.py``) is stored in the
same file, so it is swapped with it.
"""
import math
import os
import re
from datetime import datetime, timezone
from pathlib import Path

import orjson
import sqlite_utils
from tqdm import tqdm

from factmodel.dataset_check import SCHEMA_VERSION
from factmodel.spans import SPAN_STATS_SQL
from factmodel.vocabulary import ATTRIBUTED
from factmodel.vocabulary import SCHEMA_DIR

from . import artifacts, facet_counts, releases, search_index
from .built_at import built_at_epoch
from .conflicts import detect_conflicts
from .pids import left_by_a_dead_build
from .seeds import Seeds
from .tables import COLUMNS, FTS_TOKENIZE, TYPED_TABLES, create_indexes, create_tables, insert_sql

BATCH = 5000


class BuildFailed(Exception):
    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def default_db_path():
    return Path(os.environ.get("KB_DB", "var/kb.sqlite"))


def _json(value):
    return orjson.dumps(value).decode()


class _Batches:
    """Rows (tuples in ``COLUMNS`` order) waiting to be written, per table, flushed every
    BATCH facts with one ``executemany`` per table."""

    def __init__(self, conn):
        self.conn = conn
        self.sql = {table: insert_sql(table) for table in COLUMNS}
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


def _search_names(entities):
    """``{entity id: its name and aliases, as one text}`` of the named entities (an ``unnamed``
    entity's "name", such as "the reports", names nobody): what a fact's search row holds of the
    entities it involves."""
    return {eid: " ".join([row["name"], *row["aliases"]]) for eid, row in entities.items() if row["type"] != "unnamed"}


def _write_fact(batches, fact, search_id, names):
    rows = batches.rows
    fid, ftype, attributes, citations = fact["id"], fact["type"], fact["attributes"], fact["citations"]
    sort_date, span_end = fact["span_start"], fact["span_end"]
    rows["facts"].append((
        fid, ftype, fact["summary"], fact["date"], fact["date_precision"], fact["date_start"], fact["date_end"],
        sort_date, fact["status"], fact["first_published"], fact["note"], _json(attributes), _json(fact["entities"]),
        _json(citations), fact["time_kind"], _json(fact["time"]), fact["span_start"], fact["span_end"], "[]",
        *fact["certain"], fact["voice"],
    ))
    rows["fact_extents"] += [(fid, known_from, known_until, *span, *certain)
                             for known_from, known_until, span, certain in fact.get("views", ())]
    add = rows["citations"].append
    for ord_, citation in enumerate(citations):
        add((fid, ord_, citation["source"], citation["quote"], citation["start"], citation["end"], citation["published"],
             citation["origin"], citation["voice"]))
    add = rows["attributions"].append
    for ord_, citation in enumerate(citations):
        for k, link in enumerate(citation["attribution"]):
            add((fid, ord_, k, link["relation"], link["entity"], link["fact"]))
    add = rows["fact_relations"].append
    for relation in fact["relations"]:  # both directions; facts.relations is filled from them at the end
        add((fid, relation["type"], relation["fact"], "outgoing"))
        add((relation["fact"], relation["type"], fid, "incoming"))
    rows["redirects"] += [(former, "fact", fid) for former in fact["former_ids"]]
    add = rows["fact_entities"].append
    for ref in fact["entities"]:
        add((fid, ref["id"], ref["role"], ftype, sort_date, span_end))
    # who the citations attribute it to, released or said it through: role "attributed" (an
    # entity's timeline shows them; entity= and fact_count keep to the fact's own roles)
    for eid in dict.fromkeys(link["entity"] for c in citations for link in c["attribution"] if link["entity"]):
        add((fid, eid, ATTRIBUTED, ftype, sort_date, span_end))
    rows[TYPED_TABLES[ftype]].append((fid, sort_date, span_end, *(
        _json(value) if isinstance(value, list) else value for value in attributes.values())))
    body = " ".join([attributes.get("text") or ""] + [c["quote"] for c in citations])
    # the names and aliases of the entities it involves (each once, in the fact's order): searched,
    # never scored (a fact found through them alone ranks after every fact found in its own text)
    involved = " ".join(names[eid] for eid in dict.fromkeys(ref["id"] for ref in fact["entities"]) if eid in names)
    rows["search"].append((search_id, "fact", fid, fact["summary"], body, involved))
    batches.fact_done()


# facts.relations: both directions of every relation, sorted by (type, direction, fact)
RELATIONS_SQL = """
UPDATE facts SET relations = (
    SELECT json_group_array(json_object('type', type, 'fact', other_id, 'direction', direction))
    FROM (SELECT type, other_id, direction FROM fact_relations WHERE fact_id = facts.id
          ORDER BY type, direction, other_id))
WHERE id IN (SELECT fact_id FROM fact_relations)
"""


def _remove_stale_temporaries(target):
    """Delete temporary files left by builds that were killed (their process is gone)."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(\d+)\.tmp$")
    for path in target.parent.glob(f".{target.name}.*.tmp"):
        match = pattern.match(path.name)
        if not match:
            continue
        if left_by_a_dead_build(int(match.group(1))):
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
    dump_tmp = artifacts.temporary_dump(target)  # the downloads: kb/artifacts.py
    try:
        meta = _build_into(Path(seeds_dir), tmp, progress, dump_tmp, previous=target)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        artifacts.install(tmp, target, dump_tmp, meta)  # dump, then database (os.replace), then manifest
        return meta
    finally:
        tmp.unlink(missing_ok=True)
        dump_tmp.unlink(missing_ok=True)
        for parquet_tmp in artifacts.parquet_temporaries(dump_tmp).values():
            parquet_tmp.unlink(missing_ok=True)


def _build_into(seeds_dir, tmp, progress, dump_tmp, previous=None):
    """Build into ``tmp``; ``previous``, the database being replaced (if any), hands on the dataset
    versions it knew (:func:`kb.releases.write_dataset_versions`)."""
    seeds = Seeds(seeds_dir, warnings=False)  # `kb validate` shows them; a build has no use for them
    seeds.load_sources()
    seeds.load_entities()
    db = sqlite_utils.Database(tmp)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA cache_size = -65536")
        create_tables(db)
        conn = db.conn
        source_columns = ["id", "title", "publisher", "published", "url", "language", "note", "text", "republish"]
        with conn:
            conn.executemany(
                f"INSERT INTO sources ({', '.join(source_columns)}) VALUES ({', '.join('?' * len(source_columns))})",
                [tuple(row[c] for c in source_columns) for row in seeds.sources.values()])
            conn.executemany(
                "INSERT INTO entities (id, type, name, aliases, description) VALUES (?, ?, ?, ?, ?)",
                [(row["id"], row["type"], row["name"], _json(row["aliases"]), row["description"])
                 for row in seeds.entities.values()])
            search = [(i, "source", row["id"], row["title"], f"{row['publisher']} {row['text']}", "")
                      for i, row in enumerate(seeds.sources.values(), 1)]
            search += [(i, "entity", row["id"], row["name"], " ".join(row["aliases"]), "")
                       for i, row in enumerate(seeds.entities.values(), len(search) + 1)]
            conn.executemany(insert_sql("search"), search)
        search_id = len(search)
        del search

        batches = _Batches(conn)
        names = _search_names(seeds.entities)
        files = seeds.fact_files()
        bar = tqdm(total=len(files), desc="facts", unit="file", disable=None if progress is None else not progress)

        def file_done(path):
            bar.set_postfix(facts=seeds.fact_count, refresh=False)
            bar.update()

        with conn:
            for fact in seeds.iter_facts(files, on_file=file_done):
                search_id += 1
                _write_fact(batches, fact, search_id, names)
            batches.flush()
        bar.close()
        problems = seeds.finish()
        if problems:
            raise BuildFailed(problems)

        with db.conn:
            conn.executemany(insert_sql("redirects"), [row for row in seeds.redirects() if row[1] == "entity"])
            create_indexes(db)
            detect_conflicts(conn)  # issue 16: kb/conflicts.py
            db.execute(RELATIONS_SQL)
            db.execute("UPDATE sources SET fact_count = (SELECT count(DISTINCT fact_id) FROM citations "
                       "WHERE citations.source_id = sources.id)")
            db.execute("UPDATE entities SET fact_count = (SELECT count(DISTINCT fact_id) FROM fact_entities "
                       f"WHERE fact_entities.entity_id = entities.id AND role != '{ATTRIBUTED}')")
            db.execute("UPDATE entities SET fact_counts = coalesce((SELECT json_group_object(role, n) FROM "
                       "(SELECT role, count(DISTINCT fact_id) AS n FROM fact_entities "
                       "WHERE fact_entities.entity_id = entities.id GROUP BY role ORDER BY role)), '{}')")
            facet_counts.write(conn)  # issue 16: kb/facet_counts.py
            conn.execute("CREATE TABLE removals (kind TEXT NOT NULL, id TEXT NOT NULL, reason TEXT NOT NULL, "
                         "PRIMARY KEY (kind, id))")
            conn.executemany("INSERT INTO removals VALUES (?, ?, ?)", seeds.removed)  # kb/removals.py
        db["search"].enable_fts(["title", "body", "names"], tokenize=FTS_TOKENIZE)
        counts = {"sources": len(seeds.sources), "entities": len(seeds.entities), "facts": seeds.fact_count}
        for ftype, table in TYPED_TABLES.items():
            counts[table.replace("_", "-")] = db[table].count
        meta = {
            "dataset_version": seeds.dataset_version(SCHEMA_VERSION),
            "built_at": datetime.fromtimestamp(built_at_epoch(seeds_dir), timezone.utc).isoformat()
                        .replace("+00:00", "Z"),
            "schema_version": str(SCHEMA_VERSION),
            "counts": _json(counts),
        }
        max_days, open_end_low = conn.execute(SPAN_STATS_SQL).fetchone()  # what bounds a date window's walk
        meta.update(max_span_days="" if max_days is None else str(math.ceil(max_days)), open_end_low=open_end_low or "")
        # The rest of the build reads in order: SQLite's page cache (64 MB, full by now) goes back
        # to the system before the index writers take theirs (bench/build_phases.py: 520 -> 346 MB
        # at 1M facts, with the malloc_trim after each segment).
        db.execute("PRAGMA cache_size = -8192")
        db.execute("PRAGMA shrink_memory")
        meta.update(search_index.write(db.conn))  # the Tantivy index, stored in this same file
        meta.update(artifacts.write_dump(db.conn, dump_tmp))  # the facts dump this database names
        with db.conn:
            db["meta"].insert_all({"key": k, "value": v} for k, v in meta.items())
        # ---- releases and changes from git history (kb/releases.py, docs/releases.md) ----
        tables = {"fact": "facts", "entity": "entities", "source": "sources"}

        def ids(kind):  # every id built, in order: the one release of seeds outside git adds them all
            return (row[0] for row in conn.execute(f"SELECT id FROM {tables[kind]} ORDER BY id"))

        with db.conn:
            releases.write_tables(conn, releases.release_history(
                seeds_dir, SCHEMA_DIR, releases.default_cache_dir(tmp), working_built_at=meta["built_at"],
                current=(meta["dataset_version"], ids, counts)))
            releases.write_dataset_versions(conn, meta["dataset_version"], previous)
        # ---- end of releases and changes ----
        db.analyze()
        return meta
    finally:
        db.close()

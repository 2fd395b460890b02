"""The full-text index (Tantivy) that ``kb build`` stores inside the database file.

The rows of the ``search`` table (one per source, entity and fact) are indexed by Tantivy in
a scratch directory, and the index files are then written into the database being built, in
the table ``search_index_files(name, data)``. The ``meta`` table names the index by the
SHA-256 of its files (``search_index``) and the format (``search_index_format``). So the
dataset stays ONE file, replaced by one ``os.replace``: a failed or killed build never
touches the served file, and a server that opens a new database can only ever see that
database's own index (``api/search_index.py`` unpacks it, once per machine, into a cache
directory named by that digest, and opens it read-only).

Contract with ``api/search_index.py`` (which does not import this module, as ``api`` never
imports ``kb``): format :data:`FORMAT`; fields ``id`` (u64, indexed and fast: ``search.id``),
``kind`` (u64, indexed: :data:`KINDS`), ``title`` and ``body`` (text, frequencies only)
tokenized by the analyzer named :data:`ANALYZER`: Tantivy's simple tokenizer (runs of letters
and digits), tokens over 255 bytes dropped, ASCII-folded, then lowercased (``Erdoğan`` →
``erdogan``, ``İdlib`` → ``idlib``); it folds more letters than FTS5 does (``ø``, ``ł``,
``ı``, ``æ``, ``ß``: ``lodz`` finds Łódź). For facts only, what the fact lists sort and
filter on: ``sort`` (u64, indexed and fast: the fact's rank in ``ORDER BY sort_date, id``),
``type``, ``status``, ``fact_kind`` (``events:<kind>`` / ``statements:<kind>``, from those tables), ``entity`` (each entity
id), ``role`` (``role:entity id``), ``source`` (each cited source), all raw text, and
``span_start``, ``span_end``, ``first_published`` (u64 YYYYMMDD, ``''`` as 0). The same texts are in the
FTS5 table ``search_fts`` (``unicode61 remove_diacritics 2``), which stays for databases
without an index and for the CSV/NDJSON streams; tests/api/test_search_index.py checks that the
two find the same rows.

Documents are added in ``search.id`` order by one thread and committed once, so the index is
one segment whose document order is the id order: Tantivy breaks score ties by document
order, which makes ties come out by id. The build checks that.
"""
import hashlib
import json
import os
import re
import shutil
import tempfile
from array import array
from pathlib import Path

import orjson
import tantivy

from factmodel.search_text import ANALYZER, analyzer

from .pids import left_by_a_dead_build

FORMAT = "4"
KINDS = {"source": 0, "entity": 1, "fact": 2, "unnamed": 3}  # unnamed: entities of type unnamed
FILES_TABLE = "search_index_files"
# One writer thread, and a budget that holds the whole dataset in memory before the single
# flush (memory is taken as needed; Tantivy's ceiling is just under 4 GB per thread).
WRITER_HEAP = 3_500_000_000
SCRATCH_PREFIX = "kb-search-index-"


def day_number(iso):
    """``YYYY-MM-DD`` as the integer YYYYMMDD (same order); ``''`` (an open start, or no date) as 0,
    which compares below every day as ``''`` does in SQLite."""
    return int(iso[:4]) * 10000 + int(iso[5:7]) * 100 + int(iso[8:10]) if iso else 0




def schema():
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", indexed=True, fast=True)
    builder.add_unsigned_field("kind", indexed=True, fast=False)
    # facts only: the fact's place in the (sort_date, id) order of every fact list
    builder.add_unsigned_field("sort", indexed=True, fast=True)
    for name in ("type", "status", "fact_kind", "entity", "role", "source"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    for name in ("span_start", "span_end", "first_published"):
        builder.add_unsigned_field(name, indexed=True, fast=False)
    builder.add_text_field("title", tokenizer_name=ANALYZER, index_option="freq")
    builder.add_text_field("body", tokenizer_name=ANALYZER, index_option="freq")
    return builder.build()


def _remove_stale_scratch():
    """Scratch directories of builds that were killed (their process is gone)."""
    pattern = re.compile(rf"^{SCRATCH_PREFIX}(\d+)-")
    for path in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*"):
        match = pattern.match(path.name)
        if not match or not path.is_dir():
            continue
        if left_by_a_dead_build(int(match.group(1))):
            shutil.rmtree(path, ignore_errors=True)


def _canonical(folder):
    """``{file name: bytes}`` of the index in ``folder`` with Tantivy's random segment id replaced
    by one derived from the segment's own bytes, so two builds of the same seeds store
    byte-identical indexes (the build is reproducible; tests/kb/test_reproducible_build.py)."""
    names = [name for name in os.listdir(folder) if not name.startswith(".tantivy-")]
    ids = {name.split(".")[0] for name in names if re.fullmatch(r"[0-9a-f]{32}\.\w+", name)}
    files = {name: Path(folder, name).read_bytes() for name in names}
    for old in sorted(ids):
        content = hashlib.sha256()
        for name in sorted(n for n in names if n.startswith(old)):
            content.update(name[len(old):].encode() + b"\0" + files[name])
        new = content.hexdigest()[:32]
        dashed = lambda h: f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"  # noqa: E731
        files = {name.replace(old, new): data.replace(old.encode(), new.encode())
                 .replace(dashed(old).encode(), dashed(new).encode()) for name, data in files.items()}
    if ".managed.json" in files:  # the list of the index's files, in hash-set order: sorted
        files[".managed.json"] = (json.dumps(sorted(json.loads(files[".managed.json"])), separators=(",", ":"))
                                  + "\n").encode()
    return files


def write(conn):
    """Index the ``search`` table of the open database ``conn`` and store the index in it.

    Return the ``meta`` entries that name it. Call inside the build, before the file is
    moved into place.
    """
    _remove_stale_scratch()
    scratch = tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")
    try:
        index = tantivy.Index(schema(), path=scratch)
        index.register_tokenizer(ANALYZER, analyzer())
        writer = index.writer(WRITER_HEAP, 1)
        kinds = KINDS
        count = 0
        # each fact's place in list order, by its rowid: one walk of the facts(sort_date, id) index
        (top,) = conn.execute("SELECT coalesce(max(rowid), 0) FROM facts").fetchone()
        place = array("Q", bytes(8 * (top + 1)))
        for n, (rowid,) in enumerate(conn.execute("SELECT rowid FROM facts ORDER BY sort_date, id"), 1):
            place[rowid] = n
        rows = conn.execute(
            "SELECT s.id, s.kind, s.title, s.body, f.rowid, f.type, f.status, f.span_start, f.span_end, "
            "f.first_published, CASE WHEN ev.kind IS NOT NULL THEN 'events:' || ev.kind "
            "WHEN st.kind IS NOT NULL THEN 'statements:' || st.kind END, f.entities, f.citations, "
            "s.kind = 'entity' AND en.type = 'unnamed' "
            "FROM search s LEFT JOIN facts f ON s.kind = 'fact' AND f.id = s.ref_id "
            "LEFT JOIN events ev ON ev.fact_id = f.id LEFT JOIN statements st ON st.fact_id = f.id "
            "LEFT JOIN entities en ON s.kind = 'entity' AND en.id = s.ref_id ORDER BY s.id")
        for sid, kind, title, body, rowid, ftype, status, start, end, published, subkind, refs, cites, unnamed in rows:
            doc = tantivy.Document()
            doc.add_unsigned("id", sid)
            doc.add_unsigned("kind", kinds["unnamed" if unnamed else kind])
            if rowid is not None:  # a fact: what the fact lists filter on
                doc.add_unsigned("sort", place[rowid])
                doc.add_text("type", ftype)
                doc.add_text("status", status)
                for name, value in (("span_start", start), ("span_end", end), ("first_published", published)):
                    if value is not None:
                        doc.add_unsigned(name, day_number(value))
                if subkind:  # "events:<kind>" / "statements:<kind>", the kind= filter of those lists
                    doc.add_text("fact_kind", subkind)
                refs = orjson.loads(refs)
                for eid in {ref["id"] for ref in refs}:
                    doc.add_text("entity", eid)
                for ref in refs:
                    doc.add_text("role", f"{ref['role']}:{ref['id']}")
                for source in {c["source"] for c in orjson.loads(cites)}:
                    doc.add_text("source", source)
            doc.add_text("title", title)
            doc.add_text("body", body)
            writer.add_document(doc)
            count += 1
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        searcher = index.searcher()
        if searcher.num_docs != count or searcher.num_segments > 1:
            raise RuntimeError(f"search index: {searcher.num_docs} documents in {searcher.num_segments} segments, "
                               f"expected {count} in one")
        del searcher, index
        files = _canonical(scratch)
        digest = hashlib.sha256(FORMAT.encode())
        conn.execute(f"CREATE TABLE {FILES_TABLE} (name TEXT PRIMARY KEY, data BLOB NOT NULL)")
        with conn:
            for name in sorted(files):
                data = files.pop(name)
                digest.update(f"\0{name}\0{len(data)}\0".encode())
                digest.update(data)
                conn.execute(f"INSERT INTO {FILES_TABLE} (name, data) VALUES (?, ?)", (name, data))
                del data
        return {"search_index": digest.hexdigest(), "search_index_format": FORMAT}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

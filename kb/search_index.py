"""The full-text index (Tantivy) that ``kb build`` stores inside the database file.

The rows of the ``search`` table (one per source, entity and fact) are indexed by Tantivy in
a scratch directory, and the index files are then written into the database being built, in
the table ``search_index_files(name, data)``. The ``meta`` table names the index by the
SHA-256 of its files (``search_index``) and the format (``search_index_format``). So the
dataset stays ONE file, replaced by one ``os.replace``: a failed or killed build never
touches the served file, and a server that opens a new database can only ever see that
database's own index (``api/search/index.py`` unpacks it, once per machine, into a cache
directory named by that digest, and opens it read-only).

Contract with ``api/search/index.py`` (which does not import this module, as ``api`` never
imports ``kb``; the names both use are :mod:`factmodel.search_format`): format :data:`FORMAT`; fields ``id`` (u64, indexed and fast: ``search.id``),
``kind`` (u64, indexed: :data:`KINDS`), ``title`` and ``body`` (text, frequencies only)
tokenized by the analyzer named :data:`ANALYZER`: Tantivy's simple tokenizer (runs of letters
and digits), tokens over 255 bytes dropped, ASCII-folded, then lowercased (``Erdoğan`` →
``erdogan``, ``İdlib`` → ``idlib``); it folds more letters than FTS5 does (``ø``, ``ł``,
``ı``, ``æ``, ``ß``: ``lodz`` finds Łódź). For facts only, what the fact lists sort and
filter on: ``sort`` (u64, indexed and fast: the fact's rank in ``ORDER BY sort_date, id``),
``type``, ``status``, ``fact_kind`` (``events:<kind>`` / ``statements:<kind>``, from those tables), ``entity`` (each entity
id), ``role`` (``role:entity id``), ``source`` (each cited source), all raw text, and
``span_start``, ``span_end``, ``first_published`` (u64 YYYYMMDD, ``''`` as 0). For entities only,
:data:`NAME_FIELDS` (``name_title``, ``name_body``): their name and aliases again, as in ``title`` and
``body``, so a search of names (``/v1/entities?q=``) reads a vocabulary and postings of names alone,
whose size does not grow with the facts (and ``title``/``body``, and so every score, stay as they
were). For facts only, :data:`NAMES` (``names``): the names and aliases of the entities the fact
involves (``search.names``), matched but never scored, so a fact is found through the names of
what it is about and a fact found through them alone scores 0, after every document found in its
own text. The same texts are in the
FTS5 table ``search_fts`` (``unicode61 remove_diacritics 2``), which stays for databases
without an index and for the CSV/NDJSON streams; tests/api/test_search_index.py checks that the
two find the same rows.

Documents are added in ``search.id`` order, :data:`SEGMENT_DOCS` at a time, each run by a writer
of its own (one thread, one commit: one segment, never merged), and the segments are listed in
``meta.json`` in that order. So the document order (segment, then document in it) is the id
order: Tantivy breaks score ties by document order, which makes ties come out by id; and BM25
takes its statistics (document counts, frequencies, average lengths) over all segments, so the
scores are those of one segment. The build checks the segments and their order.
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

from factmodel.search_format import FILES_TABLE, FORMAT, KINDS, NAME_FIELDS, NAMES
from factmodel.search_text import ANALYZER, analyzer

from .memory import release_freed_memory
from .pids import left_by_a_dead_build

# Documents per segment. A writer holds its segment's postings in memory until its commit: all
# 1M facts in one segment took ~400 MB at the commit, 250,000 documents take ~100 MB. Smaller is
# not better: at 100,000 the 1M build's index phase peaked at 656 MB (520 MB at 250,000), the
# freed memory of more writer threads staying in their malloc arenas.
SEGMENT_DOCS = 250_000
# The writer's budget: a ceiling (memory is taken as needed) far above what SEGMENT_DOCS
# documents need, so a writer never flushes a second segment (the build checks).
WRITER_HEAP = 1_000_000_000
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
    for name in (*NAME_FIELDS, NAMES):  # matched only, never scored: documents are enough
        builder.add_text_field(name, tokenizer_name=ANALYZER, index_option="basic")
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
    """Rename Tantivy's random segment ids in ``folder`` to ones derived from each segment's own
    bytes (in the file names, ``meta.json`` and ``.managed.json``), so two builds of the same seeds
    store byte-identical indexes (the build is reproducible; tests/kb/test_reproducible_build.py).
    Return the index's file names. Files are read one at a time (the segment files never name
    their segment)."""
    names = [name for name in os.listdir(folder) if not name.startswith(".tantivy-")]
    ids = {name.split(".")[0] for name in names if re.fullmatch(r"[0-9a-f]{32}\.\w+", name)}
    listed = {name: Path(folder, name).read_text() for name in ("meta.json", ".managed.json") if name in names}
    for old in sorted(ids):
        content = hashlib.sha256()
        for name in sorted(n for n in names if n.startswith(old)):
            content.update(name[len(old):].encode() + b"\0" + Path(folder, name).read_bytes())
        new = content.hexdigest()[:32]
        dashed = lambda h: f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"  # noqa: E731
        for name in [n for n in names if n.startswith(old)]:
            os.replace(Path(folder, name), Path(folder, name.replace(old, new)))
        names = [name.replace(old, new) for name in names]
        listed = {name: text.replace(old, new).replace(dashed(old), dashed(new)) for name, text in listed.items()}
    if ".managed.json" in listed:  # the list of the index's files, in hash-set order: sorted
        listed[".managed.json"] = json.dumps(sorted(json.loads(listed[".managed.json"])), separators=(",", ":")) + "\n"
    for name, text in listed.items():
        Path(folder, name).write_text(text)
    return names


def _combine(parts, folder):
    """One index in ``folder`` of the segments of the indexes in ``parts``, listed in that order."""
    os.mkdir(folder)
    segments, managed = [], set()
    for part in parts:
        meta = json.loads(Path(part, "meta.json").read_text())
        segments += meta["segments"]
        managed.update(json.loads(Path(part, ".managed.json").read_text()))
        for name in os.listdir(part):
            if name not in ("meta.json", ".managed.json") and not name.startswith(".tantivy-"):
                os.replace(Path(part, name), Path(folder, name))
    meta["segments"] = segments  # the last part's settings and schema: every part has the same
    Path(folder, "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    Path(folder, ".managed.json").write_text(json.dumps(sorted(managed)))


def _new_writer(scratch, parts):
    folder = os.path.join(scratch, f"part{len(parts):05d}")
    os.mkdir(folder)
    parts.append(folder)
    index = tantivy.Index(schema(), path=folder)
    index.register_tokenizer(ANALYZER, analyzer())
    return index.writer(WRITER_HEAP, 1)


def _commit(writer):
    writer.commit()
    writer.wait_merging_threads()


def _check(folder, count):
    """The index in ``folder`` holds ``count`` documents in segments of SEGMENT_DOCS (the last one
    fewer), in id order."""
    searcher = tantivy.Index.open(folder).searcher()
    segments = -(-count // SEGMENT_DOCS)
    firsts = searcher.fast_field_values("id", [tantivy.DocAddress(k, 0) for k in range(searcher.num_segments)]) \
        if searcher.num_segments else []
    if searcher.num_docs != count or searcher.num_segments != segments or firsts != sorted(firsts):
        raise RuntimeError(f"search index: {searcher.num_docs} documents in {searcher.num_segments} segments "
                           f"(first ids {firsts}), expected {count} in {segments}, in id order")


def write(conn):
    """Index the ``search`` table of the open database ``conn`` and store the index in it.

    Return the ``meta`` entries that name it. Call inside the build, before the file is
    moved into place.
    """
    _remove_stale_scratch()
    release_freed_memory()  # what the build freed before (SQLite's page cache): the writers' peak is the build's
    scratch = tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")
    try:
        parts = []
        writer = _new_writer(scratch, parts)
        kinds = KINDS
        count = 0
        # each fact's place in list order, by its rowid: one walk of the facts(sort_date, id) index
        (top,) = conn.execute("SELECT coalesce(max(rowid), 0) FROM facts").fetchone()
        place = array("Q", bytes(8 * (top + 1)))
        for n, (rowid,) in enumerate(conn.execute("SELECT rowid FROM facts ORDER BY sort_date, id"), 1):
            place[rowid] = n
        rows = conn.execute(
            "SELECT s.id, s.kind, s.title, s.body, s.names, f.rowid, f.type, f.status, f.span_start, f.span_end, "
            "f.first_published, CASE WHEN ev.kind IS NOT NULL THEN 'events:' || ev.kind "
            "WHEN st.kind IS NOT NULL THEN 'statements:' || st.kind END, f.entities, f.citations, "
            "s.kind = 'entity' AND en.type = 'unnamed' "
            "FROM search s LEFT JOIN facts f ON s.kind = 'fact' AND f.id = s.ref_id "
            "LEFT JOIN events ev ON ev.fact_id = f.id LEFT JOIN statements st ON st.fact_id = f.id "
            "LEFT JOIN entities en ON s.kind = 'entity' AND en.id = s.ref_id ORDER BY s.id")
        for sid, kind, title, body, names, rowid, ftype, status, start, end, published, subkind, refs, cites, unnamed in rows:
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
            if kind == "entity":
                doc.add_text(NAME_FIELDS[0], title)
                doc.add_text(NAME_FIELDS[1], body)
            elif names:
                doc.add_text(NAMES, names)
            if count and count % SEGMENT_DOCS == 0:  # this segment is full: commit it, start the next
                _commit(writer)
                del writer
                release_freed_memory()
                writer = _new_writer(scratch, parts)
            writer.add_document(doc)
            count += 1
        _commit(writer)
        del writer
        release_freed_memory()
        folder = parts[0]
        if len(parts) > 1:
            folder = os.path.join(scratch, "index")
            _combine(parts, folder)
        _check(folder, count)
        digest = hashlib.sha256(FORMAT.encode())
        conn.execute(f"CREATE TABLE {FILES_TABLE} (name TEXT PRIMARY KEY, data BLOB NOT NULL)")
        with conn:
            for name in sorted(_canonical(folder)):
                data = Path(folder, name).read_bytes()
                digest.update(f"\0{name}\0{len(data)}\0".encode())
                digest.update(data)
                conn.execute(f"INSERT INTO {FILES_TABLE} (name, data) VALUES (?, ?)", (name, data))
                del data
        release_freed_memory()  # what storing the files freed, before the dump and the Parquet files
        return {"search_index": digest.hexdigest(), "search_index_format": FORMAT}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

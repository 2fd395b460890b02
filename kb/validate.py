"""Read the seeds, check every rule, and stream out clean rows.

:class:`Seeds` loads sources and entities up front (they are small) and then streams facts
file by file, so a million facts are never held in memory at once. Every problem found is
collected as a :class:`Problem` (``path:line:column: message``); nothing stops at the first.
"""
import hashlib
import json
import multiprocessing
import os
import sqlite3
import traceback
from dataclasses import dataclass
from queue import Empty
from pathlib import Path

import jsonschema_rs
import orjson
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from factmodel import dates
from factmodel.vocabulary import FACT_TYPES, SCHEMA_DIR

from . import marks
from .quotes import SourceText

# type -> (field, role) for every field that refers to entities; type -> its own fields, in order
ROLES = {name: ftype.role_fields for name, ftype in FACT_TYPES.items()}
TYPE_FIELDS = {name: ftype.field_names for name, ftype in FACT_TYPES.items()}
DATED_STATUSES = {"stated", "reported"}


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    col: int
    message: str

    def __str__(self):
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


# schema name -> (the key of its list, pointer to the schema of one item): a list file is
# checked item by item when it is not valid as a whole
LIST_ITEMS = {"facts": ("facts", "#/$defs/fact"), "entities": ("entities", "#/properties/entities/items")}


class _Schema:
    """One seed-file schema, checked twice over: ``fast`` (jsonschema-rs) says whether a
    document is valid; only when it is not does ``errors`` walk it with jsonschema (Python)
    for the detailed errors, item by item for list files."""

    def __init__(self, name, schema, registry, rs_registry):
        self.fast = jsonschema_rs.Draft202012Validator(schema, registry=rs_registry)
        self.slow = Draft202012Validator(schema, registry=registry)
        self.list_key = None
        if name in LIST_ITEMS:
            self.list_key, pointer = LIST_ITEMS[name]
            item = {"$ref": schema["$id"] + pointer}
            self.fast_item = jsonschema_rs.Draft202012Validator(item, registry=rs_registry)
            self.slow_item = Draft202012Validator(item, registry=registry)

    @staticmethod
    def _is_valid(validator, doc):
        try:
            return validator.is_valid(doc)
        except Exception:  # a value jsonschema-rs cannot take (a huge int, bytes, ...): ask jsonschema
            return False

    def errors(self, doc):
        """Yield ``(error, absolute path)`` for every schema error in ``doc``."""
        if self._is_valid(self.fast, doc):
            return
        key = self.list_key
        if key is not None and isinstance(doc, dict) and list(doc) == [key] and isinstance(doc[key], list):
            # the file's own shape is right, so every error is inside an item
            for index, item in enumerate(doc[key]):
                if not self._is_valid(self.fast_item, item):
                    for error in self.slow_item.iter_errors(item):
                        yield error, [key, index, *error.absolute_path]
            return
        for error in self.slow.iter_errors(doc):
            yield error, list(error.absolute_path)


def _validators():
    registry = Registry()
    schemas = {}
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        registry = registry.with_resource(schema["$id"], Resource.from_contents(schema))
        schemas[path.name.removesuffix(".schema.json")] = schema
    rs_registry = jsonschema_rs.Registry([(schema["$id"], schema) for schema in schemas.values()])
    return {name: _Schema(name, schema, registry, rs_registry) for name, schema in schemas.items()}


def _label(path):
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "document"


class Seeds:
    """The seed folder: ``sources/*.yaml`` (+ ``.txt``), ``entities/*.yaml``, ``facts/**/*.yaml``."""

    def __init__(self, root, workers=None):
        self.root = Path(root)
        self.workers = workers  # processes reading fact files besides this one (None: decide by size)
        self.problems = []
        self.validators = _validators()
        self.sources = {}  # id -> row (with "text")
        self.source_texts = {}  # id -> SourceText
        self.entities = {}  # id -> row
        self._fact_ids = _IdRegistry()  # every fact id seen -> (file number << 32) | index in its file
        self._files = []  # file number -> path
        self._file_numbers = {}  # path -> file number
        self._responses = []  # (responds_to, fact id, file number, index) checked once all facts are known
        self._located = (None, None)  # (file number, document) last read again for positions
        self._digest = hashlib.sha256()
        self.fact_count = 0

    # -- helpers ---------------------------------------------------------------------------
    def problem(self, path, line, col, message, sink=None):
        (self.problems if sink is None else sink).append(Problem(str(path), line, col, message))

    def _file_number(self, path):
        number = self._file_numbers.get(path)
        if number is None:
            number = self._file_numbers[path] = len(self._files)
            self._files.append(str(path))
        return number

    def _hash(self, kind, row):
        self._digest.update(kind.encode() + b"\t" + orjson.dumps(row, option=orjson.OPT_SORT_KEYS) + b"\n")

    def dataset_version(self, schema_version):
        digest = self._digest.copy()
        digest.update(f"schema:{schema_version}".encode())
        return digest.hexdigest()

    def _load(self, path, schema, lazy=False, sink=None):
        """Parse and schema-check one file; return the document (None if unusable) and
        the set of top-level list indexes that failed the schema."""
        try:
            doc, dup_problems = marks.load(Path(path).read_bytes(), lazy=lazy)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            self.problem(path, line, col, f"YAML syntax error: {exc.problem or exc.context}", sink=sink)
            return None, set()
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            self.problem(path, 1, 1, f"cannot read file: {exc}", sink=sink)
            return None, set()
        for line, col, message in dup_problems:
            self.problem(path, line, col, message, sink=sink)
        if doc is None:
            self.problem(path, 1, 1, "file is empty", sink=sink)
            return None, set()
        bad, broken = set(), False
        for error, where in self.validators[schema].errors(doc):
            self._schema_problem(path, doc, error, where, sink)
            if schema != "source" and len(where) >= 2 and isinstance(where[1], int):
                bad.add(where[1])  # one bad item in a list file: skip just that item
            else:
                broken = True
        if broken or not isinstance(doc, dict):
            return None, bad
        return doc, bad

    def _schema_problem(self, path, doc, error, where, sink=None):
        label = _label(where)
        node = doc
        for step in where:
            node = node[step]
        if error.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(node, dict):
            allowed = set(error.schema.get("properties", {}))
            for key in node:
                if key not in allowed:
                    line, col = marks.locate_key(node, key)
                    self.problem(path, line, col, f"{label}: unknown field {key!r} (allowed: {', '.join(sorted(allowed))})",
                                 sink=sink)
            return
        line, col = marks.locate(doc, where)
        if error.validator == "required":
            self.problem(path, line, col, f"{label}: missing required field {error.message.split(' is a required')[0]}", sink=sink)
        else:
            self.problem(path, line, col, f"{label}: {error.message}", sink=sink)

    # -- sources ---------------------------------------------------------------------------
    def load_sources(self):
        for path in sorted((self.root / "sources").glob("*.yaml")):
            doc, bad = self._load(path, "source")
            if doc is None:
                continue
            sid = doc["id"]
            if sid != path.stem:
                self.problem(path, *doc.marks["id"], f"source id {sid!r} must equal the file name {path.stem!r}")
                continue
            if sid in self.sources:
                self.problem(path, *doc.marks["id"], f"duplicate source id {sid!r}")
                continue
            try:
                dates.interval(doc["published"])
            except ValueError as exc:
                self.problem(path, *doc.marks["published"], f"published: {exc}")
                continue
            text_path = path.with_suffix(".txt")
            try:
                text = text_path.read_text(encoding="utf-8")
            except FileNotFoundError:
                self.problem(path, doc.line, doc.col, f"source text {text_path.name} is missing beside {path.name}")
                continue
            except UnicodeDecodeError as exc:
                self.problem(text_path, 1, 1, f"source text is not UTF-8: {exc}")
                continue
            if not text.strip():
                self.problem(text_path, 1, 1, "source text is empty")
                continue
            row = {key: doc.get(key) for key in ("id", "title", "publisher", "published", "url", "language", "note")}
            row["text"] = text
            self.sources[sid] = row
            self.source_texts[sid] = SourceText(text)
            self._hash("source", row)
        if not self.sources:
            self.problem(self.root / "sources", 1, 1, "no valid source found")

    # -- entities --------------------------------------------------------------------------
    def load_entities(self):
        files = sorted((self.root / "entities").glob("*.yaml"))
        if (self.root / "entities.yaml").exists():
            files.insert(0, self.root / "entities.yaml")
        for path in files:
            doc, bad = self._load(path, "entities")
            if doc is None:
                continue
            for index, item in enumerate(doc["entities"]):
                if index in bad:
                    continue
                eid = item["id"]
                if eid in self.entities:
                    self.problem(path, *item.marks["id"], f"duplicate entity id {eid!r}")
                    continue
                row = {
                    "id": eid,
                    "type": item["type"],
                    "name": item["name"],
                    "aliases": list(item["aliases"]),
                    "description": item["description"],
                }
                self.entities[eid] = row
                self._hash("entity", row)

    # -- facts -----------------------------------------------------------------------------
    def fact_files(self):
        return sorted((self.root / "facts").rglob("*.yaml"))

    def iter_facts(self, files=None, on_file=None):
        """Yield one clean row per valid fact, file by file; problems go to ``self.problems``.

        Files are read and checked (:meth:`_check_file`) by reader processes when they are
        big enough (see :meth:`_worker_count`); what needs every fact so far (duplicate ids,
        the dataset hash, the order of rows) is done here, in file order, so the result does
        not depend on how many readers there were. ``on_file(path)`` is called after each file.
        """
        files = [Path(p) for p in (files if files is not None else self.fact_files())]
        for path, messages in self._checked_files(files):
            number = self._file_number(path)
            for message in messages:
                if message[0] == "facts":
                    yield from self._merge(path, number, message[1])
                else:  # "end": what the file's check found
                    _, problems, responses = message
                    self.problems.extend(problems)
                    self._responses.extend((target, fid, number, index) for target, fid, index in responses)
            self._located = (None, None)
            if on_file is not None:
                on_file(path)

    def _merge(self, path, number, facts):
        """Take checked facts in file order: skip (and report) a repeated id, count and hash
        the rest, and yield their rows."""
        existing = self._fact_ids.lookup({fid for fid, _, _, _ in facts})
        new = {}  # fact id -> index, for ids first seen in this chunk
        for fid, index, row, hash_line in facts:
            first = existing.get(fid)
            if first is None and fid in new:
                first = number << 32 | new[fid]
            if first is not None:
                where = self._position(number, index, "id")
                first_line = self._position(first >> 32, first & 0xFFFFFFFF, "id")[0]
                self.problem(path, *where, f"duplicate fact id {fid!r} (first defined at {self._files[first >> 32]}:{first_line})")
                continue
            new[fid] = index
            if row is not None:
                self.fact_count += 1
                self._digest.update(b"fact\t" + hash_line + b"\n")
                yield row
        self._fact_ids.add((fid, number << 32 | index) for fid, index in new.items())

    def _position(self, number, index, key):
        """``(line, col)`` of ``key`` of fact ``index`` in file ``number`` (read again: rare)."""
        if self._located[0] != number:
            self._located = (None, None)
            doc, _ = marks.load(Path(self._files[number]).read_bytes())
            self._located = (number, doc)
        return self._located[1]["facts"][index].marks[key]

    def _worker_count(self, files):
        """Reader processes for ``files``: ``workers`` if given, else $KB_WORKERS, else one
        for inputs of at least PARALLEL_MIN_BYTES on a machine with 2+ cores."""
        workers = self.workers
        if workers is None:
            workers = int(os.environ.get("KB_WORKERS", "-1"))
        if workers < 0:
            big = sum(path.stat().st_size for path in files) >= PARALLEL_MIN_BYTES
            workers = 1 if big and (os.cpu_count() or 1) >= 2 else 0
        if "fork" not in multiprocessing.get_all_start_methods():
            workers = 0
        return min(workers, len(files)) if len(files) > 1 else 0

    def _checked_files(self, files):
        """Yield ``(path, messages)`` in file order, ``messages`` being what
        :meth:`_check_file` yields for that file, read here or by reader processes (reader
        ``k`` takes files ``k``, ``k + n``, ...; each sends at most a few chunks ahead)."""
        workers = self._worker_count(files)
        if workers == 0:
            for path in files:
                yield path, self._check_file(path)
            return
        context = multiprocessing.get_context("fork")
        queues = [context.Queue(maxsize=READ_AHEAD) for _ in range(workers)]
        readers = [context.Process(target=_reader, args=(self, files[k::workers], queues[k]), daemon=True)
                   for k in range(workers)]
        for reader in readers:
            reader.start()
        try:
            for i, path in enumerate(files):
                yield path, _received(queues[i % workers], readers[i % workers])
        finally:
            for reader in readers:
                if reader.is_alive():
                    reader.terminate()
                reader.join()
            for queue in queues:
                queue.close()
                queue.cancel_join_thread()

    def _check_file(self, path):
        """Read and check one fact file against the sources and entities. Yield
        ``("facts", [(id, index, row or None, hash line), ...])`` chunks, in order, for the
        facts that passed the schema, then ``("end", problems, responses)``."""
        problems, responses, chunk = [], [], []
        doc, bad = self._load(path, "facts", lazy=True, sink=problems)
        if doc is not None:
            for index, item in enumerate(doc["facts"]):
                if index in bad:
                    continue
                row = self._check_fact(path, item, index, responses, problems)
                hash_line = None if row is None else orjson.dumps(row, option=orjson.OPT_SORT_KEYS)
                chunk.append((item["id"], index, row, hash_line))
                if len(chunk) == CHUNK:
                    yield "facts", chunk
                    chunk = []
        del doc
        if chunk:
            yield "facts", chunk
        yield "end", problems, responses

    def _check_fact(self, path, fact, index, responses, sink):
        """Check one fact (all but the uniqueness of its id); return its row, or None."""
        ok = True
        fid = fact["id"]

        def problem(*where_and_message):
            self.problem(path, *where_and_message, sink=sink)

        # dates
        date = dates.normalise(fact["date"])
        precision = fact["date_precision"]
        start = end = None
        if date is None:
            if precision is not None:
                problem(*fact.marks["date_precision"], f"fact {fid!r}: date_precision must be null when date is null")
                ok = False
        else:
            try:
                start, end, implied = dates.interval(date)
            except ValueError as exc:
                problem(*fact.marks["date"], f"fact {fid!r}: date {exc}")
                ok = False
            else:
                if precision != implied:
                    problem(*fact.marks["date_precision"],
                        f"fact {fid!r}: date_precision {precision!r} does not match date {date!r}, which has {implied} precision",
                    )
                    ok = False

        # type-specific fields and entity references
        ftype = fact["type"]
        attributes = {field: fact[field] for field in TYPE_FIELDS[ftype]}
        if ftype == "lease" and attributes["start_date"] is not None:
            attributes["start_date"] = dates.normalise(attributes["start_date"])
            try:
                dates.interval(attributes["start_date"])
            except ValueError as exc:
                problem(*fact.marks["start_date"], f"fact {fid!r}: start_date {exc}")
                ok = False
        entities, seen = [], set()
        known = self.entities
        for field, role in ROLES[ftype]:
            value = fact[field]
            if value is None:
                continue
            is_list = isinstance(value, list)
            for i, ref in enumerate(value if is_list else (value,)):
                if ref not in known:
                    where = value.marks[i] if is_list else fact.marks[field]
                    problem(*where, f"fact {fid!r}: {field} refers to unknown entity {ref!r}")
                    ok = False
                elif (ref, role) not in seen:
                    seen.add((ref, role))
                    entities.append({"id": ref, "role": role})
            if is_list:
                attributes[field] = list(value)
        if ftype == "statement" and fact["responds_to"] is not None:
            responses.append((fact["responds_to"], fid, index))

        # citations: source exists, quote is verbatim, and the source could have said it
        citations = []
        published = []
        status = fact["status"]
        for citation in fact["citations"]:
            sid = citation["source"]
            if sid not in self.sources:
                problem(*citation.marks["source"], f"fact {fid!r}: citation refers to unknown source {sid!r}")
                ok = False
                continue
            quote = citation["quote"]
            found = self.source_texts[sid].find(quote)
            if found is None:
                hint = self.source_texts[sid].hint(quote)
                problem(*citation.marks["quote"], f"fact {fid!r}: quote not found in source {sid!r}{hint}")
                ok = False
                continue
            source_date = self.sources[sid]["published"]
            published.append(source_date)
            if start is not None and status in DATED_STATUSES and start > source_date:
                problem(*fact.marks["date"],
                    f"fact {fid!r}: {status} fact is dated {date}, after its source {sid!r} was published ({source_date});"
                    " use status 'predicted' for expectations",
                )
                ok = False
            citations.append({"source": sid, "quote": quote, "start": found[0], "end": found[1]})
        if not ok:
            return None
        return {
            "id": fid,
            "type": ftype,
            "summary": fact["summary"],
            "date": date,
            "date_precision": precision,
            "date_start": start,
            "date_end": end,
            "status": status,
            "note": fact.get("note"),
            "attributes": attributes,
            "entities": entities,
            "citations": citations,
            "first_published": min(published),
        }

    def finish(self):
        """Checks that need every fact: ``responds_to`` must name another existing fact."""
        unknown = self._fact_ids.unknown({target for target, _, _, _ in self._responses})
        for target, fid, number, index in self._responses:
            if target == fid:
                self.problem(self._files[number], *self._position(number, index, "responds_to"),
                             f"fact {fid!r}: responds_to cannot point at the fact itself")
            elif target in unknown:
                self.problem(self._files[number], *self._position(number, index, "responds_to"),
                             f"fact {fid!r}: responds_to refers to unknown fact {target!r}")
        self._located = (None, None)
        if self.fact_count == 0 and not self.problems:
            self.problem(self.root / "facts", 1, 1, "no facts found")
        self.problems.sort()
        return self.problems


PARALLEL_MIN_BYTES = 8 * 2**20  # fact files smaller than this in all are read in this process
CHUNK = 1000  # checked facts sent at a time by a reader process
READ_AHEAD = 4  # chunks a reader process may send ahead of their use


def _reader(seeds, files, queue):
    """A reader process: check ``files`` in order and send what :meth:`Seeds._check_file` yields."""
    try:
        for path in files:
            for message in seeds._check_file(path):
                queue.put(message)
    except BaseException:  # noqa: BLE001 - the main process re-raises it
        queue.put(("error", traceback.format_exc()))


def _received(queue, reader):
    """The messages of one file from a reader process, up to and with its "end"."""
    while True:
        try:
            message = queue.get(timeout=1)
        except Empty:
            if not reader.is_alive():
                raise RuntimeError(f"fact reader process {reader.pid} died (exit code {reader.exitcode})") from None
            continue
        if message[0] == "error":
            raise RuntimeError(f"fact reader process failed:\n{message[1]}")
        yield message
        if message[0] == "end":
            return


class _IdRegistry:
    """Every fact id seen so far, with where it was first defined: a table in a private
    temporary SQLite database (on disk, so a million ids do not take memory)."""

    def __init__(self):
        self._conn = sqlite3.connect("")
        self._conn.execute("PRAGMA journal_mode = OFF")
        self._conn.execute("PRAGMA synchronous = OFF")
        self._conn.execute("CREATE TABLE ids (id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID")

    def lookup(self, ids):
        """``{id: at}`` for those of ``ids`` already known."""
        if not ids:
            return {}
        return dict(self._conn.execute("SELECT id, at FROM ids WHERE id IN (SELECT value FROM json_each(?))",
                                       (orjson.dumps(list(ids)),)))

    def unknown(self, ids):
        """Those of ``ids`` never seen."""
        if not ids:
            return set()
        return {row[0] for row in self._conn.execute(
            "SELECT value FROM json_each(?) WHERE value NOT IN (SELECT id FROM ids)", (orjson.dumps(list(ids)),))}

    def add(self, pairs):
        self._conn.executemany("INSERT INTO ids VALUES (?, ?)", pairs)

"""Read the seeds, check every rule, and stream out clean rows.

:class:`Seeds` loads sources and entities up front (they are small) and then streams facts
file by file, so a million facts are never held in memory at once. The rules themselves are
in :mod:`kb.rules` and :mod:`kb.jsonschemas`; what is here is reading the files and the
merging that depends on their order (repeated ids, what facts say about other facts:
``responds_to``, relations, attribution, denials, former ids; the dataset version).
Every problem found is collected as a :class:`~kb.problems.Problem`; nothing stops at the
first.
"""
from pathlib import Path
from typing import NamedTuple

import yaml

from . import parallel, rules
from . import yaml as seed_yaml
from .digest import DatasetDigest, hash_line
from .ids import IdRegistry
from .jsonschemas import load_schemas
from .problems import Issue, Positions, Problem
from .quotes import SourceText
from .yaml.fast import Reader

CHUNK = 1000  # checked facts handed on at a time (from a reader process: per message)


class FileEnd(NamedTuple):
    """What checking one fact file found, after its last chunk of checked facts."""

    problems: list
    crosses: list  # (fact id, index, rules.Cross) of every fact that names other facts, is denied or has former ids


class Seeds:
    """The seed folder: ``sources/*.yaml`` (+ ``.txt``), ``entities/*.yaml``, ``facts/**/*.yaml``."""

    def __init__(self, root, workers=None):
        self.root = Path(root)
        self.workers = workers  # processes reading fact files besides this one (None: decide by size)
        self.problems = []
        self.schemas = load_schemas()
        self.reader = Reader()
        self.sources = {}  # id -> row (with "text")
        self.source_texts = {}  # id -> SourceText
        self.entities = {}  # id -> row
        self.known = rules.Known(self.sources, self.source_texts, self.entities)
        self.fact_count = 0
        self._positions = Positions(self.reader)
        self._digest = DatasetDigest()
        self._fact_ids = IdRegistry()  # every fact id seen -> (file number, index in its file)
        self._files = []  # file number -> path
        self._file_numbers = {}  # path -> file number
        self._refs = []  # (fact id named, what names it, fact id, file number, where) checked once all facts are known
        self._denied = []  # (fact id, file number, index) of facts with status denied
        self._denials = set()  # fact ids a denial responds to
        self._former = {}  # former id -> (kind, current id, path, where) of facts and entities

    def dataset_version(self, schema_version):
        return self._digest.version(schema_version)

    def _read(self, path, schema):
        """Parse and schema-check one file; return ``(document or None if unusable, indexes
        of the list items that failed the schema, problems)``."""
        try:
            doc, duplicates = seed_yaml.load(Path(path).read_bytes(), self.reader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            return None, set(), [Problem(str(path), line, col, f"YAML syntax error: {exc.problem or exc.context}")]
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            return None, set(), [Problem(str(path), 1, 1, f"cannot read file: {exc}")]
        problems = [Problem(str(path), line, col, message) for line, col, message in duplicates]
        if doc is None:
            return None, set(), problems + [Problem(str(path), 1, 1, "file is empty")]
        issues, bad, usable = self.schemas[schema].check(doc)
        if issues:
            problems += self._positions.problems(path, issues)
        return (doc if usable else None), bad, problems

    def _report(self, path, issues):
        self.problems += self._positions.problems(path, issues)

    # -- sources and entities --------------------------------------------------------------
    def load_sources(self):
        for path in sorted((self.root / "sources").glob("*.yaml")):
            doc, _, problems = self._read(path, "source")
            self.problems += problems
            if doc is None:
                continue
            row, issues = rules.check_source(doc, path.stem)
            if row is None:
                self._report(path, issues)
                continue
            sid = row["id"]
            if sid in self.sources:
                self._report(path, [Issue(("id",), f"duplicate source id {sid!r}")])
                continue
            text_path = path.with_suffix(".txt")
            try:
                text = text_path.read_text(encoding="utf-8")
            except FileNotFoundError:
                self._report(path, [Issue((), f"source text {text_path.name} is missing beside {path.name}")])
                continue
            except UnicodeDecodeError as exc:
                self.problems.append(Problem(str(text_path), 1, 1, f"source text is not UTF-8: {exc}"))
                continue
            if not text.strip():
                self.problems.append(Problem(str(text_path), 1, 1, "source text is empty"))
                continue
            row["text"] = text
            self.sources[sid] = row
            self.source_texts[sid] = SourceText(text)
            self._digest.add("source", hash_line(row))
        self._positions.forget()
        if not self.sources:
            self.problems.append(Problem(str(self.root / "sources"), 1, 1, "no valid source found"))

    def load_entities(self):
        files = sorted((self.root / "entities").glob("*.yaml"))
        if (self.root / "entities.yaml").exists():
            files.insert(0, self.root / "entities.yaml")
        for path in files:
            doc, bad, problems = self._read(path, "entities")
            self.problems += problems
            if doc is None:
                continue
            for index, item in enumerate(doc["entities"]):
                if index in bad:
                    continue
                row = rules.check_entity(item)
                if row["id"] in self.entities:
                    self._report(path, [Issue(("entities", index, "id"), f"duplicate entity id {row['id']!r}")])
                    continue
                self.entities[row["id"]] = row
                self._digest.add("entity", hash_line(row))
                for k, former in enumerate(row["former_ids"]):
                    self._add_former(former, "entity", row["id"], str(path), ("entities", index, "former_ids", k))
        for former, (kind, eid, path, where) in self._former.items():
            if former in self.entities:
                self.problems.append(Problem(path, *self._positions.of(path, where),
                                             f"entity {eid!r}: former id {former!r} is the id of an existing entity"))
        self._positions.forget()

    def _add_former(self, former, kind, current, path, where):
        """Record a former id; report it when another fact or entity already has it."""
        first = self._former.get(former)
        if first is None:
            self._former[former] = (kind, current, path, where)
            return
        self.problems.append(Problem(path, *self._positions.of(path, where),
                                     f"{kind} {current!r}: former id {former!r} is already a former id of "
                                     f"{first[0]} {first[1]!r} ({first[2]}:{self._positions.of(first[2], first[3])[0]})"))

    # -- facts -----------------------------------------------------------------------------
    def fact_files(self):
        return sorted((self.root / "facts").rglob("*.yaml"))

    def iter_facts(self, files=None, on_file=None):
        """Yield one clean row per valid fact, file by file; problems go to ``self.problems``.

        Files are read and checked (:meth:`check_file`) by reader processes when they are big
        enough (:func:`kb.parallel.worker_count`); what needs every fact so far (repeated
        ids, the dataset version, the order of rows) is done here, in file order, so the
        result does not depend on how many readers there were. ``on_file(path)`` is called
        after each file.
        """
        files = [Path(p) for p in (files if files is not None else self.fact_files())]
        workers = parallel.worker_count(files, self.workers)
        for path, parts in parallel.ordered_map(self.check_file, files, workers):
            number = self._file_number(path)
            for part in parts:
                if isinstance(part, FileEnd):
                    self.problems += part.problems
                    self._cross(path, number, part.crosses)
                else:
                    yield from self._merge(path, number, part)
            self._positions.forget()
            if on_file is not None:
                on_file(path)

    def _cross(self, path, number, crosses):
        for fid, index, cross in crosses:
            self._refs += [(target, what, fid, number, ("facts", index, *where)) for target, what, where in cross.refs]
            self._denials.update(cross.denies)
            if cross.denied:
                self._denied.append((fid, number, index))
            for former, where in cross.former:
                self._add_former(former, "fact", fid, str(path), ("facts", index, *where))

    def _file_number(self, path):
        number = self._file_numbers.get(path)
        if number is None:
            number = self._file_numbers[path] = len(self._files)
            self._files.append(str(path))
        return number

    def check_file(self, path):
        """Read and check one fact file against the sources and entities: yield lists (of
        CHUNK at most) of checked facts ``(id, index in the file, row or None if the fact
        broke a rule, its hash line or None)``, in file order, then a :class:`FileEnd`.
        (Plain tuples: a reader process pickles them several times faster than named ones.)"""
        doc, bad, problems = self._read(path, "facts")
        issues, crosses, chunk = [], [], []
        if doc is not None:
            for index, item in enumerate(doc["facts"]):
                if index in bad:
                    continue
                row, fact_issues, cross = rules.check_fact(item, index, self.known)
                issues += fact_issues
                if cross.refs or cross.denies or cross.denied or cross.former:
                    crosses.append((item["id"], index, cross))
                chunk.append((item["id"], index, row, None if row is None else hash_line(row)))
                if len(chunk) == CHUNK:
                    yield chunk
                    chunk = []
        del doc
        if chunk:
            yield chunk
        if issues:
            problems += self._positions.problems(path, issues)
        self._positions.forget()
        yield FileEnd(problems, crosses)

    def _merge(self, path, number, facts):
        """Take checked facts in file order: skip (and report) a repeated id, count and hash
        the rest, and yield their rows."""
        existing = self._fact_ids.lookup({fact[0] for fact in facts})
        new = {}  # fact id -> index, for ids first seen in this chunk
        for fid, index, row, line in facts:
            first = existing.get(fid)
            if first is None and fid in new:
                first = (number, new[fid])
            if first is not None:
                first_path = self._files[first[0]]
                first_line = self._positions.of(first_path, ("facts", first[1], "id"))[0]
                self.problems.append(Problem(str(path), *self._positions.of(path, ("facts", index, "id")),
                                             f"duplicate fact id {fid!r} (first defined at {first_path}:{first_line})"))
                continue
            new[fid] = index
            if row is not None:
                self.fact_count += 1
                self._digest.add("fact", line)
                yield row
        self._fact_ids.add((fid, number, index) for fid, index in new.items())

    def finish(self):
        """Checks that need every fact: ``responds_to``, relations and attribution name another
        existing fact; a denied fact has a denial responding to it; a fact's former id is no
        current fact id."""
        unknown = self._fact_ids.unknown({target for target, _, _, _, _ in self._refs})
        for target, what, fid, number, where in self._refs:
            if target == fid:
                message = f"fact {fid!r}: {what} cannot point at the fact itself"
            elif target in unknown:
                message = f"fact {fid!r}: {what} refers to unknown fact {target!r}"
            else:
                continue
            self._problem(self._files[number], where, message)
        for fid, number, index in self._denied:
            if fid not in self._denials:
                self._problem(self._files[number], ("facts", index, "status"),
                              f"fact {fid!r}: status is 'denied' but no statement of kind 'denial' responds to it")
        facts_former = {former: value for former, value in self._former.items() if value[0] == "fact"}
        current = set(facts_former) - self._fact_ids.unknown(set(facts_former))
        for former in sorted(current):
            _, fid, path, where = facts_former[former]
            self._problem(path, where, f"fact {fid!r}: former id {former!r} is the id of an existing fact")
        if self.fact_count == 0 and not self.problems:
            self.problems.append(Problem(str(self.root / "facts"), 1, 1, "no facts found"))
        self.problems.sort()
        return self.problems

    def _problem(self, path, where, message):
        self.problems.append(Problem(path, *self._positions.of(path, where), message))

    def redirects(self):
        """``(former id, kind, current id)`` of every former id of a fact or an entity."""
        return [(former, kind, current) for former, (kind, current, _, _) in self._former.items()]

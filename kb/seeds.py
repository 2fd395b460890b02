"""Read the seeds, check every rule, and stream out clean rows.

:class:`Seeds` loads sources and entities up front (they are small) and then streams facts
file by file, so a million facts are never held in memory at once. The rules themselves are
in :mod:`kb.rules` and :mod:`kb.jsonschemas`; what is here is reading the files and the
merging that depends on their order (repeated ids, the dataset version; what facts say about
other facts, ``responds_to``, relations, attribution, denials, former ids, in :mod:`kb.crossrefs`).
Every problem found is collected as a :class:`~kb.problems.Problem`; nothing stops at the
first.
"""
from pathlib import Path
from typing import NamedTuple

import yaml

from . import entity_names, hints, parallel, removals, rules, yaml_hints
from . import yaml as seed_yaml
from .crossrefs import CrossRefs
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
    warnings: list  # what `kb validate` warns about (a hedged quote with no attribution)


class Unparsed(NamedTuple):
    """A fact file that did not parse (sent before its :class:`FileEnd`): the problem saying
    why, the root cause of anything that refers into it, and the ``(id, line, column)`` of the
    ids recovered from its text (:func:`kb.yaml_hints.declared_ids`)."""

    problem: Problem
    ids: list


class Seeds:
    """The seed folder: ``sources/*.yaml`` (+ ``.txt``), ``entities/*.yaml``, ``facts/**/*.yaml``."""

    def __init__(self, root, workers=None, warnings=True):
        self.root = Path(root)
        self.workers = workers  # processes reading fact files besides this one (None: decide by size)
        self.problems = []
        self.warnings = []  # what `kb validate` prints and `kb validate --strict` fails on (kb.entity_names)
        # False for the build, which never shows them: at 1M generated facts the hedged-quote
        # warnings held ~250 MB, and the 224k shared-name warnings of 10k entities ~170 MB, in
        # the build and in its reader (bench/build_phases.py)
        self.check_warnings = warnings
        self.schemas = load_schemas()
        self.reader = Reader()
        self.sources = {}  # id -> row (with "text")
        self.source_texts = {}  # id -> SourceText
        self.entities = {}  # id -> row
        self.fact_count = 0
        self._positions = Positions(self.reader)
        self._digest = DatasetDigest()
        self._fact_ids = IdRegistry()  # every fact id seen -> (file number, index in its file)
        self._files = []  # file number -> path
        self._file_numbers = {}  # path -> file number
        self._crossrefs = CrossRefs(self._positions)  # what facts say about other facts, and former ids
        self._rejected_sources = {}  # file stem -> the first problem of a source file that was rejected
        self._unparsed = {}  # file number -> Unparsed, for the fact files that did not parse
        self._entity_items = {}  # entity id -> (path, index in its file, distinct_from), of the entities accepted
        self.unparsed_entities = []  # the problems of the entity files that did not parse
        self.known = rules.Known(self.sources, self.source_texts, self.entities, self.unparsed_entities)

    def dataset_version(self, schema_version):
        return self._digest.version(schema_version)

    def _read(self, path, schema):
        """Parse and schema-check one file; return ``(document or None if unusable, indexes
        of the list items that failed the schema, problems, the file's text if it did not
        parse else None)``."""
        data = Path(path).read_bytes()
        try:
            doc, duplicates = seed_yaml.load(data, self.reader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            text = data.decode("utf-8", "replace")
            where, hint = yaml_hints.enclosing_item(text, line), yaml_hints.yaml_hint(text, line)
            return None, set(), [Problem(str(path), line, col,
                                         f"{where}YAML syntax error: {exc.problem or exc.context}{hint}")], text
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            return None, set(), [Problem(str(path), 1, 1, f"cannot read file: {exc}")], data.decode("utf-8", "replace")
        problems = [Problem(str(path), line, col, message) for line, col, message in duplicates]
        if doc is None:
            return None, set(), problems + [Problem(str(path), 1, 1, "file is empty")], None
        issues, bad, usable = self.schemas[schema].check(doc)
        if issues:
            problems += self._positions.problems(path, issues)
        return (doc if usable else None), bad, problems, None

    def _report(self, path, issues):
        self.problems += self._positions.problems(path, issues)

    # -- sources and entities --------------------------------------------------------------
    def load_sources(self):
        for path in sorted((self.root / "sources").glob("*.yaml")):
            doc, _, problems, _ = self._read(path, "source")
            self.problems += problems
            if doc is None:
                self._rejected_sources[path.stem] = problems[0] if problems else Problem(str(path), 1, 1, "")
                continue
            row, issues = rules.check_source(doc, path.stem)
            if row is None:
                self._report(path, issues)
                self._rejected_sources[path.stem] = self.problems[-1]  # hints.regroup points citations at it
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
            doc, bad, problems, unparsed = self._read(path, "entities")
            self.problems += problems
            if unparsed is not None:  # its ids stand in, so facts naming them are not reported too
                self.unparsed_entities.append(problems[0])
                for eid, _, _ in yaml_hints.declared_ids(unparsed):
                    self.entities.setdefault(eid, hints.stand_in_entity({"id": eid}))
            if doc is None:
                continue
            for index, item in enumerate(doc["entities"]):
                if index in bad:
                    # kept under its id (its problem is reported), so references to it do not fail again
                    if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"] not in self.entities:
                        self.entities[item["id"]] = hints.stand_in_entity(item)
                    continue
                row = rules.check_entity(item)
                if row["id"] in self.entities:
                    self._report(path, [Issue(("entities", index, "id"), f"duplicate entity id {row['id']!r}")])
                    continue
                self.entities[row["id"]] = row
                self._entity_items[row["id"]] = (path, index, item.get("distinct_from", ()))
                self._digest.add("entity", hash_line(row))
                for k, former in enumerate(row["former_ids"]):
                    self.problems += self._crossrefs.add_former(former, "entity", row["id"], str(path),
                                                                ("entities", index, "former_ids", k))
        self.problems += self._crossrefs.entity_clashes(self.entities)
        self._check_names()
        self._positions.forget()

    def _check_names(self):
        """``distinct_from`` names other entities; entities sharing a name or alias are warned
        about unless one lists the other there (:mod:`kb.entity_names`)."""
        items = self._entity_items
        for eid, (path, index, distinct) in items.items():
            self._report(path, entity_names.distinct_from_issues(index, eid, distinct, self.entities,
                                                                 self.unparsed_entities))
        if not self.check_warnings:
            return

        def at(eid, where):  # (path, line, column) of a spelling of an entity
            path, index, _ = items[eid]
            return (str(path), *self._positions.of(path, ("entities", index, *where)))

        checked = {eid: self.entities[eid] for eid in items}
        distinct = {eid: set(item[2]) for eid, item in items.items()}
        for eid, where, message in entity_names.shared_warnings(checked, distinct, lambda *a: "{}:{}".format(*at(*a))):
            self.warnings.append(Problem(*at(eid, where), message))

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
                    self.warnings += part.warnings
                    self.problems += self._crossrefs.add(path, number, part.crosses)
                elif isinstance(part, Unparsed):  # its ids are registered, so what names them is not reported
                    self._unparsed[number] = part
                    yield from self._merge(path, number, [(fid, index, None, None)
                                                          for index, (fid, _, _) in enumerate(part.ids)])
                else:
                    yield from self._merge(path, number, part)
            self._positions.forget()
            if on_file is not None:
                on_file(path)

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
        doc, bad, problems, unparsed = self._read(path, "facts")
        issues, crosses, chunk, hedged = [], [], [], []
        if unparsed is not None:
            yield Unparsed(problems[0], yaml_hints.declared_ids(unparsed))
        if doc is not None:
            for index, item in enumerate(doc["facts"]):
                if index in bad:
                    # registered all the same, so what refers to it is not reported again
                    if isinstance(item, dict) and isinstance(item.get("id"), str):
                        chunk.append((item["id"], index, None, None))
                    continue
                row, fact_issues, cross = rules.check_fact(item, index, self.known)
                issues += fact_issues
                if row is not None and self.check_warnings:
                    hedged += rules.hedged_quotes(item, index, self.known)
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
        warnings = self._positions.problems(path, hedged) if hedged else []
        self._positions.forget()
        yield FileEnd(problems, crosses, warnings)

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
                first_line = self._id_position(first[0], first[1])[0]
                self.problems.append(Problem(str(path), *self._id_position(number, index),
                                             f"duplicate fact id {fid!r} (first defined at {first_path}:{first_line})"))
                continue
            new[fid] = index
            if row is not None:
                self.fact_count += 1
                self._digest.add("fact", line)
                yield row
        self._fact_ids.add((fid, number, index) for fid, index in new.items())

    def _id_position(self, number, index):
        """``(line, col)`` of the id of fact ``index`` of file ``number`` (recovered from the
        text of a file that did not parse)."""
        unparsed = self._unparsed.get(number)
        if unparsed is not None:
            return unparsed.ids[index][1:]
        return self._positions.of(self._files[number], ("facts", index, "id"))

    def finish(self):
        """Checks that need every fact (:mod:`kb.crossrefs`): ``responds_to``, relations and
        attribution name another existing fact; a denied fact has a denial responding to it; a
        fact's former id is no current fact id; ``removals.yaml`` (``self.removed``). Then the
        problems in root-cause order."""
        self.problems += self._crossrefs.check(self._fact_ids, self._files,
                                               [unparsed.problem for unparsed in self._unparsed.values()])
        self.removed = removals.load(self)
        if self.fact_count == 0 and not self.problems:
            self.problems.append(Problem(str(self.root / "facts"), 1, 1, "no facts found"))
        self.problems = hints.regroup(self.problems, self._rejected_sources)
        self.problems.sort(key=hints.root_cause_order)  # root causes (sources, entities) first
        return self.problems

    def redirects(self):
        """``(former id, kind, current id)`` of every former id of a fact or an entity."""
        return self._crossrefs.redirects()

"""Curator commands: ``kb new-source``, ``kb quote``, ``kb new-fact``, ``kb show`` / ``kb preview``,
``kb coverage``, ``kb entity find``.

They write or read seed files the way the README's "Adding an article" describes; none of them
changes the database. ``kb show`` / ``kb preview`` are the one place ``kb`` uses ``api``: they
build the seeds with the real loader into a temporary database and ask the real Flask app (its
test client, no server) for the fact, so what they print is exactly what would be served. (The
alternative, shaping a row with ``api.shapes``, would repeat what the resources do and could
drift from them.) The import of ``api`` is local to that command.
"""
import datetime as dt
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

from factmodel.vocabulary import FACT_TYPES, FACTS_SCHEMA

from . import hints
from .quotes import SourceText

FACTS_HEADER = "# yaml-language-server: $schema=../../schema/facts.schema.json\n"
SOURCE_HEADER = "# yaml-language-server: $schema=../../schema/source.schema.json\n"
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


class CurateError(Exception):
    """A mistake in a curator command's arguments: printed, exit status 2."""


# -- relative dates ------------------------------------------------------------------------
def _month(year, month, shift):
    index = year * 12 + month - 1 + shift
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def relative_dates(published):
    """``[(phrase, partial date or range, how)]``: the relative wordings of an article
    published on ``published`` (YYYY-MM-DD) resolved as the README's "Fact conventions" say."""
    day = dt.date.fromisoformat(published)
    iso = day.isoformat
    rows = [("today, this morning, tonight", iso(), "the publication day"),
            ("yesterday", (day - dt.timedelta(days=1)).isoformat(), "the day before")]
    for number, name in enumerate(WEEKDAYS):
        back = (day.weekday() - number) % 7
        if back == 0:
            rows.append((f"{name} ({name} evening, on {name})", iso(),
                         f"the publication day itself; the {name} before is {(day - dt.timedelta(7)).isoformat()}"))
        else:
            rows.append((f"{name} ({name} evening, on {name})", (day - dt.timedelta(back)).isoformat(),
                         f"the {name} before the publication day"))
    monday = day - dt.timedelta(day.weekday())
    week = lambda start: f"{start.isoformat()}..{(start + dt.timedelta(6)).isoformat()}"
    rows += [("this week", week(monday), "Monday..Sunday; a single date needs the day (else use the month)"),
             ("last week", week(monday - dt.timedelta(7)), "Monday..Sunday of the previous week"),
             ("next week", week(monday + dt.timedelta(7)), "for predictions"),
             ("this month", _month(day.year, day.month, 0), "month precision"),
             ("last month", _month(day.year, day.month, -1), "month precision"),
             ("next month", _month(day.year, day.month, 1), "for predictions"),
             ("this year", f"{day.year:04d}", "year precision"),
             ("last year", f"{day.year - 1:04d}", "year precision"),
             ("next year", f"{day.year + 1:04d}", "for predictions")]
    for number, name in enumerate(MONTHS, 1):
        year = day.year if number <= day.month else day.year - 1
        rows.append((f"in {name}", f"{year:04d}-{number:02d}", "the most recent not after publication"))
    for number, name in enumerate(MONTHS, 1):
        rows.append((f"{name} last year", f"{day.year - 1:04d}-{number:02d}", "month precision"))
    return rows


def _occurs(phrase, text):
    words = [w for w in re.split(r"[ ,()]+", phrase.split(" (")[0]) if w]
    return re.search(r"\b" + r"\s+".join(map(re.escape, words)) + r"\b", text, re.IGNORECASE) is not None


# -- new-source ----------------------------------------------------------------------------
def new_source(seeds, file, publisher, published, url=None, title=None, sid=None, language="en", out=None):
    seeds = Path(seeds)
    try:
        day = dt.date.fromisoformat(published)
    except ValueError:
        raise CurateError(f"--published {published!r}: expected YYYY-MM-DD") from None
    text = Path(file).read_text(encoding="utf-8")
    if not text.strip():
        raise CurateError(f"{file} is empty")
    sid = sid or f"{hints.slugify(publisher)}-{published}"
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", sid):
        raise CurateError(f"--id {sid!r}: expected a slug, e.g. {hints.slugify(sid)!r}")
    if url is not None and not re.match(r"https?://", url):
        raise CurateError(f"--url {url!r}: expected an address starting with http:// or https://")
    targets = [seeds / "sources" / f"{sid}.txt", seeds / "sources" / f"{sid}.yaml", seeds / "facts" / f"{sid}.yaml"]
    for target in targets:
        if target.exists():
            raise CurateError(f"{target} already exists (choose another --id)")
    if title is None:
        title = next(line.strip() for line in text.splitlines() if line.strip())[:300]
    meta = {"id": sid, "title": title, "publisher": publisher, "published": published, "url": url, "language": language}
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(file, targets[0])
    targets[1].write_text(SOURCE_HEADER + "".join(
        f"{key}: {_yaml_value(value)}\n" for key, value in meta.items()), encoding="utf-8")
    targets[2].write_text(FACTS_HEADER + f"# Facts from {publisher}, {WEEKDAYS[day.weekday()]} {published}.\n"
                          "# Relative dates are resolved against that day (`kb new-source` printed the table).\n"
                          "facts: []\n", encoding="utf-8")
    print(f"wrote {targets[0]}, {targets[1]}, {targets[2]}", file=out)
    print(f"source id: {sid}; published {published}, a {WEEKDAYS[day.weekday()]}", file=out)
    print("\nrelative dates in this article (* = the wording occurs in the text):", file=out)
    rows = relative_dates(published)
    width = max(len(r[0]) for r in rows)
    for phrase, value, how in rows:
        mark = "*" if _occurs(phrase, text) else " "
        if mark == " " and phrase.split()[0] in MONTHS + ["in"]:
            continue  # the months are listed only when the text uses them
        print(f" {mark} {phrase:<{width}}  {value:<22}  {how}", file=out)
    print(f"\nnext: kb new-fact TYPE --into {targets[2]}   (types: {', '.join(FACT_TYPES)})", file=out)
    return sid


def _yaml_value(value):
    if value is None:
        return "null"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return f'"{value}"'
    return hints.yaml_scalar(value)


# -- quote ---------------------------------------------------------------------------------
def _source_text(seeds, sid):
    path = Path(seeds) / "sources" / f"{sid}.txt"
    if not path.exists():
        known = [p.stem for p in (Path(seeds) / "sources").glob("*.txt")]
        raise CurateError(f"no source {sid!r}{hints.did_you_mean(sid, known)}")
    return path.read_text(encoding="utf-8")


def find_all(text, fragment):
    """Every ``(start, end)`` of ``fragment`` in ``text``, whitespace- and quote-mark-insensitive
    (curly and straight quotes, apostrophes and dashes are the same)."""
    plain = SourceText(text.translate(hints._TYPOGRAPHIC))  # 1:1 character map: offsets are kept
    needle = " ".join(fragment.translate(hints._TYPOGRAPHIC).split())
    found, at = [], 0
    while needle:
        index = plain.normal.find(needle, at)
        if index < 0:
            break
        start = plain._offset(index)
        found.append((start, plain._offset(index + len(needle) - 1) + 1))
        at = index + 1
    return found


def quote(seeds, sid, fragment, out=None):
    text = _source_text(seeds, sid)
    found = find_all(text, fragment)
    if not found:
        near = hints.nearest_passage(text, fragment)
        print(f"not found in {sid}.", file=out)
        if near:
            start, end, ratio = near
            print(f"nearest passage ({ratio:.0%} alike), offsets {start}..{end}:", file=out)
            print(f"        quote: {hints.yaml_scalar(' '.join(text[start:end].split()))}", file=out)
        return 1
    for start, end in found:
        passage = text[start:end]
        exact = SourceText(text).find(passage)
        print(f"offsets {start}..{end}" + ("" if passage == " ".join(fragment.split()) else
                                          " (quotation marks or dashes differ from what you typed: the text's are below)"),
              file=out)
        print(f"      - source: {sid}", file=out)
        print(f"        quote: {hints.yaml_scalar(' '.join(passage.split()))}", file=out)
        assert exact is not None
    if len(found) > 1:
        print(f"({len(found)} places: a longer fragment picks one)", file=out)
    return 0


# -- new-fact ------------------------------------------------------------------------------
def _resolve(schema, spec):
    """Follow local ``$ref``s (``#/$defs/...``) of the facts schema, merging what sits beside them."""
    seen = dict(spec)
    while "$ref" in seen and seen["$ref"].startswith("#/"):
        ref = seen.pop("$ref")
        node = schema
        for part in ref[2:].split("/"):
            node = node[part]
        seen = {**node, **seen}
    return seen


def _placeholder(name, spec, ftype, sid):
    if name == "id":
        return f"{ftype.replace('_', '-')}-TODO"
    if name == "type":
        return ftype
    if name == "citations":
        return None
    if "examples" in spec:
        return spec["examples"][0]
    if "enum" in spec:
        return None if None in spec["enum"] else spec["enum"][0]
    kinds = {alt.get("type") for alt in spec.get("anyOf", ()) if isinstance(alt, dict)} | {spec.get("type")}
    if "null" in kinds or spec.get("$ref", "").endswith("nullable_ref"):
        return None
    if spec.get("type") == "array" or "allOf" in spec:
        return []
    if spec.get("type") == "integer":
        return 0
    return "TODO"


def fact_stub(ftype, source=None, schema=None):
    """A facts-file item for a fact of ``ftype`` listing every field of the type as the JSON
    Schema defines it (order, description, allowed values, required or optional)."""
    schema = schema or json.loads(FACTS_SCHEMA.read_text(encoding="utf-8"))
    defs = schema["$defs"]
    types = defs["fact"]["properties"]["type"]["enum"]
    if ftype not in types:
        raise CurateError(f"unknown fact type {ftype!r}{hints.did_you_mean(ftype, types)} (types: {', '.join(types)})")
    spec = defs[ftype]
    required = set(spec.get("required", ())) | set(defs["fact"].get("required", ()))
    lines = [f"  # a {ftype} ({spec['x-collection']['description']}); every field of the type, from the JSON Schema"]
    first = True
    for name, raw in spec["properties"].items():
        field = _resolve(schema, raw)
        about = []
        if field.get("description"):
            about.append(field["description"].rstrip("."))
        if "enum" in field:
            about.append("one of: " + ", ".join("null" if v is None else str(v) for v in field["enum"]))
        if raw.get("x-role"):
            about.append(f"entity ids (role {raw['x-role']}); `kb entity find NAME`")
        if name in ("date",):
            about.append('"YYYY", "YYYY-MM" or "YYYY-MM-DD", quoted; null when the source gives no date')
        about.append("required" if name in required else "optional: delete the line if unused")
        prefix = "  - " if first else "    "
        first = False
        value = _placeholder(name, field, ftype, source)
        lines.append(f"    # {name}: {'; '.join(about)}")
        if name == "citations":
            lines.append(f"{prefix}citations:")
            lines.append(f"      - source: {source or 'SOURCE-ID'}")
            lines.append("        quote: TODO  # `kb quote SOURCE \"fragment\"` prints it written correctly")
            continue
        text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) or name == "date" else value
        if name in ("date", "date_precision") and value == "TODO":
            text = "null"
        lines.append(f"{prefix}{name}: {text}")
    return "\n".join(lines) + "\n"


def new_fact(ftype, source=None, into=None, out=None):
    stub = fact_stub(ftype, source)
    if into is None:
        print(stub, end="", file=out)
        return 0
    path = Path(into)
    body = path.read_text(encoding="utf-8")
    body = re.sub(r"(?m)^facts: \[\]\s*$", "facts:", body)
    if not re.search(r"(?m)^facts:\s*$", body):
        raise CurateError(f"{path} has no `facts:` line to append to")
    path.write_text(body.rstrip("\n") + "\n\n" + stub, encoding="utf-8")
    print(f"appended a {ftype} stub to {path}: fill it in, then `kb validate`", file=out)
    return 0


# -- show / preview ------------------------------------------------------------------------
def _serve(seeds, fact_ids, out):
    """Build ``seeds`` into a temporary database with the real loader and print what the API
    serves for each of ``fact_ids``, through the Flask app's test client."""
    from api import create_app  # the one use of api in kb: see the module docstring

    from .build import BuildFailed, build

    with tempfile.TemporaryDirectory(prefix="kb-show-") as tmp:
        db = Path(tmp) / "kb.sqlite"
        try:
            build(seeds, db, progress=False)
        except BuildFailed as exc:
            for problem in exc.problems:
                print(problem, file=out)
            print(f"{len(exc.problems)} problem(s): nothing to show", file=out)
            return 1
        client = create_app({"KB_DB": str(db), "TESTING": True}).test_client()
        status = 0
        for fid in fact_ids:
            response = client.get(f"/v1/facts/{fid}")
            if response.status_code != 200:
                print(f"GET /v1/facts/{fid} -> {response.status_code}: {response.get_json().get('detail')}", file=out)
                status = 1
                continue
            fact = response.get_json()
            path = FACT_TYPES[fact["type"]].path
            typed = client.get(f"/v1/{path}/{fid}").get_json()
            print(f"GET /v1/{path}/{fid}", file=out)
            print(json.dumps(typed, indent=2, ensure_ascii=False), file=out)
        return status


def show(seeds, fact_id, out=None):
    return _serve(seeds, [fact_id], out)


def preview(seeds, file, out=None):
    """Serve the facts of ``file`` (a facts file, in the seeds or not) as the API would, with
    the rest of the seeds; a file outside the seeds replaces the one of the same name."""
    file = Path(file)
    with tempfile.TemporaryDirectory(prefix="kb-preview-") as tmp:
        scratch = Path(tmp) / "seeds"
        shutil.copytree(seeds, scratch)
        shutil.copyfile(file, scratch / "facts" / file.name)
        doc = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        ids = [f["id"] for f in doc.get("facts") or () if isinstance(f, dict) and "id" in f]
        return _serve(scratch, ids, out)


# -- coverage ------------------------------------------------------------------------------
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'\u201d\u2019)]*|\n|$)")


def sentences(text):
    """``(start, end)`` of every sentence of ``text`` (ends at . ! ? and at line breaks)."""
    out = []
    for match in _SENTENCE.finditer(text):
        chunk = match.group()
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            out.append((match.start() + lead, match.start() + len(chunk.rstrip())))
    return out


def citations_of(seeds, sid):
    """``[(fact id, start, end)]`` of every quote citing ``sid`` in the facts files."""
    text = SourceText(_source_text(seeds, sid))
    found = []
    for path in sorted((Path(seeds) / "facts").rglob("*.yaml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            continue
        for fact in doc.get("facts") or ():
            if not isinstance(fact, dict):
                continue
            for citation in fact.get("citations") or ():
                if isinstance(citation, dict) and citation.get("source") == sid and isinstance(citation.get("quote"), str):
                    span = text.find(citation["quote"])
                    if span:
                        found.append((str(fact.get("id")), *span))
    return found


def coverage(seeds, sid, out=None):
    text = _source_text(seeds, sid)
    cites = citations_of(seeds, sid)
    parts = sentences(text)
    cited = 0
    for start, end in parts:
        ids = sorted({fid for fid, a, b in cites if a < end and b > start})
        cited += bool(ids)
        sentence = " ".join(text[start:end].split())
        print(f"{'+' if ids else '-'} {sentence}", file=out)
        if ids:
            print(f"    cited by: {', '.join(ids)}", file=out)
    print(f"\n{cited} of {len(parts)} sentences cited by {len({c[0] for c in cites})} fact(s); "
          "- marks a sentence no fact cites yet", file=out)
    return 0


# -- entity find ---------------------------------------------------------------------------
def load_entities(seeds):
    entities = {}
    seeds = Path(seeds)
    files = sorted((seeds / "entities").glob("*.yaml")) + ([seeds / "entities.yaml"] if (seeds / "entities.yaml").exists() else [])
    for path in files:
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("entities") or ():
            if isinstance(item, dict) and "id" in item:
                entities.setdefault(item["id"], {**item, "file": str(path)})
    return entities


def shared_aliases(entities):
    """``{folded name or alias: [entity ids]}`` for spellings that more than one entity has."""
    owners = {}
    for eid, row in entities.items():
        for name in {hints.fold(n) for n in (row.get("name"), *(row.get("aliases") or ())) if n}:
            owners.setdefault(name, []).append(eid)
    return {name: sorted(ids) for name, ids in owners.items() if len(ids) > 1}


def entity_find(seeds, name, out=None):
    entities = load_entities(seeds)
    key = hints.fold(name)
    hits = []
    for eid, row in entities.items():
        spellings = [eid, eid.replace("-", " "), row.get("name") or "", *(row.get("aliases") or ())]
        folded = [hints.fold(s) for s in spellings]
        if any(key == f for f in folded):
            hits.append((0, eid))
        elif any(key in f for f in folded):
            hits.append((1, eid))
    if not hits:
        close = hints.did_you_mean(name, entities, hints._names(entities))
        print(f"no entity named {name!r}{close}; add one to seeds/entities/<type>.yaml "
              f"(id suggestion: {hints.slugify(name)!r})", file=out)
    for _, eid in sorted(hits):
        row = entities[eid]
        print(f"{eid}  ({row.get('type')}) {row.get('name')}; aliases: {', '.join(row.get('aliases') or []) or '-'}"
              f"  [{row['file']}]", file=out)
    shared = shared_aliases(entities)
    for spelling, ids in sorted(shared.items()):
        if set(ids) & {eid for _, eid in hits}:
            print(f"warning: {spelling!r} is a name or alias of {len(ids)} entities: {', '.join(ids)}", file=out)
    return 0 if hits else 1


# -- the command line ----------------------------------------------------------------------
COMMANDS = ("new-source", "quote", "new-fact", "show", "preview", "coverage", "entity")


def add_parsers(sub):
    p = sub.add_parser("new-source", help="add an article: text, metadata, an empty facts file; print its dates")
    p.add_argument("file", help="the article's text, copied verbatim")
    p.add_argument("--publisher", required=True)
    p.add_argument("--published", required=True, help="YYYY-MM-DD")
    p.add_argument("--url", default=None)
    p.add_argument("--title", default=None, help="default: the first line of the text")
    p.add_argument("--id", default=None, help="default: <publisher slug>-<published>")
    p.add_argument("--language", default="en")
    p = sub.add_parser("quote", help="find a passage of a source and print it as it must be written in YAML")
    p.add_argument("source")
    p.add_argument("fragment")
    p = sub.add_parser("new-fact", help="a stub with every field of a fact type")
    p.add_argument("type")
    p.add_argument("--source", default=None, help="source id to put in the citation")
    p.add_argument("--into", default=None, help="append to this facts file instead of printing")
    p = sub.add_parser("show", help="the JSON the API would serve for a fact (builds into a temporary database)")
    p.add_argument("fact_id")
    p = sub.add_parser("preview", help="the JSON the API would serve for every fact of a facts file")
    p.add_argument("file")
    p = sub.add_parser("coverage", help="the sentences of a source, marked with the facts that cite them")
    p.add_argument("source")
    p = sub.add_parser("entity", help="entities: `kb entity find NAME`")
    p.add_argument("action", choices=["find"])
    p.add_argument("name")
    for name in COMMANDS:
        sub.choices[name].add_argument("--seeds", default="seeds")


def run(args):
    try:
        if args.command == "new-source":
            new_source(args.seeds, args.file, args.publisher, args.published, args.url, args.title, args.id,
                       args.language)
            return 0
        if args.command == "quote":
            return quote(args.seeds, args.source, args.fragment)
        if args.command == "new-fact":
            return new_fact(args.type, args.source, args.into)
        if args.command == "show":
            return show(args.seeds, args.fact_id)
        if args.command == "preview":
            return preview(args.seeds, args.file)
        if args.command == "coverage":
            return coverage(args.seeds, args.source)
        return entity_find(args.seeds, args.name)
    except CurateError as exc:
        print(f"kb {args.command}: {exc}", file=sys.stderr)
        return 2

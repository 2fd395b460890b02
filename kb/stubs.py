"""Curator commands that write seed files: ``kb new-source`` (an article's text, its metadata
and an empty facts file, then its relative dates) and ``kb new-fact`` (a stub with every field
of a fact type, from the JSON Schema). Dispatched by :mod:`kb.curate`.
"""
import datetime as dt
import json
import re
import shutil
from pathlib import Path

from factmodel.vocabulary import FACT_TYPES, FACTS_SCHEMA

from . import hints, reldates
from .problems import CurateError
from .reldates import WEEKDAYS

FACTS_HEADER = "# yaml-language-server: $schema=../../schema/facts.schema.json\n"
SOURCE_HEADER = "# yaml-language-server: $schema=../../schema/source.schema.json\n"


def new_source(seeds, file, publisher, published, url=None, title=None, sid=None, language="en", out=None,
               republish=False):
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
    if republish:
        meta["republish"] = True
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
    print("", *reldates.table(published, text), sep="\n", file=out)
    print(f"\nnext: kb new-fact TYPE --into {targets[2]}   (types: {', '.join(FACT_TYPES)})", file=out)
    return sid


def _yaml_value(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return f'"{value}"'
    return hints.yaml_scalar(value)


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

"""Curator commands: ``kb new-source``, ``kb quote``, ``kb new-fact``, ``kb show`` / ``kb preview``,
``kb coverage``, ``kb entity find``. Here: the command line (parsers and dispatch) and
``coverage``; the others are in :mod:`kb.stubs` (new-source, new-fact, with :mod:`kb.reldates`),
:mod:`kb.quotefind` (quote), :mod:`kb.entity_find` and :mod:`kb.show` (show, preview: clients of
the app, the one module of ``kb`` that imports ``api``).

They write or read seed files the way the README's "Adding an article" describes; none of them
changes the database.
"""
import re
import sys
from pathlib import Path

import yaml

from .entity_find import entity_find
from .problems import CurateError
from .quotefind import quote, source_text
from .quotes import SourceText
from .show import preview, show
from .stubs import new_fact, new_source


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
    text = SourceText(source_text(seeds, sid))
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
    text = source_text(seeds, sid)
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
    p.add_argument("--republish", action="store_true",
                   help="its terms allow showing the full text on its page (republish: true)")
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
                       args.language, republish=args.republish)
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

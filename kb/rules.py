"""The rules a seed must follow beyond its JSON Schema, as pure functions.

Each takes a schema-valid document (values only) and what is known so far, and returns the
row to write (None if the seed is rejected) with the :class:`~kb.problems.Issue` list of
what is wrong. Rules that depend on the order of files (repeated ids, ``responds_to``
naming a fact defined anywhere) are in :mod:`kb.seeds`; a fact's time kind, bounds and span
in :mod:`kb.time_rules`.
"""
import re
from typing import NamedTuple

from factmodel import corroboration, dates
from factmodel.vocabulary import FACT_TYPES, ROLE_FIELDS, TYPE_FIELDS

from . import entity_names, hints
from .problems import Issue

from .time_rules import DATED_STATUSES, as_of_views, time_of

# type -> (field, role) for every field that refers to entities; type -> its own fields, in order
ROLES = ROLE_FIELDS
SOURCE_FIELDS = ("id", "title", "publisher", "published", "url", "language", "note", "republish")


def check_source(doc, stem):
    """A source file named ``stem``.yaml: return ``(row without its text, issues)``."""
    sid = doc["id"]
    if sid != stem:
        return None, [Issue(("id",), f"source id {sid!r} must equal the file name {stem!r}")]
    try:
        dates.interval(doc["published"])
    except ValueError as exc:
        return None, [Issue(("published",), f"published: {exc}")]
    return {**{key: doc.get(key) for key in SOURCE_FIELDS}, "republish": int(doc.get("republish", False))}, []


def check_entity(item):
    """One item of an entities file: its row (the schema says all there is to say; former
    ids are checked against every entity in :mod:`kb.seeds`)."""
    return {"id": item["id"], "type": item["type"], "name": item["name"], "aliases": list(item["aliases"]),
            "description": item["description"], "former_ids": list(item.get("former_ids", ()))}


class Cross(NamedTuple):
    """What a fact says about other facts, checked once every fact is known (:mod:`kb.seeds`):
    ``refs``: ``(fact id named, what names it, where)`` for ``responds_to``, every relation and
    every attribution ``fact``; ``denies``: the facts a denial responds to; ``denied``: whether
    its status is ``denied``; ``former``: ``(former id, where)``."""

    refs: list
    denies: list
    denied: bool
    former: list


class Known(NamedTuple):
    """What facts are checked against: ``sources`` (id -> row), ``texts`` (id -> SourceText)
    and ``entities`` (id -> row); ``unparsed``: the problems of the entity files that did not
    parse (an entity id not found may be in one of them)."""

    sources: dict
    texts: dict
    entities: dict
    unparsed: list = ()


def unknown_entity(what, ref, known):
    """The message for ``what`` (a field, ``attribution``) naming ``ref``, no known entity."""
    if known.unparsed:
        return f"{what} {ref!r}{hints.not_checked(known.unparsed)}"
    return f"{what} refers to unknown entity {ref!r}{hints.unknown_entity(ref, known.entities)}"


def check_fact(fact, index, known):
    """Fact ``index`` of a facts file: return ``(row or None, issues, cross)``, ``cross`` a
    :class:`Cross` of what it says about other facts.

    Everything but the uniqueness of its id and what names other facts is checked here.
    """
    issues = []
    fid = fact["id"]

    def issue(field, message, *more):
        issues.append(Issue(("facts", index, field, *more), f"fact {fid!r}: {message}"))

    # dates
    date = dates.normalise(fact["date"])
    precision = fact["date_precision"]
    start = end = None
    if date is None:
        if precision is not None:
            issue("date_precision", "date_precision must be null when date is null")
    else:
        try:
            start, end, implied = dates.interval(date)
        except ValueError as exc:
            issue("date", f"date {exc}")
        else:
            if precision != implied:
                issue("date_precision",
                      f"date_precision {precision!r} does not match date {date!r}, which has {implied} precision")
            elif fact.get("date_part") is not None:  # early/mid/late of the month: its days
                start, end = dates.part_range(date, fact["date_part"])

    # type-specific fields and entity references
    ftype = fact["type"]
    attributes = {field: FACT_TYPES[ftype].value_of(fact, field) for field in TYPE_FIELDS[ftype]}
    if ftype == "lease" and attributes["start_date"] is not None:
        attributes["start_date"] = dates.normalise(attributes["start_date"])
        try:
            dates.interval(attributes["start_date"])
        except ValueError as exc:
            issue("start_date", f"start_date {exc}")
    entities, seen = [], set()
    for field, role in ROLES[ftype]:
        value = attributes[field]
        if value is None:
            continue
        is_list = isinstance(value, list)
        for i, ref in enumerate(value if is_list else (value,)):
            if ref not in known.entities:
                issue(field, unknown_entity(field, ref, known), *((i,) if is_list else ()))
            elif (ref, role) not in seen:
                seen.add((ref, role))
                entities.append({"id": ref, "role": role})
        if is_list:
            attributes[field] = list(value)

    # relations to other facts (a statement's responds_to is the relation responds_to)
    refs, relations = [], []
    responds_to = fact["responds_to"] if ftype == "statement" else None
    if responds_to is not None:
        refs.append((responds_to, "responds_to", ("responds_to",)))
        relations.append({"type": "responds_to", "fact": responds_to})
    for i, relation in enumerate(fact.get("relations", ())):
        link = {"type": relation["type"], "fact": relation["fact"]}
        refs.append((link["fact"], f"relation {link['type']!r}", ("relations", i, "fact")))
        if link not in relations:
            relations.append(link)
    denies = []
    if ftype == "statement" and attributes["kind"] == "denial":
        denies = [link["fact"] for link in relations if link["type"] == "responds_to"]
        if not denies:
            issue("kind", "a denial must respond to the fact it denies (responds_to)")

    # citations: source exists, quote is verbatim, the source could have said it, and who said it
    citations, published, cited = [], [], []
    status = fact["status"]
    for number, citation in enumerate(fact["citations"]):
        attribution = []
        for k, link in enumerate(citation.get("attribution", ())):
            relation, entity, report = link["relation"], link.get("entity"), link.get("fact")
            if relation == "unattributed" and (entity is not None or report is not None):
                issue("citations", "an 'unattributed' attribution link names no entity or fact",
                      number, "attribution", k)
            elif relation != "unattributed" and entity is None and report is None:
                issue("citations", f"attribution link {relation!r} must name an entity, a fact or both",
                      number, "attribution", k)
            if entity is not None and entity not in known.entities:
                issue("citations", unknown_entity("attribution", entity, known), number, "attribution", k, "entity")
            if report is not None:
                refs.append((report, "attribution", ("citations", number, "attribution", k, "fact")))
            attribution.append({"relation": relation, "entity": entity, "fact": report})
        sid = citation["source"]
        if sid not in known.sources:
            issue("citations", f"citation refers to unknown source {sid!r}{hints.unknown_source(sid, known.sources)}",
                  number, "source")
            continue
        quote = citation["quote"]
        text = known.texts[sid]
        found = text.find(quote)
        if found is None:
            issue("citations", hints.quote_not_found(sid, quote, known.texts, text.hint(quote)), number, "quote")
            continue
        source = known.sources[sid]
        source_date = source["published"]
        published.append(source_date)
        cited.append((citation, source_date))
        if start is not None and status in DATED_STATUSES and start > source_date:
            issue("date", hints.after_publication(status, date, sid, source_date, text.text))
        citations.append({"source": sid, "publisher": source["publisher"], "title": source["title"],
                          "published": source_date, "quote": quote, "start": found[0], "end": found[1],
                          "attribution": attribution})
    speaker = attributes.get("speaker") if ftype == "statement" else None
    if len(citations) == len(fact["citations"]):  # the status follows the citations' voice (one rule)
        wrong = corroboration.status_problem(status, citations, speaker)
        if wrong is not None:
            issue("citations" if wrong[0] is not None else "status", wrong[1],
                  *((wrong[0],) if wrong[0] is not None else ()))
    for report in dict.fromkeys(link["fact"] for c in citations for link in c["attribution"] if link["fact"]):
        if report != fid and {"type": "derived_from", "fact": report} not in relations:
            relations.append({"type": "derived_from", "fact": report})  # drawn from the report its chain names
    for citation, found_origin in zip(citations, corroboration.origins(citations)):
        citation["origin"] = found_origin
        citation["voice"] = corroboration.citation_voice(citation, speaker)
    if ftype == "statement" and attributes["kind"] == "quote" and citations and not any(
            known.texts[c["source"]].find(attributes["text"]) is not None for c in citations):
        issue("text", "a statement of kind 'quote' must have its text verbatim in a cited source")

    time_kind, time, span, certain = time_of(fact, date, precision, start, end, published, issue, cited)
    cross = Cross(refs, denies, status == "denied",
                  [(former, ("former_ids", k)) for k, former in enumerate(fact.get("former_ids", ()))])
    if issues:
        return None, issues, cross
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
        "voice": corroboration.voice(citations),
        "first_published": min(published),
        "time_kind": time_kind,
        "time": time,
        "span_start": span[0],
        "span_end": span[1],
        "certain": certain,
        "views": as_of_views(fact, date, precision, start, end, cited) if time_kind == "state" else [],
        "relations": relations,
        "former_ids": list(fact.get("former_ids", ())),
    }, [], cross


HEDGES = re.compile(r"\b(reportedly|according to|told|said|says|reported|citing)\b", re.IGNORECASE)


def hedged_quotes(fact, index, known):
    """Warnings (:class:`Issue`) for the citations of a valid fact whose quote holds a hedge
    ("reportedly", "according to", "told", "said", "reported", "citing") but whose attribution
    chain is not written, unless the fact is a statement whose speaker the quote names (the
    article then quotes the speaker in its own voice: docs/methodology.md, section 2). A curator
    who has read the sentence as the article's own voice writes ``attribution: []``."""
    speaker = fact.get("speaker") if fact["type"] == "statement" else None
    names = [folded for folded, _, _ in entity_names.spellings(known.entities[speaker])] \
        if speaker in known.entities else []
    out = []
    for number, citation in enumerate(fact["citations"]):
        found = HEDGES.search(citation["quote"])
        if found is None or "attribution" in citation:  # a chain, or `attribution: []`: read, own voice
            continue
        folded = hints.fold(citation["quote"])
        if any(re.search(rf"\b{re.escape(name)}\b", folded) for name in names):
            continue
        out.append(Issue(("facts", index, "citations", number, "quote"),
                         f"warning: fact {fact['id']!r}: citation {number + 1} says {found.group(0)!r} but has no "
                         "attribution: add the link naming whom the article attributes it to (according_to, "
                         "reported_by, citing, or unattributed for 'reportedly'; and status 'reported' if no "
                         "citation carries it in the article's own voice), or write `attribution: []` if the "
                         "article says it in its own voice"))
    return out

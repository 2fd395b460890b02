"""The fact pages: ``/facts/{id}`` (the fact as served now) and its permalink in a release,
``/facts/{id}/releases/{release}`` (the fact as that release had it, from its history, with what
changed since: what a journalist cited months ago)."""
from flask import abort

from factmodel import vocabulary

from ..queries.releases import newest_release
from . import data, linked_data, words
from .blueprint import base, blp, passage, render


@blp.get("/facts/<slug:fact_id>")
def fact(fact_id):
    fact = data.fact(fact_id)
    named = [e["id"] for e in fact["entities"]] + [a["entity"] for c in fact["citations"]
                                                    for a in c["attribution"] if a["entity"]]
    entities = data.entities(named)
    names = {i: e["name"] for i, e in entities.items()}
    sources = data.sources([c["source"] for c in fact["citations"]])
    texts = {sid: data.text_and_sentences(sid) for sid in sources}
    citations = [{**c, "chain": words.chain_words(c, names),
                  "passage": passage(texts[c["source"]], c["start"], c["end"])} for c in fact["citations"]]
    related = data.summaries([r["fact"] for r in fact["relations"]] + list(fact["conflicts_with"])
                             + list(fact.get("corrected_by") or []))
    ld = linked_data.document(linked_data.claim_node(base(), fact, sources, entities))
    return render("pages/fact.html", fact=fact, entities=entities, citations=citations, related=related,
                  details=details(fact),
                  status=words.status_words(fact), time=words.time_words(fact), words=words,
                  release=newest_release(), ld=linked_data.script(ld))


@blp.get("/facts/<slug:fact_id>/releases/<slug:release_id>")
def fact_in_release(fact_id, release_id):
    """The permalink: the version of the fact that ``release_id`` served, a notice and every change
    since when there were any; a fact that release had removed is its tombstone (410)."""
    release = data.release(release_id)
    history = data.history(fact_id)
    then = [v for v in history if v["seq"] <= release["seq"]]
    if not then:
        abort(404, f"Fact {fact_id!r} was not in release {release_id!r}: it was added later, or never.")
    version, later = then[-1], [v for v in history if v["seq"] > release["seq"]]
    if version["op"] == "removed":
        why = data.removal_reason(fact_id)
        abort(410, f"Fact {fact_id!r} had been removed by release {version['release']!r}"
                   + (f": {why}." if why else "."))
    content = version["content"]
    roles = _named(content)
    chains = [a["entity"] for c in content.get("citations", []) for a in c.get("attribution", []) if a.get("entity")]
    names = {i: e["name"] for i, e in data.entities([i for i, _ in roles] + chains).items()}
    chained = []
    for citation in content.get("citations", []):
        served = {**citation, "publisher": data.publisher(citation["source"]),
                  "attribution": [{"entity": None, **a} for a in citation.get("attribution", [])]}
        chained.append({**served, "chain": words.chain_words(served, names)})
    return render("pages/fact_release.html", fact_id=fact_id, release=release, version=version, content=content,
                  roles=roles, names=names, citations=chained, later=later, current=data.current_id(version["id"]),
                  words=words)


def details(fact):
    """``(label, value)`` of each field of the fact's type that names no entity (those are under
    "Who and what"), in the schema's order: "term years: 49", "start date: not given"."""
    roles = {field for field, _ in vocabulary.ROLE_FIELDS.get(fact["type"], ())}
    out = []
    for key, value in fact["attributes"].items():
        if key in roles:
            continue
        if value is None or value == []:
            value = "not given"
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        out.append((key.replace("_", " "), str(value).replace("_", " ") if isinstance(value, str) and key.endswith(
            ("kind", "qualifier")) else str(value)))
    return out


def _named(content):
    """The entities a version names: in its type's role fields (as the seeds wrote them) and in its
    citations' attribution chains, with the role of each field."""
    roles = []
    for field, role in vocabulary.ROLE_FIELDS.get(content.get("type"), ()):
        value = content.get(field)
        roles += [(v, role) for v in (value if isinstance(value, list) else [value]) if v]
    return roles

"""JSON-LD (schema.org) for the pages: the articles as ``NewsArticle``, the facts as ``Claim``
with their ``appearance`` in the articles, entities as ``Person``, ``Organization``, ``Place``…

The context is inline (``@vocab`` schema.org), so a consumer expands it without fetching
anything; ``@id`` is the page's own address. :func:`script` makes the text of a
``<script type="application/ld+json">`` data block, which a browser never executes.
"""
import orjson

from .words import first_citation

CONTEXT = {"@vocab": "https://schema.org/"}
# entity type (schema/entities.schema.json) -> schema.org type
ENTITY_TYPES = {"person": "Person", "organization": "Organization", "group": "Organization",
                "country": "Country", "place": "Place"}


def entity_node(base, entity, full=False):
    node = {"@type": ENTITY_TYPES.get(entity["type"], "Thing"), "@id": f"{base}/entities/{entity['id']}",
            "identifier": entity["id"], "name": entity["name"]}
    if full:
        node["alternateName"] = list(entity["aliases"])
        node["description"] = entity["description"]
    return node


def article_node(base, source):
    node = {"@type": "NewsArticle", "@id": f"{base}/sources/{source['id']}", "identifier": source["id"],
            "headline": source["title"], "datePublished": source["published"], "inLanguage": source["language"],
            "publisher": {"@type": "Organization", "name": source["publisher"]}}
    if source.get("url"):
        node["url"] = source["url"]
    return node


def claim_node(base, fact, sources, entities):
    """The fact as a ``Claim``: its summary, the articles it appears in (``appearance``, the first
    one ``firstAppearance``) with each quote as a ``Quotation`` of that article, what it is about."""
    cited = []
    for citation in fact["citations"]:
        if citation["source"] not in cited:
            cited.append(citation["source"])
    first = first_citation(fact)["source"]
    return {
        "@type": "Claim", "@id": f"{base}/facts/{fact['id']}", "identifier": fact["id"], "text": fact["summary"],
        "appearance": [article_node(base, sources[sid]) for sid in cited],
        "firstAppearance": {"@id": f"{base}/sources/{first}"},
        "hasPart": [{"@type": "Quotation", "text": c["quote"], "isPartOf": {"@id": f"{base}/sources/{c['source']}"}}
                    for c in fact["citations"]],
        "about": [entity_node(base, entities[e["id"]]) for e in fact["entities"] if e["id"] in entities],
    }


def document(*nodes):
    return {"@context": CONTEXT, "@graph": list(nodes)}


def script(doc):
    """The JSON text of a data block, with ``<``, ``>`` and ``&`` escaped so that no quote can
    close the block (``</script>`` in an article stays text)."""
    text = orjson.dumps(doc).decode()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

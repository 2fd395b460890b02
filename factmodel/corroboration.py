"""Corroboration: how many independent sources support a fact, and which facts it conflicts with,
both read from what every fact row already carries (its citations with their attribution
chains, its relations), so they follow ``as_of`` (only the citations published by then count).

Independence: each citation counts for its *origin*, and a fact has as many independent
sources as distinct origins. The origin is, in this order:

1. the innermost report (a fact) its attribution chain names: two outlets relaying one
   Bloomberg report share the origin ``report:<that fact>``;
2. else the innermost outlet the chain names with ``reported_by``: ``outlet:bloomberg``;
3. else the citing article's own publisher (the article says it in its own voice, or quotes
   someone it spoke to): ``outlet:<publisher as an id>``; so "Bloomberg says" and "Daily B,
   relaying Bloomberg" are one source, and two articles by one publisher are one source.
"""
import re

_NOT_ID = re.compile(r"[^a-z0-9]+")


def _outlet(name):
    return "outlet:" + _NOT_ID.sub("-", name.lower()).strip("-")


def origin(citation):
    """The origin a citation counts for (see the module docstring)."""
    chain = citation["attribution"]
    for link in reversed(chain):
        if link.get("fact"):
            return "report:" + link["fact"]
    for link in reversed(chain):
        if link["relation"] == "reported_by" and link.get("entity"):
            return _outlet(link["entity"])
    return _outlet(citation["publisher"])


def independent_sources(citations):
    return len({origin(c) for c in citations})


def conflicts_with(relations):
    """The ids of the facts a fact conflicts with, either direction, in their order."""
    return list(dict.fromkeys(r["fact"] for r in relations if r["type"] == "conflicts_with"))

"""Corroboration and voice: how many independent sources support a fact, whose voice each
citation carries, and which facts it conflicts with, all read from what every fact row already
carries (its citations with their attribution chains, its relations), so they follow ``as_of``
(only the citations published by then count). docs/methodology.md, sections 1 and 2.

**Origins.** Each citation counts for its *origin*, and a fact has as many independent sources
as distinct origins. A citation's own origin is, in this order:

1. the innermost report (a fact) its attribution chain names: two outlets relaying one
   Bloomberg report share the origin ``report:<that fact>``;
2. else the innermost outlet the chain names with ``reported_by``: ``outlet:bloomberg``;
3. else none of its own: people named by ``according_to`` or ``citing``, "reportedly"
   (``unattributed``), or the article's own voice.

All citations of one article give one origin: the one report or outlet their chains name, or the
article's publisher (``outlet:<publisher as an id>``) when they name none. Only when the chains of
one article name two different reports or outlets does it give more, one each (and its citations
that name none count for the publisher). So "Bloomberg says" and "Daily B, relaying Bloomberg"
are one source, two articles by one publisher are one source, and an article quoting a relayed
report beside a bare "reportedly" is one source, not two (second audit H3).

**Voice.** A citation carries the assertion in the article's *own voice* when its chain has no
link but the channel (``released_by``, ``said_to``) or, for a statement, its own speaker; any
other link (``according_to``, ``reported_by``, ``citing``, ``unattributed``) makes it
*attributed*. A fact is ``own`` when one citation is own-voice, else ``attributed``. The status
follows: ``stated`` needs an own-voice citation, ``reported`` none (:func:`status_problem`).
"""
import re

_NOT_ID = re.compile(r"[^a-z0-9]+")
CHANNELS = frozenset({"released_by", "said_to"})  # links that name how it reached the article, not whose it is
VOICES = ("own", "attributed")


def _outlet(name):
    return "outlet:" + _NOT_ID.sub("-", name.lower()).strip("-")


def named_origin(citation):
    """The report or outlet a citation's chain names as its origin, or None (see the module docstring)."""
    chain = citation["attribution"]
    for link in reversed(chain):
        if link.get("fact"):
            return "report:" + link["fact"]
    for link in reversed(chain):
        if link["relation"] == "reported_by" and link.get("entity"):
            return _outlet(link["entity"])
    return None


def origins(citations):
    """The origin each of ``citations`` counts for, in their order (see the module docstring)."""
    named = {}  # source -> the distinct origins its citations' chains name
    for citation in citations:
        found = named_origin(citation)
        if found is not None:
            named.setdefault(citation["source"], []).append(found)
    out = []
    for citation in citations:
        own = named_origin(citation)
        article = list(dict.fromkeys(named.get(citation["source"], ())))
        if own is not None:
            out.append(own)
        elif len(article) == 1:
            out.append(article[0])  # the one report or outlet the article relays
        else:
            out.append(_outlet(citation["publisher"]))
    return out


def independent_sources(citations):
    return len(set(origins(citations)))


def citation_voice(citation, speaker=None):
    """``own`` or ``attributed`` (see the module docstring); ``speaker``: a statement's speaker."""
    for link in citation["attribution"]:
        if link["relation"] in CHANNELS:
            continue
        if speaker is not None and link["relation"] == "according_to" and link.get("entity") == speaker \
                and not link.get("fact"):
            continue
        return "attributed"
    return "own"


def voice(citations):
    """A fact's voice from its citations' own (``voice``, which the build gives each by
    :func:`citation_voice`): ``own`` when one of them is, else ``attributed``."""
    return "own" if any(c["voice"] == "own" for c in citations) else "attributed"


def status_problem(status, citations, speaker=None):
    """``(citation number or None, message)`` when ``status`` does not follow the citations'
    voice (``stated``: one own-voice citation; ``reported``: none), else None."""
    voices = [citation_voice(c, speaker) for c in citations]
    if status == "stated" and voices and "own" not in voices:
        link = next(link for link in citations[0]["attribution"] if link["relation"] not in CHANNELS)
        return 0, (f"status 'stated' says the article asserts it in its own voice, but every citation attributes it "
                   f"to someone else (citation 1: {link['relation']}"
                   f"{' ' + (link.get('entity') or link.get('fact') or '') if link['relation'] != 'unattributed' else ''}"
                   "): use status 'reported', or cite a sentence the article says in its own voice")
    if status == "reported" and "own" in voices:
        number = voices.index("own")
        return number, (f"status 'reported' says someone else asserts it, but citation {number + 1} carries it in the "
                        "article's own voice (no attribution link but the channel or the speaker): add the link "
                        "naming whom the article attributes it to (according_to, reported_by, citing, or "
                        "unattributed for 'reportedly'), or use status 'stated'")
    return None


def conflicts_with(relations):
    """The ids of the facts a fact conflicts with, either direction, in their order."""
    return list(dict.fromkeys(r["fact"] for r in relations if r["type"] == "conflicts_with"))

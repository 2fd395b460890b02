"""Entities sharing a name or alias, compared as ``kb entity find`` compares them (case,
diacritics and typographic marks do not count: :func:`kb.hints.fold`): the same person entered
twice under two ids, or two different things a source calls alike (the country ``russia``, whose
alias is "Moscow", and the city ``moscow``). Each such pair is a warning (``kb validate --strict``
fails on it) unless one of the two lists the other in ``distinct_from``. Called by :mod:`kb.seeds`
and :mod:`kb.entity_find`.
"""
from . import hints
from .problems import Issue


def spellings(row):
    """``[(folded, spelling, where in the entity)]`` of an entity's name and aliases, once per folded form."""
    seen, out = set(), []
    for where, spelling in [(("name",), row.get("name")),
                            *((("aliases", k), a) for k, a in enumerate(row.get("aliases") or ()))]:
        if isinstance(spelling, str) and spelling and hints.fold(spelling) not in seen:
            seen.add(hints.fold(spelling))
            out.append((hints.fold(spelling), spelling, where))
    return out


def shared(entities):
    """``{folded spelling: [(entity id, spelling, where)]}`` for the spellings more than one of
    ``entities`` (id -> row, in the order they were read) has."""
    owners = {}
    for eid, row in entities.items():
        for folded, spelling, where in spellings(row):
            owners.setdefault(folded, []).append((eid, spelling, where))
    return {folded: found for folded, found in owners.items() if len(found) > 1}


def distinct_from_issues(index, eid, distinct, entities, unparsed=()):
    """The issues of entity ``eid`` (item ``index``) listing ``distinct`` as distinct from it:
    each must be another existing entity."""
    issues = []
    for k, other in enumerate(distinct):
        where = ("entities", index, "distinct_from", k)
        if other == eid:
            issues.append(Issue(where, f"entity {eid!r}: distinct_from cannot name the entity itself"))
        elif other not in entities:
            message = (f"distinct_from {other!r}{hints.not_checked(unparsed)}" if unparsed else
                       f"distinct_from refers to unknown entity {other!r}{hints.unknown_entity(other, entities)}")
            issues.append(Issue(where, f"entity {eid!r}: {message}"))
    return issues


def _label(where):
    return "name" if where == ("name",) else "alias"


def shared_warnings(entities, distinct, place):
    """``[(entity id, where, message)]``: a warning for each pair of ``entities`` (id -> row, in
    reading order) sharing a spelling, unless either lists the other in ``distinct`` (id -> set
    of ids). It is put on the entity that should list the other: the one whose spelling is an
    alias when the other's is its name, else the one read later. ``place(eid, where)`` is the
    ``path:line`` of a spelling, for the message."""
    order = {eid: n for n, eid in enumerate(entities)}
    out, done = [], set()
    for found in shared(entities).values():
        for i, first in enumerate(found):
            for second in found[i + 1:]:
                a, b = sorted((first, second), key=lambda s: (_label(s[2]) == "alias", order[s[0]]))
                pair = frozenset((a[0], b[0]))
                if pair in done or a[0] in distinct.get(b[0], ()) or b[0] in distinct.get(a[0], ()):
                    continue
                done.add(pair)
                message = (f"warning: entity {b[0]!r}: {_label(b[2])} {b[1]!r} is also the {_label(a[2])} of "
                           f"entity {a[0]!r} ({place(*a[::2])}): if they are different, add "
                           f"`distinct_from: [{a[0]}]` to entity {b[0]!r}; if the same, merge them")
                out.append((b[0], b[2], message))
    return out

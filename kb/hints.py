"""Suggestions that turn a validator message into something a curator can act on.

Pure functions, called where a message is formed (:mod:`kb.rules`, :mod:`kb.jsonschemas`,
:mod:`kb.seeds`): "did you mean" for unknown ids (matched against ids, names and aliases),
the nearest passage for a quote not found, the source that does contain it. The order of
problems (root causes first) and their regrouping are here too. The expected form of a value
that breaks a pattern is in :mod:`kb.schema_hints`, how to quote a YAML value that broke the
parser in :mod:`kb.yaml_hints`. Nothing here runs unless something is wrong.
"""
import datetime as dt
import difflib
import re

from factmodel.folding import fold  # kb.hints.fold (kb.rules, kb.entity_names…): how names and quotes are compared

_WORD = re.compile(r"\S+")


# -- names ---------------------------------------------------------------------------------
def slugify(text):
    """``Bashar al-Assad`` -> ``bashar-al-assad`` (what an id for that name would look like)."""
    return "-".join(re.findall(r"[a-z0-9]+", fold(text)))


def _names(entities):
    """``{folded name or alias or id: id}`` for the entity rows ``entities`` (id -> row)."""
    out = {}
    for eid, row in entities.items():
        for name in (eid, eid.replace("-", " "), row.get("name"), *(row.get("aliases") or ())):
            if name:
                out.setdefault(fold(name), eid)
                out.setdefault(slugify(name), eid)
    return out


_NAME_CACHE = {}


def did_you_mean(wrong, candidates, names=None, n=3):
    """`` (did you mean 'x'?)`` for the closest of ``candidates`` (ids) to ``wrong``, also
    trying ``names`` (``{folded name: id}``); ``""`` when nothing is close."""
    if not isinstance(wrong, str) or not wrong:
        return ""
    candidates = list(candidates)
    found = difflib.get_close_matches(wrong, candidates, n=n, cutoff=0.6)
    if names:
        key = fold(wrong.replace("-", " "))
        for match in difflib.get_close_matches(key, list(names), n=n, cutoff=0.75):
            if names[match] not in found:
                found.append(names[match])
    if not found:
        lowered = {c.casefold(): c for c in candidates}
        if wrong.casefold() in lowered:
            found = [lowered[wrong.casefold()]]
    if not found:
        return ""
    return " (did you mean " + " or ".join(repr(f) for f in found[:n]) + "?)"


def unknown_entity(ref, entities):
    """Hint for an unknown entity id: the close ids, names and aliases."""
    key = (id(entities), len(entities))
    names = _NAME_CACHE.get(key)
    if names is None:
        _NAME_CACHE.clear()
        names = _NAME_CACHE[key] = _names(entities)
    hint = did_you_mean(ref, entities, names)
    return hint or f" (no entity has a close id, name or alias: add it to seeds/entities/, or `kb entity find {ref}`)"


def unknown_source(sid, sources):
    return did_you_mean(sid, sources) or " (no source has a close id: see seeds/sources/)"


def stand_in_entity(item):
    """A row for an entity that failed its schema, so that facts naming it are not reported
    too (the entity's own problem is; a build with problems writes nothing)."""
    return {"id": item["id"], "type": str(item.get("type") or ""), "name": str(item.get("name") or item["id"]),
            "aliases": [a for a in item.get("aliases") or () if isinstance(a, str)]
            if isinstance(item.get("aliases"), list) else [], "description": str(item.get("description") or "")}


# -- quotes --------------------------------------------------------------------------------
def nearest_passage(text, quote):
    """The passage of ``text`` (a source's text) closest to ``quote``, compared without
    regard to whitespace, case, diacritics or the kind of quotation marks (folded,
    :func:`factmodel.folding.fold`): ``(start, end, ratio)`` with
    offsets into ``text``, or None for an empty quote."""
    words = [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]
    target = fold(quote)
    n = len(target.split())
    if not words or not n:
        return None
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(target)

    def score(i, j):
        matcher.set_seq1(" ".join(w[2] for w in words[i:j]))
        return matcher.ratio()

    best = (-1.0, 0, min(n, len(words)))
    for i in range(max(1, len(words) - n + 1)):
        j = min(i + n, len(words))
        matcher.set_seq1(" ".join(w[2] for w in words[i:j]))
        if matcher.real_quick_ratio() <= best[0] or matcher.quick_ratio() <= best[0]:
            continue
        ratio = matcher.ratio()
        if ratio > best[0]:
            best = (ratio, i, j)
    ratio, i, j = best
    improved = True
    while improved:  # grow or shrink either end while the match gets better
        improved = False
        for a, b in ((i - 1, j), (i + 1, j), (i, j + 1), (i, j - 1)):
            if 0 <= a < b <= len(words):
                r = score(a, b)
                if r > ratio:
                    ratio, i, j, improved = r, a, b, True
    return words[i][0], words[j - 1][1], ratio


def yaml_scalar(value):
    """``value`` as it must be written after ``quote: `` on one line: plain when YAML reads it
    back unchanged, else in single quotes with inner single quotes doubled."""
    import yaml

    if "\n" not in value:
        try:
            if yaml.safe_load(f"k: {value}\n") == {"k": value} and " #" not in value:
                return value
        except yaml.YAMLError:
            pass
    return "'" + " ".join(value.split()).replace("'", "''") + "'"


def quote_not_found(sid, quote, texts, plain_hint=""):
    """The message for a ``quote`` not found in source ``sid``: the nearest passage of that
    source, and which other sources (``texts``: id -> SourceText) contain it exactly."""
    elsewhere = [other for other, text in texts.items() if other != sid and text.find(quote) is not None]
    message = f"quote not found in source {sid!r}{plain_hint}"
    if elsewhere:
        message += f"; it is in source {', '.join(map(repr, sorted(elsewhere)))}: cite that source instead"
        return message
    text = texts[sid].text
    near = nearest_passage(text, quote)
    if near is not None and near[2] >= 0.5:
        start, end, ratio = near
        passage = " ".join(text[start:end].split())
        message += (f"; nearest passage ({ratio:.0%} alike, at offset {start}): {yaml_scalar(passage)}"
                    " (copy it exactly, or `kb quote` to find a passage)")
    else:
        message += "; nothing in it is close (`kb quote SOURCE \"fragment\"` finds a passage)"
    return message


# -- dates ---------------------------------------------------------------------------------
def after_publication(status, date, sid, published, text):
    """The message for a fact dated after its source was published: what the article's relative
    dates resolve to (the table ``kb new-source`` printed), then the advice about its status."""
    from .reldates import WEEKDAYS, table

    weekday = WEEKDAYS[dt.date.fromisoformat(published).weekday()]
    return (f"{status} fact is dated {date}, after its source {sid!r} was published ({published}, a {weekday}); "
            + "\n".join(table(published, text))
            + "\nIf the date comes from a relative wording (yesterday, on Monday, last week), take it from this "
              "table; if the fact is an expectation, use status 'predicted'.")


# -- order ---------------------------------------------------------------------------------
_RANK = {"sources": 0, "entities": 1, "entities.yaml": 1, "facts": 2}


def root_cause_order(problem):
    """Sort key putting root causes first: sources, then entities, then facts (a fact can
    only be wrong about a source or an entity once those are right), each by file and line;
    a problem with a ``cause`` right after that cause."""
    parts = problem.path.replace("\\", "/").split("/")
    rank = next((_RANK[p] for p in reversed(parts[:-1]) if p in _RANK), _RANK.get(parts[-1], 3))
    key = (rank, problem.path, problem.line, problem.col, problem.message)
    return key if problem.cause is None else (*root_cause_order(problem.cause), key)


def not_checked(roots):
    """`` not checked because F failed to parse (line L)`` for ``roots``, the problems of the
    files that did not parse: what a reference that may point into them is told (no "did you mean")."""
    return " not checked because " + " and ".join(f"{p.path} failed to parse (line {p.line})" for p in roots)


def regroup(problems, rejected):
    """Rewrite "unknown source" problems about a source whose own file was rejected
    (``rejected``: id -> its first :class:`Problem`) to point at that root cause, and say on
    the root cause how many citations wait for it."""
    from .problems import Problem

    out, waiting = [], {}
    for problem in problems:
        for sid, root in rejected.items():
            tail = f"citation refers to unknown source {sid!r}"
            if tail in problem.message:
                head = problem.message.split(tail)[0]
                problem = Problem(problem.path, problem.line, problem.col,
                                  f"{head}citation refers to source {sid!r}, whose file was rejected: "
                                  f"fix {root.path}:{root.line}:{root.col} first")
                waiting[root] = waiting.get(root, 0) + 1
                break
        out.append(problem)
    note = " ({} citation(s) of it fail until this is fixed; they are listed below)"
    return [Problem(p.path, p.line, p.col, p.message + note.format(waiting[p])) if p in waiting else p for p in out]

"""Suggestions that turn a validator message into something a curator can act on.

Pure functions, called where a message is formed (:mod:`kb.rules`, :mod:`kb.jsonschemas`,
:mod:`kb.seeds`): "did you mean" for unknown ids (matched against ids, names and aliases),
the nearest passage for a quote not found, the source that does contain it, the expected form
of a value that breaks a pattern, and how to quote a YAML value that broke the parser. The
order of problems (root causes first) is here too. Nothing here runs unless something is wrong.
"""
import difflib
import re
import unicodedata

from factmodel.dates import PARTIAL_DATE

_TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                              "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
                              "\u2033": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " "})
_WORD = re.compile(r"\S+")


# -- names ---------------------------------------------------------------------------------
_LETTERS = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "đ": "d",
                          "Đ": "D", "ł": "l", "Ł": "L", "ı": "i", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D"})


def fold(text):
    """Lower case, no diacritics, typographic marks made plain, whitespace squashed: how
    names, aliases and quotes are compared when looking for a near match."""
    text = unicodedata.normalize("NFKD", str(text).translate(_TYPOGRAPHIC).translate(_LETTERS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


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
def _plain(text):
    return " ".join(text.translate(_TYPOGRAPHIC).casefold().split())


def nearest_passage(text, quote):
    """The passage of ``text`` (a source's text) closest to ``quote``, compared without
    regard to whitespace, case or the kind of quotation marks: ``(start, end, ratio)`` with
    offsets into ``text``, or None for an empty quote."""
    words = [(m.start(), m.end(), _plain(m.group())) for m in _WORD.finditer(text)]
    target = _plain(quote)
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


# -- JSON Schema errors ----------------------------------------------------------------------
_SLUG = "^[a-z0-9]+(-[a-z0-9]+)*$"
PATTERNS = {
    _SLUG: "a slug: lowercase letters and digits in words joined by single hyphens",
    PARTIAL_DATE: "YYYY, YYYY-MM or YYYY-MM-DD",
    "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$": "YYYY, YYYY-MM or YYYY-MM-DD",
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "YYYY-MM-DD",
    "^https?://": "an address starting with http:// or https://",
    "^[a-z]{2,3}(-[A-Za-z0-9]+)*$": "a BCP 47 language tag such as en, ar or en-GB",
}
_TYPES = {"integer": "a whole number", "string": "text", "array": "a list", "object": "a mapping",
          "null": "null", "number": "a number", "boolean": "true or false"}


def _expected_pattern(pattern, value):
    form = PATTERNS.get(pattern)
    if form is None:
        return f"expected text matching {pattern}"
    out = f"expected {form}"
    if "YYYY" in form:
        guess = guess_date(value) if isinstance(value, str) else None
        out += f' (quoted: "{guess}")' if guess else ' (quoted, e.g. "2024-07-24")'
    elif pattern == _SLUG and isinstance(value, str) and slugify(value):
        out += f", e.g. {slugify(value)!r}"
    return out


_MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], 1) for name in names}


def guess_date(value):
    """The partial ISO date a curator probably meant: ``March 2023`` -> ``2023-03``,
    ``24 July 2024`` / ``July 24, 2024`` / ``24/07/2024`` / ``2024/07/24`` -> ``2024-07-24``; else None."""
    words = re.findall(r"[a-z]+|\d+", fold(value))
    months = [_MONTHS[w] for w in words if w in _MONTHS]
    numbers = [w for w in words if w.isdigit()]
    years = [n for n in numbers if len(n) == 4]
    days = [int(n) for n in numbers if len(n) <= 2]
    if len(years) != 1 or len(months) > 1 or len(words) != len(months) + len(numbers):
        return None
    year = years[0]
    if months:
        if not days:
            return f"{year}-{months[0]:02d}"
        return f"{year}-{months[0]:02d}-{days[0]:02d}" if len(days) == 1 and 1 <= days[0] <= 31 else None
    if len(days) == 2:  # numbers only: day first unless the year leads (2024/07/24)
        day, month = (days[1], days[0]) if numbers[0] == year else days
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year}-{month:02d}-{day:02d}"
    if len(days) == 1 and 1 <= days[0] <= 12:
        return f"{year}-{days[0]:02d}"
    return None


def _patterns_in(error):
    """Every pattern the failing value was checked against, alternatives included."""
    found = []
    if error.validator == "pattern":
        found.append(error.validator_value)
    for sub in error.context or ():
        found += [p for p in _patterns_in(sub) if p not in found]
    return found


def schema_message(error, value):
    """A curator's reading of one jsonschema ``error`` about ``value``."""
    v = error.validator
    shown = repr(value) if not isinstance(value, (dict, list)) else ("this mapping" if isinstance(value, dict) else "this list")
    if v in ("pattern", "anyOf", "oneOf"):
        patterns = _patterns_in(error)
        if patterns:
            allowed = [_TYPES.get(sub.validator_value, "") for sub in error.context or () if sub.validator == "type"]
            extra = " or null" if "null" in allowed or any(sub.validator_value == "null" for sub in error.context or ()
                                                           if sub.validator == "type") else ""
            if v == "pattern":
                return f"{shown} does not match: {_expected_pattern(patterns[0], value)}"
            return f"{shown} is not valid: {_expected_pattern(patterns[0], value)}{extra}"
    if v == "enum":
        allowed = [a for a in error.validator_value if a is not None]
        hint = did_you_mean(value, [str(a) for a in allowed]) if isinstance(value, str) else ""
        return f"{shown} is not one of {error.validator_value}{hint}"
    if v == "const":
        return f"{shown} should be {error.validator_value!r}"
    if v == "minLength":
        return f"{shown} is too short: at least {error.validator_value} characters (it has {len(value)})"
    if v == "maxLength":
        return f"the text is too long: at most {error.validator_value} characters (it has {len(value)})"
    if v == "minItems":
        return f"the list is too short: at least {error.validator_value} items (it has {len(value)})"
    if v == "maxItems":
        return f"the list is too long: at most {error.validator_value} items (it has {len(value)})"
    if v == "type":
        types = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return f"{error.message}: expected {' or '.join(_TYPES.get(t, t) for t in types)}"
    if v == "minimum":
        return f"{error.message}: expected at least {error.validator_value}"
    if v == "maximum":
        return f"{error.message}: expected at most {error.validator_value}"
    if v == "uniqueItems":
        return f"{error.message}: an id is listed twice"
    return error.message


def unknown_field(key, allowed):
    return did_you_mean(key, sorted(allowed))


# -- YAML ----------------------------------------------------------------------------------
_KEY_VALUE = re.compile(r"^(\s*(?:-\s+)?[A-Za-z_][\w-]*:\s+)(\S.*?)\s*$")
_INDICATORS = "\"'[{*&!%@`|>"


def yaml_hint(text, line):
    """How to fix a YAML syntax error reported at ``line`` (1-based) of ``text``: when that
    line or one of the two before it is ``key: value`` with a value YAML cannot take plain
    (it begins with a quotation mark or another indicator, or holds ``: ``), the line
    rewritten with the whole value in single quotes (inner single quotes doubled)."""
    lines = text.splitlines()
    for number in range(min(line, len(lines)), max(0, line - 3), -1):
        match = _KEY_VALUE.match(lines[number - 1])
        if not match:
            continue
        head, value = match.groups()
        if value[0] in _INDICATORS or ": " in value or value.endswith(":"):
            if value[0] in "\"'" and value.endswith(value[0]) and value.count(value[0]) == 2:
                continue  # already a well-quoted value
            fixed = head + "'" + value.replace("'", "''") + "'"
            why = ("begins with a quotation mark, so YAML reads only up to the closing one"
                   if value[0] in "\"'" else
                   f"begins with {value[0]!r}, which YAML reads as syntax" if value[0] in _INDICATORS else
                   "holds ': ', which YAML reads as a new key")
            return (f"; line {number}: the value {why}. Quote the whole value with single quotes, doubling"
                    f" any single quote inside it:\n    {fixed.strip()}")
    return ""


def enclosing_item(text, line):
    """``fact 'x': `` (or ``entity 'x': ``) for the list item around ``line`` (1-based) of a
    seed file that did not parse, found by its ``- id:`` line; ``""`` when there is none."""
    kind = "entity" if re.search(r"(?m)^entities:", text) else "fact"
    for row in reversed(text.splitlines()[:line]):
        match = re.match(r"^\s*-\s+id:\s*['\"]?([^'\"#\s]+)", row)
        if match:
            return f"{kind} {match.group(1)!r}: "
        if re.match(r"^(facts|entities):", row):
            break
    return ""


# -- order ---------------------------------------------------------------------------------
_RANK = {"sources": 0, "entities": 1, "entities.yaml": 1, "facts": 2}


def root_cause_order(problem):
    """Sort key putting root causes first: sources, then entities, then facts (a fact can
    only be wrong about a source or an entity once those are right), each by file and line."""
    parts = problem.path.replace("\\", "/").split("/")
    rank = next((_RANK[p] for p in reversed(parts[:-1]) if p in _RANK), _RANK.get(parts[-1], 3))
    return rank, problem.path, problem.line, problem.col, problem.message


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

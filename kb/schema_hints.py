"""Hints for JSON Schema errors: a curator's reading of a jsonschema error, with the expected
form of a value that breaks a pattern (and the date a curator probably meant). Called by
:mod:`kb.jsonschemas`; nothing here runs unless something is wrong.
"""
import re

from factmodel.dates import PARTIAL_DATE
from factmodel.vocabulary import FACT_TYPES

from .hints import did_you_mean, fold, slugify

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


def qualifier_hint(fact, field, value):
    """For a number of ``fact`` written as text (``count: about 900``) when its type has a
    ``<field>_qualifier`` with a closed list of values (from the JSON Schema): write the number
    alone and the wording in the qualifier."""
    ftype = FACT_TYPES.get(fact.get("type")) if isinstance(fact.get("type"), str) else None
    qualifier = next((f for f in ftype.fields if f.name == f"{field}_qualifier" and f.enum), None) if ftype else None
    if qualifier is None:
        return ""
    numbers = re.findall(r"\d+", re.sub(r"(?<=\d)[,\u00a0 ](?=\d{3}\b)", "", value))
    number = f" ({field}: {numbers[0]})" if len(numbers) == 1 else ""
    return (f"; write the number alone{number} and the wording in {qualifier.name}: "
            f"one of {', '.join(str(v) for v in qualifier.enum)}")


def unknown_field(key, allowed):
    return did_you_mean(key, sorted(allowed))

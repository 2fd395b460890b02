"""Issue 32: the spreadsheet flavour of a CSV stream (``flavour=spreadsheet``), for people who open
the file in Excel, LibreOffice or Google Sheets. The plain CSV (api/http/streams.py) is unchanged;
this one is made from the same items, with flat columns instead of JSON cells:

* entity ids keep their column, their names beside them (``actors`` then ``actors_names``;
  ``entities`` becomes ``entities`` as "Name (role); …" and ``entity_ids``);
* ``citations`` becomes the count and the first citation's ``first_source``, ``first_publisher``,
  ``first_published``, ``first_quote``; ``time`` becomes ``time_kind`` and the bounds
  (``not_before`` … ``expected_not_after``); lists are joined with "; ";
* a partial date is written the ISO 8601-2 / EDTF way, its unknown digits as ``X``
  (``2024-07`` → ``2024-07-XX``, ``2024`` → ``2024-XX-XX``): Excel reads ``2024-07`` as the
  1 July 2024 and ``2024`` as a number, LibreOffice likewise; with the ``X`` they stay text, and
  no formula (``="2024-07"``) nor apostrophe is needed. A whole day stays ``2024-07-25``.

The cell neutralising (OWASP "CSV Injection") and the BOM are the stream's
(:func:`api.http.streams.stream`).
"""
import re

from factmodel import vocabulary

TIME_BOUNDS = ("not_before", "not_after", "valid_from", "valid_until", "ended_before", "expected_not_before",
               "expected_not_after")
CITATION_COLUMNS = ("citations", "first_source", "first_publisher", "first_published", "first_quote")
DATE_COLUMNS = frozenset(["date", "start_date", "first_published", *TIME_BOUNDS])
_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2}))?")
_ROLE_FIELDS = frozenset(field for fields in vocabulary.ROLE_FIELDS.values() for field, _ in fields)


def date_text(value):
    """A date as a spreadsheet keeps it as text: a partial date with ``X`` for its unknown digits."""
    if isinstance(value, str) and (m := _PARTIAL.fullmatch(value)):
        return f"{m[1]}-{m[2] or 'XX'}-XX"
    return value


def columns(plain):
    """The spreadsheet columns of a stream whose plain CSV has the columns ``plain``."""
    out = []
    for name in plain:
        if name == "entities":
            out += ["entities", "entity_ids"]
        elif name == "citations":
            out += CITATION_COLUMNS
        elif name == "time":
            out += ["time_kind", *TIME_BOUNDS]
        elif name in _ROLE_FIELDS:
            out += [name, f"{name}_names"]
        else:
            out.append(name)
    return out


def _text(value):
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        if "type" in value and "fact" in value:  # a relation
            return f"{value['type']} {value.get('direction', '')} {value['fact']}".replace("  ", " ")
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items() if v not in (None, [], {}))
    return value


def flat(item):
    """An item (a fact or a change, as the JSON stream has it) as one spreadsheet row. Facts are
    converted with ``expand=entities`` (api/shapes/expand.py), so each entity carries its name."""
    names = {e["id"]: e.get("name") or e["id"] for e in item.get("entities") or ()}
    row = {}
    for key, value in item.items():
        if key == "links":
            continue
        if key == "entities":
            row["entities"] = "; ".join(f"{names[e['id']]} ({e['role']})" for e in value)
            row["entity_ids"] = "; ".join(e["id"] for e in value)
        elif key == "citations":
            first = value[0] if value else {}
            row.update(citations=len(value), first_source=first.get("source"), first_publisher=first.get("publisher"),
                       first_published=first.get("published"), first_quote=first.get("quote"))
        elif key == "time" and isinstance(value, dict):
            row["time_kind"] = value.get("kind")
            row.update({bound: value.get(bound) for bound in TIME_BOUNDS})
        elif key in _ROLE_FIELDS and names:
            ids = value if isinstance(value, list) else [value] if value else []
            row[key] = _text(value)
            row[f"{key}_names"] = "; ".join(names.get(i, i) for i in ids)
        else:
            row[key] = _text(value)
    return {k: (date_text(v) if k in DATE_COLUMNS else v) for k, v in row.items()}

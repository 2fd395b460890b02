"""Free text to a safe FTS5 query."""
import re

from flask_smorest import abort

from ..blueprint import UNPROCESSABLE


def fts_query(text):
    """Turn free text into a safe FTS5 query: every word must match (as a prefix)."""
    words = re.findall(r"\w+", text)
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words[:20]) or None


def fts_or_422(text, param="q"):
    """The FTS5 query of ``text``, or 422 naming ``param`` when it has no word to search for."""
    match = fts_query(text)
    if match is None:
        abort(UNPROCESSABLE, errors={param: ["must contain at least one letter or digit"]})
    return match

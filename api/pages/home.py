"""The home page (``/``: the dataset, a search box, recent changes, where the rest is) and the
search page (``/search?q=``: the hits ``/v1/search`` gives, with their snippets)."""
import re

import marshmallow as ma
from flask import g
from markupsafe import Markup, escape
from webargs.flaskparser import parser

from ..params import QuerySchema, cursor_field
from ..queries.releases import newest_release
from ..resources.search import hits
from ..shapes.catalog import HIT_KINDS
from . import data, words
from .blueprint import blp, render

HIT_PAGES = {"fact": "/facts/", "entity": "/entities/", "source": "/sources/"}
PAGE = 20
_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


class SearchPageArgs(QuerySchema):
    q = ma.fields.String(validate=ma.validate.Length(1, 200))
    kind = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(HIT_KINDS)), validate=ma.validate.Length(max=3))
    cursor = cursor_field()


def snippet(text):
    """A hit's snippet as HTML: its ``<mark>`` kept, everything else escaped (the text is an article's)."""
    out, pos = [], 0
    for match in _MARK.finditer(text):
        out += [escape(text[pos:match.start()]), Markup("<mark>"), escape(match.group(1)), Markup("</mark>")]
        pos = match.end()
    out.append(escape(text[pos:]))
    return Markup("").join(out)


@blp.get("/")
def home():
    return render("pages/home.html", counts=g.db.counts, release=newest_release(), changes=data.recent_changes(),
                  words=words)


@blp.get("/search")
def search():
    args = parser.parse(SearchPageArgs, location="query")
    found, next_cursor = [], None
    if args.get("q"):
        body, _ = hits({**args, "limit": PAGE})
        found = [{**h, "page": HIT_PAGES[h["kind"]] + h["id"], "snippet": snippet(h["snippet"])} for h in body["data"]]
        next_cursor = body["next_cursor"]
    return render("pages/search.html", q=args.get("q", ""), kinds=args.get("kind") or [], hits=found,
                  next_cursor=next_cursor, words=words)

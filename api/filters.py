"""One definition of a fact list's filters (``/v1/facts``, the typed lists, an entity's and a
source's facts), read by both engines.

:func:`parse` turns the parsed query string of a fact list into a :class:`FactFilters`: every 422
of a fact list's filters is raised there (a wordless ``q``, a date that is no calendar day, an
id of nothing, a foreign release), and the values are normalised (dates to days, a release to
its seq). The 400s (types, patterns, enums) stay in the parameter schemas of api/params.py, from
which the spec is generated. Past this point no engine reads the raw arguments: the SQL
(:class:`api.queries.fact_list.FactQuery`) and the search index (:mod:`api.search.queries`,
which declares the fields it answers in ``INDEXED``: any other field set sends the list to SQL)
read the same value.

Adding a filter: its parameter in api/params.py; a field of :class:`FactFilters`, parsed in
:func:`from_args` (a 422 in :func:`parse`); its clause in ``FactQuery``; where its values come
from in a dataset (:data:`SAMPLES`). tests/api/test_filter_engines.py then compares the two
engines on it without an edit; the index answers it once it is in ``INDEXED``.
"""
from dataclasses import dataclass, fields

from flask_smorest import abort

from factmodel.dates import date_range

from .blueprint import UNPROCESSABLE
from .queries.changes import release_seq_or_422
from .queries.facts import require_entities, require_fact, require_source
from .search.fts import fts_or_422


@dataclass(frozen=True)
class FactFilters:
    """The filters of one fact list, checked and normalised; unset: ``()``, ``None`` or ``False``."""

    types: tuple = ()          # type=, or a typed list's own type
    statuses: tuple = ()       # status=
    roles: tuple = ()          # ((role, entity id), …): a typed list's participant=, lessee=…
    about: str | None = None   # the entity whose timeline this is: any role, attributed too
    about_roles: tuple = ()    # its role= (the roles it has in the facts)
    entities: tuple = ()       # entity= (all of them, each in a role of the fact's own fields)
    sources: tuple = ()        # the source whose facts these are and source= (all of them)
    kinds: tuple | None = None  # (table, (kind, …)): a typed list's kind=
    window: tuple | None = None  # (first day or None, last day or None) the span overlaps: from/to/valid_at
    certain: bool = False      # a window matched for certain (time_match=certain, the default)
    states_only: bool = False  # valid_at=: states alone
    published_by: str | None = None  # as_of=: its last day; a fact cited by then
    attributed_to: str | None = None
    voice: str | None = None   # voice=: own or attributed
    min_sources: int | None = None  # min_sources=
    related_to: str | None = None
    relation: str | None = None
    corrected: str | None = None  # corrected=: "true" or "false" (a string in the spec, for typed clients)
    changed_since: int | None = None  # the seq of the changed_since= release
    text: str | None = None    # q=, known to hold a word

    def set_fields(self):
        """The names of the fields that filter (set)."""
        return [f.name for f in fields(self) if getattr(self, f.name) not in ((), None, False)]


# The query parameters a fact list's fields are parsed from (a typed list's role parameters are
# its resource's FILTERS), and SQL listing values each can take in a dataset, commonest first:
# tests/api/test_filter_engines.py tries them, so a filter is covered there with no edit.
YEARS = "SELECT substr(sort_date, 1, 4) FROM facts WHERE sort_date != '' GROUP BY 1 ORDER BY count(*) DESC, 1"
SAMPLES = {
    "type": "SELECT type FROM facts GROUP BY 1 ORDER BY count(*) DESC, 1",
    "status": "SELECT status FROM facts GROUP BY 1 ORDER BY count(*) DESC, 1",
    "entity": "SELECT entity_id FROM fact_entities WHERE role != 'attributed' GROUP BY 1 "
              "ORDER BY count(DISTINCT fact_id) DESC, 1",
    "role": "SELECT role FROM fact_entities GROUP BY 1 ORDER BY count(*) DESC, 1",  # an entity's timeline's role=
    "source": "SELECT source_id FROM citations GROUP BY 1 ORDER BY count(DISTINCT fact_id) DESC, 1",
    "from": YEARS, "to": YEARS, "valid_at": YEARS,
    "as_of": "SELECT substr(first_published, 1, 4) FROM facts GROUP BY 1 ORDER BY count(*) DESC, 1",
    "attributed_to": "SELECT entity_id FROM attributions WHERE entity_id IS NOT NULL GROUP BY 1 "
                     "ORDER BY count(DISTINCT fact_id) DESC, 1",
    "voice": "SELECT voice FROM facts GROUP BY 1 ORDER BY count(*) DESC, 1",
    "min_sources": "SELECT DISTINCT n FROM (SELECT count(DISTINCT origin) AS n FROM citations GROUP BY fact_id) "
                   "WHERE n > 1 ORDER BY n DESC",  # 1 selects every fact
    "related_to": "SELECT other_id FROM fact_relations GROUP BY 1 ORDER BY count(*) DESC, 1",
    "relation": "SELECT type FROM fact_relations GROUP BY 1 ORDER BY count(*) DESC, 1",
    "changed_since": "SELECT id FROM releases ORDER BY seq DESC",
    # corrected=: true first when some fact is corrected (it narrows), else false first
    "corrected": "SELECT v FROM (SELECT 'true' AS v UNION ALL SELECT 'false') ORDER BY (v = 'true') = "
                 "EXISTS (SELECT 1 FROM fact_relations WHERE type = 'corrects') DESC, v",
    # a typed list's kind= (``{table}``) and role parameters (``:role`` in its ``:type``)
    "kind": "SELECT kind FROM {table} GROUP BY 1 ORDER BY count(*) DESC, 1",
    "typed_role": "SELECT d.entity_id FROM fact_entities d JOIN facts f ON f.id = d.fact_id WHERE d.role = :role "
            "AND f.type = :type GROUP BY 1 ORDER BY count(*) DESC, 1",
}


def real_dates_or_422(args):
    """422 for a partial date of the documented form that is no day of the calendar (2021-02-30,
    year 0000): the published ``pattern`` cannot encode month lengths and leap years."""
    for key, param in (("from_", "from"), ("to", "to"), ("valid_at", "valid_at"), ("as_of", "as_of")):
        if args.get(key):
            try:
                date_range(args[key])
            except ValueError as exc:
                abort(UNPROCESSABLE, errors={param: [f"not a real date: {exc}"]})


def window(args):
    """``(first day, last day)`` (either None: open) that a fact's span overlaps, from the
    ``from``, ``to`` and ``valid_at`` of ``args``: the intersection of those given; None if none.
    The one window rule of every list (fact lists, ``/v1/conflicts``, an entity's related entities)."""
    starts = [date_range(args[key])[0] for key in ("from_", "valid_at") if args.get(key)]
    ends = [date_range(args[key])[1] for key in ("to", "valid_at") if args.get(key)]
    if not starts and not ends:
        return None
    return (max(starts) if starts else None, min(ends) if ends else None)


def window_or_422(args):
    """:func:`window`, after the 422 of a date that is no calendar day and of a window that ends
    before it starts (``from=2024&to=2020``; or ``valid_at`` outside ``from``/``to``)."""
    real_dates_or_422(args)
    found = window(args)
    if found and found[0] and found[1] and found[0] > found[1]:
        given = [f"{name}={args[key]}" for key, name in (("from_", "from"), ("to", "to"), ("valid_at", "valid_at"))
                 if args.get(key)]
        param = "valid_at" if args.get("valid_at") else "to"
        abort(UNPROCESSABLE, errors={param: [f"the window is empty: {' and '.join(given)} share no day "
                                             f"(it would start {found[0]} and end {found[1]})"]})
    return found


def certain(args):
    """Whether a window of ``args`` is matched for certain (``time_match``, default ``certain``)."""
    return window(args) is not None and args.get("time_match", "certain") == "certain"


def from_args(args, *, types=(), roles=(), kinds=None, entity=None, about=None, source=None, changed_since=None):
    """The :class:`FactFilters` of parsed ``args`` (no lookups: :func:`parse` checks first).
    ``types``: a typed list's own type; ``roles``: ``[(role, entity id)]``; ``kinds``:
    ``(table, [kind])``; ``entity``/``source``: whose facts the list is (``about``: an entity's
    timeline, any role); ``changed_since``: a seq."""
    return FactFilters(
        types=tuple(types or args.get("type") or ()),
        statuses=tuple(args.get("status") or ()),
        roles=tuple(roles),
        about=about,
        about_roles=tuple(args.get("role") or ()) if about else (),
        entities=(entity,) * bool(entity) + tuple(args.get("entity") or ()),
        sources=tuple(dict.fromkeys(s for s in (source, args.get("source")) if s)),
        kinds=(kinds[0], tuple(kinds[1])) if kinds and kinds[1] else None,
        window=window(args),
        certain=certain(args),
        states_only=bool(args.get("valid_at")),
        published_by=date_range(args["as_of"])[1] if args.get("as_of") else None,
        attributed_to=args.get("attributed_to") or None,
        voice=args.get("voice") or None,
        min_sources=args.get("min_sources") or None,
        related_to=args.get("related_to") or None,
        relation=args.get("relation") or None,
        corrected=args.get("corrected") or None,
        changed_since=changed_since,
        text=args.get("q") or None)


def parse(args, *, types=(), role_params=None, kind_table=None, entity=None, about=None, source=None):
    """The :class:`FactFilters` of a fact list's parsed ``args``, or the 422 of the first unusable
    value. ``role_params``: a typed list's ``{query parameter: role}``; ``kind_table``: the table
    of its ``kind=``; ``entity``/``source``: the entity or source whose facts the list is."""
    roles = []
    for param, role in (role_params or {}).items():
        values = args.get(param)
        if values:
            values = values if isinstance(values, list) else [values]
            require_entities(values, param)
            roles.extend((role, value) for value in values)
    if args.get("q") is not None:
        fts_or_422(args["q"])
    window_or_422(args)
    require_entities(args.get("entity") or [], "entity")
    require_source(args.get("source"))
    require_entities([args.get("attributed_to")], "attributed_to")
    require_fact(args.get("related_to"), "related_to")
    seq = release_seq_or_422(args["changed_since"], "changed_since") if args.get("changed_since") else None
    kinds = (kind_table, args["kind"]) if kind_table and args.get("kind") else None
    return from_args(args, types=types, roles=roles, kinds=kinds, entity=entity, about=about, source=source,
                     changed_since=seq)


def descending(args):
    """Whether the list is newest first (``sort=-date``)."""
    return args.get("sort") == "-date"

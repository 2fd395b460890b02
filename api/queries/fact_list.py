"""SQL of fact lists: filters, keyset pagination, and the choice of the driving index.

Every list is ordered by ``(sort_date, id)`` (``sort_date`` is the start of the fact's span,
``''`` when the span has no start). The query is driven by the most selective index that
also yields that order, so a page costs one index range scan whatever the table size:

- a role filter (``participant=``, ``lessee=``…) drives from ``fact_entities(entity_id, role, sort_date, fact_id, span_end)``
- an ``entity=`` filter drives from ``fact_entities(entity_id, sort_date, fact_id, span_end)``
- an event or statement ``kind=`` drives from ``events``/``statements(kind, sort_date, fact_id, span_end)``
- a single type drives from ``facts(type, sort_date, id, span_end)``, otherwise ``facts(sort_date, id, span_end)``.

The one exception is ``related_to=``: its matches are the few facts related to one fact, read
from ``fact_relations(other_id, type, fact_id)`` and sorted (a walk of every fact in order,
filtered by the relation, would read the whole list to find a handful).

**Date windows** (``from``/``to``/``valid_at``): a fact matches when its span
``[span_start, span_end]`` overlaps the window. ``span_end >= start`` says nothing about the
sort key by itself, so the list is cut into ranges of the sort key, each one index walk, in
order (:meth:`FactQuery.parts`; ``UNION ALL`` merges them without sorting):

1. the facts without a start (``sort_date = ''``);
2. the facts without an end that start before ``low`` (``span_end = '9999-12-31'``);
3. ``sort_date`` in ``[low, end of the window]``,

where ``low`` is the window's start minus the longest finite span of the dataset
(:func:`api.queries.windows.span_stats`): a fact with a finite span that starts before ``low`` ends before the
window. Most facts part 3 walks before the window's start end before it too (a dense entity has
a year of them when the longest span is a year); ``span_end >= start`` is tested on the driving
table's own ``span_end``, the last column of each driving index, so each costs one index step. Part 2 starts at the earliest start of an open-ended fact, and is left out when that
is not before ``low``.
"""
from factmodel.facts import FACT_COLUMNS
from factmodel.spans import OPEN_END, OPEN_START
from factmodel.vocabulary import ATTRIBUTED

from ..search.fts import fts_query
from .changes import CHANGED_FACT
from .windows import as_of_overlap, bounds, certain_as_of, days_before, overlap


def _roles(roles, alias):
    """`` AND alias.role IN (…)`` and its parameters, or nothing when ``roles`` is empty."""
    return (f" AND {alias}.role IN ({', '.join('?' * len(roles))})", list(roles)) if roles else ("", [])


def _certain_clause(window, as_of=None):
    clause, params = certain_as_of(window, as_of)
    return (clause, *params)


def sort_key(row):
    """The key a page's cursor resumes after."""
    return [row["sort_date"], row["id"]]


class FactQuery:
    def __init__(self, filters, *, descending=False, spans=None):
        """The SQL of the facts that :class:`api.filters.FactFilters` ``filters`` select, oldest
        first unless ``descending``; ``spans``: the dataset's :class:`SpanStats` (without them a
        window's start does not bound the sort key)."""
        f = filters
        self.filters = f
        self.where, self.params = [], []
        # window on the span; with ``bounded``, redundant bounds on the sort key make it index ranges
        self.start, self.end = f.window or (None, None)
        self.spans = spans
        self.bounded = True
        entities, roles, kinds = list(f.entities), list(f.roles), f.kinds
        if f.related_to:
            # the few facts related to one fact, by primary key, then sorted (see the module docstring)
            self.driver = "facts f"
            self.key = ("f.sort_date", "f.id")
            self._add("f.id IN (SELECT fact_id FROM fact_relations WHERE other_id = ?"
                      + (" AND type = ?)" if f.relation else ")"),
                      *[f.related_to, *([f.relation] if f.relation else [])])
        elif f.about:  # an entity's timeline: every fact it is in, any role (attributed too), once each
            self.driver = "fact_entities d JOIN facts f ON f.id = d.fact_id"
            self.key = ("d.sort_date", "d.fact_id")
            only, values = _roles(f.about_roles, "d")
            self._add(f"d.entity_id = ?{only}", f.about, *values)
            only2, values2 = _roles(f.about_roles, "d2")
            self._add("NOT EXISTS (SELECT 1 FROM fact_entities d2 WHERE d2.fact_id = d.fact_id "
                      f"AND d2.entity_id = d.entity_id AND d2.role < d.role{only2})", *values2)
        elif roles:
            role, eid = roles.pop(0)
            self.driver = "fact_entities d JOIN facts f ON f.id = d.fact_id"
            self.key = ("d.sort_date", "d.fact_id")
            self._add("d.entity_id = ? AND d.role = ?", eid, role)
        elif entities:
            self.driver = "fact_entities d JOIN facts f ON f.id = d.fact_id"
            self.key = ("d.sort_date", "d.fact_id")
            self._add(f"d.entity_id = ? AND d.role != '{ATTRIBUTED}'", entities.pop(0))
            # one row per fact even when the entity has several roles in it
            self._add("NOT EXISTS (SELECT 1 FROM fact_entities d2 WHERE d2.fact_id = d.fact_id "
                      f"AND d2.entity_id = d.entity_id AND d2.role < d.role AND d2.role != '{ATTRIBUTED}')")
        elif kinds:
            table, values = kinds
            self.driver = f"{table} d JOIN facts f ON f.id = d.fact_id"
            self.key = ("d.sort_date", "d.fact_id")
            self._add(f"d.kind IN ({', '.join('?' * len(values))})", *values)
            kinds = None
        else:
            self.driver = "facts f"
            self.key = ("f.sort_date", "f.id")
        for role, eid in roles:
            self._add("EXISTS (SELECT 1 FROM fact_entities r WHERE r.fact_id = f.id AND r.entity_id = ? AND r.role = ?)",
                      eid, role)
        if f.about and self.driver == "facts f":  # a timeline filtered by related_to: its entity as a clause
            only, values = _roles(f.about_roles, "a")
            self._add(f"EXISTS (SELECT 1 FROM fact_entities a WHERE a.fact_id = f.id AND a.entity_id = ?{only})",
                      f.about, *values)
        for eid in entities:
            self._add("EXISTS (SELECT 1 FROM fact_entities e WHERE e.fact_id = f.id AND e.entity_id = ? "
                      f"AND e.role != '{ATTRIBUTED}')", eid)
        if kinds:
            table, values = kinds
            self._add(f"EXISTS (SELECT 1 FROM {table} k WHERE k.fact_id = f.id AND k.kind IN "
                      f"({', '.join('?' * len(values))}))", *values)
        if f.types:
            self._add(f"f.type IN ({', '.join('?' * len(f.types))})", *f.types)
        if f.statuses:
            self._add(f"f.status IN ({', '.join('?' * len(f.statuses))})", *f.statuses)
        for sid in f.sources:
            self._add("EXISTS (SELECT 1 FROM citations c WHERE c.fact_id = f.id AND c.source_id = ?)", sid)
        if f.attributed_to:
            self._add("EXISTS (SELECT 1 FROM attributions a WHERE a.entity_id = ? AND a.fact_id = f.id)",
                      f.attributed_to)
        # voice and independent sources, from the citations (published by as_of, when given)
        by_then = (" AND c.published <= ?", [f.published_by]) if f.published_by else ("", [])
        if f.voice:
            self._add(f"{'' if f.voice == 'own' else 'NOT '}EXISTS (SELECT 1 FROM citations c WHERE c.fact_id = f.id "
                      f"AND c.voice = 'own'{by_then[0]})", *by_then[1])
        if f.min_sources:
            self._add(f"(SELECT count(DISTINCT c.origin) FROM citations c WHERE c.fact_id = f.id{by_then[0]}) >= ?",
                      *by_then[1], f.min_sources)
        if f.relation and not f.related_to:
            self._add("EXISTS (SELECT 1 FROM fact_relations t WHERE t.fact_id = f.id AND t.type = ?)", f.relation)
        if f.corrected:  # a fact a later fact corrects: an incoming corrects relation
            self._add(f"{'' if f.corrected == 'true' else 'NOT '}EXISTS (SELECT 1 FROM fact_relations k "
                      "WHERE k.fact_id = f.id AND k.type = 'corrects' AND k.direction = 'incoming')")
        if f.states_only:
            self._add("f.time_kind = 'state'")
        # the span overlaps the window; its start is tested on the driving table's copy of
        # span_end, the last column of its index: the facts the walk passes before the window's
        # start are rejected there, without reading their rows
        for clause, param in zip(*overlap(f.window, span_end=f"{self.key[0].split('.')[0]}.span_end")):
            self._add(clause, param)
        self.certain_at = None  # (clause index, parameter index) of the certain clause
        if f.certain:  # and matches it for certain, not only possibly (factmodel/certainty.py)
            self.certain_at = (len(self.where), len(self.params))
            self._add(*_certain_clause(f.window, f.published_by))
        if f.published_by:
            self._add("f.first_published <= ?", f.published_by)
            narrower = as_of_overlap(f.window, f.published_by)  # a state observed again, as known by then
            if narrower is not None:
                self._add(narrower[0], *narrower[1])
        if f.changed_since is not None:
            self._add(CHANGED_FACT, f.changed_since, f.changed_since)
        if f.text:
            self._add("f.id IN (SELECT s.ref_id FROM search_fts JOIN search s ON s.id = search_fts.rowid "
                      "WHERE search_fts MATCH ? AND s.kind = 'fact')", fts_query(f.text) or '""')
        self.descending = descending

    def possible_only(self):
        """``(sql, params)``: how many facts the filters select that match the window only
        possibly (the certain ones left out, the rest of the filters as they are)."""
        clause, params = certain_as_of(self.filters.window, self.filters.published_by)
        where, values = list(self.where), list(self.params)
        if self.certain_at is not None:  # the certain clause, turned round
            at, first = self.certain_at
            where[at], values[first:first + len(params)] = f"NOT {clause}", params
        else:
            where.append(f"NOT {clause}")
            values += params
        return f"SELECT count(*) FROM {self.driver} WHERE {' AND '.join(where)}", values

    def _add(self, clause, *params):
        self.where.append(clause)
        self.params.extend(params)

    def parts(self):
        """The ranges of the sort key the list is read in, in ascending order: ``[(low, high,
        clause)]`` with inclusive bounds (None: open) and a clause (or None) of the part alone.
        One range unless a window's start is given (see the module docstring)."""
        if not self.bounded:
            return [(None, None, None)]
        if self.start is None:
            return [(None, self.end, None)]
        if self.spans is None or self.spans.max_days is None and self.spans.open_end_low is None:
            return [(None, self.end, None)]  # nothing known (or no fact with a start): one walk
        found = [(OPEN_START, OPEN_START, None)]
        max_days, open_low = self.spans.max_days, self.spans.open_end_low
        low = None if max_days is None else days_before(self.start, max_days)
        if open_low is not None and (low is None or open_low < low):
            # the open-ended facts that start before ``low`` (``< low`` is ``<=`` the day before)
            high = days_before(low, 1) if low is not None else OPEN_END
            if self.end is not None:
                high = min(high, self.end)
            if open_low <= high:
                found.append((open_low, high, f"f.span_end = '{OPEN_END}'"))
        if low is not None and (self.end is None or low <= self.end):
            found.append((low, self.end, None))
        return found

    def _select(self, low, high, clause, after, columns):
        """One part's SELECT (without ORDER BY) and its parameters, or None when the cursor is past it."""
        where, params = list(self.where), list(self.params)
        if clause:
            where.append(clause)
        key = f"({self.key[0]}, {self.key[1]})"
        if after is not None:
            if self.descending:
                if low is not None and after[0] < low:
                    return None  # every row of the part comes before the cursor
                # SQLite seeks with one bound on each side: the tighter of the cursor and the range's
                if high is None or after[0] <= high:
                    where.append(f"{key} < (?, ?)")
                    params.extend(after)
                    high = None
            else:
                if high is not None and after[0] > high:
                    return None
                if low is None or after[0] >= low:
                    where.append(f"{key} > (?, ?)")
                    params.extend(after)
                    low = None
        clauses, values = bounds(self.key[0], low, self.key[0], high)
        where += clauses
        params += values
        sql = f"SELECT {columns} FROM {self.driver}" + (" WHERE " + " AND ".join(where) if where else "")
        return sql, params

    def sql(self, after=None, limit=None):
        """The SQL and parameters of the rows after the cursor key ``after``, ``limit`` of them."""
        if after is not None:
            after = [str(after[0]), str(after[1])]  # signed cursors hold strings; never compare others
        order = " DESC" if self.descending else ""
        parts = self.parts()
        compound = len(parts) > 1
        # a compound orders by its result columns: the key's, each part an ordered index walk
        # that the ORDER BY merges (MERGE (UNION ALL): no sort)
        columns = f"{FACT_COLUMNS}, {self.key[0]} AS key_date, {self.key[1]} AS key_id" if compound else FACT_COLUMNS
        selects = [s for s in (self._select(*part, after, columns) for part in parts) if s is not None]
        if not selects:  # the cursor is past every part: an empty page, still a valid query
            sql, params = self._select(*parts[0], None, columns)
            selects = [(sql + (" AND 0" if " WHERE " in sql else " WHERE 0"), params)]
        sql = " UNION ALL ".join(s for s, _ in selects)
        params = [p for _, ps in selects for p in ps]
        if compound:
            sql += f" ORDER BY key_date{order}, key_id{order}"
        else:
            sql += f" ORDER BY {self.key[0]}{order}, {self.key[1]}{order}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return sql, params

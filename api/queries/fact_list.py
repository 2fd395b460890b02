"""SQL of fact lists: filters, keyset pagination, and the choice of the driving index.

Every list is ordered by ``(sort_date, id)`` (``sort_date`` is the start of the fact's
date interval, ``''`` when undated). The query is driven by the most selective index that
also yields that order, so a page costs one index range scan whatever the table size:

- a role filter (``participant=``, ``lessee=``…) drives from ``fact_entities(entity_id, role, sort_date, fact_id)``
- an ``entity=`` filter drives from ``fact_entities(entity_id, sort_date, fact_id)``
- an event or statement ``kind=`` drives from ``events``/``statements(kind, sort_date, fact_id)``
- a single type drives from ``facts(type, sort_date, id)``, otherwise ``facts(sort_date, id)``.
"""
from factmodel.dates import date_range

from .fts import fts_query

FACT_COLUMNS = ("f.id, f.type, f.summary, f.date, f.date_precision, f.status, f.note, "
                "f.sort_date, f.attributes, f.entities, f.citations")


def sort_key(row):
    """The key a page's cursor resumes after."""
    return [row["sort_date"], row["id"]]

class FactQuery:
    def __init__(self, args, *, types=(), roles=(), kind=None, entity=None, source=None):
        """``roles``: ``[(role, entity_id), …]``; ``kind``: ``(table, [kinds])``;
        ``entity``/``source``: the entity or source a sub-collection belongs to."""
        self.where, self.params = [], []
        # redundant bounds on the sort key that turn a date filter into an index range (see sql())
        self.low = self.high = None
        entities = ([entity] if entity else []) + list(args.get("entity") or [])
        roles = list(roles)
        if roles:
            role, eid = roles.pop(0)
            self.driver = "fact_entities d JOIN facts f ON f.id = d.fact_id"
            self.key = ("d.sort_date", "d.fact_id")
            self._add("d.entity_id = ? AND d.role = ?", eid, role)
        elif entities:
            self.driver = "fact_entities d JOIN facts f ON f.id = d.fact_id"
            self.key = ("d.sort_date", "d.fact_id")
            self._add("d.entity_id = ?", entities.pop(0))
            # one row per fact even when the entity has several roles in it
            self._add("NOT EXISTS (SELECT 1 FROM fact_entities d2 WHERE d2.fact_id = d.fact_id "
                      "AND d2.entity_id = d.entity_id AND d2.role < d.role)")
        elif kind and kind[1]:
            table, kinds = kind
            self.driver = f"{table} d JOIN facts f ON f.id = d.fact_id"
            self.key = ("d.sort_date", "d.fact_id")
            self._add(f"d.kind IN ({', '.join('?' * len(kinds))})", *kinds)
            kind = None
        else:
            self.driver = "facts f"
            self.key = ("f.sort_date", "f.id")
        for role, eid in roles:
            self._add("EXISTS (SELECT 1 FROM fact_entities r WHERE r.fact_id = f.id AND r.entity_id = ? AND r.role = ?)",
                      eid, role)
        for eid in entities:
            self._add("EXISTS (SELECT 1 FROM fact_entities e WHERE e.fact_id = f.id AND e.entity_id = ?)", eid)
        if kind and kind[1]:
            table, kinds = kind
            self._add(f"EXISTS (SELECT 1 FROM {table} k WHERE k.fact_id = f.id AND k.kind IN "
                      f"({', '.join('?' * len(kinds))}))", *kinds)
        types = list(types)
        if types:
            self._add(f"f.type IN ({', '.join('?' * len(types))})", *types)
        if args.get("status"):
            self._add(f"f.status IN ({', '.join('?' * len(args['status']))})", *args["status"])
        if source or args.get("source"):
            for sid in {s for s in (source, args.get("source")) if s}:
                self._add("EXISTS (SELECT 1 FROM citations c WHERE c.fact_id = f.id AND c.source_id = ?)", sid)
        if args.get("from_"):
            start = date_range(args["from_"])[0]
            self._add("f.date_end >= ?", start)
            # A fact's interval is one calendar day, month or year, so one that ends on or after
            # ``start`` begins on 1 January of ``start``'s year at the earliest.
            self.low = start[:4] + "-01-01"
        if args.get("to"):
            end = date_range(args["to"])[1]
            self._add("f.date_start <= ?", end)
            self.high = end
        if args.get("as_of"):
            self._add("f.first_published <= ?", date_range(args["as_of"])[1])
        if args.get("q"):
            self._add("f.id IN (SELECT s.ref_id FROM search_fts JOIN search s ON s.id = search_fts.rowid "
                      "WHERE search_fts MATCH ? AND s.kind = 'fact')", fts_query(args["q"]) or '""')
        self.descending = args.get("sort") == "-date"

    def _add(self, clause, *params):
        self.where.append(clause)
        self.params.extend(params)

    def sql(self, after=None, limit=None):
        where, params = list(self.where), list(self.params)
        low, high = self.low, self.high
        if after is not None:
            # SQLite seeks with one lower (upper) bound on the key, so only the tighter of the
            # cursor and the date bound is given: else a deep page would scan from the start of
            # the date range (or from a cursor that lies before it).
            bound = high if self.descending else low
            if bound is None or not isinstance(after[0], str) or (
                    after[0] <= bound if self.descending else after[0] >= bound):
                where.append(f"({self.key[0]}, {self.key[1]}) {'<' if self.descending else '>'} (?, ?)")
                params.extend(after)
                if self.descending:
                    high = None
                else:
                    low = None
        if low is not None:
            where.append(f"{self.key[0]} >= ?")
            params.append(low)
        if high is not None:
            where.append(f"{self.key[0]} <= ?")
            params.append(high)
        order = " DESC" if self.descending else ""
        sql = (f"SELECT {FACT_COLUMNS} FROM {self.driver}"
               + (" WHERE " + " AND ".join(where) if where else "")
               + f" ORDER BY {self.key[0]}{order}, {self.key[1]}{order}")
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return sql, params

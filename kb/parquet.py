"""The Parquet downloads (issue 32; docs/downloads.md): ``facts.parquet``, ``citations.parquet``
and ``entities.parquet``, written by ``kb build`` beside the dump (kb/artifacts.py) from the
database it just wrote, for pandas, DuckDB, Polars or Spark to load directly.

Each file is written in row groups of :data:`ROW_GROUP` rows (5,000: +105 MB of peak at 100k facts
against +220 MB with 20,000), read from SQLite a batch at a time,
so memory is bounded by one group whatever the size of the dataset. The values are the API's:
a fact's row is what ``GET /v1/facts/{id}`` serves (factmodel/facts.py, as the dump), flattened
where a column is handier than a nested object (``time`` becomes ``time_*`` columns; the
citations get a file of their own, one row per citation, keyed by ``fact_id`` and ``position``).
The schema is fixed here (:data:`FACTS`, :data:`CITATIONS`, :data:`ENTITIES`), so an empty batch
or a column null in every row keeps its type; columns added later go last. Zstandard
compression; the bytes are a function of the rows and of the pyarrow version.
"""
import sqlite3

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from factmodel.facts import FACT_COLUMNS, generic

ROW_GROUP = 5_000
_STR, _INT, _BOOL = pa.string(), pa.int64(), pa.bool_()
# the keys of a fact's ``time`` (factmodel/facts.py), each a ``time_<key>`` column
TIME_KEYS = ("kind", "date", "precision", "date_inferred", "not_before", "not_before_basis", "not_after",
             "not_after_basis", "valid_from", "valid_from_basis", "valid_until", "valid_until_basis", "ended_before",
             "ended_before_basis", "expected_not_before", "expected_not_before_basis", "expected_not_after",
             "expected_not_after_basis")
PART_KEYS = ("date_part", "not_before_part", "not_after_part", "valid_from_part", "valid_until_part",
             "expected_not_before_part", "expected_not_after_part")
FACTS = pa.schema([
    ("id", _STR), ("type", _STR), ("summary", _STR), ("date", _STR), ("date_precision", _STR), ("status", _STR),
    ("note", _STR),
    *((f"time_{key}", _BOOL if key == "date_inferred" else _STR) for key in TIME_KEYS),
    ("attributes", _STR),  # the type's own fields, as JSON text (their shape differs by type)
    ("entities", pa.list_(pa.struct([("id", _STR), ("role", _STR)]))),
    ("relations", pa.list_(pa.struct([("type", _STR), ("fact", _STR), ("direction", _STR)]))),
    ("independent_sources", _INT), ("conflicts_with", pa.list_(_STR)), ("voice", _STR), ("citation_count", _INT),
    # since 1.10.0 (issue 31), last: corrections, a state's observations, the parts of a month
    ("corrected_by", pa.list_(_STR)),
    ("time_observations", pa.list_(pa.struct([("date", _STR), ("source", _STR)]))),
    *((f"time_{key}", _STR) for key in PART_KEYS),
])
CITATIONS = pa.schema([
    ("fact_id", _STR), ("position", _INT), ("source", _STR), ("publisher", _STR), ("title", _STR),
    ("published", _STR), ("quote", _STR), ("start", _INT), ("end", _INT),
    ("attribution", pa.list_(pa.struct([("relation", _STR), ("entity", _STR)]))), ("origin", _STR), ("voice", _STR),
])
ENTITIES = pa.schema([
    ("id", _STR), ("type", _STR), ("name", _STR), ("aliases", pa.list_(_STR)), ("description", _STR),
    ("fact_count", _INT), ("fact_counts", pa.map_(_STR, _INT)),  # facts per role, as the API's object
])


def _fact_row(fact):
    time = fact["time"] or {}
    row = {key: fact[key] for key in ("id", "type", "summary", "date", "date_precision", "status", "note")}
    row.update({f"time_{key}": time.get(key) for key in TIME_KEYS})
    row.update(attributes=orjson.dumps(fact["attributes"]).decode(),
               entities=[{"id": e["id"], "role": e["role"]} for e in fact["entities"]],
               relations=[{k: r.get(k) for k in ("type", "fact", "direction")} for r in fact["relations"]],
               independent_sources=fact["independent_sources"], conflicts_with=fact["conflicts_with"],
               voice=fact["voice"], citation_count=len(fact["citations"]),
               corrected_by=fact.get("corrected_by") or [],
               time_observations=[{"date": o["date"], "source": o["source"]} for o in time.get("observations") or []])
    row.update({f"time_{key}": time.get(key) for key in PART_KEYS})
    return row


def _citation_rows(fact):
    for position, c in enumerate(fact["citations"]):
        row = {"fact_id": fact["id"], "position": position}
        row.update({name: c.get(name) for name in CITATIONS.names[2:]})
        row["attribution"] = [{"relation": a["relation"], "entity": a["entity"]} for a in c.get("attribution") or []]
        yield row


def _entity_row(row):
    counts = orjson.loads(row["fact_counts"] or "{}")
    return {"id": row["id"], "type": row["type"], "name": row["name"], "aliases": orjson.loads(row["aliases"]),
            "description": row["description"], "fact_count": row["fact_count"],
            "fact_counts": list(counts.items())}


# Columns of long free text: no min/max statistics (nobody prunes row groups by a quote, and the
# writer keeps every group's min and max until the file is closed: +54 MB of peak at 1M facts)
LONG_TEXT = frozenset({"summary", "note", "attributes", "quote", "title", "description"})


def leaf_paths(name, kind):
    """The Parquet column paths of an Arrow field (``entities.list.element.id``): what statistics
    are written for."""
    if pa.types.is_map(kind):
        yield from leaf_paths(f"{name}.key_value.key", kind.key_type)
        yield from leaf_paths(f"{name}.key_value.value", kind.item_type)
    elif pa.types.is_list(kind):
        yield from leaf_paths(f"{name}.list.element", kind.value_type)
    elif pa.types.is_struct(kind):
        for field in kind:
            yield from leaf_paths(f"{name}.{field.name}", field.type)
    else:
        yield name


def with_statistics(schema):
    return [path for field in schema if field.name not in LONG_TEXT for path in leaf_paths(field.name, field.type)]


class _Writer:
    """A Parquet file written a row group at a time."""

    def __init__(self, path, schema):
        self.schema, self.rows = schema, []
        self.writer = pq.ParquetWriter(str(path), schema, compression="zstd",
                                       write_statistics=with_statistics(schema))

    def add(self, row):
        self.rows.append(row)
        if len(self.rows) >= ROW_GROUP:
            self.flush()

    def flush(self):
        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema), row_group_size=ROW_GROUP)
            self.rows = []

    def close(self):
        self.flush()
        self.writer.close()


def write(conn, paths):
    """Write the three files of the database open on ``conn`` to ``paths`` (``{download name: path}``):
    the facts in the order of ``GET /v1/facts`` (date, then id), their citations in the same order,
    the entities by id (the ``unnamed`` too, as ``/v1/entities?type=unnamed`` lists them)."""
    facts, citations = _Writer(paths["facts.parquet"], FACTS), _Writer(paths["citations.parquet"], CITATIONS)
    cursor = conn.cursor()
    cursor.row_factory = sqlite3.Row
    cursor.execute(f"SELECT {FACT_COLUMNS} FROM facts f ORDER BY f.sort_date, f.id")
    while rows := cursor.fetchmany(1000):
        for row in rows:
            fact = generic(row)
            facts.add(_fact_row(fact))
            for citation in _citation_rows(fact):
                citations.add(citation)
    facts.close()
    citations.close()
    entities = _Writer(paths["entities.parquet"], ENTITIES)
    cursor.execute("SELECT id, type, name, aliases, description, fact_count, fact_counts FROM entities ORDER BY id")
    while rows := cursor.fetchmany(1000):
        for row in rows:
            entities.add(_entity_row(row))
    entities.close()
    cursor.close()

"""The tables ``kb build`` writes (described column by column in ``docs/database.md``):
their DDL (with sqlite-utils), their indexes, and the column order rows are inserted in."""
from factmodel.vocabulary import FACT_TYPES, TYPE_FIELDS


FTS_TOKENIZE = "unicode61 remove_diacritics 2"
TYPED_TABLES = {name: ftype.table for name, ftype in FACT_TYPES.items()}  # fact type -> its table


def _integer(spec):
    """Whether a field holds a whole number (``type: integer``, or an integer or null)."""
    return spec.get("type") == "integer" or any(alt.get("type") == "integer" for alt in spec.get("anyOf", ()))


def create_tables(db):
    db["meta"].create({"key": str, "value": str}, pk="key", not_null=["value"])
    db["sources"].create(
        {"id": str, "title": str, "publisher": str, "published": str, "url": str, "language": str,
         "note": str, "text": str, "fact_count": int, "republish": int},
        pk="id", not_null=["title", "publisher", "published", "language", "text", "fact_count", "republish"],
        defaults={"fact_count": 0, "republish": 0},
    )
    db["entities"].create(
        {"id": str, "type": str, "name": str, "aliases": str, "description": str, "fact_count": int, "fact_counts": str},
        pk="id", not_null=["type", "name", "aliases", "description", "fact_count", "fact_counts"],
        defaults={"fact_count": 0, "fact_counts": "{}"},
    )
    db["facts"].create(
        {"id": str, "type": str, "summary": str, "date": str, "date_precision": str, "date_start": str,
         "date_end": str, "sort_date": str, "status": str, "first_published": str, "note": str,
         "attributes": str, "entities": str, "citations": str, "time_kind": str, "time": str, "span_start": str,
         "span_end": str, "relations": str, "whole_start": str, "whole_end": str, "held_start": str, "held_end": str,
         "voice": str},
        pk="id",
        not_null=["type", "summary", "sort_date", "status", "first_published", "attributes", "entities", "citations",
                  "time_kind", "time", "span_start", "span_end", "relations"],
    )
    db["citations"].create(
        {"fact_id": str, "ord": int, "source_id": str, "quote": str, "start": int, "end": int, "published": str,
         "origin": str, "voice": str},
        pk=("fact_id", "ord"), not_null=["source_id", "quote", "start", "end", "published", "origin", "voice"],
        foreign_keys=[("fact_id", "facts", "id"), ("source_id", "sources", "id")],
    )
    db["fact_relations"].create(
        {"fact_id": str, "type": str, "other_id": str, "direction": str},
        pk=("fact_id", "type", "other_id", "direction"),
        foreign_keys=[("fact_id", "facts", "id"), ("other_id", "facts", "id")],
    )
    db["attributions"].create(
        {"fact_id": str, "citation": int, "link": int, "relation": str, "entity_id": str, "report_fact_id": str},
        pk=("fact_id", "citation", "link"), not_null=["relation"],
        foreign_keys=[("fact_id", "facts", "id"), ("entity_id", "entities", "id"), ("report_fact_id", "facts", "id")],
    )
    db["redirects"].create({"old_id": str, "kind": str, "new_id": str}, pk="old_id", not_null=["kind", "new_id"])
    db["fact_entities"].create(
        {"fact_id": str, "entity_id": str, "role": str, "type": str, "sort_date": str, "span_end": str},
        pk=("fact_id", "entity_id", "role"), not_null=["type", "sort_date", "span_end"],
        foreign_keys=[("fact_id", "facts", "id"), ("entity_id", "entities", "id")],
    )
    for ftype in FACT_TYPES.values():  # one table per fact type, its columns from the vocabulary
        columns = {"fact_id": str, **{f.name: int if _integer(f.spec) else str for f in ftype.fields},
                   "sort_date": str, "span_end": str}
        not_null = [f.name for f in ftype.fields if f.required and not f.nullable] + ["sort_date", "span_end"]
        foreign_keys = [("fact_id", "facts", "id")] + [
            (f.name, "entities", "id") for f in ftype.fields if f.role and not f.many]
        if "responds_to" in columns:
            foreign_keys.append(("responds_to", "facts", "id"))
        db[ftype.table].create(columns, pk="fact_id", not_null=not_null, foreign_keys=foreign_keys)
    # a state observed again: its extent as known by an earlier day (as_of): kb/time_rules.py as_of_views
    db["fact_extents"].create(
        {"fact_id": str, "known_from": str, "known_until": str, "span_start": str, "span_end": str,
         "whole_start": str, "whole_end": str, "held_start": str, "held_end": str},
        pk=("fact_id", "known_from"), not_null=["known_until", "span_start", "span_end"],
        foreign_keys=[("fact_id", "facts", "id")],
    )
    db["search"].create(
        {"id": int, "kind": str, "ref_id": str, "title": str, "body": str, "names": str},
        pk="id", not_null=["kind", "ref_id", "title", "body", "names"],
    )


def create_indexes(db):
    # The indexes a fact list is driven by (api/queries/fact_list.py) end with ``span_end``: a date
    # window's ``span_end >= start`` is then tested on the index entry, and the facts a window's
    # walk passes before its start cost an index step each, not a row read.
    db["facts"].create_index(["sort_date", "id", "span_end"])
    db["facts"].create_index(["type", "sort_date", "id", "span_end"])
    db["facts"].create_index(["status", "sort_date", "id"])
    db["citations"].create_index(["source_id", "fact_id"])
    db["fact_relations"].create_index(["other_id", "type", "fact_id"])
    db["attributions"].create_index(["entity_id", "fact_id"])
    db["fact_entities"].create_index(["entity_id", "sort_date", "fact_id", "span_end", "role"])
    db["fact_entities"].create_index(["entity_id", "role", "sort_date", "fact_id", "span_end"])
    db["entities"].create_index(["type", "id"])
    for table in TYPED_TABLES.values():
        db[table].create_index(["sort_date", "fact_id"])
    for ftype in FACT_TYPES.values():  # the typed lists' kind= filter (events, statements)
        if "kind" in ftype.field_names:
            db[ftype.table].create_index(["kind", "sort_date", "fact_id", "span_end"])
    db["search"].create_index(["kind", "ref_id"], unique=True)


FACT_COLUMNS = ["id", "type", "summary", "date", "date_precision", "date_start", "date_end", "sort_date", "status",
                "first_published", "note", "attributes", "entities", "citations", "time_kind", "time", "span_start",
                "span_end", "relations", "whole_start", "whole_end", "held_start", "held_end", "voice"]
COLUMNS = {
    "facts": FACT_COLUMNS,
    "citations": ["fact_id", "ord", "source_id", "quote", "start", "end", "published", "origin", "voice"],
    "fact_relations": ["fact_id", "type", "other_id", "direction"],
    "attributions": ["fact_id", "citation", "link", "relation", "entity_id", "report_fact_id"],
    "redirects": ["old_id", "kind", "new_id"],
    "fact_entities": ["fact_id", "entity_id", "role", "type", "sort_date", "span_end"],
    "search": ["id", "kind", "ref_id", "title", "body", "names"],
    "fact_extents": ["fact_id", "known_from", "known_until", "span_start", "span_end", "whole_start", "whole_end",
                     "held_start", "held_end"],
    **{table: ["fact_id", "sort_date", "span_end", *TYPE_FIELDS[ftype]] for ftype, table in TYPED_TABLES.items()},
}


# tables a build may meet a row twice in before its checks fail it (a relation listed both ways
# round is two rows; a repeated former id is a problem reported at the end of the build)
OR_IGNORE = {"fact_relations", "redirects"}


def insert_sql(table):
    columns = COLUMNS[table]
    return f"INSERT {'OR IGNORE ' if table in OR_IGNORE else ''}INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({', '.join('?' * len(columns))})"

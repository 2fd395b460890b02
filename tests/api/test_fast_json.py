"""The hot views build their JSON themselves (``api.http.json.json_response``) instead of letting
flask-smorest dump it through the documented marshmallow schema: the bytes must be exactly
what the schema dump gave (same keys, same order, same values), for every fact."""
import orjson
import pytest

from api.shapes.fact_dumpers import typed
from api.shapes.facts import TYPE_PATHS, TYPED_SCHEMAS, FactBaseSchema, FactSchema
from factmodel.corroboration import citation_voice, conflicts_with, independent_sources
from factmodel.facts import BASE_KEYS, FACT_COLUMNS, GENERIC_KEYS, OPTIONAL_KEYS, generic


def _corrected_by(relations):  # issue 31: the incoming corrects relations
    return [r["fact"] for r in relations if (r["type"], r["direction"]) == ("corrects", "incoming")]


def _citations(row, as_of=None):
    return [c for c in orjson.loads(row["citations"]) if as_of is None or c["published"] <= as_of]


def _reference_generic(row, as_of=None):
    """The shape as the views built it before, for the schema to dump."""
    fact = {key: row[key] for key in ("id", "type", "summary", "date", "date_precision", "status", "note")}
    fact["time"] = orjson.loads(row["time"])
    fact["attributes"] = orjson.loads(row["attributes"])
    fact["entities"] = orjson.loads(row["entities"])
    fact["citations"] = _citations(row, as_of)
    fact["relations"] = orjson.loads(row["relations"])
    fact["independent_sources"] = independent_sources(fact["citations"])  # issue 16
    fact["conflicts_with"] = conflicts_with(fact["relations"])
    fact["voice"] = _voice(row, fact["citations"])
    fact["links"] = {"self": f"/v1/facts/{row['id']}", "typed": f"/v1/{TYPE_PATHS[row['type']]}/{row['id']}",
                     "history": f"/v1/facts/{row['id']}/history"}
    fact["corrected_by"] = _corrected_by(fact["relations"])
    return fact


def _voice(row, citations):
    """The fact's voice from its citations' chains (factmodel.corroboration), not their stored voice."""
    attributes = orjson.loads(row["attributes"])
    speaker = attributes.get("speaker") if row["type"] == "statement" else None
    return "own" if any(citation_voice(c, speaker) == "own" for c in citations) else "attributed"


def _reference_typed(row, as_of=None):
    fact = {key: row[key] for key in ("id", "type", "summary", "date", "date_precision", "status", "note")}
    fact["time"] = orjson.loads(row["time"])
    fact.update(orjson.loads(row["attributes"]))
    fact["entities"] = orjson.loads(row["entities"])
    fact["citations"] = _citations(row, as_of)
    fact["relations"] = orjson.loads(row["relations"])
    fact["independent_sources"] = independent_sources(fact["citations"])  # issue 16
    fact["conflicts_with"] = conflicts_with(fact["relations"])
    fact["voice"] = _voice(row, fact["citations"])
    fact["links"] = {"self": f"/v1/{TYPE_PATHS[row['type']]}/{row['id']}", "fact": f"/v1/facts/{row['id']}",
                     "history": f"/v1/facts/{row['id']}/history"}
    fact["corrected_by"] = _corrected_by(fact["relations"])
    return fact


@pytest.fixture(scope="module")
def rows(db_rows):
    return db_rows(f"SELECT {FACT_COLUMNS} FROM facts f ORDER BY f.id")


def test_the_shared_keys_are_the_documented_schemas():
    """factmodel/facts.py spells the keys out (no marshmallow at build time): the schemas' own."""
    assert GENERIC_KEYS == tuple(k for k in FactSchema().fields if k not in OPTIONAL_KEYS)
    assert BASE_KEYS == tuple(k for k in FactBaseSchema().fields if k not in OPTIONAL_KEYS)
    assert set(OPTIONAL_KEYS) <= set(FactBaseSchema().fields)


def test_every_type_is_in_the_test_database(rows):
    assert {row["type"] for row in rows} == set(TYPE_PATHS)


def test_common_shape_is_the_schema_dump(rows):
    schema = FactSchema()
    for row in rows:
        assert orjson.dumps(generic(row)) == orjson.dumps(schema.dump(_reference_generic(row))), row["id"]


def test_typed_shape_is_the_schema_dump(rows):
    for row in rows:
        schema = TYPED_SCHEMAS[row["type"]]()
        assert orjson.dumps(typed(row)) == orjson.dumps(schema.dump(_reference_typed(row))), row["id"]


def test_as_of_shapes_are_the_schema_dumps(rows):
    """With ``as_of``, the dumpers leave out the later citations exactly as the schema dump of
    the filtered fact would."""
    generic_schema = FactSchema()
    days = sorted({c["published"] for row in rows for c in orjson.loads(row["citations"])})
    for as_of in days[::max(1, len(days) // 5)]:
        for row in rows:
            assert orjson.dumps(generic(row, as_of=as_of)) == \
                orjson.dumps(generic_schema.dump(_reference_generic(row, as_of))), (row["id"], as_of)
            assert orjson.dumps(typed(row, as_of=as_of)) == \
                orjson.dumps(TYPED_SCHEMAS[row["type"]]().dump(_reference_typed(row, as_of))), (row["id"], as_of)


def test_served_bodies_are_the_schema_dumps(client, rows):
    from api.http.pagination import window_page_of

    for row in rows[:10]:
        got = client.get(f"/v1/facts/{row['id']}")
        assert got.status_code == 200 and got.mimetype == "application/json"
        assert got.data == orjson.dumps(FactSchema().dump(_reference_generic(row)))
        got = client.get(f"/v1/{TYPE_PATHS[row['type']]}/{row['id']}")
        assert got.data == orjson.dumps(TYPED_SCHEMAS[row["type"]]().dump(_reference_typed(row)))
    page = client.get("/v1/facts?limit=5").get_json()
    expected = window_page_of(FactSchema, "Page")().dump(
        {"data": [_reference_generic(r) for r in sorted(rows, key=lambda r: (r["sort_date"], r["id"]))[:5]],
         "next_cursor": page["next_cursor"], "possible_matches": 0})  # no window: nothing left out
    assert page == expected


def test_item_views_are_called_without_their_layers(app, client, rows):
    """Items are doc_only views (api.blueprint.doc_only): the registered view is the declared
    function itself, with no flask-smorest layer; same answers for GET, HEAD, 404."""
    from api.resources import TYPED, facts

    items = {"facts.get_fact": facts.get_fact,
             **{f"{module.blp.name}.get_{name}": getattr(module, f"get_{name}") for name, module in TYPED.items()}}
    assert {endpoint: app.view_functions[endpoint] for endpoint in items} == items
    assert not any(hasattr(view, "__wrapped__") for view in items.values())
    row = rows[0]
    for path in [f"/v1/facts/{row['id']}", f"/v1/{TYPE_PATHS[row['type']]}/{row['id']}"]:
        get, head = client.get(path), client.head(path)
        assert head.status_code == 200 and head.data == b""
        assert {k: v for k, v in head.headers if k != "X-Request-Id"} == \
               {k: v for k, v in get.headers if k != "X-Request-Id"}
    missing = client.get("/v1/meetings/no-such-meeting")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert missing.get_json()["detail"] == "No meeting with id 'no-such-meeting'."
    wrong_type = client.get(f"/v1/{next(p for t, p in TYPE_PATHS.items() if t != row['type'])}/{row['id']}")
    assert wrong_type.status_code == 404

"""A fact type added to schema/facts.schema.json alone, with no other edit (no Python, no table
list), is validated, built, served at its collection path with list and item routes, filterable
by its roles, answers ``valid_at`` as the state it is by default (``x-time-kind``) and is in the
served spec (README, "Adding a fact type"); a relation type added beside it is a value of
``relation=``.

The scratch copy holds only ``schema/`` and the seeds; the project's code runs on it through
``KB_SCHEMA_DIR`` (factmodel.vocabulary reads it at import, so the run is a process of its own).
"""
import json
import os
import shutil
import subprocess
import sys
import textwrap

from support import ROOT, SEEDS

# a state type (x-time-kind) with a list role filtered under another name than its field
# (x-filter: units -> unit=) and a single role filtered under its role's name by default (base=)
GARRISON = {
    "x-time-kind": "state",
    "x-collection": {"path": "garrisons", "name": "Garrison", "plural": "Garrisons",
                     "description": "Garrisons: whose units hold which base, as of when",
                     "example": "scratch-russian-garrison-2023"},
    "required": ["units", "base"],
    "additionalProperties": False,
    "properties": {
        "units": {"description": "Entity ids of the units (or their countries)", "examples": [["russia"]],
                  "x-role": "unit", "x-filter": {"param": "unit", "description": "Only garrisons of all of these",
                                                 "example": "russia"},
                  "$ref": "#/$defs/refs"},
        "base": {"description": "Entity id of the base", "examples": ["tartus-port"], "x-role": "base",
                 "$ref": "#/$defs/ref"},
        "strength": {"description": "How many troops, null when not given", "examples": [1200],
                     "anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
    },
}
SOURCE_ID = "scratch-garrisons-2023-05-10"
TEXT = ("FICTIONAL ARTICLE, WRITTEN FOR A TEST SUITE ONLY.\n\n"
        "Russian forces have garrisoned the port of Tartus since March 2023, the ministry said on Wednesday. "
        "Syrian army units also hold positions around the port, it added.\n")
SOURCE = f"""id: {SOURCE_ID}
title: Scratch garrisons
publisher: Scratch Gazette
published: "2023-05-10"
url: null
language: en
"""
FACTS = f"""facts:
  - id: scratch-russian-garrison-2023
    type: garrison
    summary: Russian forces have garrisoned the port of Tartus since March 2023.
    date: "2023-05-10"
    date_precision: day
    status: stated
    valid_from: "2023-03"
    units: [russia]
    base: tartus-port
    strength: null
    citations:
      - source: {SOURCE_ID}
        quote: Russian forces have garrisoned the port of Tartus since March 2023
  - id: scratch-syrian-garrison-2023
    type: garrison
    summary: Syrian army units hold positions around the port of Tartus.
    date: "2023-05-10"
    date_precision: day
    status: stated
    units: [syria]
    base: tartus-port
    relations:
      - type: garrisons_beside
        fact: scratch-russian-garrison-2023
    citations:
      - source: {SOURCE_ID}
        quote: Syrian army units also hold positions around the port
"""
RUN = textwrap.dedent('''
    import json
    from kb.cli import validate
    from kb.build import build
    from api.app import create_app

    seeds, problems = validate("seeds")
    assert not problems, problems
    build("seeds", "kb.sqlite", progress=False)
    client = create_app({"KB_DB": "kb.sqlite", "TESTING": True}).test_client()

    def ids(url):
        answer = client.get(url)
        assert answer.status_code == 200, (url, answer.status_code, answer.get_data(as_text=True))
        return sorted(item["id"] for item in answer.get_json()["data"])

    item = client.get("/v1/garrisons/scratch-russian-garrison-2023")
    spec = client.get("/openapi.json").get_json()
    print(json.dumps({
        "all": ids("/v1/garrisons"),
        "unit": ids("/v1/garrisons?unit=russia"),
        "base": ids("/v1/garrisons?base=tartus-port"),
        "inside": ids("/v1/garrisons?valid_at=2023-04-15"),
        "before": ids("/v1/garrisons?valid_at=2023-01-15"),
        "facts_type": ids("/v1/facts?type=garrison&valid_at=2023-04-15"),
        "item": [item.status_code, item.get_json()],
        "relation": ids("/v1/facts?relation=garrisons_beside"),
        "wrong_type": client.get("/v1/meetings/scratch-russian-garrison-2023").status_code,
        "unknown_unit": client.get("/v1/garrisons?unit=no-such-entity").status_code,
        "operations": {path: {method: op["operationId"] for method, op in ops.items() if method != "parameters"}
                       for path, ops in spec["paths"].items() if path.startswith("/v1/garrisons")},
        "parameters": [p["name"] for p in spec["paths"]["/v1/garrisons"]["get"]["parameters"]],
        "item_example": spec["paths"]["/v1/garrisons/{fact_id}"]["parameters"][0].get("example"),
        "schema": sorted(spec["components"]["schemas"]["Garrison"]["properties"]),
    }))
''')


def scratch(tmp_path):
    """``schema/`` and the seeds copied to ``tmp_path``, the type added to the copy's facts schema
    alone, and an article with two facts of it added to the copy's seeds."""
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    shutil.copytree(SEEDS, tmp_path / "seeds")
    path = tmp_path / "schema" / "facts.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    defs = schema["$defs"]
    defs["fact"]["properties"]["type"]["enum"].append("garrison")
    defs["relation"]["properties"]["type"]["enum"].append("garrisons_beside")  # a relation type, too
    defs["fact"]["allOf"].append({"if": {"properties": {"type": {"const": "garrison"}}, "required": ["type"]},
                                  "then": {"$ref": "#/$defs/garrison"}})
    common = {name: {"$ref": f"#/$defs/common/{name}"} for name in defs["common"]}
    defs["garrison"] = {**GARRISON, "properties": {**common, "type": {"const": "garrison"}, **GARRISON["properties"]}}
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    (tmp_path / "seeds" / "sources" / f"{SOURCE_ID}.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "seeds" / "sources" / f"{SOURCE_ID}.yaml").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "seeds" / "facts" / f"{SOURCE_ID}.yaml").write_text(FACTS, encoding="utf-8")


def test_a_state_type_added_to_the_json_schema_alone_is_validated_built_served_filtered_and_documented(tmp_path):
    scratch(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KB_SCHEMA_DIR": str(tmp_path / "schema")}
    run = subprocess.run([sys.executable, "-c", RUN], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout.strip().splitlines()[-1])
    both = ["scratch-russian-garrison-2023", "scratch-syrian-garrison-2023"]
    assert got["all"] == both and got["base"] == both
    assert got["unit"] == ["scratch-russian-garrison-2023"]  # the role filter narrows
    assert got["unknown_unit"] == 422  # it names an entity, like every role filter
    # a state by default (x-time-kind): valid from March 2023 to its observation (2023-05-10)
    assert "scratch-russian-garrison-2023" in got["inside"] and "scratch-russian-garrison-2023" in got["facts_type"]
    assert "scratch-russian-garrison-2023" not in got["before"]
    status, item = got["item"]
    assert status == 200 and item["type"] == "garrison" and item["units"] == ["russia"]
    assert item["base"] == "tartus-port" and item["strength"] is None and item["time"]["kind"] == "state"
    assert {(e["id"], e["role"]) for e in item["entities"]} == {("russia", "unit"), ("tartus-port", "base")}
    assert got["wrong_type"] == 404
    assert "scratch-syrian-garrison-2023" in got["relation"]  # relation= takes the schema's relation types
    assert got["operations"] == {"/v1/garrisons": {"get": "listGarrisons"},
                                 "/v1/garrisons/{fact_id}": {"get": "getGarrison"}}
    assert {"unit", "base", "valid_at"} <= set(got["parameters"])
    assert got["item_example"] == "scratch-russian-garrison-2023"
    assert {"units", "base", "strength", "time"} <= set(got["schema"])

"""The API's fact vocabulary is factmodel.vocabulary's: every fact type has its resource, every
role its filter, every kind its choice; and a kind or a field added to schema/facts.schema.json
alone reaches the build, the API's filters and the spec."""
import json
import os
import shutil
import subprocess
import sys
import textwrap

from factmodel import vocabulary

from support import ROOT  # noqa: E402


def test_every_fact_type_has_a_collection_and_an_item_route(app):
    from api.resources import TYPED

    rules = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules()}
    for name, ftype in vocabulary.FACT_TYPES.items():
        module = TYPED[name]
        assert module.TYPE is ftype and module.blp.url_prefix == f"/v1/{ftype.path}" and module.blp.name == ftype.path
        assert rules[f"/v1/{ftype.path}"].startswith(f"{ftype.path}.")
        assert rules[f"/v1/{ftype.path}/<slug:fact_id>"] == f"{ftype.path}.get_{name}"


def test_every_role_is_reachable_and_every_kind_is_a_choice():
    from api.params import CommonFactArgs
    from api.resources import TYPED

    assert "entity" in CommonFactArgs().fields  # entity= matches an entity in any role
    for name, ftype in vocabulary.FACT_TYPES.items():
        module = TYPED[name]
        filters = module.FILTERS
        args = module.Args
        assert set(filters) <= set(args().fields), name
        assert set(filters.values()) <= {role for _, role in ftype.role_fields}, name
        # every role has a filter of its own on its type's resource, but a field whose x-filter is false
        # (events' about: entity= finds it)
        own = {role for field, role in ftype.role_fields if ftype.field(field).spec.get("x-filter") is not False}
        assert own <= set(filters.values()), name
        if "kind" in ftype.field_names:
            assert args().fields["kind"].inner.validate.choices == vocabulary.kinds(name)


KIND_RUN = textwrap.dedent('''
    import json
    from kb.cli import validate
    from kb.build import build
    from api.app import create_app

    seeds, problems = validate("seeds")
    assert not problems, problems
    build("seeds", "kb.sqlite", progress=False)
    client = create_app({"KB_DB": "kb.sqlite", "TESTING": True}).test_client()
    events = client.get("/v1/events?kind=skirmish")
    spec = client.get("/openapi.json").get_json()
    kind = next(p for p in spec["paths"]["/v1/events"]["get"]["parameters"] if p["name"] == "kind")
    print(json.dumps({"status": events.status_code, "ids": [e["id"] for e in events.get_json()["data"]],
                      "kinds": kind["schema"]["items"]["enum"]}))
''')
FIELD_RUN = textwrap.dedent('''
    import json
    from kb.build import build
    from api.app import create_app

    build("seeds", "scratch.sqlite", progress=False)
    client = create_app({"KB_DB": "scratch.sqlite"}).test_client()
    spec = client.get("/openapi.json").get_json()
    print(json.dumps({"meeting_fields": spec["components"]["schemas"]["Meeting"]["properties"],
                      "served": client.get("/v1/meetings/scratch-meeting").get_json(),
                      "others": [m.get("agenda", "missing") for m in client.get("/v1/meetings?limit=100").get_json()["data"]
                                 if m["id"] != "scratch-meeting"]}))
''')
NEW_EVENT = '''
  - id: scratch-skirmish
    type: event
    summary: A scratch event of a kind added to the JSON Schema alone.
    date: "2024-07-25"
    date_precision: day
    status: stated
    kind: skirmish
    actors: [kremlin]
    location: null
    citations:
      - source: bloomberg-2024-07-25
        quote: Putin told Assad in a video released by the Kremlin on Thursday
'''
NEW_MEETING = '''
  - id: scratch-meeting
    type: meeting
    agenda: Relations with Turkey
    summary: A scratch meeting with a field added to the JSON Schema alone.
    date: "2024-07-24"
    date_precision: day
    status: stated
    participants: [vladimir-putin, bashar-al-assad]
    location: null
    citations:
      - source: bloomberg-2024-07-25
        quote: Putin told Assad in a video released by the Kremlin on Thursday
'''


def _scratch(tmp_path, edit_schema, new_facts, script):
    """Run ``script`` in a scratch copy of the repo whose facts schema ``edit_schema`` changed and
    whose seeds got ``new_facts``; the copy comes first on PYTHONPATH, so its factmodel reads
    its schema. Returns what the script printed last, as JSON."""
    for folder in ["api", "kb", "factmodel", "schema", "seeds"]:
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    schema_path = tmp_path / "schema" / "facts.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    edit_schema(schema)
    schema_path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    facts = tmp_path / "seeds" / "facts" / "bloomberg-2024-07-25.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").rstrip("\n") + "\n" + new_facts, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_a_kind_added_to_the_json_schema_alone_reaches_build_filter_and_spec(tmp_path):
    got = _scratch(tmp_path, lambda schema: schema["$defs"]["event"]["properties"]["kind"]["enum"].append("skirmish"),
                   NEW_EVENT, KIND_RUN)
    assert got["status"] == 200 and got["ids"] == ["scratch-skirmish"]
    assert "skirmish" in got["kinds"]


def test_a_field_added_to_the_json_schema_alone_reaches_validation_build_shape_and_spec(tmp_path):
    def add_agenda(schema):  # an optional field: the seeds' meetings do not give it
        schema["$defs"]["meeting"]["properties"]["agenda"] = {
            "anyOf": [{"type": "string"}, {"type": "null"}], "description": "What the meeting was about",
            "examples": ["Relations with Turkey"]}

    got = _scratch(tmp_path, add_agenda, NEW_MEETING, FIELD_RUN)
    assert got["meeting_fields"]["agenda"] == {"type": ["string", "null"], "description": "What the meeting was about",
                                               "example": "Relations with Turkey"}
    assert got["served"]["agenda"] == "Relations with Turkey"
    assert got["others"] and set(got["others"]) == {None}  # left out: null, the documented default

"""/v1 stays compatible with every frozen baseline spec (v1.0, v1.1, v1.5, v1.6, v1.7, v1.8, v1.9 and v1.10).

- While ``info.version`` is the newest baseline's, the spec is that baseline apart from
  descriptions: the same paths, operationIds, parameters, schema names and examples (the
  generated SDKs are named after them). Any other change to the contract bumps the version.

- ``make compat`` (tools/api-compat.mjs on api-smart-diff) passes for the committed openapi.yaml
  against each baseline, and the checker really catches breaking changes: each kind is made in a
  copy of the baseline and must be reported as breaking, while additive changes (opening a
  response vocabulary among them) must not be.
- Old clients keep working: a Python client generated from each FROZEN baseline calls every
  operation of the v1.0 contract against the CURRENT production server and parses every answer
  with its own (old) models.
- Vocabularies can grow: a client generated from the newest frozen spec (v1.10) parses answers carrying a
  value added after it was frozen (a new event kind, built from a scratch copy of the seeds and
  schema and served by tomorrow's server), which the v1.0 client, with its closed enums, cannot.
"""
import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from bench.harness import production_command
from support import ROOT, Calls, Server, call_every_v1_0_operation, imported_package, make, spec_operations

# The frozen contract: file and SHA-256. Re-freezing is this line (plus the new file); the
# previous baseline moves into EARLIER, where it stays: clients of every release keep working.
BASELINE = ("tests/compat/openapi-v1.11.yaml", "f5d3a01d65c3b07b057ec5761a11ff08cf79a77c0fd854a5fd6c30f14f90e430")
EARLIER = [("tests/compat/openapi-v1.0.yaml", "7ea6e3fc782c14420fbe921596d295fe27af39380638f632829f170fa4bd9c22"),
           ("tests/compat/openapi-v1.1.yaml", "5e31487723c8ab4270cc18911611092f6a980d7b505344ccb2b391761fa0c22c"),
           ("tests/compat/openapi-v1.5.yaml", "64fe2da34610c631d1599c0d64a248269f49e801ba7778b33b9fad6522414520"),
           ("tests/compat/openapi-v1.6.yaml", "6d55c8c3f933ad4a268e8e4c84e819b1984c26454637afcc6eaab9cf00e85afd"),
           ("tests/compat/openapi-v1.7.yaml", "fedecdb26f0e516d00d5112b3b50b7a5fbc7f8b2119a0ad60346050da98cd799"),
           ("tests/compat/openapi-v1.8.yaml", "54fdd06793d873f47a089ad22141cdcd8946aea89b557daf3b0253b492e8baf9"),
           ("tests/compat/openapi-v1.9.yaml", "2e3cce34eaccccf1d6c89d6479dcb991df9709d2fa40fbc50a3bd0b43b74adf8"),
           ("tests/compat/openapi-v1.10.yaml", "ebf0d68fe421c049cb236ffc3c91321d7436f14421501b29cd72cf86e5b2417a")]
FROZEN = [*EARLIER, BASELINE]


def baseline_path(frozen=BASELINE):
    return ROOT / frozen[0]


@pytest.mark.parametrize("frozen", FROZEN, ids=[f[0] for f in FROZEN])
def test_baselines_are_the_pinned_frozen_files(frozen):
    assert hashlib.sha256(baseline_path(frozen).read_bytes()).hexdigest() == frozen[1], \
        f"{frozen[0]} changed: a frozen baseline is never edited, only re-frozen (new file, new BASELINE)"
    spec = yaml.safe_load(baseline_path(frozen).read_text(encoding="utf-8"))
    # openapi-v1.1.yaml is the spec of release 1.1.0
    assert spec["info"]["version"] == baseline_path(frozen).stem.removeprefix("openapi-v") + ".0"


def test_every_frozen_file_is_pinned_and_the_newest_is_the_baseline():
    files = sorted((ROOT / "tests" / "compat").glob("openapi-v1.*.yaml"),
                   key=lambda p: tuple(int(n) for n in p.stem.removeprefix("openapi-v").split(".")))
    assert [str(p.relative_to(ROOT)) for p in files] == [f[0] for f in FROZEN]


def test_spec_version_is_at_least_the_baselines():
    current = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))["info"]["version"]
    frozen = yaml.safe_load(baseline_path().read_text(encoding="utf-8"))["info"]["version"]
    as_tuple = lambda version: tuple(int(n) for n in version.split("."))  # noqa: E731
    assert as_tuple(current) >= as_tuple(frozen) and current.startswith("1.")  # /v1 is major 1


def without_descriptions(node):
    """``node`` (a spec or part of one) without its ``description`` texts; a property named
    ``description`` (a schema, not a string) is kept."""
    if isinstance(node, dict):
        return {key: without_descriptions(value) for key, value in node.items()
                if not (key == "description" and isinstance(value, str))}
    if isinstance(node, list):
        return [without_descriptions(value) for value in node]
    return node


def test_the_release_served_is_its_baseline_but_for_descriptions():
    """Same ``info.version`` as the newest baseline: the same contract, word for word apart from
    descriptions (paths, operationIds, parameters, schema names, examples)."""
    current = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    frozen = yaml.safe_load(baseline_path().read_text(encoding="utf-8"))
    if current["info"]["version"] != frozen["info"]["version"]:
        pytest.skip(f"openapi.yaml is release {current['info']['version']}, newer than the baseline: make compat judges")
    assert without_descriptions(current) == without_descriptions(frozen), \
        "the contract changed beyond descriptions: bump info.version (CHANGELOG) or undo the change"


def test_descriptions_alone_are_ignored():
    spec = {"description": "a", "properties": {"description": {"type": "string", "description": "b"}},
            "parameters": [{"name": "q", "description": "c", "example": "x"}]}
    assert without_descriptions(spec) == {"properties": {"description": {"type": "string"}},
                                          "parameters": [{"name": "q", "example": "x"}]}


def _reports(stdout):
    """The JSON reports `make compat` printed, one per baseline."""
    decoder, reports, at = json.JSONDecoder(), [], stdout.find("{")
    while at != -1:
        report, end = decoder.raw_decode(stdout, at)
        reports.append(report)
        at = stdout.find("{", end)
    return reports


def test_current_spec_is_compatible_with_every_baseline():
    run = make("compat")  # fails the test unless it exits 0
    reports = _reports(run.stdout)
    assert [r["baseline"] for r in reports] == [f[0] for f in FROZEN]
    for report in reports:
        assert report["current"] == "openapi.yaml"
        assert report["ok"] and report["breaking"] == [] and report["unclassified"] == [], report["baseline"]


def compat(before, after, tmp_path):
    """Run the checker on two spec dicts; (exit code, report)."""
    paths = []
    for name, spec in (("before", before), ("after", after)):
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
        paths.append(str(path))
    run = subprocess.run(["node", "tools/api-compat.mjs", *paths], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode in (0, 1), run.stderr
    return run.returncode, json.loads(run.stdout)


@pytest.fixture(scope="module")
def baseline():
    return yaml.safe_load(baseline_path().read_text(encoding="utf-8"))


def param(operation, name):
    return next(p for p in operation["parameters"] if p.get("name") == name)


def remove_path(spec):
    del spec["paths"]["/v1/leases/{fact_id}"]
    return "/v1/leases/{fact_id}"


def remove_response_field(spec):
    entity = spec["components"]["schemas"]["Entity"]
    del entity["properties"]["aliases"]
    entity["required"].remove("aliases")
    return "/v1/entities/{entity_id}"


def change_field_type(spec):
    spec["components"]["schemas"]["Entity"]["properties"]["fact_count"] = {"type": "string"}
    return "/v1/entities/{entity_id}"


def add_required_query_parameter(spec):
    spec["paths"]["/v1/sources"]["get"]["parameters"].append(
        {"in": "query", "name": "lang", "required": True, "schema": {"type": "string"}})
    return "/v1/sources"


def narrow_request_enum(spec):
    status = param(spec["paths"]["/v1/facts"]["get"], "status")["schema"]["items"]
    status["enum"].remove("denied")
    return "/v1/facts"


def narrow_path_item_enum(spec):
    """A choice removed from a parameter declared on the path item (not on the operation)."""
    spec["paths"]["/v1/downloads/{name}"]["parameters"][0]["schema"]["enum"].remove("kb.sqlite")
    return "/v1/downloads/{name}"


def close_request_string(spec):
    """A request parameter that took any string now takes only listed values: narrower."""
    param(spec["paths"]["/v1/facts"]["get"], "q")["schema"]["enum"] = ["ceasefire"]
    return "/v1/facts"


@pytest.mark.parametrize("change", [remove_path, remove_response_field, change_field_type,
                                    add_required_query_parameter, narrow_request_enum, close_request_string,
                                    narrow_path_item_enum])
def test_checker_reports_a_breaking_change(baseline, tmp_path, change):
    changed = copy.deepcopy(baseline)
    where = change(changed)
    assert changed != baseline
    code, report = compat(baseline, changed, tmp_path)
    assert code == 1 and not report["ok"], report
    assert report["breaking"] and all(f["type"] == "breaking" for f in report["breaking"])
    assert any(f["path"][1] == where for f in report["breaking"]), report["breaking"]


def additive(spec):
    facts = spec["paths"]["/v1/facts"]["get"]
    facts["parameters"].append({"in": "query", "name": "lang", "required": False,
                                "description": "new optional parameter", "schema": {"type": "string"}})
    entity = spec["components"]["schemas"]["Entity"]
    entity["properties"]["wikidata"] = {"type": "string", "description": "new response field"}
    entity["required"].append("wikidata")  # always sent: still additive for readers
    spec["paths"]["/v1/places"] = copy.deepcopy(spec["paths"]["/v1/sources"])
    spec["paths"]["/v1/places"]["get"]["operationId"] = "listPlaces"
    param(facts, "status")["schema"]["items"]["enum"].append("rumoured")  # a new choice in a request filter
    # a new choice of a parameter declared on the path item (1.11.0: the Parquet downloads)
    spec["paths"]["/v1/downloads/{name}"]["parameters"][0]["schema"]["enum"].append("places.parquet")


def test_checker_accepts_additive_changes(baseline, tmp_path):
    changed = copy.deepcopy(baseline)
    additive(changed)
    code, report = compat(baseline, changed, tmp_path)
    assert code == 0 and report["ok"], report
    assert report["counts"]["non-breaking"] >= 3  # the three additions were seen, and judged harmless
    added = {f["path"][1] for f in report["breaking"] + report["unclassified"]}
    assert not added


def open_response_vocabulary(spec):
    """What 1.1.0 did to every response vocabulary: a closed enum becomes a documented string."""
    for schema in ("Entity", "Event", "Fact"):
        for field in ("type", "kind", "status", "date_precision"):
            prop = spec["components"]["schemas"][schema]["properties"].get(field)
            if prop and "enum" in prop:
                prop["examples"] = [value for value in prop.pop("enum") if value is not None]


def test_checker_accepts_opening_a_response_vocabulary(tmp_path):
    """A response enum turned into an open string is additive: clients of the old spec are sent
    no value they could not be sent before by the same data, and new clients accept more."""
    v1_0 = yaml.safe_load(baseline_path(EARLIER[0]).read_text(encoding="utf-8"))
    opened = copy.deepcopy(v1_0)
    open_response_vocabulary(opened)
    assert opened != v1_0
    code, report = compat(v1_0, opened, tmp_path)
    assert code == 0 and report["ok"] and report["counts"]["non-breaking"] > 0, report


# ---- old clients keep working ------------------------------------------------------------------
def package_of(frozen):
    return "syria_kb_client_" + baseline_path(frozen).stem.replace("openapi-", "").replace(".", "_").replace("-", "_")


def generate_sdk(frozen, base):
    """``make sdk`` from a frozen spec into ``base``, under a package name of its own."""
    package = package_of(frozen)
    config = yaml.safe_load((ROOT / "clients/python/openapi-python-client.yaml").read_text(encoding="utf-8"))
    config.update(package_name_override=package, project_name_override=package.replace("_", "-"))
    (base / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    make("sdk", f"SDK_SPEC={baseline_path(frozen)}", f"SDK_CONFIG={base / 'config.yaml'}",
         f"SDK_DIR={base / 'python'}", f"DIST_DIR={base / 'dist'}")
    return base / "python", package


@pytest.fixture(scope="module")
def frozen_sdks(tmp_path_factory):
    """``{baseline file: generated project folder and package}`` for every frozen spec."""
    return {frozen[0]: generate_sdk(frozen, tmp_path_factory.mktemp("frozen-sdk")) for frozen in FROZEN}


# Clients of every release since the vocabularies were opened (1.1) parse every answer. A client of
# 1.0 closed `role`, entity `type`, `kind`… as enums: it parses every answer whose values 1.0 knew
# and raises on a value the data added later (the seeds now hold role `target` and entity type
# `unnamed`) — which is why 1.1 opened them (CHANGELOG, test_the_v1_0_client_could_not_parse_it
# below). make compat still holds 1.0 → current to "no breaking change in the contract".
OPEN_VOCABULARY = [EARLIER[1], EARLIER[2], BASELINE]  # 1.1, 1.5 (before the corrections of 1.6 and 1.7), newest


@pytest.mark.parametrize("frozen", OPEN_VOCABULARY, ids=[f[0] for f in OPEN_VOCABULARY])
def test_client_of_each_frozen_spec_works_against_the_current_server(frozen_sdks, live_server, frozen):
    operations = spec_operations(baseline_path(frozen))
    with imported_package(*frozen_sdks[frozen[0]]) as sdk:
        call = Calls(sdk, live_server, operations)
        call_every_v1_0_operation(call)
    assert set(operations) >= call.called and len(call.called) == 24


# ---- vocabularies can grow ---------------------------------------------------------------------
NEW_KIND = "skirmish"
NEW_EVENT = f'''
  - id: scratch-skirmish
    type: event
    summary: An event of a kind added after the newest spec was frozen.
    date: "2024-07-25"
    date_precision: day
    status: stated
    kind: {NEW_KIND}
    actors: [kremlin]
    location: null
    citations:
      - source: bloomberg-2024-07-25
        quote: Putin told Assad in a video released by the Kremlin on Thursday
'''


@pytest.fixture(scope="module")
def tomorrows_server(tmp_path_factory):
    """Tomorrow's server: a scratch copy of the code, schema and seeds where the event kind
    ``skirmish`` was added to schema/facts.schema.json and one seed uses it, built with kb and
    served by the production server of that copy (its factmodel reads its own schema)."""
    scratch = tmp_path_factory.mktemp("tomorrow")
    for folder in ["api", "kb", "factmodel", "schema", "seeds", "deploy"]:
        shutil.copytree(ROOT / folder, scratch / folder, ignore=shutil.ignore_patterns("__pycache__"))
    schema_path = scratch / "schema" / "facts.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["$defs"]["event"]["properties"]["kind"]["enum"].append(NEW_KIND)
    schema_path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    facts = scratch / "seeds" / "facts" / "bloomberg-2024-07-25.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").rstrip("\n") + "\n" + NEW_EVENT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(scratch)}
    subprocess.run([sys.executable, "-m", "kb.cli", "build", "--db", str(scratch / "kb.sqlite")], cwd=scratch,
                   env=env, check=True, capture_output=True, timeout=300)
    # gunicorn puts the directory it starts in first on sys.path (before it reads --chdir), so it
    # starts in the scratch copy (env -C): the copy's code runs, reading the copy's schema
    command = ["env", "-C", str(scratch), *production_command()]
    server = Server(scratch / "kb.sqlite", env={"PYTHONPATH": str(scratch)}, command=command,
                    log_path=scratch / "gunicorn.log")
    with server:
        yield server.url


def test_a_client_of_the_frozen_spec_parses_a_value_added_later(frozen_sdks, tomorrows_server):
    operations = spec_operations(baseline_path())
    frozen_spec = yaml.safe_load(baseline_path().read_text(encoding="utf-8"))
    assert NEW_KIND not in json.dumps(frozen_spec)  # the frozen spec has never heard of it
    with imported_package(*frozen_sdks[BASELINE[0]]) as sdk:
        call = Calls(sdk, tomorrows_server, operations)
        events = {event.id: event for event in call.every_page("listEvents", "EventPage", "Event", limit=100)}
        assert events["scratch-skirmish"].kind == NEW_KIND
        event = call.ok("getEvent", "Event", fact_id="scratch-skirmish")
        assert event.kind == NEW_KIND and event.to_dict()["kind"] == NEW_KIND
        facts = {fact.id: fact for fact in call.every_page("listFacts", "FactList", "Fact", limit=100)}
        assert facts["scratch-skirmish"].attributes.additional_properties["kind"] == NEW_KIND
        hits = call.every_page("search", "SearchPage", "Hit", limit=20, q="frozen")
        assert "scratch-skirmish" in {hit.id for hit in hits}
    # tomorrow's server is tomorrow's code: its kind filter takes the new value, and its spec lists it
    filtered = json.loads(subprocess.run(["curl", "-sf", f"{tomorrows_server}/v1/events?kind={NEW_KIND}"],
                                         capture_output=True, text=True, check=True).stdout)
    assert [e["id"] for e in filtered["data"]] == ["scratch-skirmish"]
    served = json.loads(subprocess.run(["curl", "-sf", f"{tomorrows_server}/openapi.json"], capture_output=True,
                                       text=True, check=True).stdout)
    kind_filter = next(p for p in served["paths"]["/v1/events"]["get"]["parameters"] if p["name"] == "kind")
    assert NEW_KIND in kind_filter["schema"]["items"]["enum"]  # requests: still a closed, validated list


def test_the_v1_0_client_could_not_parse_it(frozen_sdks, tomorrows_server):
    """Why 1.1.0 opened the vocabularies: the v1.0 client's closed enum raises on the new kind."""
    operations = spec_operations(baseline_path(EARLIER[0]))
    with imported_package(*frozen_sdks[EARLIER[0][0]]) as sdk:
        call = Calls(sdk, tomorrows_server, operations)
        with pytest.raises(ValueError, match=NEW_KIND):
            call("getEvent", fact_id="scratch-skirmish")

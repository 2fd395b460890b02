"""/v1 stays compatible with the frozen baseline spec.

- ``make compat`` (tools/api-compat.mjs on api-smart-diff) passes for the committed openapi.yaml
  against the baseline, and the checker really catches breaking changes: each kind is made in a
  copy of the baseline and must be reported as breaking, while additive changes must not be.
- Old clients keep working: a Python client generated from the FROZEN baseline calls every
  operation of the baseline against the CURRENT production server and parses every answer with
  its own (old) models.
"""
import copy
import hashlib
import json
import subprocess

import pytest
import yaml

from support import ROOT, Calls, call_every_v1_0_operation, imported_package, make, spec_operations

# The frozen contract: file and SHA-256. Re-freezing is this one line (plus the new file).
BASELINE = ("tests/compat/openapi-v1.0.yaml", "7ea6e3fc782c14420fbe921596d295fe27af39380638f632829f170fa4bd9c22")


def baseline_path():
    return ROOT / BASELINE[0]


def test_baseline_is_the_pinned_frozen_file():
    assert hashlib.sha256(baseline_path().read_bytes()).hexdigest() == BASELINE[1], \
        f"{BASELINE[0]} changed: a frozen baseline is never edited, only re-frozen (new file, new BASELINE)"


def test_current_spec_is_compatible_with_the_baseline():
    run = make("compat")  # fails the test unless it exits 0
    report = json.loads(run.stdout[run.stdout.index("{"):])
    assert report["baseline"] == BASELINE[0] and report["current"] == "openapi.yaml"
    assert report["ok"] and report["breaking"] == [] and report["unclassified"] == []


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


@pytest.mark.parametrize("change", [remove_path, remove_response_field, change_field_type,
                                    add_required_query_parameter, narrow_request_enum])
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


def test_checker_accepts_additive_changes(baseline, tmp_path):
    changed = copy.deepcopy(baseline)
    additive(changed)
    code, report = compat(baseline, changed, tmp_path)
    assert code == 0 and report["ok"], report
    assert report["counts"]["non-breaking"] >= 3  # the three additions were seen, and judged harmless
    added = {f["path"][1] for f in report["breaking"] + report["unclassified"]}
    assert not added


# ---- old clients keep working ------------------------------------------------------------------
FROZEN_PACKAGE = "syria_kb_client_" + baseline_path().stem.replace("openapi-", "").replace(".", "_").replace("-", "_")


@pytest.fixture(scope="module")
def frozen_sdk(tmp_path_factory):
    """``make sdk`` from the frozen baseline spec, under a package name of its own."""
    base = tmp_path_factory.mktemp("frozen-sdk")
    config = yaml.safe_load((ROOT / "clients/python/openapi-python-client.yaml").read_text(encoding="utf-8"))
    config.update(package_name_override=FROZEN_PACKAGE, project_name_override=FROZEN_PACKAGE.replace("_", "-"))
    (base / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    make("sdk", f"SDK_SPEC={baseline_path()}", f"SDK_CONFIG={base / 'config.yaml'}", f"SDK_DIR={base / 'python'}",
         f"DIST_DIR={base / 'dist'}")
    with imported_package(base / "python", FROZEN_PACKAGE) as package:
        yield package


def test_client_of_the_frozen_spec_works_against_the_current_server(frozen_sdk, live_server):
    operations = spec_operations(baseline_path())
    call = Calls(frozen_sdk, live_server, operations)
    call_every_v1_0_operation(call)
    assert call.called == set(operations), f"not called: {set(operations) - call.called}"

"""Schemathesis against the API, with every check (settings: schemathesis.toml).

- Live: the schemathesis CLI against the production server (Granian, ``live_server``) over
  TCP, every phase (examples, coverage, fuzzing, stateful over the spec's links), seeded and
  bounded, at least ``MIN_LIVE_CASES`` cases. Reports land in ``artifacts/schemathesis/``.
- In-process: ``schemathesis.openapi.from_wsgi`` over the Flask app, one pytest case per
  operation plus a stateful run, for fast feedback while editing ``api/``.
"""
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import hypothesis
import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from api.app import create_app

from support import ROOT  # noqa: E402
CONFIG = ROOT / "schemathesis.toml"
ARTIFACTS = ROOT / "artifacts" / "schemathesis"
LIVE_SEED = 20261122
# 100 gives ~5,400 cases (fuzzing up to 100 per operation, coverage, examples, stateful
# scenarios) in about 2 minutes of CPU; KB_SCHEMATHESIS_MAX_EXAMPLES raises it for a long soak.
LIVE_MAX_EXAMPLES = int(os.environ.get("KB_SCHEMATHESIS_MAX_EXAMPLES", "100"))
MIN_LIVE_CASES = 5000
IN_PROCESS_MAX_EXAMPLES = 30


def _operations(spec):
    # GETs, and the one POST (/v1/reconcile, a query: issue 16)
    return [(path, method) for path, item in spec["paths"].items() for method in item if method in ("get", "post")]


@pytest.mark.slow
def test_schemathesis_cli_against_the_live_server(live_server, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report, junit = ARTIFACTS / "live-report.json", ARTIFACTS / "live-junit.xml"
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(CONFIG), "--no-color",
        "run", f"{live_server}/openapi.json",
        "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful",
        # one worker: with two, hypothesis's lambda descriptions (ast.parse) race in threads and
        # CPython 3.11 raises "SystemError: AST constructor recursion depth mismatch"
        "--max-examples", str(LIVE_MAX_EXAMPLES), "--seed", str(LIVE_SEED), "--workers", "1",
        "--request-timeout", "10", "--max-failures", "50",
        "--report", "json,junit", "--report-json-path", str(report), "--report-junit-path", str(junit),
    ]
    # cwd: schemathesis keeps replay data in ./.schemathesis. No hooks: schemathesis.toml is all
    # it reads (SCHEMATHESIS_HOOKS is cleared so none can come from the environment either).
    env = {key: value for key, value in os.environ.items() if key != "SCHEMATHESIS_HOOKS"}
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=900,
                         env={**env, "NO_COLOR": "1"})
    (ARTIFACTS / "live-output.txt").write_text(run.stdout + run.stderr, encoding="utf-8")
    assert report.exists(), run.stdout[-5000:] + run.stderr[-5000:]
    result = json.loads(report.read_text(encoding="utf-8"))
    cases = result["test_cases"]
    summary = (f"schemathesis live: {cases['generated']} cases, {cases['unique_failures']} unique failures, "
               f"{cases['errored']} errored, {result['running_time']:.0f} s (seed {LIVE_SEED})")
    print("\n" + summary)
    (ARTIFACTS / "live-summary.txt").write_text(summary + "\n", encoding="utf-8")
    failures = "\n".join(run.stdout.splitlines()[-200:])
    assert run.returncode == 0 and not result["failures"] and not result["errors"], failures
    assert result["complete"] and result["stop_reason"] == "completed", failures
    assert {name: phase["status"] for name, phase in result["phases"].items()} == {
        "examples": "success", "coverage": "success", "fuzzing": "success", "stateful": "success"}
    spec_ops = _operations(json.loads(subprocess.run(
        ["curl", "-sf", f"{live_server}/openapi.json"], capture_output=True, text=True, check=True).stdout))
    assert result["operations"]["tested"] == len(spec_ops) == result["operations"]["total"]
    assert cases["generated"] >= MIN_LIVE_CASES, summary


# -- in-process ------------------------------------------------------------------------------
# The schema is loaded when this module is imported (pytest collection), before any fixture
# exists: the app serves /openapi.json without a database, and ``_in_process_db`` puts the
# session's seed-built database at IN_PROCESS_DB before the first case runs. (Schemathesis's
# lazy ``from_fixture`` loader would avoid this, but it breaks on pytest 9.2: Function._nodeid.)
IN_PROCESS_DB = Path(tempfile.mkdtemp(prefix="kb-schemathesis-")) / "kb.sqlite"
atexit.register(shutil.rmtree, IN_PROCESS_DB.parent, True)  # even when this module's tests are deselected
IN_PROCESS = {"cases": 0, "operations": set()}
wsgi_app = create_app({"KB_DB": str(IN_PROCESS_DB), "TESTING": True})
schema = schemathesis.openapi.from_wsgi("/openapi.json", wsgi_app, config=SchemathesisConfig.from_path(CONFIG))


@pytest.fixture(scope="module", autouse=True)
def _in_process_db(db_path):
    shutil.copyfile(db_path, IN_PROCESS_DB)


@schema.parametrize()
@hypothesis.settings(max_examples=IN_PROCESS_MAX_EXAMPLES, deadline=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_every_operation_in_process(case):
    IN_PROCESS["cases"] += 1
    IN_PROCESS["operations"].add(case.operation.label)
    case.call_and_validate()


def test_stateful_in_process():
    """Random walks along the spec's links (list -> item -> entity/source -> their facts)."""
    workflow = schema.as_state_machine()
    workflow.run(settings=hypothesis.settings(max_examples=25, stateful_step_count=6, deadline=None,
                                              suppress_health_check=list(hypothesis.HealthCheck)))


def test_in_process_run_covered_every_operation(client):
    """Runs after the parametrized test above (file order): report and check what it did."""
    spec = client.get("/openapi.json").get_json()
    print(f"\nschemathesis in-process: {IN_PROCESS['cases']} cases over {len(IN_PROCESS['operations'])} operations")
    if not IN_PROCESS["cases"]:
        pytest.skip("test_every_operation_in_process did not run in this session (deselected)")
    assert IN_PROCESS["operations"] == {f"{method.upper()} {path}" for path, method in _operations(spec)}


# -- why 414/431 may answer only schema-violating requests (see schemathesis.toml) --------------
def _longest_value(schema):
    """Bytes of the longest percent-encoded value a conforming parameter can take."""
    if "enum" in schema:
        return max(len(quote(str(v), safe="")) for v in schema["enum"])
    kind = schema.get("type")
    if kind == "integer":
        return max(len(str(schema.get(bound, 0))) for bound in ("minimum", "maximum"))
    if kind == "string":
        per_char = 1 if "pattern" in schema and schema["pattern"].isascii() and "\\u" not in schema["pattern"] else 12
        return schema["maxLength"] * per_char  # unbounded strings raise KeyError: they must not exist
    raise AssertionError(f"unexpected parameter schema {schema}")


def test_every_conforming_request_fits_the_request_target_limit(client):
    from api.http.limits import MAX_TARGET

    spec = client.get("/openapi.json").get_json()
    for path, item in spec["paths"].items():
        params = item.get("parameters", []) + item["get"].get("parameters", [])
        length = len(path) + 1
        for param in params:
            schema = param["schema"]
            if param["in"] == "path":
                length += _longest_value(schema)
            elif schema.get("type") == "array":
                length += schema["maxItems"] * (len(param["name"]) + 2 + _longest_value(schema["items"]))
            else:
                length += len(param["name"]) + 2 + _longest_value(schema)
        assert length < MAX_TARGET, (path, length)

"""Every curl example in README.md runs, with the real curl, against the live server.

Convention (README "Cookbook"): a ```sh block holds one ``curl -s '<url>'`` command against
http://127.0.0.1:8000, and the block right after it is either ```json (an abridged body: the
response must contain it, recursively; list elements are matched by index) or ```text (every
line must appear in the output). The expected status is the JSON's own ``status`` when it is a
problem document, 200 otherwise.
"""
import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
README_ORIGIN = "http://127.0.0.1:8000"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def readme_examples():
    text = README.read_text(encoding="utf-8")
    blocks = [(m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1) for m in BLOCK.finditer(text)]
    examples = []
    for i, (lang, body, line) in enumerate(blocks):
        if lang != "sh" or "curl" not in body:
            continue
        after = blocks[i + 1] if i + 1 < len(blocks) else (None, None, None)
        examples.append({"line": line, "command": body.strip(), "kind": after[0], "expected": after[1]})
    return examples


EXAMPLES = readme_examples()


def contains(actual, expected, where="$"):
    """``actual`` has everything ``expected`` has: dict keys recursively, list items by index."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}: no key {key!r} in {sorted(actual)}"
            contains(actual[key], value, f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        assert len(actual) >= len(expected), f"{where}: {len(actual)} items, README shows {len(expected)}"
        for index, value in enumerate(expected):
            contains(actual[index], value, f"{where}[{index}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != README's {expected!r}"


def test_readme_has_curl_examples_each_with_an_expected_output():
    assert len(EXAMPLES) >= 10
    for example in EXAMPLES:
        assert example["kind"] in ("json", "text"), f"README.md:{example['line']}: no ```json/```text block after it"


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"README.md:{e['line']}" for e in EXAMPLES])
def test_readme_example_runs_against_the_live_server(example, live_server):
    argv = shlex.split(example["command"])
    assert argv[0] == "curl" and "-s" in argv and len(argv) >= 3, f"not `curl -s '<url>'`: {example['command']}"
    assert argv[-1].startswith(README_ORIGIN + "/"), f"the URL must start with {README_ORIGIN}: {argv[-1]}"
    argv[-1] = live_server + argv[-1][len(README_ORIGIN):]
    # the README's command, plus a last line carrying the status
    run = subprocess.run([*argv, "--write-out", "\n%{http_code}"], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    body, _, status = run.stdout.rpartition("\n")
    if example["kind"] == "json":
        expected = json.loads(example["expected"])
        want_status = expected["status"] if isinstance(expected.get("status"), int) and "title" in expected else 200
        assert int(status) == want_status, body
        contains(json.loads(body), expected)
    else:
        assert int(status) == 200, body
        for line in example["expected"].splitlines():
            assert line in body, f"{line!r} not in the output:\n{body[:2000]}"

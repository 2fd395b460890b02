"""Every curl example in README.md runs, with the real curl, against the live server.

Convention (README "Cookbook"): a ```sh block holds one ``curl -s '<url>'`` command against
http://127.0.0.1:8000, and the block right after it is either ```json (an abridged body) or
```text (every line must appear in the output). The expected status is the JSON's own
``status`` when it is a problem document, 200 otherwise.

The README shows answers for today's seeds; a curator adding an article must not break it, a
wrong answer must. So an abridged JSON body is matched by content:

- a list response (``data`` + ``next_cursor``) stands for the whole list: it is read to its end
  (the same query with ``limit=100``, following ``next_cursor``), and each object shown under
  ``data`` must match its own item of the whole list, in any position (matching = having every
  field shown, recursively; lists inside an item still match by index). The README's own page
  must be the start of the whole list; other top-level fields are compared with the last page
  (so ``"next_cursor": null`` means: the list ends).
- for fact lists, the whole list must be in the documented order (span start, open first, then id;
  reversed with ``sort=-date``), and with a ``limit`` (``sort=-date&limit=1`` = "the latest"),
  the README's page may hold items ordered before the ones shown (a later meeting added since)
  but never after them: the i-th item of the page is not ordered after the i-th shown item.
- any other body must contain the JSON shown, recursively.
"""
import json
import re
import shlex
import subprocess
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from support import ROOT  # noqa: E402
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


def matches(actual, expected):
    try:
        contains(actual, expected)
    except AssertionError:
        return False
    return True


def assign(shown, items):
    """A distinct index into ``items`` for each object in ``shown`` that it matches, or None."""
    candidates = [[i for i, item in enumerate(items) if matches(item, want)] for want in shown]
    for want, found in zip(shown, candidates):
        assert found, f"no item of the whole list ({len(items)} items) has {want!r}"
    chosen = []

    def search(k):
        if k == len(shown):
            return True
        for i in candidates[k]:
            if i not in chosen:
                chosen.append(i)
                if search(k + 1):
                    return True
                chosen.pop()
        return False

    return chosen if search(0) else None


def with_params(url, **params):
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def curl_json(url):
    run = subprocess.run(["curl", "-s", "--fail-with-body", url], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, (url, run.stdout[:500], run.stderr)
    return json.loads(run.stdout)


def whole_list(url):
    """Every page of ``url`` with limit=100, following next_cursor: (all items, the last page)."""
    items, cursors = [], set()
    page = curl_json(with_params(url, limit="100", cursor=None))
    while True:
        items += page["data"]
        if page["next_cursor"] is None:
            return items, page
        assert page["next_cursor"] not in cursors, "a cursor came twice"
        cursors.add(page["next_cursor"])
        page = curl_json(with_params(url, limit="100", cursor=page["next_cursor"]))


def first_day(partial):
    return partial + "-01-01"[len(partial) - 4:] if partial and len(partial) < 10 else partial


def order_key(fact):
    """README "Conventions": by the first day of the fact's span (docs/methodology.md: an act from
    its date or not_before, a state from valid_from or its date, a prediction from its expected
    time or when it was made), open starts first; ties by id."""
    time = fact.get("time") or {"kind": "act", "date": fact["date"]}
    date = first_day(time.get("date")) or ""
    if time["kind"] == "state":
        start = first_day(time.get("valid_from")) or date
    elif time["kind"] == "prediction":
        start = first_day(time.get("expected_not_before")) or date
    else:
        start = max(date, first_day(time.get("not_before")) or "")
    return start, fact["id"]


def check_list(url, body, expected):
    items, last = whole_list(url)
    page = body["data"]
    assert items[:len(page)] == page, "the README's page is not the start of the whole list"
    shown = expected["data"]
    chosen = assign(shown, items)
    assert chosen is not None, f"the {len(shown)} objects shown need {len(shown)} distinct items of the whole list"
    for key, value in expected.items():
        if key == "next_cursor":
            contains(last[key], value, "$.next_cursor (the last page)")
        elif key != "data":
            contains(body[key], value, f"$.{key}")
    if not all(isinstance(item, dict) and {"id", "date", "date_precision"} <= set(item) for item in items):
        return  # not a fact list: no date order to check
    descending = dict(parse_qsl(urlsplit(url).query)).get("sort") == "-date"
    keys = [order_key(item) for item in items]
    assert keys == sorted(keys, reverse=descending), "the whole list is not in the documented order"
    if "limit" in dict(parse_qsl(urlsplit(url).query)):
        found = sorted((order_key(items[i]) for i in chosen), reverse=descending)
        for got, want in zip((order_key(item) for item in page), found):
            assert (got <= want) if not descending else (got >= want), \
                f"the README's page has {got} where {want} (shown) should come first"


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
        actual = json.loads(body)
        if isinstance(expected.get("data"), list) and "next_cursor" in actual:
            check_list(argv[-1], actual, expected)
        else:
            contains(actual, expected)
    else:
        assert int(status) == 200, body
        for line in example["expected"].splitlines():
            assert line in body, f"{line!r} not in the output:\n{body[:2000]}"

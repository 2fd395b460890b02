"""The build's fast paths give exactly what the plain paths give.

- the line-based YAML reader (kb.yaml.fast) yields the same values and positions as PyYAML,
  or gives up (None) and leaves the document to PyYAML, which reads it silently;
- checking fact files in a forked reader process (kb.parallel) gives the same rows, dataset
  version and problems as checking them in-process.
"""
import re

import pytest
import yaml

from kb import parallel
from kb import yaml as seed_yaml
from kb.seeds import Seeds
from kb.yaml import marked
from kb.yaml.fast import Reader
from kb.yaml.nodes import Marked, MarkedList

from support import SEEDS


def pyyaml(text):
    return marked.load(text.encode("utf-8"))[0]


def same(a, b, where="doc"):
    """``a`` and ``b`` have the same values and, where both are marked, the same positions."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        if isinstance(a, Marked) and isinstance(b, Marked):
            assert (a.line, a.col) == (b.line, b.col), where
            assert a.key_marks == b.key_marks and a.marks == b.marks, where
        for key in a:
            same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), where
        if isinstance(a, MarkedList) and isinstance(b, MarkedList):
            assert (a.line, a.col) == (b.line, b.col) and a.marks == b.marks, where
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{i}]")
    else:
        assert (a == b or a != a and b != b) and type(a) is type(b), (where, a, b)  # nan == nan here


def fast_agrees(text):
    """Whether the fast reader takes ``text``; if it does, its values and positions must be PyYAML's."""
    reader = Reader()
    values, positions = reader.read(text), reader.read(text, marked=True)
    assert (values is None) == (positions is None)
    if values is None:
        return False
    expected = pyyaml(text)
    assert type(values) in (dict, list)  # values only: plain containers
    assert isinstance(positions, (Marked, MarkedList))
    same(values, expected)
    same(positions, expected)
    return True


@pytest.mark.parametrize("path", sorted(SEEDS.rglob("*.yaml")), ids=lambda p: str(p.relative_to(SEEDS)))
def test_the_real_seeds_read_the_same_by_either_route(path):
    data = path.read_bytes()
    took = fast_agrees(data.decode("utf-8"))  # the fast reader may decline a file: PyYAML reads it then
    if re.search(rb"^ *(?:- +|attribution: +\[)\{", data, re.M):
        assert took, "a seed file with one-line flow mappings (attribution: - {relation: ..., entity: ...}) " \
                     "is read by the fast reader, not PyYAML"
    doc, problems = seed_yaml.load(data, Reader())
    assert problems == []
    same(doc, pyyaml(data.decode("utf-8")))
    same(seed_yaml.positions_of(data), pyyaml(data.decode("utf-8")))


FAST = [  # (yaml, must the fast reader take it?)
    ("a: 1\nb: -2\nc: 0x1F\nd: 0o17\ne: 017\nf: 1_000\ng: +3\nh: 12:30\n", True),
    ("a: 1.5\nb: .5\nc: 1e3\nd: -.inf\ne: .NaN\nf: 6.8523015e+5\n", True),
    ("a: yes\nb: No\nc: on\nd: OFF\ne: true\nf: False\ng: y\nh: n\n", True),
    ("a: null\nb: ~\nc: Null\nd: nullable\ne: trueish\n", True),
    ("a: 2024-07-24\nb: 2001-12-14t21:59:43.10-05:00\nc: '2024-07'\nd: 2011\n", True),
    ('a: "x \\"y\\" \\\\ \\/ \\n \\t \\u00e9"\nb: \'it\'\'s\'\nc: "# not a comment"\n', True),
    ("a: [x, 'y, z', \"w\", 1, null, yes, 2024-01-01]\nb: []\nc: [ a , b ]  # comment\n", True),
    ("a: text # comment\nb: C# and F#\nc: http://x.y/z?q=1\nd: a:b\ne: “curly” quotes – dashes\n", True),
    ("# top\nlist:\n  - a: 1\n    b: [p, q]\n\n  -   c: 2\n      d: x\n  - plain item\n  - [1, 2]\n", True),
    ("a:\n  b:\n    c:\n      - d: 1\n        e:\n          - f\nz: end\n", True),
    ("  indented: top\n  more: 2\n", True),
    ("key:   spaced value   \nother: 'trailing'   \n", True),
    ("a: &x 1\nb: *x\n", False),
    ("a: !!str 1\n", False),
    ("a: |\n  block\n", False),
    ("a: >\n  folded\n", False),
    ("a: multi\n  line plain\n", False),
    ('a: "multi\n  line"\n', False),
    ("a:\n  - {relation: according_to, entity: kremlin}\n  - {r: x, e: 'y', f: \"z\"}\n  - {}\n", True),
    ("attribution: [{relation: reported_by, entity: x}, { }]\nb: {c: 1, d: null}  # c\n", True),
    ("a: {b: 1, c: [d]}\n", False),
    ("a: {b: {c: d}}\n", False),
    ("a: {? b: 1}\n", False),
    ("a: {b: 1, c}\n", False),
    ("a: {b: 1,}\n", False),
    ("a: {b:1}\n", False),
    ("a: {b: c: d}\n", False),
    ("a: {b: x?y}\n", False),
    ("a: {b: 1 # c}\n", False),
    ("a: {'b': 1}\n", False),
    ("a: {b: 1, b: 2}\n", False),
    ("a: {yes: 1}\n", False),
    ("a: {b: 1,\n  c: 2}\n", False),
    ("a: [{b: 1},]\n", False),
    ("- {a: b}: c\n", False),
    ("a:\n", False),
    ("a:\n- indentless\n", False),
    ("a: 1\na: 2\n", False),
    ("yes: 1\n", False),
    ("k" * 1025 + ": 1\n", False),  # not a simple key (over 1024 characters): PyYAML refuses it
    ("<<: {a: 1}\n", False),
    ("a: b: c\n", False),
    ("a: [unclosed\n", False),
    ("a:\tb\n", False),
    ("\ufeffa: 1\n", False),
    ("a: 1\r\nb: 2\r\n", False),
    ("---\na: 1\n", False),
    ("a: 1\n...\n", False),
    ("- - nested\n", False),
    ("-\n  a: 1\n", False),
    ("a: 1\n b: 2\n", False),
    ("a:\n  - x\n  y: 1\n", False),
    ('a: "\\x41"\n', False),
    ('a: "\\ud83d\\ude00"\n', False),
    ("a: [x, [y]]\n", False),
    ("a: [x,]\n", False),
    ("a: @x\n", False),
    ("a: 'x' y\n", False),
    ("", False),
    ("# only a comment\n", False),
    ("just a scalar\n", False),
]


@pytest.mark.parametrize("text, fast_expected", FAST, ids=[repr(t[0])[:40] for t in FAST])
def test_fast_reader_agrees_with_pyyaml_or_gives_up(text, fast_expected):
    assert fast_agrees(text) == fast_expected


@pytest.mark.parametrize("text", [t for t, fast in FAST if not fast], ids=[repr(t)[:40] for t, fast in FAST if not fast])
def test_what_the_fast_reader_declines_is_read_by_pyyaml(text):
    data = text.encode("utf-8")
    try:
        expected = marked.load(data)
    except yaml.YAMLError as exc:
        with pytest.raises(type(exc)):
            seed_yaml.load(data, Reader())
        return
    doc, problems = seed_yaml.load(data, Reader())
    same(doc, expected[0])
    assert problems == expected[1]
    same(seed_yaml.positions_of(data), expected[0])


def test_load_falls_back_to_pyyaml_with_its_errors_and_duplicate_keys():
    doc, problems = seed_yaml.load(b"a: 1\na: 2\n", Reader())
    assert doc == {"a": 1} and problems == [(2, 1, "duplicate key 'a' (first at line 1)")]
    with pytest.raises(yaml.MarkedYAMLError):
        seed_yaml.load(b"a: [unclosed\n", Reader())
    with pytest.raises(UnicodeDecodeError):
        seed_yaml.load(b"a: \xff\n", Reader())


def test_locate_finds_values_keys_and_the_deepest_existing_node():
    doc = seed_yaml.positions_of(b"a:\n  b: [x, y]\n  c: 1\n")
    assert seed_yaml.locate(doc, ("a", "b", 1)) == (2, 10)
    assert seed_yaml.locate(doc, ("a", "c"), at_key=True) == (3, 3)
    assert seed_yaml.locate(doc, ("a", "c")) == (3, 6)
    assert seed_yaml.locate(doc, ("a", "missing", 3)) == (2, 3)
    assert seed_yaml.locate(doc, ()) == (1, 1)


def _squares(n):
    for i in range(n):
        yield [n, i * i]


def _fails_on_three(n):
    if n == 3:
        raise ValueError("three")
    yield [n]


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_ordered_map_keeps_the_order_of_items_and_parts(workers):
    items = [5, 0, 3, 7, 1, 4]
    expected = [(n, list(_squares(n))) for n in items]
    assert [(n, list(parts)) for n, parts in parallel.ordered_map(_squares, items, 0)] == expected
    assert [(n, list(parts)) for n, parts in parallel.ordered_map(_squares, items, workers, read_ahead=1)] == expected
    # parts the caller does not take are skipped, and the next item still gets its own
    assert [n for n, parts in parallel.ordered_map(_squares, items, workers)] == items


def test_ordered_map_raises_what_a_reader_process_raised():
    with pytest.raises(parallel.ReaderFailed, match="ValueError: three"):
        for _, parts in parallel.ordered_map(_fails_on_three, [1, 2, 3, 4], 2):
            list(parts)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from bench.generate import Generator

    root = tmp_path_factory.mktemp("gen") / "seeds"
    Generator(600, seed=5, sources=4, per_file=150).run(root)
    return root


def test_the_generated_seeds_are_read_by_the_fast_reader(generated):
    """Generated facts write ``attribution: [{relation: ..., entity: ...}]``: every file is still
    read by the fast reader (not PyYAML), with PyYAML's values and positions."""
    files = sorted(generated.rglob("*.yaml"))
    assert any(b"attribution: [{" in f.read_bytes() for f in files)
    for path in files:
        assert fast_agrees(path.read_text(encoding="utf-8")), path


def _all_rows(root, workers):
    seeds = Seeds(root, workers=workers)
    seeds.load_sources()
    seeds.load_entities()
    rows = list(seeds.iter_facts())
    return rows, [str(p) for p in seeds.finish()], seeds.dataset_version(1)


def test_reader_process_gives_the_same_rows_and_version(generated):
    rows, problems, version = _all_rows(generated, workers=0)
    assert problems == [] and len(rows) == 600
    assert _all_rows(generated, workers=1) == (rows, problems, version)


def test_reader_process_gives_the_same_problems(generated, tmp_path):
    import shutil

    broken = tmp_path / "seeds"
    shutil.copytree(generated, broken)
    files = sorted((broken / "facts").glob("*.yaml"))
    texts = [f.read_text(encoding="utf-8") for f in files]
    ids = [re.findall(r"^  - id: (\S+)$", t, re.M) for t in texts]
    texts[1] = texts[1].replace(f"  - id: {ids[1][5]}\n", f"  - id: {ids[0][7]}\n", 1)  # id defined in an earlier file
    texts[2] = texts[2].replace(f"  - id: {ids[2][9]}\n", f"  - id: {ids[2][3]}\n", 1)  # twice in one file
    texts[0] = re.sub(r"(        quote: ).*", r"\1not in any source text", texts[0], count=1)
    texts[3] = re.sub(r"    responds_to: \S+\n", "    responds_to: no-such-fact\n", texts[3], count=1)
    texts[3] = re.sub(r"    count: \d+\n", "    count: many\n", texts[3], count=1)
    texts[3] = re.sub(r"    status: predicted\n", "    status: stated\n", texts[3], count=3)
    texts[2] = re.sub(r"    status: (\w+)\n", r"    status: \1\n    status: \1\n", texts[2], count=1)
    for f, t in zip(files, texts):
        f.write_text(t, encoding="utf-8")

    in_process = _all_rows(broken, workers=0)
    problems = in_process[1]
    assert any("duplicate fact id" in p and str(files[0]) in p for p in problems)
    assert any("duplicate fact id" in p and p.startswith(str(files[2])) for p in problems)
    assert any("duplicate key 'status'" in p for p in problems)
    assert any("quote not found" in p for p in problems)
    assert any("refers to unknown fact 'no-such-fact'" in p for p in problems)
    assert any("is not of type 'integer'" in p for p in problems)
    assert _all_rows(broken, workers=1) == in_process

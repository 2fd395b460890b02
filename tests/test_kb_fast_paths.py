"""The build's fast paths give exactly what the plain paths give.

- the line-based YAML reader (kb.marks.fast_load) yields the same values and positions as
  PyYAML, or gives up (None) and leaves the file to PyYAML;
- positions read on demand equal positions read eagerly;
- checking fact files in a forked reader process gives the same rows, dataset version and
  problems as checking them in-process.
"""
import re

import pytest

from kb import marks
from kb.validate import Seeds

from support import SEEDS


def pyyaml(text):
    loader = marks.Loader(text.encode("utf-8"))
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def same(a, b, where="doc"):
    assert type(a) is type(b), (where, a, b)
    if isinstance(a, marks.Marked):
        assert (a.line, a.col) == (b.line, b.col), where
        assert list(a) == list(b), where
        assert a.key_marks == b.key_marks and a.marks == b.marks, where
        for key in a:
            same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, marks.MarkedList):
        assert (a.line, a.col) == (b.line, b.col) and a.marks == b.marks and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{i}]")
    else:
        assert (a == b or a != a and b != b) and type(a) is type(b), (where, a, b)  # nan == nan here


@pytest.mark.parametrize("path", sorted(SEEDS.rglob("*.yaml")), ids=lambda p: str(p.relative_to(SEEDS)))
def test_fast_reader_reads_the_real_seeds_like_pyyaml(path):
    text = path.read_text(encoding="utf-8")
    fast = marks.fast_load(text)
    assert fast is not None, "the real seeds are in the fast reader's subset"
    same(fast, pyyaml(text))


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
    ("a: {b: 1}\n", False),
    ("a:\n", False),
    ("a:\n- indentless\n", False),
    ("a: 1\na: 2\n", False),
    ("yes: 1\n", False),
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
    fast = marks.fast_load(text)
    assert (fast is not None) == fast_expected
    if fast is not None:
        same(fast, pyyaml(text))
        lazy = marks.fast_load(text, lazy=True)
        same(lazy, fast)  # positions filled in on first use


def test_load_falls_back_to_pyyaml_with_its_errors_and_duplicate_keys():
    doc, problems = marks.load(b"a: 1\na: 2\n")
    assert doc == {"a": 1} and problems == [(2, 1, "duplicate key 'a' (first at line 1)")]
    with pytest.raises(marks.yaml.MarkedYAMLError):
        marks.load(b"a: [unclosed\n")
    with pytest.raises(UnicodeDecodeError):
        marks.load(b"a: \xff\n")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from bench.generate import Generator

    root = tmp_path_factory.mktemp("gen") / "seeds"
    Generator(600, seed=5, sources=4, per_file=150).run(root)
    return root


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

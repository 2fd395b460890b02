"""``kb quote``: find a passage of a source, whitespace- and quotation-mark-insensitive, and print
it as it must be written in YAML (or the nearest passage). Dispatched by :mod:`kb.curate`.
"""
from pathlib import Path

from factmodel.folding import plain_marks

from . import hints
from .problems import CurateError
from .quotes import SourceText


def source_text(seeds, sid):
    path = Path(seeds) / "sources" / f"{sid}.txt"
    if not path.exists():
        known = [p.stem for p in (Path(seeds) / "sources").glob("*.txt")]
        raise CurateError(f"no source {sid!r}{hints.did_you_mean(sid, known)}")
    return path.read_text(encoding="utf-8")


def find_all(text, fragment):
    """Every ``(start, end)`` of ``fragment`` in ``text``, whitespace- and quote-mark-insensitive
    (curly and straight quotes, apostrophes and dashes are the same)."""
    plain = SourceText(plain_marks(text))  # 1:1 character map: offsets are kept
    needle = " ".join(plain_marks(fragment).split())
    found, at = [], 0
    while needle:
        index = plain.normal.find(needle, at)
        if index < 0:
            break
        start = plain._offset(index)
        found.append((start, plain._offset(index + len(needle) - 1) + 1))
        at = index + 1
    return found


def quote(seeds, sid, fragment, out=None):
    text = source_text(seeds, sid)
    found = find_all(text, fragment)
    if not found:
        near = hints.nearest_passage(text, fragment)
        print(f"not found in {sid}.", file=out)
        if near:
            start, end, ratio = near
            print(f"nearest passage ({ratio:.0%} alike), offsets {start}..{end}:", file=out)
            print(f"        quote: {hints.yaml_scalar(' '.join(text[start:end].split()))}", file=out)
        return 1
    for start, end in found:
        passage = text[start:end]
        exact = SourceText(text).find(passage)
        print(f"offsets {start}..{end}" + ("" if passage == " ".join(fragment.split()) else
                                          " (quotation marks or dashes differ from what you typed: the text's are below)"),
              file=out)
        print(f"      - source: {sid}", file=out)
        print(f"        quote: {hints.yaml_scalar(' '.join(passage.split()))}", file=out)
        assert exact is not None
    if len(found) > 1:
        print(f"({len(found)} places: a longer fragment picks one)", file=out)
    return 0

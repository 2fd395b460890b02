"""Where a quote sits in its article: the sentences around it, and the sentences no fact cites.

Offsets are the build's verified ``start``/``end`` (``text[start:end] == quote``), so what a page
highlights is exactly what the fact cites. A sentence ends at ``.``, ``!`` or ``?`` (and any
closing quotes or brackets) before whitespace, at a blank line, or at the end of a short line
(a headline, a dateline). That is crude ("Mr. Putin" splits), and only decides how much
surrounding text a passage shows and what the coverage of a source counts.
"""
import bisect
import re
from typing import NamedTuple

# a line shorter than this that ends at a line break is a sentence of its own (a headline, a
# dateline); a longer one is taken for a line of a hard-wrapped paragraph
SHORT_LINE = 60
_END = re.compile(r"[.!?]+[\"”’)\]]*(?=\s|$)|\n")


def _ends(text):
    """Where sentences end: after a terminator, at a blank line, or after a short line."""
    line_start = 0
    for match in _END.finditer(text):
        if match.group() != "\n":
            yield match.end()
            continue
        here = match.start()
        if here - line_start < SHORT_LINE or text.startswith("\n", here + 1) or not text[line_start:here].strip():
            yield here
        line_start = here + 1
    yield len(text)


def sentences(text):
    """``(start, end)`` of each sentence of ``text`` in order, without surrounding whitespace."""
    spans, start = [], 0
    for end in _ends(text):
        first, last = start, end
        while first < last and text[first].isspace():
            first += 1
        while last > first and text[last - 1].isspace():
            last -= 1
        if last > first:
            spans.append((first, last))
        start = max(start, end)
    return spans


class Passage(NamedTuple):
    """A quote in its surroundings: ``before`` + ``quote`` + ``after`` is ``text[context_start:context_end]``."""
    before: str
    quote: str
    after: str
    start: int
    end: int


def passage(text, spans, start, end, around=1, starts=None):
    """The quote ``text[start:end]`` with the rest of its sentences and ``around`` sentences on
    each side (``spans``: :func:`sentences` of ``text``; ``starts``: their starts, if known)."""
    starts = starts if starts is not None else [s for s, _ in spans]
    first = max(bisect.bisect_right(starts, start) - 1, 0)
    last = max(bisect.bisect_left(starts, end) - 1, first)
    context_start = min(spans[max(first - around, 0)][0], start) if spans else start
    context_end = max(spans[min(last + around, len(spans) - 1)][1], end) if spans else end
    return Passage(text[context_start:start], text[start:end], text[end:context_end], start, end)


class Sentence(NamedTuple):
    """One sentence of a source and the parts of it that citations cover."""
    number: int
    start: int
    end: int
    pieces: tuple  # ((text, cited: bool), ...) in order, joined they are the sentence
    words: int

    @property
    def cited(self):
        return any(cited for _, cited in self.pieces)


def coverage(text, spans, ranges):
    """Each sentence of ``text`` (``spans``) cut into the pieces ``ranges`` (``(start, end)`` of
    every citation) cover and those they do not."""
    merged = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out = []
    for number, (s, e) in enumerate(spans, 1):
        pieces, pos = [], s
        for start, end in merged:
            start, end = max(start, s), min(end, e)
            if start >= end:
                continue
            if start > pos:
                pieces.append((text[pos:start], False))
            pieces.append((text[start:end], True))
            pos = end
        if pos < e:
            pieces.append((text[pos:e], False))
        out.append(Sentence(number, s, e, tuple(pieces), len(text[s:e].split())))
    return out

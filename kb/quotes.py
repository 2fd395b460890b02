"""Find a quote in a source text, comparing with whitespace normalised."""
import re

_WORD = re.compile(r"\S+")
_TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def squash(text):
    """Collapse every run of whitespace to one space and strip the ends."""
    return " ".join(text.split())


class SourceText:
    """A source's text with a whitespace-normalised copy and an offset map back to the original."""

    def __init__(self, text):
        self.text = text
        pieces, starts = [], []  # starts[i]: offset in `text` of normalised char i
        for match in _WORD.finditer(text):
            if pieces:
                pieces.append(" ")
                starts.append(match.start() - 1)
            pieces.append(match.group())
            starts.extend(range(match.start(), match.end()))
        self.normal = "".join(pieces)
        self.starts = starts

    def find(self, quote):
        """Return ``(start, end)`` offsets of ``quote`` in the original text, or None."""
        needle = squash(quote)
        at = self.normal.find(needle) if needle else -1
        if at < 0:
            return None
        return self.starts[at], self.starts[at + len(needle) - 1] + 1

    def hint(self, quote):
        """Explain a near miss: the quote matches once quotation marks and dashes are made plain."""
        needle = squash(quote).translate(_TYPOGRAPHIC)
        if needle and needle in self.normal.translate(_TYPOGRAPHIC):
            return " (it differs only in quotation marks, apostrophes or dashes: copy them exactly)"
        return ""

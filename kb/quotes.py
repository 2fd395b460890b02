"""Find a quote in a source text, comparing with whitespace normalised."""
import re
from array import array
from bisect import bisect_right

from factmodel.folding import plain_marks

_WORD = re.compile(r"\S+")


def squash(text):
    """Collapse every run of whitespace to one space and strip the ends."""
    return " ".join(text.split())


class SourceText:
    """A source's text with a whitespace-normalised copy and an offset map back to the original.

    The map is kept per word (where each word starts in the copy and in the original), not
    per character, so it stays small for long texts.
    """

    def __init__(self, text):
        self.text = text
        words, normal_starts, text_starts = [], array("q"), array("q")
        at = 0
        for match in _WORD.finditer(text):
            word = match.group()
            words.append(word)
            normal_starts.append(at)
            text_starts.append(match.start())
            at += len(word) + 1
        self.normal = " ".join(words)
        self._normal_starts = normal_starts
        self._text_starts = text_starts

    def _offset(self, at):
        """Offset in ``text`` of the non-space character at offset ``at`` of ``normal``."""
        word = bisect_right(self._normal_starts, at) - 1
        return self._text_starts[word] + at - self._normal_starts[word]

    def find(self, quote):
        """Return ``(start, end)`` offsets of ``quote`` in the original text, or None."""
        needle = squash(quote)
        at = self.normal.find(needle) if needle else -1
        if at < 0:
            return None
        # the needle neither starts nor ends with a space, so both ends fall inside words
        return self._offset(at), self._offset(at + len(needle) - 1) + 1

    def hint(self, quote):
        """Explain a near miss: the quote matches once quotation marks and dashes are made plain."""
        needle = plain_marks(squash(quote))
        if needle and needle in plain_marks(self.normal):
            return " (it differs only in quotation marks, apostrophes or dashes: copy them exactly)"
        return ""

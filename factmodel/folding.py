"""How text is folded, once for every comparison that forgives spelling: the validator's hints
(names and aliases close to an unknown id, the nearest passage to a quote not found), quotes
(``kb quote``, a quote that differs only in its marks) and search. Folding is Tantivy's
``ascii_fold`` then ``lowercase``, the filters of the search index's analyzer
(:mod:`factmodel.search_text`, which builds on :func:`folded`, so search keeps its folding):
diacritics dropped and letters spelled in ASCII (``Erdoğan`` → ``erdogan``, ``Łódź`` → ``lodz``,
``Ø``/``æ``/``ß`` → ``o``/``ae``/``ss``), typographic quotation marks, apostrophes and dashes made
plain, then lower case. Reconciliation (api/resources/reconcile.py) still folds its own way.
"""
import tantivy

# the typographic marks a quote may differ in from its source: each folds to one plain
# character (the minus sign, which ascii_fold keeps, is made a hyphen here)
MARKS = "\u2018\u2019\u201a\u201b\u2032\u201c\u201d\u201e\u00ab\u00bb\u2033\u2013\u2014\u2212"
_MINUS = str.maketrans({"\u2212": "-"})


def folded(builder):
    """``builder`` (a ``tantivy.TextAnalyzerBuilder``) with the folding filters: ``ascii_fold``
    before ``lowercase`` (``İ`` folds to ``I``; lowercased first, ``i̇`` would not fold)."""
    return builder.filter(tantivy.Filter.ascii_fold()).filter(tantivy.Filter.lowercase())


_WHOLE = folded(tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw())).build()  # the text as one token


def fold(text):
    """``text`` folded (see above), whitespace squashed: how names, aliases and quotes are
    compared when looking for a near match."""
    text = str(text).translate(_MINUS)
    return " ".join("".join(_WHOLE.analyze(text)).split()) if text else ""


# quotation marks, apostrophes and dashes made plain, character for character (offsets kept)
PLAIN_MARKS = str.maketrans({mark: fold(mark) for mark in MARKS})
assert all(len(fold(mark)) == 1 for mark in MARKS), "a mark must fold to one character"


def plain_marks(text):
    """``text`` with its typographic marks made plain, one character for one (offsets kept)."""
    return text.translate(PLAIN_MARKS)

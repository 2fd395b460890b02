"""How the search index reads text: the one analyzer both the build (kb/search_index.py, which
indexes) and the server (api/search/index.py, which analyzes the query's words) register, so a
word is cut and folded the same way on both sides. Tantivy's simple tokenizer (runs of letters
and digits), tokens over 255 bytes dropped, ASCII-folded, then lowercased (``Erdoğan`` →
``erdogan``, ``İdlib`` → ``idlib``)."""
import tantivy

from .folding import folded

ANALYZER = "kb_fold_v2"  # the name the index's text fields are tokenized by


def analyzer():
    """The words of a text, folded as every comparison folds (:mod:`factmodel.folding`)."""
    return folded(tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(255))).build()

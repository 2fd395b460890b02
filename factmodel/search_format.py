"""The search index's contract between the build (``kb/search_index.py``, which writes the Tantivy
index into the database file) and the server (``api/search/index.py``, which opens it): the format
number, the document kinds, the table the files travel in and the names of the fields both sides
use. Standard library only; the analyzer both register is :mod:`factmodel.search_text`.

The full contract (every field, its type and what it holds) is in ``kb/search_index.py``'s
docstring; a change to it bumps :data:`FORMAT`, and a server then ignores an index of another
format (it searches with FTS5 until the new build is served)."""

FORMAT = "6"  # 5: NAME_FIELDS; 6: NAMES
# "unnamed": entities of type unnamed, never a hit of /v1/search (only /v1/entities?type=unnamed&q=)
KINDS = {"source": 0, "entity": 1, "fact": 2, "unnamed": 3}
SEARCH_KINDS = ("source", "entity", "fact")  # the kinds /v1/search finds
FILES_TABLE = "search_index_files"  # (name, data): the index's files, in the database file
# entities only: their name and aliases again, as in title and body, for /v1/entities?q=
NAME_FIELDS = ("name_title", "name_body")
NAMES = "names"  # facts only: the names and aliases of the entities a fact involves; matched, scored 0

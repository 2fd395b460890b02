"""The two failures a request can meet below the views, raised by the dataset and search layers
and answered by :mod:`api.http.errors` (both a 503). A leaf: it imports nothing, so the layers
that raise them and the one that answers them do not import each other for a class."""


class Unavailable(Exception):
    """The database file is missing or unreadable."""


class QueryTimeout(Exception):
    """A query ran past the per-query time limit."""

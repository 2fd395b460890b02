"""What bounds a date window's walk in one dataset (api/queries/windows.py): the longest finite
span in days and the earliest start of an open-ended span. The build stores both in ``meta``
(``max_span_days``, ``open_end_low``; empty text when there is none), so a server does not scan
every fact when it opens a dataset; this query is the one definition of both."""
OPEN_START, OPEN_END = "", "9999-12-31"

SPAN_STATS_SQL = (
    f"SELECT max(CASE WHEN span_start != '{OPEN_START}' AND span_end != '{OPEN_END}' "
    "                THEN julianday(span_end) - julianday(span_start) END), "
    f"       min(CASE WHEN span_start != '{OPEN_START}' AND span_end = '{OPEN_END}' THEN span_start END) "
    "FROM facts")

"""Helpers shared by the tests, which import them from here (never from conftest.py or from
another test module): the repository's paths, what bench/harness.py gives (the production
server on a free port, wrk, GETs and a background load), and client helpers."""
from pathlib import Path

from bench.harness import (REPORT_LUA, Load, Outcome, Server, free_port, free_ports, get, read_meta,  # noqa: F401
                           run_wrk)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def dataset_version(db_path):
    """The ``dataset_version`` a built database records in its meta table."""
    return read_meta(db_path)["dataset_version"]


def all_pages(client, url):
    """Follow next_cursor to the end; return every item."""
    items, seen_cursors = [], set()
    while True:
        body = client.get(url).get_json()
        items += body["data"]
        if not body["next_cursor"]:
            return items
        assert body["next_cursor"] not in seen_cursors
        seen_cursors.add(body["next_cursor"])
        sep = "&" if "?" in url.split("cursor=")[0] else "?"
        url = url.split("&cursor=")[0].split("?cursor=")[0] + f"{sep}cursor={body['next_cursor']}"

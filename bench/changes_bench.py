"""The change feed (``/v1/changes``) on built databases, in process: p50 of the first page, of a
page 30 pages deep (reached by following ``next_cursor``) and of a filtered page (``kind=fact&op=added``).

    python -m bench.changes_bench DB [DB ...]

Prints one Markdown row per database (its count of changes first). The feed is one walk of the
``changes`` primary key, so its pages cost the same at any depth and size (the plans:
``python -m bench.query_plans DB``).
"""
import sqlite3
import statistics
import sys
import time

from api.app import create_app

ROUNDS = 30


def p50(client, url, query=None):
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = client.get(url, query_string=query)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.get_data()[:300])
    return statistics.median(times), response.get_json()


def row(db):
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    changes = conn.execute("SELECT count(*) FROM changes").fetchone()[0]
    conn.close()
    client = create_app({"KB_DB": db}).test_client()
    first, body = p50(client, "/v1/changes", {"limit": 20})
    for _ in range(30):
        body = client.get("/v1/changes", query_string={"limit": 20, "cursor": body["next_cursor"]}).get_json()
    deep, _ = p50(client, "/v1/changes", {"limit": 20, "cursor": body["next_cursor"]})
    filtered, _ = p50(client, "/v1/changes", {"limit": 20, "kind": "fact", "op": "added"})
    return f"| {changes:,} | {first:.2f} | {deep:.2f} | {filtered:.2f} |"


def main(argv=None):
    print("| changes | first page p50 ms | page 31 p50 ms | `kind=fact&op=added` p50 ms |")
    print("|---:|---:|---:|---:|")
    for db in (argv if argv is not None else sys.argv[1:]):
        print(row(db), flush=True)


if __name__ == "__main__":
    main()

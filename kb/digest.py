"""The dataset version: a SHA-256 over every row written, in seed order, and the schema version.

The same seeds give the same version whatever the number of reader processes, since rows
are hashed in file order by the main process.
"""
import hashlib

import orjson


def hash_line(row):
    """The bytes a row is hashed as (keys sorted, so the row's key order does not matter)."""
    return orjson.dumps(row, option=orjson.OPT_SORT_KEYS)


class DatasetDigest:
    def __init__(self):
        self._digest = hashlib.sha256()

    def add(self, kind, line):
        """Hash one row of ``kind`` (``source``, ``entity``, ``fact``) given as :func:`hash_line` bytes."""
        self._digest.update(kind.encode() + b"\t" + line + b"\n")

    def version(self, schema_version):
        digest = self._digest.copy()
        digest.update(f"schema:{schema_version}".encode())
        return digest.hexdigest()

"""``kb show`` / ``kb preview``: what the API would serve for a fact, or for every fact of a facts
file, before anything is published (dispatched by :mod:`kb.curate`).

They build the seeds with the real loader into a temporary database and ask the real Flask app
(its test client, no server) for the facts, so what they print is exactly what would be served.
(The alternative, shaping a row with ``api.shapes``, would repeat what the resources do and could
drift from them.) So this module is a client of the app, and the one module of ``kb`` that
imports ``api``: the import contract ``kb never imports api`` (pyproject.toml,
``[tool.importlinter]``) lists ``kb.show -> api.app`` as its one exception. The import is local to
the command, so no other ``kb`` command loads Flask.
"""
import json
import shutil
import tempfile
from pathlib import Path

import yaml

from factmodel.vocabulary import FACT_TYPES

from .build import BuildFailed, build


def _serve(seeds, fact_ids, out):
    """Build ``seeds`` into a temporary database with the real loader and print what the API
    serves for each of ``fact_ids``, through the Flask app's test client."""
    from api.app import create_app  # noqa: PLC0415 (the client's one import of api: see the docstring)

    with tempfile.TemporaryDirectory(prefix="kb-show-") as tmp:
        db = Path(tmp) / "kb.sqlite"
        try:
            build(seeds, db, progress=False)
        except BuildFailed as exc:
            for problem in exc.problems:
                print(problem, file=out)
            print(f"{len(exc.problems)} problem(s): nothing to show", file=out)
            return 1
        client = create_app({"KB_DB": str(db), "TESTING": True}).test_client()
        status = 0
        for fid in fact_ids:
            response = client.get(f"/v1/facts/{fid}")
            if response.status_code != 200:
                print(f"GET /v1/facts/{fid} -> {response.status_code}: {response.get_json().get('detail')}", file=out)
                status = 1
                continue
            fact = response.get_json()
            path = FACT_TYPES[fact["type"]].path
            typed = client.get(f"/v1/{path}/{fid}").get_json()
            print(f"GET /v1/{path}/{fid}", file=out)
            print(json.dumps(typed, indent=2, ensure_ascii=False), file=out)
        return status


def show(seeds, fact_id, out=None):
    return _serve(seeds, [fact_id], out)


def preview(seeds, file, out=None):
    """Serve the facts of ``file`` (a facts file, in the seeds or not) as the API would, with
    the rest of the seeds; a file outside the seeds replaces the one of the same name."""
    file = Path(file)
    with tempfile.TemporaryDirectory(prefix="kb-preview-") as tmp:
        scratch = Path(tmp) / "seeds"
        shutil.copytree(seeds, scratch)
        shutil.copyfile(file, scratch / "facts" / file.name)
        doc = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        ids = [f["id"] for f in doc.get("facts") or () if isinstance(f, dict) and "id" in f]
        return _serve(scratch, ids, out)

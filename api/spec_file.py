"""Write the served OpenAPI document to a YAML file: ``python -m api.spec_file openapi.yaml``."""
import sys

import yaml

from .app import create_app
from .spec import MAKE_RUN_URL


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):  # plain YAML, no &anchors: easier for every tool
        return True


def served_spec():
    # servers: `make run`'s address (each server serves its own: api/http/public_url.py)
    app = create_app({"KB_DB": "/nonexistent/spec-only.sqlite", "PUBLIC_URL": MAKE_RUN_URL})
    return app.test_client().get("/openapi.json").get_json()


def main(path):
    with open(path, "w", encoding="utf-8") as handle:
        yaml.dump(served_spec(), handle, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "openapi.yaml")

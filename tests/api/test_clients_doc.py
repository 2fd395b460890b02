"""docs/clients.md: a client stores the X-Dataset-Version it saw and later asks what changed since,
run against the live server: the curl block with bash and curl, the Python block through the SDK
that ``make sdk`` generates (the TypeScript one is clients/ts/client.mts, tests/api/test_clients.py)."""
import re
import subprocess

from support import ROOT, get_json, imported_package, make

DOC = (ROOT / "docs" / "clients.md").read_text(encoding="utf-8")
ORIGIN = "http://127.0.0.1:8000"


def block(language):
    return re.search(rf"```{language}\n(.*?)```", DOC, re.S).group(1).replace("# … later:\n", "")


def test_the_curl_client(live_server):
    script = block("sh").replace(ORIGIN, live_server)
    run = subprocess.run(["bash", "-eu", "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith('{"data":[]') and '"next_cursor":null' in run.stdout  # nothing changed since


def test_the_python_client(live_server, tmp_path):
    make("sdk", f"SDK_DIR={tmp_path / 'python'}", f"DIST_DIR={tmp_path / 'dist'}")
    with imported_package(tmp_path / "python", "syria_kb_client"):
        scope = {}
        exec(block("python").replace(ORIGIN, live_server).replace("print(", "(lambda *a: None)("), scope)
        assert scope["seen"] == get_json(live_server + "/v1")["dataset_version"]
        assert scope["changes"].data == [] and scope["changes"].next_cursor is None

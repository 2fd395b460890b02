"""Issue 32: what a ``kb build`` process loads. sqlite-utils imports pandas and numpy whenever it
can (~95 MB in every build process, the reader included), so the project's own environment has
neither; the tests that read the downloads with pandas find it in ``.venv/analyst`` (Makefile)."""
import json
import os
import subprocess
import sys


def test_the_build_loads_neither_pandas_nor_numpy():
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # what `make db` and `kb build` see
    code = ("import json, sys; import kb.build, kb.parquet, kb.cli; "
            "print(json.dumps(sorted(m for m in ('pandas', 'numpy') if m in sys.modules)))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == []


def test_the_tests_read_the_downloads_with_pandas_all_the_same():
    import pandas

    assert "/analyst/site-packages/" in pandas.__file__

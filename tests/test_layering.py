"""The layering of the packages as a contract: ``lint-imports`` (import-linter) checks the
contracts of pyproject.toml's ``[tool.importlinter]`` over the whole import graph, indirect
imports included: ``factmodel`` (pure code both sides share) imports neither ``kb`` nor ``api``
nor Flask; ``kb`` (the build) never imports ``api`` (the server), but for ``kb show`` / ``kb
preview`` (kb/show.py), clients of the app; ``api`` never imports ``kb``; ``deploy`` loads no Flask
and no ``api`` code. ``make lint`` runs the same command."""
import shutil
import subprocess
import sys
from pathlib import Path

from support import ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("api", "kb", "factmodel", "deploy")


def lint_imports(cwd):
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_import_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_broken_contract_fails(tmp_path):
    """The same check on a copy of the packages where factmodel imports api, and kb imports api
    outside kb/show.py: both contracts are reported broken, and the command fails."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with (tmp_path / "factmodel" / "dates.py").open("a") as out:
        out.write("\nimport api.app  # noqa\n")
    with (tmp_path / "kb" / "cli.py").open("a") as out:
        out.write("\nfrom api import app  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "factmodel imports neither kb nor api (nor Flask, marshmallow) BROKEN" in result.stdout
    assert "kb never imports api (one exception: kb show / kb preview, clients of the app) BROKEN" in result.stdout
    assert "2 broken" in result.stdout


def test_publishing_loads_no_flask():
    """deploy/publish.py runs on the operator's machine with the standard library (and
    factmodel.dataset_check): importing it loads no Flask and no module of api."""
    code = "import sys, deploy.publish; print(sorted({m.split('.')[0] for m in sys.modules} & {'api', 'flask', 'werkzeug', 'kb'}))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

"""The layering of the packages, read from their source (no import runs): ``factmodel`` is pure
code shared by build and serve, importing neither ``kb`` nor ``api`` nor Flask; ``kb`` (the
build) imports nothing from ``api`` (the server). The one exception is named below."""
import ast

import pytest

from support import ROOT

# (module, package it may import, why): ``kb show`` renders a fact through the API itself, as a
# client would (kb/curate.py docstring); the import is local to that command.
ALLOWED = {("kb/curate.py", "api")}
FORBIDDEN = {"factmodel": {"api", "kb", "flask", "flask_smorest", "marshmallow"}, "kb": {"api"}}


def imported(path):
    """The top-level package of every absolute import in the file at ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_the_package_imports_only_downwards(package):
    found = sorted({(str(path.relative_to(ROOT)), name) for path in (ROOT / package).rglob("*.py")
                    for name in imported(path) if name in FORBIDDEN[package]} - ALLOWED)
    assert not found, f"{package} must not import these: {found}"


def test_the_scan_sees_imports():
    assert set(imported(ROOT / "kb" / "curate.py")) >= {"api"}
    assert "factmodel" in set(imported(ROOT / "kb" / "artifacts.py"))

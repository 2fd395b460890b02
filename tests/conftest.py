import shutil
from pathlib import Path

import pytest

from kb.build import build

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def db_path(tmp_path_factory):
    """The real seeds built by the real loader into a temporary SQLite file."""
    path = tmp_path_factory.mktemp("db") / "kb.sqlite"
    build(SEEDS, path, progress=False)
    return path


@pytest.fixture
def seeds_copy(tmp_path):
    """A private copy of the seeds that a test may break."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target

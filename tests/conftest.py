import atexit
import os
import shutil

import pytest

import support
from kb.build import build
from support import SEEDS, Server

# Fixtures built from the seeds: a test that asks for one of them, directly or through another
# fixture, reads the seeds.
SEED_FIXTURES = {"db_path", "seeds_copy"}


def reads_the_seeds(item):
    """A test reads the seeds (``support.SEEDS``) when it asks for a fixture built from them, or
    when its module holds ``SEEDS`` or ``seed_view`` (it copies, validates, builds or reads them)."""
    module = vars(item.module) if getattr(item, "module", None) else {}
    return bool(SEED_FIXTURES & set(item.fixturenames)) or module.get("SEEDS") is support.SEEDS \
        or "seed_view" in module


def pytest_collection_modifyitems(items):
    """Mark ``seeds`` every test that reads the seeds, so that `make test` can run exactly those
    again on the seeds plus the fixture articles (tests/README.md). Nothing is listed by hand."""
    for item in items:
        if reads_the_seeds(item):
            item.add_marker(pytest.mark.seeds)


@pytest.fixture(scope="session")
def db_path(tmp_path_factory):
    """The seeds (``SEEDS``) built by the real loader into a temporary SQLite file."""
    path = tmp_path_factory.mktemp("db") / "kb.sqlite"
    build(SEEDS, path, progress=False)
    return path


@pytest.fixture
def seeds_copy(tmp_path):
    """A private copy of the seeds that a test may break."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture(scope="session")
def app(db_path):
    from api.app import create_app

    return create_app({"KB_DB": str(db_path), "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(db_path, tmp_path_factory):
    """Base URL (``http://127.0.0.1:PORT``) of the production server: Granian,
    ``deploy/serve.py`` (``bench.harness.production_command``), on a free port, serving
    ``db_path``, ready (``/readyz`` answered 200).

    One per test session, shared: treat it as read-only (start a ``support.Server`` of your own to
    break or reconfigure one). Its log (Granian's and the JSON access log) is ``live-server/server.log`` in pytest's temp dir.
    It is stopped after the session, by an atexit hook if the session is torn down before
    that, and by the kernel (PR_SET_PDEATHSIG) if pytest itself is killed.
    """
    server = Server(db_path, log_path=tmp_path_factory.mktemp("live-server") / "server.log")
    atexit.register(server.stop)
    with server:
        yield server.url


@pytest.fixture(scope="session")
def db_rows(db_path):
    """Direct read access to the built database, to compare the API's answers against."""
    import sqlite3

    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    yield lambda sql, params=(): conn.execute(sql, params).fetchall()
    conn.close()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def _require_chromium():
    if os.path.exists(CHROMIUM):
        return
    message = (f"\n{'!' * 78}\n!!! {CHROMIUM} is missing: the browser tests cannot run.\n"
               f"!!! Install it with `make install-browser` (as root: apt-get install -y chromium).\n{'!' * 78}")
    if os.environ.get("CI") or os.geteuid() == 0:
        pytest.fail(message + "\n(in CI, or as root, the browser tests must run: `make test` installs chromium)")
    pytest.skip("NOT RUN, chromium missing and not root: " + message)


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (Swagger UI and the pages); never a downloaded browser."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()

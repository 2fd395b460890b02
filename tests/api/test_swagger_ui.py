"""Swagger UI at /docs, in a real browser: Playwright driving Debian's chromium.

Chromium comes from Debian (``make install-browser``, a prerequisite of ``make test``, runs
``apt-get install chromium`` when root); Playwright never downloads a browser.

The server under test is the shared ``live_server``, on a random port, started with the
default settings: its spec's ``servers`` still says http://127.0.0.1:8000. That is on purpose:
the page (api/static/swagger-init.js) points "Try it out" at its own origin, which this test
proves by executing requests on the random port. Starting the server with a matching
KB_PUBLIC_URL instead would only hide the bug users hit with ``make run PORT=8080``.
"""
from urllib.parse import urlsplit

import pytest
import yaml

from support import ROOT  # noqa: E402
SCREENSHOTS = ROOT / "artifacts" / "swagger-ui"
SPEC = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
TIMEOUT_MS = 30_000


def _execute(page, operation_id, tag):
    """Open an operation, "Try it out" with the examples the spec gives, "Execute"; return the
    status and body Swagger UI shows for the live response."""
    block = page.locator(f"#operations-{tag}-{operation_id}")
    block.locator(".opblock-summary").first.click()
    block.locator("button.try-out__btn").click()
    block.locator("button.execute").click()
    live = block.locator(".live-responses-table")
    row = live.locator("tbody tr.response").first
    row.wait_for(timeout=TIMEOUT_MS)
    status = row.locator(".response-col_status").inner_text().strip()
    body = row.locator(".response-col_description pre").first.inner_text()
    url = block.locator(".request-url pre").first.inner_text().strip()
    return status, body, url


@pytest.mark.slow
def test_swagger_ui_lists_every_operation_and_executes_requests(browser, live_server):
    origin = live_server.rstrip("/")
    foreign = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000})

    def route(route):
        url = route.request.url
        if url.startswith(origin + "/"):
            route.continue_()
        else:  # record and refuse: the page must need nothing but the server
            foreign.append(url)
            route.abort()

    context.route("**/*", route)
    seen = []
    context.on("request", lambda request: seen.append(request.url))
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{origin}/docs", wait_until="networkidle", timeout=TIMEOUT_MS)
        page.locator(".opblock").first.wait_for(timeout=TIMEOUT_MS)

        # every operation of the spec is listed, under its tag, with its method and path
        listed = set(page.eval_on_selector_all(
            ".opblock", "blocks => blocks.map(b => b.id)"))
        expected = {f"operations-{op['tags'][0]}-{op['operationId']}"
                    for item in SPEC["paths"].values() for method, op in item.items() if method == "get"}
        assert expected <= listed, f"not listed: {sorted(expected - listed)}"
        paths = set(page.eval_on_selector_all(
            ".opblock-summary-path", "nodes => nodes.map(n => n.getAttribute('data-path'))"))
        assert paths == set(SPEC["paths"]), paths ^ set(SPEC["paths"])
        servers = page.locator(".servers select option").all_inner_texts()
        assert any(origin in server for server in servers), servers

        # Try it out -> Execute, on one list operation and one item operation
        status, body, url = _execute(page, "listEntities", "entities")  # with the example q=erdogan
        assert status == "200", body
        assert url.startswith(origin + "/v1/entities?") and "q=erdogan" in url, url
        assert '"recep-tayyip-erdogan"' in body and '"next_cursor"' in body
        status, body, url = _execute(page, "getMeeting", "meetings")
        assert status == "200", body
        assert url == f"{origin}/v1/meetings/putin-assad-meeting-2024-07-24", url
        assert '"putin-assad-meeting-2024-07-24"' in body and '"participants"' in body

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.locator("#operations-meetings-getMeeting").scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "try-it-out.png"))
        page.screenshot(path=str(SCREENSHOTS / "docs-full.png"), full_page=True)
    finally:
        context.close()

    assert not errors, errors
    assert not foreign, f"the page requested other hosts: {foreign}"
    hosts = {urlsplit(url).netloc for url in seen if urlsplit(url).scheme in ("http", "https", "ws", "wss")}
    assert hosts == {urlsplit(origin).netloc}, hosts
    assert any("/v1/meetings/putin-assad-meeting-2024-07-24" in url for url in seen)

"""The pages in a real browser (Playwright driving Debian's chromium, as for Swagger UI), served
by the production server (``live_server``): what a reader sees, axe-core's accessibility audit,
and the Content-Security-Policy enforced.

Screenshots go to ``artifacts/pages/`` (``KB_SCREENSHOTS`` picks another folder: ``make
screenshots`` writes the ones the README shows, under ``docs/screenshots/``).
"""
import json
import os
from pathlib import Path
from urllib.parse import quote

import pytest

from support import ROOT, get_json  # noqa: E402

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("KB_SCREENSHOTS") or ROOT / "artifacts" / "pages")
TIMEOUT_MS = 30_000
AXE_RUN = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
    .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))"""


def _all(base, path):
    items, url = [], f"{base}{path}"
    while url:
        body = get_json(url)
        items += body["data"]
        url = body["next_cursor"] and f"{base}{path}{'&' if '?' in path else '?'}cursor={body['next_cursor']}"
    return items


@pytest.fixture(scope="module")
def pages(live_server):
    """One page of each kind, chosen from the data: the fact with the longest attribution chain,
    the source with the most facts, the entity in the most facts."""
    base = live_server.rstrip("/")
    facts = _all(base, "/v1/facts?limit=100")
    fact = max(facts, key=lambda f: (max(len(c["attribution"]) for c in f["citations"]), len(f["citations"]), f["id"]))
    source = max(_all(base, "/v1/sources"), key=lambda s: (s["fact_count"], s["id"]))
    entity = max(_all(base, "/v1/entities?limit=100"), key=lambda e: (e["fact_count"], e["id"]))
    index = get_json(f"{base}/v1")
    kinds = {"fact": (f"/facts/{fact['id']}", fact), "source": (f"/sources/{source['id']}", source),
             "entity": (f"/entities/{entity['id']}", entity), "home": ("/", index),
             "search": (f"/search?q={quote(entity['name'])}", entity)}
    history = get_json(f"{base}/v1/facts/{fact['id']}/history")["versions"]
    kinds["permalink"] = (f"/facts/{fact['id']}/releases/{history[0]['release']}", history[0]) if history else None
    return kinds


KINDS = ["fact", "source", "entity", "home", "search", "permalink"]


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_a_reader_sees_each_page_and_axe_finds_nothing_serious(browser, live_server, pages, kind):
    base = live_server.rstrip("/")
    if pages[kind] is None:
        pytest.fail(f"no {kind} page to open: the database has no release history (the checkout is not a git clone?)")
    path, item = pages[kind]
    context = browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)  # to inject axe-core
    try:
        page = context.new_page()
        assert page.goto(base + path, timeout=TIMEOUT_MS).status == 200
        assert page.locator("h1").is_visible()
        if kind == "fact":
            texts = {c["source"]: get_json(f"{base}/v1/sources/{c['source']}")["text"] for c in item["citations"]}
            marks = page.locator("ol.citations mark")
            assert marks.count() == len(item["citations"])
            for i, citation in enumerate(item["citations"]):
                mark = marks.nth(i)
                assert mark.is_visible()
                shown = mark.evaluate("m => m.textContent")
                assert shown == citation["quote"] == texts[citation["source"]][citation["start"]:citation["end"]]
                background = mark.evaluate("m => getComputedStyle(m).backgroundColor")
                assert background not in ("rgba(0, 0, 0, 0)", "transparent")
        elif kind == "source":
            text = get_json(f"{base}/v1/sources/{item['id']}")["text"]
            marks = page.locator("ol.passages mark")
            assert marks.count() > 0
            for i in range(marks.count()):
                start, end, shown = marks.nth(i).evaluate(
                    "m => [Number(m.dataset.start), Number(m.dataset.end), m.textContent]")
                assert shown == text[start:end]
        elif kind == "entity":
            timeline = _all(base, f"/v1/entities/{item['id']}/facts?limit=100")[:20]
            links = page.locator("ol.entity-facts li > a")
            assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [f"/facts/{f['id']}" for f in timeline]
        elif kind == "home":
            assert item["dataset_version"][:12] in page.locator("main").inner_text()
            page.locator("#home-q").fill(pages["entity"][1]["name"])  # the search box works without script
            page.locator("main form button").click()
            page.wait_for_url("**/search?q=*", timeout=TIMEOUT_MS)
            assert page.locator("ol.hits li").count() > 0
            page.go_back()
        elif kind == "search":
            hits = get_json(f"{base}/v1/search?q={quote(item['name'])}")["data"]
            assert page.locator("ol.hits > li").count() == len(hits)
            assert page.locator("ol.hits mark").first.is_visible()
        else:  # the permalink: the version it names, as it was
            assert page.locator("h1").inner_text() == " ".join(item["content"]["summary"].split())

        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(AXE_RUN)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"axe-{kind}.json").write_text(json.dumps(violations, indent=1), encoding="utf-8")
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], serious
        page.screenshot(path=str(SCREENSHOTS / f"{kind}-page.png"), full_page=kind not in ("source", "entity"))
    finally:
        context.close()


@pytest.mark.slow
def test_the_content_security_policy_is_enforced(browser, live_server, pages):
    """A script the page did not ship from its own origin does not run: the CSP blocks an inline
    one (the browser reports the violation); the page is readable with JavaScript off."""
    base = live_server.rstrip("/")
    path, fact = pages["fact"]
    context = browser.new_context()
    try:
        page = context.new_page()
        violations = []
        page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
        response = page.goto(base + path, timeout=TIMEOUT_MS)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        try:
            page.add_script_tag(content="document.body.dataset.ran = 'yes'")
        except Exception:  # noqa: BLE001 - Playwright may report the refused script itself
            pass
        assert page.evaluate("document.body.dataset.ran") is None
        assert violations, "the browser reported no CSP violation"
    finally:
        context.close()
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base + path, timeout=TIMEOUT_MS)
        assert page.locator("h1").inner_text() == fact["summary"]
        assert page.locator("ol.citations mark").count() == len(fact["citations"])
    finally:
        context.close()


@pytest.mark.slow
def test_a_fact_page_prints_as_one_page(browser, live_server, pages):
    """Printed (A4), the fact with the longest chain of attribution is one page: its summary, status
    and time, each quote without its surroundings, how to cite it; no navigation, forms or lists."""
    base = live_server.rstrip("/")
    path, fact = pages["fact"]
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(base + path, timeout=TIMEOUT_MS)
        page.emulate_media(media="print")
        assert not page.locator("header.site").is_visible() and not page.locator("form").first.is_visible()
        assert page.locator("ol.citations mark").first.is_visible() and page.locator(".citation-string").is_visible()
        assert not page.locator("ol.citations .context").first.is_visible()
        pdf = page.pdf(format="A4")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "fact-page-print.png"), full_page=True)
    finally:
        context.close()
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1

"""The query editor in a real browser (Debian's Chromium through Playwright) against `catkg serve`: with JavaScript
the form runs the query with fetch and draws the table, keeping the query in the URL; without it, the plain form
answers the same table from the server."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from conftest import CHROMIUM, SHOTS

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's Chromium is not installed at /usr/bin/chromium (`make test` installs it: apt-get install -y chromium)",
)
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency (.[test])")
expect = playwright_api.expect
QUERY = (
    "PREFIX cat: <https://w3id.org/catkg/ontology#>\n"
    "SELECT ?fact ?statement WHERE { ?fact a cat:Incidence ; cat:statement ?statement } ORDER BY ?fact"
)


def open_page(browser, server: str, javascript: bool = True):
    context = browser.new_context(base_url=server, java_script_enabled=javascript, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda msg: page.problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda err: page.problems.append(str(err)))
    page.on("requestfailed", lambda request: page.problems.append(request.url))
    return context, page


def test_editor_runs_a_query_with_fetch_and_keeps_it_in_the_url(browser, server: str, store) -> None:
    context, page = open_page(browser, server)
    try:
        assert page.goto("/sparql").status == 200
        page.fill("#sparql-query", QUERY)
        with page.expect_request(lambda r: "/sparql?" in r.url and r.resource_type == "fetch") as request:
            page.click("#sparql-run")
        assert request.value.headers["accept"].startswith("application/sparql-results+json")
        expect(page.locator("table.sparql-table tbody tr").first).to_be_visible()
        incidences = int(
            next(iter(store.query("SELECT (COUNT(*) AS ?n) { ?f a <https://w3id.org/catkg/ontology#Incidence> }")))[0].value
        )
        expect(page.locator("table.sparql-table tbody tr")).to_have_count(incidences)
        assert page.locator("table.sparql-table thead th").all_inner_texts() == ["fact", "statement"]
        assert parse_qs(urlparse(page.url).query)["query"] == [QUERY]
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "sparql-editor.png"), full_page=True)
        page.reload()  # the shared link opens the same query, answered by the server
        assert page.input_value("#sparql-query") == QUERY
        expect(page.locator("table.sparql-table tbody tr")).to_have_count(incidences)
        assert page.problems == []
    finally:
        context.close()


def test_examples_are_one_click_away(browser, server: str) -> None:
    from catkg.api.editor import examples

    context, page = open_page(browser, server)
    try:
        page.goto("/sparql")
        example = next(e for e in examples() if e.name == "vte_after_lung_surgery")
        page.click(f"a.example[data-name={example.name}]")
        expect(page.locator("table.sparql-table tbody tr").first).to_be_visible()
        assert page.input_value("#sparql-query") == example.text
        assert parse_qs(urlparse(page.url).query)["query"] == [example.text]
        page.click("a.example[data-name=describe_pulmonary_embolism]")  # a graph, drawn from JSON-LD
        expect(page.locator("table.sparql-table thead th")).to_have_count(3)
        expect(page.locator("table.sparql-table").get_by_text("pulmonary embolism", exact=True).first).to_be_visible()
        page.fill("#sparql-query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
        page.click("#sparql-run")
        expect(page.locator("#sparql-result .error-message")).to_contain_text("SERVICE is refused")
        page.problems = [p for p in page.problems if "400" not in p]  # the refused query's status, logged by Chromium
        assert page.problems == []
    finally:
        context.close()


def test_editor_without_javascript(browser, server: str) -> None:
    context, page = open_page(browser, server, javascript=False)
    try:
        page.goto("/sparql")
        page.fill("#sparql-query", QUERY)
        page.click("#sparql-run")
        page.wait_for_load_state()
        assert "format=html" in page.url
        expect(page.locator("table.sparql-table tbody tr").first).to_be_visible()
        assert page.input_value("#sparql-query") == QUERY
    finally:
        context.close()

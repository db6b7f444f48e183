"""Evidence quality in a real browser (Debian's Chromium through Playwright, against `catkg serve`): the
immunotherapy contradiction served as a conflict on its claim, on both facts and in search results, and a
curator's note on a source anomaly (the 0.5 mg/ml D-dimer cutoff) on its fact's page."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from conftest import CHROMIUM
from test_browser import shoot

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's Chromium is not installed at /usr/bin/chromium (`make test` installs it: apt-get install -y chromium)",
)
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency (.[test])")
expect = playwright_api.expect

CLAIM = "immunotherapy--risk-factor--pulmonary-embolism"
SUPPORTS = "immunotherapy-increases-pe-risk-in-lung-cancer"
DISPUTES = {"immunotherapy-pe-relationship-unclear", "immunotherapy-pe-data-scarce"}


@pytest.fixture
def page(browser, server: str) -> Iterator[object]:
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.failed = []
    page.on("console", lambda msg: page.failed.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()


def test_the_immunotherapy_contradiction_is_a_conflict_from_list_to_claim_to_both_facts(page, server: str) -> None:
    assert page.goto("/conflicts").status == 200
    card = page.locator(f"article.conflict-card#{CLAIM}")
    expect(card).to_be_visible()
    expect(card.locator(".supporting a")).to_have_count(1)
    expect(card.locator(".disputing a")).to_have_count(len(DISPUTES))
    shoot(page, "conflicts")

    card.get_by_role("link", name=card.locator("h2 a").inner_text()).click()
    expect(page).to_have_url(f"{server}/claim/{CLAIM}")
    expect(page.locator(".eyebrow .badge.conflict")).to_be_visible()
    expect(page.locator("section.supporting .fact-card")).to_have_count(1)
    expect(page.locator("section.disputing .fact-card")).to_have_count(len(DISPUTES))
    api = httpx.get(f"{server}/api/claims/{CLAIM}").json()
    expect(page.locator(".independent-sources")).to_contain_text(str(api["independent_sources"]))
    shoot(page, "claim-immunotherapy-pe")

    for fact_id, others in [(SUPPORTS, DISPUTES), *((d, {SUPPORTS}) for d in sorted(DISPUTES))]:
        page.goto(f"/fact/{fact_id}")
        note = page.locator("aside.conflict-note")
        expect(note).to_be_visible()
        linked = {a.get_attribute("href").removeprefix("/fact/") for a in note.locator("ul.conflicting a").all()}
        assert linked == others, fact_id
        expect(page.locator(".eyebrow .badge.conflict")).to_have_attribute("href", f"/claim/{CLAIM}")
    shoot(page, "fact-in-conflict")
    assert not page.failed, page.failed


def test_search_results_flag_the_conflicting_facts(page) -> None:
    page.goto("/search?q=immunotherapy+pulmonary+embolism")
    flagged = {
        a.get_attribute("href").removeprefix("/fact/")
        for a in page.locator("ol.results .fact-card:has(.badge.conflict) .statement a").all()
    }
    assert {SUPPORTS, *DISPUTES} <= flagged
    expect(page.locator("ol.results .badge.level").first).to_be_visible()
    shoot(page, "search-conflict-badges")


def test_a_source_anomaly_shows_its_note_beside_the_verbatim_quote(page) -> None:
    page.goto("/fact/d-dimer-below-0-5-rules-out-pe")
    note = page.locator("aside.source-note")
    expect(note).to_be_visible()
    expect(note.locator(".badge.note-kind")).to_have_text("likely typo")
    expect(note).to_contain_text("0.5 mg/L")
    expect(page.locator("blockquote.in-context mark")).to_contain_text("0.5\u00a0mg/ml")
    expect(page.locator(".eyebrow .badge.level")).to_have_text("cited study")
    shoot(page, "fact-source-note")
    assert not page.failed, page.failed

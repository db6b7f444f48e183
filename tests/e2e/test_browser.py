"""The pages in a real browser: Debian's Chromium, headless, driven by Playwright against `catkg serve`.

A clinician's path (search -> entity -> fact -> the highlighted sentence in its article), script injection
through the query string, and a screenshot of every page (desktop and phone) in test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from conftest import CHROMIUM, SHOTS

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's Chromium is not installed at /usr/bin/chromium (`make test` installs it: apt-get install -y chromium)",
)
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency (.[test])")
expect = playwright_api.expect

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def page(browser, server: str) -> Iterator[object]:
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.failed = []
    page.on("requestfailed", lambda request: page.failed.append(request.url))
    page.on(
        "response",
        lambda r: (
            page.failed.append(f"{r.status} {r.url}") if r.status >= 400 and r.request.resource_type != "document" else None
        ),
    )
    page.on(
        "console",
        lambda msg: page.failed.append(msg.text) if msg.type == "error" and "Failed to load resource" not in msg.text else None,
    )
    yield page
    context.close()


def shoot(page, name: str, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def test_search_entity_fact_and_the_sentence_in_its_article(page, server: str) -> None:
    assert page.goto("/").status == 200
    shoot(page, "home")
    page.get_by_label("Search the evidence").fill("osimertinib")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(f"{server}/search?q=osimertinib")
    expect(page.locator("ol.results > li").first).to_be_visible()
    shoot(page, "search-osimertinib")

    page.locator(".interpreted").get_by_role("link", name="osimertinib", exact=True).click()
    expect(page).to_have_url(f"{server}/entity/osimertinib")
    expect(page.get_by_role("heading", level=1)).to_contain_text("osimertinib")
    expect(page.locator("figure.graph svg a.node-link").first).to_be_visible()
    shoot(page, "entity-osimertinib")

    fact_link = page.locator("#facts-title ~ section .fact-card .statement a").first
    fact_id = fact_link.get_attribute("href").removeprefix("/fact/")
    fact_link.click()
    expect(page).to_have_url(f"{server}/fact/{fact_id}")
    shoot(page, "fact-from-entity")

    fact = httpx.get(f"{server}/api/facts/{fact_id}").json()
    ev = fact["evidence"]
    page.get_by_role("link", name="Read it in the article").click()
    expect(page).to_have_url(f"{server}{ev['url']}")
    mark = page.locator(f"mark[id='c{ev['start']}-{ev['end']}']")
    expect(mark).to_be_in_viewport()
    assert mark.text_content() == ev["quote"]
    assert (
        page.evaluate("document.querySelector(':target') && document.querySelector(':target').id")
        == f"c{ev['start']}-{ev['end']}"
    )
    shoot(page, "source-at-the-quote", full_page=False)
    assert not page.failed, page.failed


def test_every_fact_link_scrolls_to_its_quote(page, server: str) -> None:
    """Each mark on an article page holds exactly its quote, for every fact read from the article."""
    facts = httpx.get(f"{server}/api/facts", params={"source": "lung-cancer-pe-review", "limit": 1000}).json()
    page.goto("/source/lung-cancer-pe-review")
    marks = page.eval_on_selector_all("mark[id]", "ms => Object.fromEntries(ms.map(m => [m.id, m.textContent]))")
    for fact in facts["items"]:
        ev = fact["evidence"]
        assert marks[f"c{ev['start']}-{ev['end']}"] == ev["quote"], fact["id"]
    last = facts["items"][-1]["evidence"]
    page.goto(last["url"])
    expect(page.locator(f"mark[id='c{last['start']}-{last['end']}']")).to_be_in_viewport()


@pytest.mark.parametrize("probe", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>"])
def test_script_in_the_query_string_is_shown_as_text(page, probe: str) -> None:
    page.goto("/search?" + httpx.QueryParams({"q": probe}).__str__())
    page.wait_for_load_state("load")
    assert page.dialogs == []
    assert page.locator("main script, main img, main svg[onload], img[src='x']").count() == 0
    assert page.get_by_label("Words, a question or an abbreviation").input_value() == probe
    expect(page.locator("#results-title")).to_contain_text(probe)


PAGES = {
    "search-pe-diagnostic": "/search?q=D-dimer+threshold+to+rule+out+PE&kind=diagnostic",
    "search-typed": "/search?q=EGFR-TKI&type=drug",
    "entity-pulmonary-embolism": "/entity/pulmonary-embolism",
    "entity-dic": "/entity/dic",
    "fact-vte-curve": "/fact/yang-vte-incidence-after-surgery",
    "fact-bars": "/fact/cui-pe-prevalence-36-4-percent",
    "source-article": "/source/dic-targeted-therapy-2022",
    "source-reference": "/source/ref-wang-2019",
    "questions": "/questions",
    "question-incidence": "/questions/incidence_over_time",
    "question-with-parameter": "/questions/diagnostic_workup?condition=pulmonary-embolism",
    "facts-list": "/facts?kind=incidence",
    "entities-list": "/entities?type=drug",
    "sources-list": "/sources",
    "not-found": "/entity/no-such-entity",
}


@pytest.mark.parametrize("name,url", PAGES.items(), ids=list(PAGES))
def test_page_renders_without_errors(page, name: str, url: str) -> None:
    response = page.goto(url)
    assert response.status == (404 if name == "not-found" else 200)
    expect(page.locator("main h1")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != "", "the stylesheet did not load"
    shoot(page, name)
    assert not page.failed, page.failed


@pytest.mark.parametrize(
    "name,url",
    [
        ("home", "/"),
        ("entity-osimertinib", "/entity/osimertinib"),
        ("fact-vte-curve", "/fact/yang-vte-incidence-after-surgery"),
        ("source-article", "/source/lung-cancer-pe-review#c10766-11072"),
        ("question-incidence", "/questions/incidence_over_time"),
    ],
)
def test_phone_layout_has_no_sideways_scroll(browser, server: str, name: str, url: str) -> None:
    context = browser.new_context(base_url=server, viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(url)
    width = page.evaluate("document.documentElement.scrollWidth")
    shoot(page, f"phone-{name}", full_page=False)
    context.close()
    assert width <= PHONE["width"], f"{url} is {width}px wide on a {PHONE['width']}px phone"


def test_keyboard_skip_link_and_search(page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r".*#main$"))
    page.get_by_label("Search the evidence").focus()
    page.keyboard.type("DIC")
    page.keyboard.press("Enter")
    expect(page.locator("#results-title")).to_contain_text("DIC")


def test_search_shows_the_reading_removes_it_and_unfolds_duplicates(page, server: str) -> None:
    """An evidence question in Chromium: the reading is listed, one click on ✕ searches again without it (a plain
    link, no script), and near-duplicates open under "+N more like it"."""
    page.goto("/search?" + str(httpx.QueryParams({"q": "Which chemotherapy agents promote thrombosis, and by what mechanisms?"})))
    readings = page.locator(".reading-list li.reading")
    expect(readings.filter(has_text="mechanism")).to_have_count(1)
    expect(readings.filter(has_text="chemotherapy").first).to_be_visible()
    folded = page.locator("ol.results details.folded").first
    expect(folded.locator("summary")).to_have_text(re.compile(r"^\+\d+ more like it$"))
    folded.locator("summary").click()
    expect(folded.locator("li a").first).to_be_visible()
    shoot(page, "search-reading-and-folded")

    readings.filter(has_text="mechanism").get_by_role("link", name=re.compile("not mechanism")).click()
    expect(page).to_have_url(re.compile(r"not=kind%3Amechanism"))
    expect(page.locator(".reading-list li.reading").filter(has_text="kind of fact")).to_have_count(0)
    expect(page.locator(".excluded a.restore")).to_have_text("kind:mechanism")
    page.locator(".excluded a.restore").click()
    expect(page.locator(".reading-list li.reading").filter(has_text="mechanism")).to_have_count(1)
    assert not page.failed and not page.dialogs

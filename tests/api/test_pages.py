"""The web pages in process: HTML read by selectors, the same answers as the JSON twins, headers, errors."""

from __future__ import annotations

from collections import deque
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from bs4.builder import HTMLParserTreeBuilder

from catkg.ingest.validate import sources_root

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
PAGES = [
    "/",
    "/search",
    "/search?q=osimertinib",
    "/facts",
    "/facts?kind=incidence",
    "/entities",
    "/entities?type=drug",
    "/sources",
    "/entity/osimertinib",
    "/entity/pulmonary-embolism",
    "/fact/yang-vte-incidence-after-surgery",
    "/source/lung-cancer-pe-review",
    "/source/ref-wang-2019",
    "/questions",
    "/questions/incidence_over_time",
]
XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    "</textarea><b>bold</b>",
    "{{ 7*7 }}",
]


def verbatim(markup: str) -> BeautifulSoup:
    """Parsed keeping whitespace-only text as it is (BeautifulSoup shortens it outside <pre> by default)."""
    keep = HTMLParserTreeBuilder.DEFAULT_PRESERVE_WHITESPACE_TAGS | {"div", "mark", "sup"}
    return BeautifulSoup(markup, builder=HTMLParserTreeBuilder(preserve_whitespace_tags=keep))


def get(client, url: str, **kwargs):
    return client.get(url, headers=HTML, **kwargs)


def soup(client, url: str, status: int = 200) -> BeautifulSoup:
    response = get(client, url)
    assert response.status_code == status, (url, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


@pytest.mark.parametrize("url", PAGES)
def test_page_is_html_with_security_headers(client, url: str) -> None:
    response = get(client, url)
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("url", PAGES)
def test_page_is_accessible_and_self_contained(client, url: str) -> None:
    page = soup(client, url)
    assert page.html["lang"] == "en"
    assert page.find("meta", attrs={"name": "viewport"})
    assert len(page.find_all("h1")) == 1
    skip = page.body.find("a")
    assert skip["href"] == "#main" and page.find("main", id="main")
    assert page.find("header") and page.find("footer") and page.find("nav")
    assert not page.find("script") and not page.find("style") and not page.select("[style]")
    assert not [t for t in page.find_all(True) if any(a.startswith("on") for a in t.attrs)]
    for tag, attr in (("link", "href"), ("img", "src"), ("script", "src"), ("iframe", "src")):
        for element in page.find_all(tag):
            assert urlsplit(element[attr]).netloc == "", f"{url} loads {element[attr]} from another host"
    for control in page.select("input:not([type=hidden]):not([type=submit]), select, textarea"):
        assert control.get("id") and page.find("label", attrs={"for": control["id"]}), f"{url}: {control} unlabelled"
    for svg in page.select("svg"):
        assert svg.find("title") and svg.get("aria-labelledby"), f"{url}: an SVG without a title"
        assert svg.get("role") == ("group" if svg.find("a") else "img"), f"{url}: links inside role=img are hidden"


def test_stylesheet_is_served(client) -> None:
    response = client.get("/static/css/catkg.css")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "url(" not in response.text and "@import" not in response.text


def test_home_shows_what_the_graph_holds(client) -> None:
    stats = client.get("/api/stats").json()
    page = soup(client, "/")
    form = page.find("form", attrs={"role": "search"})
    assert form["action"] == "/search" and form.find("input", attrs={"name": "q"})
    kinds = {a.get_text(): a.find_parent("tr").select_one(".num").get_text() for a in page.select("#kinds-title ~ table a")}
    assert kinds == {k["label"]: str(k["count"]) for k in stats["facts_by_kind"]}
    assert {a["href"] for a in page.select("#sources-title ~ ul a")} == {f"/source/{s['id']}" for s in stats["facts_by_source"]}
    questions = client.get("/api/questions").json()["items"]
    assert {a["href"] for a in page.select(".question-list a")} == {f"/questions/{q['name']}" for q in questions}
    assert page.select("#main-entities-title ~ ul a[href='/entity/pulmonary-embolism']")


def result_ids(page: BeautifulSoup) -> list[str]:
    return [a["href"].removeprefix("/fact/") for a in page.select("ol.results .fact-card .statement a")]


@pytest.mark.parametrize("q", ["osimertinib", "PE", "DIC", "EGFR-TKI", "D-dimer threshold to rule out PE"])
def test_search_ranks_like_the_api(client, q: str) -> None:
    api = client.get("/api/search", params={"q": q, "limit": 20}).json()
    response = get(client, "/search", params={"q": q})
    page = BeautifulSoup(response.text, "html.parser")
    assert api["total"] > 0
    assert result_ids(page) == [f["id"] for f in api["items"]]
    assert page.select_one("#results-title").get_text().startswith(f"{api['total']} fact")
    for card, fact in zip(page.select("ol.results .fact-card"), api["items"], strict=False):
        assert card.select_one(f"a.quote-link[href='{fact['evidence']['url']}']")
        assert card.select_one(".badge.kind").get_text() == fact["kind"].replace("-", " ")
        assert card.select_one(f".provenance a[href='/source/{fact['evidence']['source']['id']}']")
        assert card.find("blockquote").get_text() == fact["evidence"]["quote"]
    read_as = {a["href"] for a in page.select(".interpreted a")}
    assert read_as == {f"/entity/{e}" for e in api["interpreted"]["entities"]}


def test_search_understands_abbreviations(client) -> None:
    page = soup(client, "/search?q=PE")
    assert page.select_one(".interpreted a[href='/entity/pulmonary-embolism']")
    page = soup(client, "/search?q=EGFR-TKI")
    assert page.select_one(".interpreted a[href='/entity/egfr-tki']")


def test_search_filters_by_kind_and_entity_type(client) -> None:
    page = soup(client, "/search?q=pulmonary+embolism&kind=diagnostic")
    badges = {b.get_text() for b in page.select("ol.results .badge.kind")}
    assert badges == {"diagnostic"}
    assert page.select_one("select#kind option[selected]")["value"] == "diagnostic"
    drugs = {e["id"] for e in client.get("/api/entities", params={"type": "drug", "limit": 1000}).json()["items"]}
    page = soup(client, "/search?q=thrombosis&type=drug")
    ids = result_ids(page)
    assert ids
    for fact_id in ids:
        fact = client.get(f"/api/facts/{fact_id}").json()
        assert {fact["subject"]["id"], fact["object"]["id"]} & drugs, fact_id
    everything = soup(client, "/search?q=thrombosis")
    assert len(result_ids(everything)) > len(ids)


def test_search_pages_through_results(client) -> None:
    total = client.get("/api/search", params={"q": "pulmonary embolism"}).json()["total"]
    assert total > 20
    first = soup(client, "/search?q=pulmonary+embolism")
    next_link = first.select_one(".pager a[rel=next]")["href"]
    second = soup(client, next_link)
    api = client.get("/api/search", params={"q": "pulmonary embolism", "offset": 20}).json()
    assert result_ids(second) == [f["id"] for f in api["items"]]
    assert second.select_one("ol.results")["start"] == "21"


@pytest.mark.parametrize("probe", XSS)
def test_search_shows_markup_as_text(client, probe: str) -> None:
    response = get(client, "/search", params={"q": probe})
    assert response.status_code == 200
    assert probe not in response.text or probe == "{{ 7*7 }}"
    page = BeautifulSoup(response.text, "html.parser")
    assert not page.find("script") and not page.find("img") and not page.find("b")
    assert not page.select("svg[onload]")
    assert page.select_one("input#q")["value"] == probe
    assert probe in page.select_one("#results-title").get_text()


@pytest.mark.parametrize(
    "url",
    [
        "/facts?q=%3Cscript%3Ealert(1)%3C/script%3E",
        "/entities?q=%22%3E%3Cimg%20src=x%3E",
        "/questions/facts_by_citation?marker=%3Cscript%3Ealert(1)%3C/script%3E",
    ],
)
def test_other_forms_show_markup_as_text(client, url: str) -> None:
    response = get(client, url)
    page = BeautifulSoup(response.text, "html.parser")
    assert not page.find("script") and not page.find("img")


def test_entity_page(client) -> None:
    api = client.get("/api/entities/osimertinib").json()
    page = soup(client, "/entity/osimertinib")
    assert page.h1.get_text().startswith(api["label"])
    assert page.select_one(".badge.type").get_text() == api["type"]
    for broader in api["broader"]:
        assert page.select_one(f".facts-dl a[href='/entity/{broader['id']}']")
    grouped = {}
    for section in page.select(".kind-group"):
        kind = section.h3["id"].removeprefix("kind-")
        links = section.select(".claim-card .fact-card .statement a, .claim-card .claim-facts a")
        grouped[kind] = [a["href"].removeprefix("/fact/") for a in links]
    assert sorted(i for ids in grouped.values() for i in ids) == sorted(f["id"] for f in api["facts"])
    assert {a["href"] for a in page.select(".toc a")} == {f"#kind-{k}" for k in grouped}


def test_entity_page_lists_each_claim_once_with_its_facts(client) -> None:
    """adenocarcinoma -> PE was stated by three sentences as a risk factor: one claim card, three facts in it."""
    api = client.get("/api/entities/lung-adenocarcinoma").json()
    page = soup(client, "/entity/lung-adenocarcinoma")
    cards = [card["data-claim"] for card in page.select(".claim-card")]
    assert len(cards) == len(set(cards)) == len({f["claim"] for f in api["facts"]})
    card = page.select_one(".claim-card[data-claim='lung-adenocarcinoma--risk-factor--pulmonary-embolism']")
    assert {a["href"] for a in card.select(".claim-facts a")} == {
        "/fact/lung-adenocarcinoma-correlated-with-pe-in-lung-cancer",
        "/fact/adenocarcinoma-independent-risk-factor-for-pe",
        "/fact/adenocarcinoma-recognized-independent-risk-factor",
    }
    assert "3 independent sources" in card.get_text()


def test_entity_names_and_hierarchy(client) -> None:
    api = client.get("/api/entities/pulmonary-embolism").json()
    page = soup(client, "/entity/pulmonary-embolism")
    text = page.select_one(".facts-dl").get_text()
    for name in api["abbreviations"] + api["synonyms"]:
        assert name in text
    assert {a["href"] for a in page.select(".facts-dl dt:-soup-contains('Narrower') + dd a")} == {
        f"/entity/{n['id']}" for n in api["narrower"]
    }


@pytest.mark.parametrize(
    "entity_id,expected",
    [
        ("pulmonary-embolism", [("HP:0002204", "http://purl.obolibrary.org/obo/HP_0002204", "the same concept")]),
        ("incidental-pe", [("HP:0002204", "http://purl.obolibrary.org/obo/HP_0002204", "a broader term")]),
        ("egfr-mutation", [("NCBIGene:1956", "http://identifiers.org/ncbigene/1956", "its gene")]),
        ("osimertinib", []),
    ],
)
def test_entity_page_links_its_verified_xrefs(client, entity_id: str, expected: list[tuple[str, str, str]]) -> None:
    api = client.get(f"/api/entities/{entity_id}").json()
    assert [(x["id"], x["iri"]) for x in api["xrefs"]] == [(i, iri) for i, iri, _ in expected]
    page = soup(client, f"/entity/{entity_id}")
    items = page.select(".facts-dl dt:-soup-contains('Elsewhere') + dd li")
    found = [(li.a.get_text(), li.a["href"], li.select_one(".note").get_text().split(": ")[-1]) for li in items]
    assert found == expected


def test_entity_neighbourhood_graph_links_nodes_and_edges(client) -> None:
    page = soup(client, "/entity/pulmonary-embolism")
    svg = page.select_one("figure.graph svg")
    nodes = [a["href"] for a in svg.select("a.node-link")]
    edges = [a["href"] for a in svg.select("a.edge-link")]
    assert "/entity/pulmonary-embolism" in nodes and 2 <= len(nodes) <= 17
    assert len(edges) == len(nodes) - 1
    related_items = page.select(".related > li")
    assert len(related_items) >= len(edges)
    for edge in edges:
        target = page.find(id=edge.removeprefix("#"))
        assert target is not None, edge
        count = int(svg.select_one(f"a.edge-link[href='{edge}'] text").get_text())
        assert len(target.select("ul a[href^='/fact/']")) == count
        assert f"/entity/{edge.removeprefix('#with-')}" in nodes


def test_fact_page_holds_everything(client) -> None:
    fact = client.get("/api/facts/yang-vte-incidence-after-surgery").json()
    page = soup(client, "/fact/yang-vte-incidence-after-surgery")
    assert page.h1.get_text() == fact["statement"]
    assert page.select_one("blockquote.in-context mark").get_text() == fact["evidence"]["quote"]
    assert page.select_one(f"a[href='{fact['evidence']['url']}']")
    rows = page.select("#values-caption ~ tbody tr")
    assert [r.td.get_text() for r in rows] == [v["as_written"] for v in fact["values"]]
    details = page.select_one("#details-title ~ dl").get_text()
    for text in (fact["predicate"], fact["evidence"]["attributed_to"], *fact["evidence"]["citations"]):
        assert text in details
    source = fact["evidence"]["source"]["id"]
    assert page.select_one(f".cite a[href='/source/{source}/cite.ris']")
    assert page.select_one(f".cite a[href='/source/{source}/cite.bib']")
    assert page.select_one(f".downloads a[href='/api/facts/{fact['id']}']")


def test_values_over_time_draw_a_curve(client) -> None:
    fact = client.get("/api/facts/yang-vte-incidence-after-surgery").json()
    svg = soup(client, "/fact/yang-vte-incidence-after-surgery").select_one("svg.chart")
    assert svg.select_one("path.series")
    assert len(svg.select("circle.dot")) == len(fact["values"]) == 5
    assert [t.get_text() for t in svg.select("text.point-label")] == [v["as_written"] for v in fact["values"]]
    ticks = [t.get_text() for t in svg.select("text.tick") if t.get("text-anchor") == "middle"]
    assert ticks == ["1", "3", "6", "12", "30"]
    xs = [float(c["cx"]) for c in svg.select("circle.dot")]
    assert xs == sorted(xs) and (xs[4] - xs[3]) > (xs[1] - xs[0]) * 5, "time is drawn to scale"


def test_comparable_values_draw_bars(client) -> None:
    fact = client.get("/api/facts/cui-pe-prevalence-36-4-percent").json()
    svg = soup(client, "/fact/cui-pe-prevalence-36-4-percent").select_one("svg.chart")
    cases = [v for v in fact["values"] if v["unit"] == "cases"]
    bars = svg.select("rect.bar")
    assert len(bars) == len(cases)
    widths = [float(b["width"]) for b in bars]
    assert widths.index(max(widths)) == [v["value"] for v in cases].index(max(v["value"] for v in cases))


def test_fact_without_comparable_values_has_no_chart(client) -> None:
    fact = next(f for f in client.get("/api/facts", params={"limit": 1000}).json()["items"] if not f["values"])
    assert not soup(client, f"/fact/{fact['id']}").select("svg.chart")


def article_ids(client) -> list[str]:
    return [s["id"] for s in client.get("/api/sources", params={"kind": "article"}).json()["items"]]


def test_article_text_is_kept_whole_with_every_quote_marked(client) -> None:
    for source_id in article_ids(client):
        source = client.get(f"/api/sources/{source_id}").json()
        page = verbatim(get(client, f"/source/{source_id}").text)
        body = page.select_one(".article-text")
        for ref in body.select("sup.passage-ref"):
            ref.decompose()
        assert body.get_text() == (sources_root() / source["file"]).read_text(encoding="utf-8"), source_id
        for fact in source["facts"]:
            ev = fact["evidence"]
            mark = body.find("mark", id=f"c{ev['start']}-{ev['end']}")
            assert mark is not None and mark.get_text() == ev["quote"], fact["id"]


def test_article_lists_its_facts_by_passage(client) -> None:
    source = client.get("/api/sources/dic-targeted-therapy-2022").json()
    page = soup(client, "/source/dic-targeted-therapy-2022")
    listed = {a["href"].removeprefix("/fact/") for a in page.select(".passages a[href^='/fact/']")}
    assert listed == {f["id"] for f in source["facts"]}
    for ref in page.select("sup.passage-ref a"):
        assert page.find(id=ref["href"].removeprefix("#"))
    for item in page.select(".passages > li"):
        assert page.find("mark", id=item.a["href"].removeprefix("#"))
    assert {a["href"] for a in page.select(".references a")} == {f"/source/{r['id']}" for r in source["references"]}


def test_reference_page_shows_the_reference_and_its_facts(client) -> None:
    ref = client.get("/api/sources/ref-wang-2019").json()
    page = soup(client, "/source/ref-wang-2019")
    assert not page.select(".article-text")
    reference = page.select_one(".cite .reference").get_text()
    assert reference.startswith("Wang D, Luo Y, Shen D, Yang L, Liu HY, Che YQ. Clinical features")
    assert reference.endswith(ref["citation"])
    assert page.select_one(f"a[href='/source/{ref['cited_in']}']")
    assert result_ids_in(page) == [f["id"] for f in ref["facts"]]
    for fact in ref["facts"]:
        assert page.select_one(f"a.quote-link[href='{fact['evidence']['url']}']")


def result_ids_in(page: BeautifulSoup) -> list[str]:
    return [a["href"].removeprefix("/fact/") for a in page.select(".fact-card .statement a")]


def test_citation_downloads(client) -> None:
    ris = client.get("/source/ref-wang-2019/cite.ris")
    assert ris.status_code == 200 and ris.headers["content-type"].startswith("application/x-research-info-systems")
    assert 'attachment; filename="ref-wang-2019.ris"' == ris.headers["content-disposition"]
    lines = ris.text.splitlines()
    assert lines[0] == "TY  - JOUR" and lines[-1] == "ER  - "
    assert [line[6:] for line in lines if line.startswith("AU")] == ["Wang D", "Luo Y", "Shen D", "Yang L", "Liu HY", "Che YQ"]
    assert "SP  - 388" in lines and "EP  - 393" in lines and "PY  - 2019" in lines
    bib = client.get("/source/ref-wang-2019/cite.bib")
    assert bib.headers["content-type"].startswith("application/x-bibtex")
    assert bib.text.startswith("@article{ref-wang-2019,")
    assert "pages = {388--393}" in bib.text and "author = {Wang, D. and Luo, Y." in bib.text
    assert bib.text.count("{") == bib.text.count("}")


def test_no_citation_invents_an_identifier(client) -> None:
    for source in client.get("/api/sources", params={"limit": 1000}).json()["items"]:
        ris = client.get(f"/source/{source['id']}/cite.ris").text
        bib = client.get(f"/source/{source['id']}/cite.bib").text
        tags = {line[:2] for line in ris.splitlines()}
        assert not tags & {"DO", "AN", "UR", "L1", "SN"}, source["id"]
        assert not any(f"  {k} =" in bib for k in ("doi", "pmid", "url", "issn")), source["id"]
        assert bib.count("{") == bib.count("}"), source["id"]


def test_questions_list(client) -> None:
    questions = client.get("/api/questions").json()["items"]
    page = soup(client, "/questions")
    assert [a["href"] for a in page.select(".question-cards h2 a")] == [f"/questions/{q['name']}" for q in questions]


@pytest.mark.parametrize(
    "name",
    [
        "anticoagulation_options",
        "incidence_over_time",
        "diagnostic_workup",
        "case_reports_by_alteration",
        "quantified_risk_factors",
    ],
)
def test_question_answer_table(client, name: str) -> None:
    api = client.get(f"/api/questions/{name}").json()
    page = soup(client, f"/questions/{name}")
    assert page.h1.get_text() == api["title"]
    rows = page.select("table.answers tbody tr")
    assert len(rows) == api["total"]
    for row, item in zip(rows, api["items"], strict=False):
        links = [a["href"] for a in row.select(".evidence-cell a")]
        for evidence in item["evidence"]:
            assert f"/fact/{evidence['fact']}" in links and evidence["url"] in links
    for p in api["parameters"]:
        assert page.select_one(f"form [name='{p['name']}']")
    csv_link = page.select_one(".downloads a[href*='format=csv']")["href"]
    response = client.get(csv_link)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")


def test_question_parameters_as_a_form(client) -> None:
    api = client.get("/api/questions/diagnostic_workup", params={"condition": "pulmonary-embolism"}).json()
    page = soup(client, "/questions/diagnostic_workup?condition=pulmonary-embolism")
    select = page.select_one("select[name=condition]")
    assert select.select_one("option[selected]")["value"] == "pulmonary-embolism"
    assert page.select_one("label[for=p-condition]")
    assert len(page.select("table.answers tbody tr")) == api["total"]
    assert page.select_one(".downloads a[href*='condition=pulmonary-embolism']")
    empty = soup(client, "/questions/diagnostic_workup?condition=")
    everything = client.get("/api/questions/diagnostic_workup").json()
    assert len(empty.select("table.answers tbody tr")) == everything["total"]


def test_question_waits_for_its_required_parameters(client) -> None:
    page = soup(client, "/questions/entity_family")
    assert page.select_one("select[name=entity][required]") and not page.select("table.answers")
    api = client.get("/api/questions/entity_family", params={"entity": "targeted-therapy"}).json()
    page = soup(client, "/questions/entity_family?entity=targeted-therapy")
    assert len(page.select("table.answers tbody tr")) == api["total"] > 0


@pytest.mark.parametrize(
    "url", ["/questions/incidence_over_time?colour=red", "/questions/incidence_over_time?outcome=Not%20An%20Id"]
)
def test_question_with_a_bad_parameter_says_so(client, url: str) -> None:
    page = soup(client, url, status=422)
    assert page.select_one(".error-message").get_text()
    assert page.select_one("form")


@pytest.mark.parametrize(
    "url",
    [
        "/entity/no-such-entity",
        "/fact/no-such-fact",
        "/source/no-such-source",
        "/questions/no_such_question",
        "/no/such/page",
        "/source/no-such-source/cite.ris",
    ],
)
def test_unknown_ids_give_an_html_404_to_browsers(client, url: str) -> None:
    page = soup(client, url, status=404)
    assert page.h1.get_text() == "Not found"
    assert page.select_one("form[role=search]")


@pytest.mark.parametrize("url", ["/entity/no-such-entity", "/fact/no-such-fact", "/source/no-such-source"])
def test_unknown_ids_keep_the_json_error_for_scripts(client, url: str) -> None:
    response = client.get(url, headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_bad_page_parameters_answer_html(client) -> None:
    page = soup(client, "/search?q=x&kind=nonsense", status=422)
    assert "nonsense" in page.select_one(".error-message").get_text()
    page = soup(client, "/facts?offset=-1", status=422)
    assert "offset" in page.select_one(".error-message").get_text()


def test_linked_data_iris_still_negotiate(client) -> None:
    html = get(client, "/fact/yang-vte-incidence-after-surgery")
    assert html.headers["content-type"].startswith("text/html") and "Accept" in html.headers["vary"]
    as_json = client.get("/fact/yang-vte-incidence-after-surgery", headers={"Accept": "application/json"})
    assert as_json.json() == client.get("/api/facts/yang-vte-incidence-after-surgery").json()
    turtle = client.get("/entity/osimertinib", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize(
    "url",
    [
        "/search?q=osimertinib",
        "/facts?kind=incidence",
        "/entities?type=drug",
        "/sources",
        "/questions",
        "/questions/incidence_over_time",
        "/entity/osimertinib",
        "/source/lung-cancer-pe-review",
        "/fact/yang-vte-incidence-after-surgery",
    ],
)
def test_every_list_links_its_csv_and_json_twin(client, url: str) -> None:
    links = [a["href"] for a in soup(client, url).select(".downloads a")]
    assert any("format=csv" in link for link in links), url
    for link in links:
        assert link.startswith("/api/"), link
        response = client.get(link)
        assert response.status_code == 200, link
        fmt = parse_qs(urlsplit(link).query).get("format", ["json"])[0]
        assert response.headers["content-type"].startswith({"csv": "text/csv", "json": "application/json"}[fmt])


def test_facts_list_matches_the_api(client) -> None:
    api = client.get("/api/facts", params={"kind": "incidence", "limit": 20}).json()
    page = soup(client, "/facts?kind=incidence")
    assert result_ids(page) == [f["id"] for f in api["items"]]
    assert page.select_one("h2").get_text().startswith(str(api["total"]))


def test_every_link_between_pages_resolves(client) -> None:
    """Crawl from the start page: every page link answers, and every fact page is reached."""
    seen, queue, pages = {"/"}, deque(["/"]), 0
    facts = {f["id"] for f in client.get("/api/facts", params={"limit": 1000}).json()["items"]}
    while queue:
        url = queue.popleft()
        response = get(client, url)
        assert response.status_code == 200, url
        pages += 1
        if not response.headers["content-type"].startswith("text/html"):
            continue
        for a in BeautifulSoup(response.text, "html.parser").find_all("a", href=True):
            parts = urlsplit(a["href"])
            if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(("/api/", "/sparql", "/docs")):
                continue
            if parts.path.startswith(("/search", "/facts", "/entities", "/sources")) and parts.query:
                continue  # filtered lists: checked above, and they would multiply the crawl
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link not in seen:
                seen.add(link)
                queue.append(link)
    assert {u.removeprefix("/fact/") for u in seen if u.startswith("/fact/")} == facts
    assert pages > len(facts)

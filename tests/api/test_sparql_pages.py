"""The query editor page (read by selectors), the example-query API, and what the endpoint says about itself."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from bs4 import BeautifulSoup

from catkg.api.editor import examples

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}  # a browser's


def soup(response) -> BeautifulSoup:
    assert response.headers["content-type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


def test_editor_for_browsers_with_every_example_one_click_away(client) -> None:
    response = client.get("/sparql", headers=HTML)
    assert response.status_code == 200
    page = soup(response)
    form = page.select_one("form#sparql-form")
    assert form["method"] == "get" and form["action"] == "/sparql"
    assert page.select_one("form#sparql-form textarea[name=query]").text.strip()
    assert page.select_one("form#sparql-form input[name=format]")["value"] == "html"
    links = page.select("a.example")
    assert len(links) == len(examples()) >= 20
    for link, example in zip(links, examples(), strict=True):
        assert parse_qs(urlparse(link["href"]).query)["query"] == [example.text]
        assert link.text == example.title
    scripts = page.select("script")
    assert [s.get("src") for s in scripts] == ["/static/js/sparql.js"] and not any(s.text.strip() for s in scripts)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert client.get("/static/js/sparql.js").status_code == 200
    assert client.get("/static/css/sparql.css").status_code == 200
    assert not [tag for tag in page.select("[src], link[href]") if "//" in (tag.get("src") or tag.get("href"))], (
        "no asset from another host"
    )


def test_form_without_javascript_answers_a_table(client, store) -> None:
    query = (
        "PREFIX cat: <https://w3id.org/catkg/ontology#> "
        "SELECT ?fact ?statement WHERE { ?fact cat:statement ?statement } ORDER BY ?fact LIMIT 7"
    )
    response = client.get("/sparql", params={"query": query, "format": "html"})
    assert response.status_code == 200
    page = soup(response)
    assert [th.text for th in page.select("table.sparql-table thead th")] == ["fact", "statement"]
    rows = page.select("table.sparql-table tbody tr")
    assert len(rows) == 7
    first = rows[0].select("td")
    assert first[0].select_one("a")["href"].startswith("/fact/")
    assert page.select_one("textarea[name=query]").text == query
    downloads = {a.text: a["href"] for a in page.select("#sparql-downloads a")}
    assert set(downloads) == {"JSON", "XML", "CSV", "TSV"}
    assert client.get(downloads["CSV"]).text.count("\n") == 8


def test_browser_opening_a_shared_link_gets_the_page_with_the_result(client) -> None:
    response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=HTML)
    assert response.status_code == 200
    assert soup(response).select_one(".sparql-boolean strong").text == "true"


def test_construct_as_a_table(client) -> None:
    response = client.get("/sparql", params={"query": "DESCRIBE <https://w3id.org/catkg/entity/dic>", "format": "html"})
    page = soup(response)
    assert [th.text for th in page.select("thead th")] == ["subject", "predicate", "object"]
    assert {a.text for a in page.select("#sparql-downloads a")} == {"Turtle", "N-Triples", "N-Quads", "JSON-LD", "RDF/XML"}


def test_everything_shown_is_escaped(client) -> None:
    hostile = '<script>alert("x")</script>'
    query = f"SELECT ?x WHERE {{ BIND('{hostile}' AS ?x) }} # </textarea><script>alert(1)</script>"
    page = soup(client.get("/sparql", params={"query": query, "format": "html"}))
    assert not page.select("script:not([src])")
    assert page.select_one("table.sparql-table td").text.strip().startswith(hostile)
    assert page.select_one("textarea[name=query]").text == query
    error = soup(client.get("/sparql", params={"query": hostile, "format": "html"}))
    assert error.select_one(".error-message") and not error.select("script:not([src])")


def test_errors_on_the_page_keep_their_status(client) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://x/> {} }", "format": "html"})
    assert response.status_code == 400
    assert "SERVICE is refused" in soup(response).select_one(".error-message").text


def test_api_queries_lists_the_examples(client) -> None:
    body = client.get("/api/queries", params={"tag": "example"}).json()
    assert body["total"] == len(examples()) >= 20
    for item in body["items"]:
        assert set(item) >= {"name", "title", "description", "parameters", "tags", "editor"}
        assert "example" in item["tags"] and item["title"] and item["description"]
    one = client.get(f"/api/queries/{body['items'][0]['name']}").json()
    assert one["text"] == examples()[0].text
    assert client.get("/api/queries/no_such_query").status_code == 404
    assert client.get("/api/queries", params={"tga": "x"}).status_code == 422
    everything = client.get("/api/queries").json()
    assert everything["total"] > body["total"]
    assert client.get("/api/queries", params={"tag": "example", "format": "csv"}).text.startswith("name,")


@pytest.mark.parametrize(
    "accept,media",
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/n-triples", "application/n-triples"),
        ("*/*", "text/turtle"),
        (None, "text/turtle"),
    ],
)
def test_service_description_formats(client, accept: str | None, media: str) -> None:
    from rdflib import Graph

    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == media
    graph = Graph().parse(
        data=response.content,
        format={
            "text/turtle": "turtle",
            "application/ld+json": "json-ld",
            "application/rdf+xml": "xml",
            "application/n-triples": "nt",
        }[media],
    )
    assert len(graph) > 20


def test_no_query_and_no_rdf_acceptable_is_400(client) -> None:
    response = client.get("/sparql", headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 400 and "missing 'query'" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "params,headers,media",
    [
        ({}, {}, "text/turtle"),
        ({"format": "jsonld"}, {}, "application/ld+json"),
        ({}, {"Accept": "application/rdf+xml"}, "application/rdf+xml"),
    ],
)
def test_void_formats(client, params: dict, headers: dict, media: str) -> None:
    response = client.get("/.well-known/void", params=params, headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == media
    assert client.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406

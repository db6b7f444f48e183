"""The evidence API in process: the fact shape of API.md, filters, paging, and the one error shape."""

from __future__ import annotations

import pytest

FACT_KEYS = {"id", "iri", "kind", "statement", "subject", "predicate", "object", "values", "evidence"}


def test_facts_page(client) -> None:
    body = client.get("/api/facts", params={"limit": 2}).json()
    assert set(body) == {"items", "total", "limit", "offset"}
    assert body["limit"] == 2 and body["offset"] == 0 and len(body["items"]) == min(2, body["total"])
    for fact in body["items"]:
        assert FACT_KEYS <= set(fact)
        assert set(fact["subject"]) == {"id", "label", "type"}
        evidence = fact["evidence"]
        assert evidence["quote"] and evidence["source"]["id"]
        assert evidence["url"] == f"/source/{evidence['source']['id']}#c{evidence['start']}-{evidence['end']}"


def test_paging_walks_every_fact_once(client) -> None:
    total = client.get("/api/facts").json()["total"]
    seen = []
    for offset in range(0, total, 7):
        seen += [f["id"] for f in client.get("/api/facts", params={"limit": 7, "offset": offset}).json()["items"]]
    assert len(seen) == len(set(seen)) == total


def test_one_fact_matches_the_list(client) -> None:
    listed = client.get("/api/facts", params={"limit": 1}).json()["items"][0]
    assert client.get(f"/api/facts/{listed['id']}").json() == listed


def test_quote_is_the_source_text_at_its_offsets(client) -> None:
    from catkg.ingest.validate import sources_root

    for fact in client.get("/api/facts", params={"limit": 1000}).json()["items"]:
        ev = fact["evidence"]
        text = (sources_root() / ev["source"]["file"]).read_text(encoding="utf-8")
        assert text[ev["start"] : ev["end"]] == ev["quote"], fact["id"]


@pytest.mark.parametrize(
    "url,status,needle",
    [
        ("/api/facts/no-such-fact", 404, "unknown fact: no-such-fact"),
        ("/api/facts?kind=nonsense", 422, "kind: Input should be 'association'"),
        ("/api/facts?limit=0", 422, "limit"),
        ("/api/facts?limit=1001", 422, "limit"),
        ("/api/facts?offset=-1", 422, "offset"),
        ("/api/facts?entity=Not%20An%20Id", 422, "entity"),
        ("/api/facts?colour=red", 422, "unknown parameter: colour"),
        ("/api/facts/Bad%20Id", 422, "fact_id"),
    ],
)
def test_errors_share_one_shape(client, url: str, status: int, needle: str) -> None:
    response = client.get(url)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["status"] == status and needle in error["message"]


def test_healthz(client) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["version"]


def test_openapi_documents_the_routes(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/facts", "/api/facts/{fact_id}", "/sparql", "/healthz"} <= set(paths)
    assert client.get("/docs").status_code == 200


def test_csv_and_jsonl_twins(client) -> None:
    import csv
    import io
    import json

    as_json = client.get("/api/facts", params={"limit": 5}).json()["items"]
    as_csv = client.get("/api/facts", params={"limit": 5, "format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["id"] for r in rows] == [f["id"] for f in as_json]
    assert rows[0]["subject.label"] == as_json[0]["subject"]["label"]
    assert rows[0]["evidence.quote"] == as_json[0]["evidence"]["quote"]
    by_accept = client.get("/api/facts", params={"limit": 5}, headers={"Accept": "text/csv"})
    assert by_accept.text == as_csv.text
    lines = client.get("/api/facts", params={"limit": 5, "format": "jsonl"}).text.splitlines()
    assert [json.loads(line) for line in lines] == as_json


def test_entities_filter_by_type_and_name(client) -> None:
    drugs = client.get("/api/entities", params={"type": "drug", "limit": 1000}).json()
    assert drugs["total"] >= 1 and all(e["type"] == "drug" for e in drugs["items"])
    pe = client.get("/api/entities", params={"q": "PE", "limit": 1000}).json()["items"]
    assert "pulmonary-embolism" in [e["id"] for e in pe]
    assert client.get("/api/entities", params={"type": "spaceship"}).status_code == 422


def test_entity_with_hierarchy_and_facts(client) -> None:
    pe = client.get("/api/entities/pulmonary-embolism").json()
    assert "PE" in pe["abbreviations"]
    assert "venous-thromboembolism" in [b["id"] for b in pe["broader"]]
    vte = client.get("/api/entities/venous-thromboembolism").json()
    assert "pulmonary-embolism" in [n["id"] for n in vte["narrower"]]
    pe_facts = {f["id"] for f in pe["facts"]}
    assert pe_facts and pe_facts <= {f["id"] for f in vte["facts"]}, "narrower entities' facts count for the broader"
    assert client.get("/api/entities/no-such-entity").status_code == 404


def test_sources_and_article_text(client) -> None:
    from catkg.ingest.validate import sources_root

    listing = client.get("/api/sources", params={"limit": 1000}).json()["items"]
    kinds = {s["kind"] for s in listing}
    assert kinds == {"article", "reference"}
    article = next(s for s in listing if s["kind"] == "article")
    full = client.get(f"/api/sources/{article['id']}").json()
    assert full["text"] == (sources_root() / article["file"]).read_text(encoding="utf-8")
    assert all(f["evidence"]["source"]["id"] == article["id"] or f["evidence"]["cites"] for f in full["facts"])
    reference = next(s for s in listing if s["kind"] == "reference" and s["fact_count"])
    ref = client.get(f"/api/sources/{reference['id']}").json()
    assert "text" not in ref and ref["facts"]
    assert all(reference["id"] in [c["id"] for c in f["evidence"]["cites"]] for f in ref["facts"])


def test_type_filter_on_facts_and_search(client) -> None:
    drugs = {e["id"] for e in client.get("/api/entities", params={"type": "drug", "limit": 1000}).json()["items"]}
    facts = client.get("/api/facts", params={"type": "drug", "limit": 1000}).json()["items"]
    assert facts and all({f["subject"]["id"], f["object"]["id"]} & drugs for f in facts)
    hits = client.get("/api/search", params={"q": "thrombosis", "type": "drug", "limit": 1000}).json()
    everything = client.get("/api/search", params={"q": "thrombosis", "limit": 1000}).json()
    assert 0 < hits["total"] < everything["total"]
    assert all({f["subject"]["id"], f["object"]["id"]} & drugs for f in hits["items"])


def test_search_finds_by_abbreviation_and_ranks(client) -> None:
    body = client.get("/api/search", params={"q": "PE"}).json()
    assert "pulmonary-embolism" in body["interpreted"]["entities"]
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True) and body["total"] >= len(body["items"]) > 0
    assert client.get("/api/search").status_code == 422


def test_questions_answer_with_evidence(client) -> None:
    listed = client.get("/api/questions").json()["items"]
    assert len(listed) >= 10
    for q in listed:
        params = {p["name"]: EXAMPLE_PARAMS[p["name"]] for p in q["parameters"] if not p["optional"]}
        body = client.get(f"/api/questions/{q['name']}", params=params).json()
        assert body["name"] == q["name"]
        for row in body["items"]:
            assert row["evidence"], f"{q['name']}: a row without evidence"
            assert all(e["quote"] and e["source"]["id"] for e in row["evidence"])
    assert client.get("/api/questions/no_such_question").status_code == 404
    assert client.get("/api/questions/quantified_risk_factors", params={"colour": "red"}).status_code == 422


EXAMPLE_PARAMS = {"marker": "23", "entity": "targeted-therapy"}


def test_paths_between_entities(client) -> None:
    edge = client.get("/api/facts", params={"limit": 1}).json()["items"][0]
    a, b = edge["subject"]["id"], edge["object"]["id"]
    body = client.get("/api/paths", params={"from": a, "to": b}).json()
    lengths = [p["length"] for p in body["paths"]]
    assert lengths and lengths[0] == 1 and lengths == sorted(lengths)
    assert edge["id"] in [f["id"] for f in body["paths"][0]["hops"][0]["facts"]]
    assert client.get("/api/paths", params={"from": a, "to": "nowhere"}).status_code == 404


def test_stats_count_what_was_built(client, store) -> None:
    body = client.get("/api/stats").json()
    assert body["facts"] == store.info["counts"]["facts"]
    assert sum(k["count"] for k in body["facts_by_kind"]) == body["facts"]
    assert body["version"].startswith(store.info["version"]) and body["built"]


@pytest.mark.parametrize(
    "accept,media",
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/json", "application/json"),
    ],
)
def test_iris_resolve_with_content_negotiation(client, accept: str, media: str) -> None:
    from rdflib import Graph, URIRef

    fact = client.get("/api/facts", params={"limit": 1}).json()["items"][0]
    response = client.get(f"/fact/{fact['id']}", headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    if media == "application/json":
        assert response.json() == fact
        return
    graph = Graph().parse(
        data=response.text,
        format={
            "text/turtle": "turtle",
            "application/ld+json": "json-ld",
            "application/n-triples": "nt",
            "application/rdf+xml": "xml",
        }[media],
    )
    assert (URIRef(fact["iri"]), None, None) in graph
    quotes = {str(o) for o in graph.objects(None, URIRef("http://www.w3.org/ns/oa#exact"))}
    assert quotes == {fact["evidence"]["quote"]}


def test_iri_errors(client) -> None:
    assert client.get("/entity/no-such-entity", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/entity/pulmonary-embolism", headers={"Accept": "image/png"}).status_code == 406

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


@pytest.mark.parametrize("url,status,needle", [
    ("/api/facts/no-such-fact", 404, "unknown fact: no-such-fact"),
    ("/api/facts?kind=nonsense", 422, "unknown kind 'nonsense'"),
    ("/api/facts?limit=0", 422, "limit"),
    ("/api/facts?limit=1001", 422, "limit"),
    ("/api/facts?offset=-1", 422, "offset"),
    ("/api/facts?entity=Not%20An%20Id", 422, "entity"),
    ("/api/facts?colour=red", 422, "unknown parameter: colour"),
    ("/api/facts/Bad%20Id", 422, "fact_id"),
])
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

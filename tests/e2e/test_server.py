"""A real `catkg serve` on loopback, read by real SPARQL clients and plain HTTP."""

from __future__ import annotations

import httpx
import pytest
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

PREFIX = "PREFIX cat: <https://w3id.org/catkg/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#> "
QUOTES = PREFIX + "SELECT ?fact ?quote WHERE { ?fact cat:hasEvidence/oa:hasSelector/oa:exact ?quote }"


def test_api_facts_over_http(server: str) -> None:
    body = httpx.get(f"{server}/api/facts", params={"limit": 5}).json()
    assert body["total"] >= 1
    assert all(item["evidence"]["quote"] for item in body["items"])


def test_sparqlwrapper_select(server: str, store) -> None:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(QUOTES)
    client.setReturnFormat(JSON)
    bindings = client.query().convert()["results"]["bindings"]
    assert len(bindings) == store.info["counts"]["facts"]


def test_sparqlwrapper_post_and_construct(server: str) -> None:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setMethod("POST")
    client.setQuery(PREFIX + "CONSTRUCT { ?f cat:statement ?s } WHERE { ?f cat:statement ?s } LIMIT 3")
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert 1 <= len(graph) <= 3


def test_rdflib_sparqlstore(server: str) -> None:
    graph = Graph(SPARQLStore(f"{server}/sparql", returnFormat="json"))
    rows = list(graph.query(QUOTES))
    assert rows and all(str(quote) for _, quote in rows)


def test_ask_and_direct_post(server: str) -> None:
    response = httpx.post(f"{server}/sparql", content="ASK { ?s ?p ?o }",
                          headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 200 and response.json()["boolean"] is True


@pytest.mark.parametrize("kwargs,status", [
    ({"params": {"query": "SELEKT * WHERE { ?s ?p ?o }"}}, 400),
    ({"params": {}}, 400),
    ({"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
    ({"params": {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}}, 400),
    ({"params": {"update": "DROP ALL"}}, 400),
    ({"params": {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}}, 400),
])
def test_protocol_errors(server: str, kwargs: dict, status: int) -> None:
    response = httpx.get(f"{server}/sparql", **kwargs)
    assert response.status_code == status
    assert response.json()["error"]["message"]


def test_update_changes_nothing(server: str, store) -> None:
    before = store.info["counts"]["triples"]
    response = httpx.post(f"{server}/sparql", data={"update": "CLEAR ALL"})
    assert response.status_code == 400
    count = httpx.get(f"{server}/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}).json()
    assert int(count["results"]["bindings"][0]["n"]["value"]) == before


def test_unsupported_body_type(server: str) -> None:
    response = httpx.post(f"{server}/sparql", content="ASK {}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415

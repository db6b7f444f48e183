"""The SPARQL 1.1 Protocol against a real `catkg serve`: every way to send a query, every refusal, over real HTTP."""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
from urllib.parse import quote

import httpx
import pytest

PREFIX = "PREFIX cat: <https://w3id.org/catkg/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#> "
QUOTES = PREFIX + "SELECT ?fact ?quote WHERE { ?fact cat:hasEvidence/oa:hasSelector/oa:exact ?quote }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ONTOLOGY_GRAPH = "https://w3id.org/catkg/graph/ontology"
META_GRAPH = "https://w3id.org/catkg/graph/meta"


def number(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def raw_request(server: str, request: bytes) -> tuple[int, bytes]:
    """Send bytes as they are (no client fixes them up) and read the status line and body."""
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


def test_three_ways_to_send_a_query(server: str, store) -> None:
    facts = store.info["counts"]["facts"]
    by_get = httpx.get(f"{server}/sparql", params={"query": QUOTES})
    by_form = httpx.post(f"{server}/sparql", data={"query": QUOTES})
    by_body = httpx.post(f"{server}/sparql", content=QUOTES.encode(), headers={"Content-Type": "application/sparql-query"})
    for response in (by_get, by_form, by_body):
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/sparql-results+json"
        assert len(response.json()["results"]["bindings"]) == facts
    ask = httpx.post(
        f"{server}/sparql", content="ASK { ?s ?p ?o }", headers={"Content-Type": "application/sparql-query; charset=UTF-8"}
    )
    assert ask.status_code == 200 and ask.json()["boolean"] is True


def test_dataset_parameters(server: str, store) -> None:
    union = number(httpx.get(f"{server}/sparql", params={"query": COUNT}))
    assert union == store.info["counts"]["triples"], "without a dataset the default graph is the union"
    ontology = number(httpx.get(f"{server}/sparql", params={"query": COUNT, "default-graph-uri": ONTOLOGY_GRAPH}))
    both = number(
        httpx.get(
            f"{server}/sparql",
            params=[("query", COUNT), ("default-graph-uri", ONTOLOGY_GRAPH), ("default-graph-uri", META_GRAPH)],
        )
    )
    meta = number(httpx.get(f"{server}/sparql", params={"query": COUNT, "default-graph-uri": META_GRAPH}))
    assert 0 < ontology < union and both == ontology + meta
    from_clause = number(
        httpx.get(f"{server}/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}"})
    )
    assert from_clause == ontology
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    named = httpx.get(f"{server}/sparql", params={"query": graphs, "named-graph-uri": META_GRAPH}).json()
    assert [b["g"]["value"] for b in named["results"]["bindings"]] == [META_GRAPH]
    by_body = httpx.post(
        f"{server}/sparql",
        params={"default-graph-uri": ONTOLOGY_GRAPH},
        content=COUNT,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert number(by_body) == ontology


@pytest.mark.parametrize(
    "accept,media",
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("*/*", "application/sparql-results+json"),
        ("text/*;q=0.8, application/sparql-results+json;q=0.2", "text/csv"),
    ],
)
def test_select_formats_by_accept(server: str, accept: str, media: str) -> None:
    response = httpx.get(f"{server}/sparql", params={"query": QUOTES + " LIMIT 5"}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert "Accept" in response.headers["vary"]
    if media == "text/csv":
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["fact", "quote"] and len(rows) == 6


@pytest.mark.parametrize(
    "accept,media",
    [
        ("text/turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/n-quads", "application/n-quads"),
        ("*/*", "text/turtle"),
        ("application/rdf+xml;q=0.3, application/ld+json;q=0.7", "application/ld+json"),
    ],
)
def test_construct_formats_by_accept(server: str, accept: str, media: str) -> None:
    from rdflib import Graph

    query = PREFIX + "CONSTRUCT { ?f cat:statement ?s } WHERE { ?f cat:statement ?s } LIMIT 4"
    response = httpx.get(f"{server}/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    rdflib_format = {
        "text/turtle": "turtle",
        "application/n-triples": "nt",
        "application/ld+json": "json-ld",
        "application/rdf+xml": "xml",
        "application/n-quads": "nquads",
    }[media]
    assert len(Graph().parse(data=response.content, format=rdflib_format)) == 4


@pytest.mark.parametrize(
    "fmt,media",
    [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("text/csv", "text/csv"),
    ],
)
def test_format_parameter_overrides_accept(server: str, fmt: str, media: str) -> None:
    response = httpx.get(
        f"{server}/sparql", params={"query": "ASK {}", "format": fmt}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == media


@pytest.mark.parametrize(
    "fmt,media",
    [
        ("turtle", "text/turtle"),
        ("ntriples", "application/n-triples"),
        ("nquads", "application/n-quads"),
        ("jsonld", "application/ld+json"),
        ("rdfxml", "application/rdf+xml"),
        ("xml", "application/rdf+xml"),
        ("json", "application/ld+json"),
    ],
)
def test_format_parameter_for_graphs(server: str, fmt: str, media: str) -> None:
    response = httpx.get(f"{server}/sparql", params={"query": "DESCRIBE <https://w3id.org/catkg/entity/dic>", "format": fmt})
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == media
    assert len(response.content) > 100


@pytest.mark.parametrize(
    "query,headers,params",
    [
        (QUOTES, {"Accept": "text/turtle"}, {}),
        (QUOTES, {"Accept": "image/png"}, {}),
        ("CONSTRUCT WHERE { ?s ?p ?o }", {"Accept": "text/csv"}, {}),
        ("CONSTRUCT WHERE { ?s ?p ?o }", {}, {"format": "csv"}),
        (QUOTES, {}, {"format": "turtle"}),
    ],
)
def test_nothing_acceptable_is_406(server: str, query: str, headers: dict, params: dict) -> None:
    response = httpx.get(f"{server}/sparql", params={"query": query, **params}, headers=headers)
    assert response.status_code == 406
    assert "available" in response.json()["error"]["message"]


def test_syntax_error_names_the_parser_message(server: str) -> None:
    response = httpx.get(f"{server}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o "})
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert message.startswith("SPARQL syntax error: error at 1:")


@pytest.mark.parametrize(
    "method,kwargs,status,words",
    [
        ("GET", {"params": {"default-graph-uri": ONTOLOGY_GRAPH}}, 400, "missing 'query'"),
        ("POST", {"data": {"default-graph-uri": ONTOLOGY_GRAPH}}, 400, "missing 'query'"),
        ("POST", {}, 400, "missing 'query'"),
        ("GET", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400, "exactly one"),
        ("POST", {"params": {"query": "ASK {}"}, "data": {"query": "ASK {}"}}, 400, "exactly one"),
        ("GET", {"params": {"query": "ASK {}", "format": "png"}}, 400, "unknown format"),
        ("GET", {"params": {"query": "ASK {}", "default-graph-uri": "not an iri"}}, 400, "not a graph IRI"),
        ("POST", {"content": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415, "unsupported request body"),
        ("POST", {"content": b"<q>ASK {}</q>", "headers": {"Content-Type": "application/xml"}}, 415, "unsupported"),
        ("POST", {"content": b"ASK {}", "headers": {"Content-Type": "application/sparql-query; charset=latin-1"}}, 415, "UTF-8"),
    ],
)
def test_protocol_errors(server: str, method: str, kwargs: dict, status: int, words: str) -> None:
    response = httpx.request(method, f"{server}/sparql", **kwargs)
    assert response.status_code == status
    assert words in response.json()["error"]["message"]


UPDATES = [
    "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "CLEAR ALL",
    "DROP ALL",
    "CREATE GRAPH <http://example.org/g>",
    "ADD DEFAULT TO <http://example.org/g>",
    "MOVE DEFAULT TO <http://example.org/g>",
    "COPY DEFAULT TO <http://example.org/g>",
    "WITH <https://w3id.org/catkg/graph/facts> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("update", UPDATES)
def test_every_update_form_is_refused(server: str, store, update: str) -> None:
    triples = store.info["counts"]["triples"]
    attempts = [
        httpx.get(f"{server}/sparql", params={"query": update}),
        httpx.post(f"{server}/sparql", data={"query": update}),
        httpx.post(f"{server}/sparql", data={"update": update}),
        httpx.get(f"{server}/sparql", params={"update": update}),
        httpx.post(f"{server}/sparql", content=update, headers={"Content-Type": "application/sparql-update"}),
        httpx.post(f"{server}/sparql", content=update, headers={"Content-Type": "application/sparql-query"}),
    ]
    for response in attempts:
        assert response.status_code == 400
        assert "read-only" in response.json()["error"]["message"]
    assert number(httpx.get(f"{server}/sparql", params={"query": COUNT})) == triples


class Listener:
    """A TCP listener on loopback that records every connection it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[tuple[str, int]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, peer = self.sock.accept()
                self.connections.append(peer)
                conn.close()
            except OSError:
                continue

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


def test_service_is_refused_and_nothing_connects(server: str) -> None:
    listener = Listener()
    url = f"http://127.0.0.1:{listener.port}/sparql"
    try:
        for query in [
            f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
            f"select * where {{ service<{url}>{{ ?s ?p ?o }} }}",
            f"PREFIX : <{url}#> SELECT * WHERE {{ service:x {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        ]:
            for response in (
                httpx.get(f"{server}/sparql", params={"query": query}),
                httpx.post(f"{server}/sparql", data={"query": query}),
            ):
                assert response.status_code == 400
                assert "SERVICE is refused" in response.json()["error"]["message"]
        # FROM names a graph of the store: it is never fetched either.
        response = httpx.get(f"{server}/sparql", params={"query": f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}"})
        assert response.status_code == 200 and response.json()["results"]["bindings"] == []
    finally:
        listener.close()
    assert listener.connections == []


def test_keywords_in_literals_iris_and_comments_still_run(server: str) -> None:
    query = (
        "# SERVICE <http://127.0.0.1:9/> INSERT DATA { } in a comment\n"
        'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:9/> { } ; DROP ALL" AS ?x) '
        "FILTER(?x != <http://example.org/INSERT/SERVICE>) }"
    )
    response = httpx.get(f"{server}/sparql", params={"query": query})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["x"]["value"].startswith("SERVICE")


@pytest.mark.parametrize("shape", ["braces", "parentheses", "sub-selects", "brackets"])
def test_deep_nesting_is_a_4xx_and_the_server_lives(server: str, shape: str) -> None:
    depth = 5000
    query = {
        "braces": "SELECT * WHERE " + "{" * depth + "}" * depth,
        "parentheses": "SELECT (" + "(" * depth + "1" + ")" * depth + " AS ?x) {}",
        "sub-selects": "SELECT * WHERE { " + "{ SELECT * WHERE " * 100 + "{ ?s ?p ?o }" + " }" * 200,
        "brackets": "SELECT * WHERE { ?s <http://p> " + "[ <http://p> " * depth + "1" + " ]" * depth + " }",
    }[shape]
    response = httpx.post(f"{server}/sparql", data={"query": query})
    assert response.status_code == 400
    assert "nested more than" in response.json()["error"]["message"]
    assert httpx.get(f"{server}/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


def test_invalid_utf8_is_400(server: str) -> None:
    percent = httpx.get(f"{server}/sparql?query=SELECT%20%22%FF%FE%22%20%7B%7D")
    assert percent.status_code == 400 and "not valid UTF-8" in percent.json()["error"]["message"]
    overlong = httpx.get(f"{server}/sparql?query=ASK%20%7B%7D&default-graph-uri=%C0%AF")
    assert overlong.status_code == 400
    form = httpx.post(
        f"{server}/sparql", content=b"query=ASK%20%7B%7D%ED%A0%80", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert form.status_code == 400 and "not valid UTF-8" in form.json()["error"]["message"]
    body = httpx.post(
        f"{server}/sparql", content='ASK { ?s ?p "é" }'.encode("latin-1"), headers={"Content-Type": "application/sparql-query"}
    )
    assert body.status_code == 400 and "not valid UTF-8" in body.json()["error"]["message"]
    status, _ = raw_request(server, b"GET /sparql?query=ASK%20%7B%7D\xff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status == 400


def test_a_huge_query_is_a_clean_4xx(server: str) -> None:
    huge = "#" + "a" * 1_000_000 + "\nASK {}"
    by_form = httpx.post(f"{server}/sparql", data={"query": huge})
    assert by_form.status_code == 413 and "limit" in by_form.json()["error"]["message"]
    by_body = httpx.post(f"{server}/sparql", content=huge, headers={"Content-Type": "application/sparql-query"})
    assert by_body.status_code == 413
    status, _ = raw_request(
        server, b"GET /sparql?query=" + quote(huge).encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert 400 <= status < 500
    assert httpx.get(f"{server}/sparql", params={"query": "ASK {}"}).status_code == 200


def test_catastrophic_regex_stays_bounded(server: str) -> None:
    query = 'SELECT (REGEX(CONCAT("' + "a" * 5000 + '", "b"), "(a+)+$") AS ?m) WHERE {}'
    response = httpx.get(f"{server}/sparql", params={"query": query}, timeout=30)
    assert response.status_code in (200, 503)
    if response.status_code == 200:
        assert response.json()["results"]["bindings"][0]["m"]["value"] == "false"


def test_cors_on_sparql_and_api(server: str) -> None:
    origin = {"Origin": "https://yasgui.example.org"}
    for url in (f"{server}/sparql?query=ASK%20%7B%7D", f"{server}/api/facts?limit=1"):
        assert httpx.get(url, headers=origin).headers["access-control-allow-origin"] == "*"
    preflight = httpx.options(
        f"{server}/sparql",
        headers={**origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    posted = httpx.post(f"{server}/sparql", data={"query": "ASK {}"}, headers=origin)
    assert posted.headers["access-control-allow-origin"] == "*"


def test_service_description_and_void(server: str, store) -> None:
    from rdflib import Graph, Literal, Namespace, URIRef

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    void = Namespace("http://rdfs.org/ns/void#")
    described = httpx.get(f"{server}/sparql", headers={"Accept": "text/turtle"})
    assert described.status_code == 200 and described.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=described.text, format="turtle")
    endpoint = URIRef(f"{server}/sparql")
    assert (endpoint, sd.endpoint, endpoint) in graph
    assert (endpoint, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (endpoint, sd.feature, sd.UnionDefaultGraph) in graph
    names = {str(o) for o in graph.objects(None, sd.name)}
    assert {ONTOLOGY_GRAPH, META_GRAPH, "https://w3id.org/catkg/graph/facts"} <= names
    as_jsonld = httpx.get(f"{server}/sparql", headers={"Accept": "application/ld+json"})
    assert Graph().parse(data=as_jsonld.text, format="json-ld").isomorphic(graph)

    voided = Graph().parse(data=httpx.get(f"{server}/.well-known/void").text, format="turtle")
    dataset = URIRef("https://w3id.org/catkg/dataset")
    assert (dataset, void.sparqlEndpoint, endpoint) in voided
    assert (dataset, void.triples, Literal(store.info["counts"]["triples"])) in voided
    dumps = {str(o) for o in voided.objects(dataset, void.dataDump)}
    assert dumps == {f"{server}/dumps/catkg.{ext}" for ext in ("ttl", "nt", "nq", "jsonld", "rdf")}
    version = voided.value(dataset, URIRef("http://www.w3.org/2002/07/owl#versionInfo"))
    assert str(version).endswith(store.info["data_version"])
    for url in dumps:
        with httpx.stream("GET", url) as dump:
            assert dump.status_code == 200
    partitions = {
        str(voided.value(p, void["class"])): int(voided.value(p, void.entities))
        for p in voided.objects(dataset, void.classPartition)
    }
    assert partitions["https://w3id.org/catkg/ontology#Fact"] == store.info["counts"]["facts"]


def test_large_results_stream_with_a_length(server: str, store) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    with httpx.stream("GET", f"{server}/sparql", params={"query": query}, headers={"Accept": "text/csv"}) as response:
        assert response.status_code == 200
        declared = int(response.headers["content-length"])
        received = b"".join(response.iter_bytes())
    assert len(received) == declared
    assert received.count(b"\n") >= store.info["counts"]["triples"]
    as_json = httpx.get(f"{server}/sparql", params={"query": query}).json()
    assert len(as_json["results"]["bindings"]) == store.info["counts"]["triples"]
    json.dumps(as_json)


def test_a_repeated_query_answers_the_same_and_a_random_one_does_not(server: str) -> None:
    """The result cache (store/bounded.py) answers a repeated query with the same bytes and headers; a query that
    calls RAND() is evaluated every time."""
    query = {"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 20"}
    first, again = (httpx.get(f"{server}/sparql", params=query, timeout=10) for _ in range(2))
    assert first.status_code == again.status_code == 200 and first.content == again.content
    assert {k: v for k, v in first.headers.items() if k != "date"} == {k: v for k, v in again.headers.items() if k != "date"}
    draws = {httpx.get(f"{server}/sparql", params={"query": "SELECT (RAND() AS ?r) {}"}, timeout=10).content for _ in range(3)}
    assert len(draws) == 3

"""The remote backend against a real SPARQL 1.1 store: ``oxigraph serve`` on loopback (no mocks).

``CATKG_TEST_STORE_URL`` points the same tests at another store (``scripts/virtuoso.sh`` runs them on
Virtuoso); without it each run starts its own Oxigraph server and stops it by its pid.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import free_port
from pyoxigraph import QueryBoolean, QuerySolutions, QueryTriples

from catkg.queries.facts import get_fact, list_facts
from catkg.queries.steps import build_graph
from catkg.store.embedded import StoreError
from catkg.store.remote import GRAPHS, STAGING, AnswerTooLarge, Client, Endpoints, RemoteStore

OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def start_oxigraph(location: Path, port: int) -> subprocess.Popen:
    """``oxigraph serve`` on loopback, waited for until it answers."""
    if not OXIGRAPH.exists() and not shutil.which("oxigraph"):
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    binary = str(OXIGRAPH) if OXIGRAPH.exists() else str(shutil.which("oxigraph"))
    proc = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--timeout-s", "30"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"oxigraph serve exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/query", params={"query": "ASK {}"}, timeout=1)
            return proc
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("oxigraph serve did not answer within 30 s")


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The query endpoint of a real remote store: CATKG_TEST_STORE_URL, else a fresh Oxigraph server."""
    given = os.environ.get("CATKG_TEST_STORE_URL")
    if given:
        yield given
        return
    port = free_port()
    proc = start_oxigraph(tmp_path_factory.mktemp("oxigraph"), port)
    try:
        yield f"http://127.0.0.1:{port}/query"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def remote_index(tmp_path_factory: pytest.TempPathFactory, store_url: str) -> Path:
    """The local index link of a build into the remote store."""
    path = tmp_path_factory.mktemp("remote") / "store"
    build_graph(path, store_url=store_url)
    return path


@pytest.fixture(scope="module")
def remote(remote_index: Path, store_url: str) -> Iterator[RemoteStore]:
    opened = RemoteStore(store_url, remote_index)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def remote_client(remote: RemoteStore):
    from fastapi.testclient import TestClient

    from catkg.api.app import create_app

    with TestClient(create_app(remote)) as test_client:
        yield test_client


def test_query_returns_pyoxigraph_results(remote: RemoteStore) -> None:
    assert isinstance(remote.query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"), QuerySolutions)
    assert isinstance(remote.query("ASK { ?s ?p ?o }"), QueryBoolean)
    triples = remote.query("CONSTRUCT WHERE { ?s a <https://w3id.org/catkg/ontology#Fact> } LIMIT 3")
    assert isinstance(triples, QueryTriples) and len(list(triples)) == 3
    with pytest.raises(SyntaxError):
        remote.query("SELECT WHERE {")


def test_build_record_and_index_are_local(remote: RemoteStore, store) -> None:
    assert remote.info["counts"] == store.info["counts"]
    assert remote.info["store_url"] and remote.info["generation"] == remote.directory.name
    assert (remote.directory / "search.sqlite").is_file() and not (remote.directory / "oxigraph").exists()


def test_graphs_hold_what_the_embedded_store_holds(remote: RemoteStore, store) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert int(next(iter(remote.query(count)))[0].value) == int(next(iter(store.query(count)))[0].value)
    assert set(remote.client.graphs()) >= {g.value for g in GRAPHS}
    assert not [g for g in remote.client.graphs() if STAGING in g], "no staging graph is left after a build"


OTHER_STORE = bool(os.environ.get("CATKG_TEST_STORE_URL"))
"""Another store than Oxigraph: ORDER BY may order strings otherwise (Virtuoso 7.2 does), so lists compare as sets."""


def same(there: object, here: object) -> bool:
    """Equal answers; on another store than Oxigraph, equal up to the order of list items."""
    if not OTHER_STORE:
        return there == here

    def canonical(value: object) -> object:
        if isinstance(value, dict):
            return {k: canonical(v) for k, v in value.items()}
        if isinstance(value, list):
            return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
        return value

    return canonical(there) == canonical(here)


def test_facts_equal_the_embedded_store(remote: RemoteStore, store) -> None:
    here, there = list_facts(store, limit=1000), list_facts(remote, limit=1000)
    assert there.total == here.total > 0
    assert same(there.items, here.items)
    first = here.items[0]["id"]
    assert get_fact(remote, first) == get_fact(store, first)


def test_api_on_the_remote_store(remote_client, client) -> None:
    for url, params in [
        ("/api/facts", {"limit": 5}),
        ("/api/entities/pulmonary-embolism", {}),
        ("/api/search", {"q": "PE"}),
        ("/api/questions/quantified_risk_factors", {}),
        ("/api/stats", {}),
    ]:
        there = remote_client.get(url, params=params)
        assert there.status_code == 200, (url, there.text)
        here = client.get(url, params=params).json()
        if url == "/api/stats":  # built at another moment
            here.pop("built"), there.json().pop("built")
            assert same({k: v for k, v in there.json().items() if k != "built"}, here), url
        elif url == "/api/facts" and OTHER_STORE:  # the first page depends on the order
            assert there.json()["total"] == here["total"]
        else:
            assert same(there.json(), here), url
    assert remote_client.get("/healthz").json()["status"] == "ok"
    dumped = remote_client.get("/dumps/catkg.nq")
    assert dumped.status_code == 200

    def quads(body: bytes) -> list[bytes]:  # the meta graph says when each store was built; blank nodes aside
        return sorted(line for line in body.splitlines() if b"/graph/meta>" not in line and b"_:" not in line)

    assert quads(dumped.content) == quads(client.get("/dumps/catkg.nq").content)
    assert len(dumped.content.splitlines()) == len(client.get("/dumps/catkg.nq").content.splitlines())
    assert remote_client.get("/api/entities/no-such-entity").status_code == 404


def test_sparql_endpoint_forwards_to_the_remote_store(remote_client, client) -> None:
    query = "PREFIX cat: <https://w3id.org/catkg/ontology#> SELECT ?f WHERE { ?f a cat:Fact } ORDER BY ?f LIMIT 5"
    headers = {"Accept": "application/sparql-results+json"}
    there = remote_client.post("/sparql", content=query, headers={**headers, "Content-Type": "application/sparql-query"})
    assert there.status_code == 200 and there.headers["content-type"].startswith("application/sparql-results+json")
    assert same(there.json(), client.post("/sparql", data={"query": query}, headers=headers).json())
    csv = remote_client.get("/sparql", params={"query": query, "format": "csv"})
    assert csv.status_code == 200 and len(csv.text.strip().splitlines()) == 6
    turtle = remote_client.get(
        "/sparql", params={"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 2"}, headers={"Accept": "text/turtle"}
    )
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    assert remote_client.get("/sparql", params={"query": "SELECT WHERE {"}).status_code == 400


def test_guard_refuses_before_anything_is_sent(remote_client, remote: RemoteStore) -> None:
    before = len(remote.client.graphs())
    for query in (
        "DROP ALL",
        "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
        "SELECT * WHERE " + "{" * 100 + "}" * 100,
    ):
        assert remote_client.get("/sparql", params={"query": query}).status_code == 400, query
    assert (
        remote_client.post("/sparql", content="DROP ALL", headers={"Content-Type": "application/sparql-update"}).status_code
        == 400
    )
    assert len(remote.client.graphs()) == before


def test_sparql_time_limit_on_the_remote_store(remote: RemoteStore) -> None:
    from fastapi.testclient import TestClient

    from catkg.api.app import create_app

    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with TestClient(create_app(remote, sparql_timeout=0.5)) as limited:
        started = time.monotonic()
        response = limited.get("/sparql", params={"query": slow})
        assert response.status_code == 503 and "out of time" in response.json()["error"]["message"]
        assert time.monotonic() - started < 5


CARTESIAN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
"""An answer of (triples of the graph)^2 rows: many gigabytes, were it read to its end."""


def test_oversized_answer_is_not_read_past_the_limit(remote: RemoteStore) -> None:
    started = time.monotonic()
    with pytest.raises(AnswerTooLarge, match="larger than 100000 bytes"):
        remote.query(CARTESIAN, max_bytes=100_000)
    assert time.monotonic() - started < 10, "reading stopped at the limit"
    assert len(list(remote.query("SELECT * WHERE { ?s ?p ?o } LIMIT 10", max_bytes=100_000))) == 10


def test_oversized_remote_answer_is_the_507_of_the_embedded_store(remote: RemoteStore, store) -> None:
    from fastapi.testclient import TestClient

    from catkg.api.app import create_app

    answers = []
    for backend in (remote, store):
        with TestClient(create_app(backend, sparql_max_bytes=100_000)) as limited:
            answers.append(
                limited.get("/sparql", params={"query": CARTESIAN}, headers={"Accept": "application/sparql-results+json"})
            )
    there, here = answers
    assert there.status_code == here.status_code == 507
    assert there.json() == here.json()


def test_failed_build_leaves_the_live_graphs(remote: RemoteStore, remote_index: Path, store_url: str) -> None:
    before = list_facts(remote, limit=1000).items
    graphs = remote.client.graphs()

    def fail(directory: Path, validated: object) -> None:
        raise RuntimeError("a step failed")

    with pytest.raises(RuntimeError, match="a step failed"):
        build_graph(remote_index, store_url=store_url, steps=(fail,))
    assert remote.client.graphs() == graphs
    assert same(list_facts(remote, limit=1000).items, before)


def test_failure_after_staging_drops_the_staging_graphs(
    remote: RemoteStore, remote_index: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build whose switch never happens (here: the local swap fails) leaves no staging graph behind."""
    import catkg.store.build as building

    before = list_facts(remote, limit=1000).items
    graphs = remote.client.graphs()

    def refuse(path: Path, directory: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(building.Staged, "switch", lambda self: None)  # stays staged: the swap fails first
    monkeypatch.setattr(building, "_swap", refuse)
    with pytest.raises(StoreError, match="disk full"):
        build_graph(remote_index, store_url=store_url)
    assert remote.client.graphs() == graphs, "the staging graphs were dropped"
    assert same(list_facts(remote, limit=1000).items, before)


def test_rebuild_switches_to_the_new_graphs(remote: RemoteStore, remote_index: Path, store_url: str) -> None:
    old = remote.info["generation"]
    build_graph(remote_index, store_url=store_url)
    assert remote.info["generation"] != old, "the open store follows the new index link"
    assert list_facts(remote, limit=1).total == remote.info["counts"]["facts"]
    assert not [g for g in remote.client.graphs() if STAGING in g]


def test_missing_index_and_unreachable_store_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="catkg build"):
        RemoteStore("http://127.0.0.1:1/query", tmp_path / "none")
    with pytest.raises(StoreError, match="cannot reach"):
        Client("http://127.0.0.1:1/query", timeout=2).query("ASK {}")


def test_endpoints_of_known_stores() -> None:
    assert Endpoints.of("http://h:7878/query") == Endpoints("http://h:7878/query", "http://h:7878/update", "http://h:7878/store")
    assert Endpoints.of("http://h:8890/sparql") == Endpoints(
        "http://h:8890/sparql", "http://h:8890/sparql", "http://h:8890/sparql-graph-crud"
    )


def test_cli_builds_and_reads_the_remote_store(tmp_path: Path, store_url: str, store) -> None:
    from typer.testing import CliRunner

    from catkg.api.cli import app

    runner = CliRunner()
    index = tmp_path / "store"
    built = runner.invoke(app, ["build", "--store", str(index), "--store-url", store_url])
    assert built.exit_code == 0, built.output
    listed = runner.invoke(
        app, ["facts", "--store", str(index), "--format", "json", "--limit", "3"], env={"CATKG_STORE_URL": store_url}
    )
    assert listed.exit_code == 0, listed.output
    opened = RemoteStore(store_url, index)
    assert [f["id"] for f in json.loads(listed.stdout)] == [f["id"] for f in list_facts(opened, limit=3).items]
    assert same([f["id"] for f in json.loads(listed.stdout)], [f["id"] for f in list_facts(store, limit=3).items]) or OTHER_STORE
    opened.close()
    exported = runner.invoke(app, ["export", "--store", str(index), "--store-url", store_url, "--format", "nq"])
    assert exported.exit_code == 0 and len(exported.stdout.splitlines()) == store.info["counts"]["triples"]
    refused = runner.invoke(app, ["query", "--store", str(index), "--store-url", store_url, "-e", "DROP ALL"])
    assert refused.exit_code == 1 and "read-only" in refused.output


def test_serve_on_the_remote_store(remote_index: Path, store_url: str) -> None:
    from conftest import start_server

    port = free_port()
    proc = start_server(remote_index, port, {"CATKG_STORE_URL": store_url})
    try:
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).json()
        assert health["status"] == "ok"
        facts = httpx.get(f"http://127.0.0.1:{port}/api/facts", params={"limit": 1}, timeout=10).json()
        assert facts["total"] > 0
    finally:
        proc.terminate()
        proc.wait(timeout=10)

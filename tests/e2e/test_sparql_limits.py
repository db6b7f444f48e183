"""A second real server with small limits (CATKG_SPARQL_TIMEOUT=1.5 s, a 200 KB result limit, a 2 GB address space
per worker): runaway queries answer 503 and the server answers the next one; a worker crash is one 500."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from conftest import free_port, start_server

TIMEOUT = 1.5
MAX_BYTES = 200_000
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def limited(store_path: Path) -> Iterator[str]:
    port = free_port()
    proc = start_server(
        store_path,
        port,
        extra_env={
            "CATKG_SPARQL_TIMEOUT": str(TIMEOUT),
            "CATKG_SPARQL_MAX_BYTES": str(MAX_BYTES),
            "CATKG_SPARQL_MAX_MEMORY": str(2 * 1024**3),
            "CATKG_SPARQL_CACHE_BYTES": "0",  # every query reaches a worker: "the next one answers" means a worker did
        },
    )
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


def ask(server: str) -> httpx.Response:
    return httpx.get(f"{server}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10)


def test_runaway_query_is_503_and_the_next_query_answers(limited: str) -> None:
    started = time.monotonic()
    response = httpx.get(f"{limited}/sparql", params={"query": RUNAWAY}, timeout=30)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "ran out of time" in response.json()["error"]["message"] and f"{TIMEOUT:g} s" in response.json()["error"]["message"]
    assert TIMEOUT <= elapsed < TIMEOUT + 3
    after = ask(limited)
    assert after.status_code == 200 and after.json()["boolean"] is True


def test_runaway_construct_never_becomes_a_truncated_200(limited: str) -> None:
    query = "CONSTRUCT { ?a ?b ?c . ?d ?e ?f } WHERE { ?a ?b ?c . ?d ?e ?f }"
    for accept in ("text/turtle", "application/n-triples"):
        response = httpx.get(f"{limited}/sparql", params={"query": query}, headers={"Accept": accept}, timeout=30)
        assert response.status_code in (503, 507)
        assert response.headers["content-type"] == "application/json"
        assert response.json()["error"]["message"]


def test_runaways_in_parallel_do_not_stop_the_server(limited: str) -> None:
    with ThreadPoolExecutor(4) as pool:
        runaways = [pool.submit(httpx.get, f"{limited}/sparql", params={"query": RUNAWAY}, timeout=60) for _ in range(3)]
        statuses = [f.result().status_code for f in runaways]
    assert set(statuses) == {503}
    assert httpx.get(f"{limited}/healthz").status_code == 200
    assert ask(limited).status_code == 200


def test_result_size_limit_is_507_before_any_byte(limited: str) -> None:
    response = httpx.get(f"{limited}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, timeout=30)
    assert response.status_code == 507
    assert f"{MAX_BYTES} bytes" in response.json()["error"]["message"]
    limited_rows = httpx.get(f"{limited}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 10"})
    assert limited_rows.status_code == 200 and len(limited_rows.json()["results"]["bindings"]) == 10


def test_a_worker_crash_is_one_500(limited: str) -> None:
    """An ORDER BY over a cross product exhausts the worker's address space; Rust aborts the worker."""
    response = httpx.get(
        f"{limited}/sparql", params={"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"}, timeout=30
    )
    assert response.status_code in (500, 503)
    assert response.json()["error"]["message"]
    assert ask(limited).status_code == 200


def test_editor_page_shows_the_timeout(limited: str) -> None:
    response = httpx.get(f"{limited}/sparql", params={"query": RUNAWAY, "format": "html"}, timeout=30)
    assert response.status_code == 503
    assert "ran out of time" in response.text and response.headers["content-type"].startswith("text/html")

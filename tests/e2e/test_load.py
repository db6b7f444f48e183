"""Bounded load on a real server on loopback, with and without a rebuild under way: no request may fail."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest
from conftest import free_port, start_server
from load import run

from catkg.ingest.validate import load_and_validate
from catkg.queries.steps import build_graph

CLIENTS = 8
REQUESTS = 1200


@pytest.fixture
def own_server(tmp_path: Path):
    """A server on its own store, so rebuilding it disturbs no other test."""
    path = tmp_path / "store"
    build_graph(path)
    port = free_port()
    proc = start_server(path, port)
    yield path, f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


def test_mixed_load_has_no_errors(own_server) -> None:
    _, base = own_server
    results = run(base, CLIENTS, REQUESTS)
    assert sum(len(v) for v in results.latencies.values()) == REQUESTS
    assert dict(results.errors) == {}, {k: v[:3] for k, v in results.errors.items()}


def test_load_through_rebuilds_has_no_errors_and_no_partial_graph(own_server) -> None:
    path, base = own_server
    stop = threading.Event()
    rebuilds: list[str] = []

    def rebuild() -> None:
        while not stop.is_set():
            rebuilds.append(str(build_graph(path).directory))

    counts: list[int] = []
    count_query = "SELECT (COUNT(?f) AS ?n) WHERE { ?f a <https://w3id.org/catkg/ontology#Fact> }"

    def watch() -> None:
        with httpx.Client(timeout=30) as http:
            while not stop.is_set():
                body = http.get(f"{base}/sparql", params={"query": count_query}).json()
                counts.append(int(body["results"]["bindings"][0]["n"]["value"]))

    expected = len(load_and_validate().curation.facts)
    workers = [threading.Thread(target=rebuild), threading.Thread(target=watch)]
    for worker in workers:
        worker.start()
    try:
        results = run(base, CLIENTS, REQUESTS)
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    assert len(rebuilds) >= 2, "the load ran across several swaps"
    assert dict(results.errors) == {}, {k: v[:3] for k, v in results.errors.items()}
    assert counts and set(counts) == {expected}, "every answer saw the whole graph, never a partial one"

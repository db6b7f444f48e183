"""Queries in killable worker processes: time, size and memory limits; crashes; store generations; no network."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import Literal, NamedNode, Quad, QueryResultsFormat, Store, parse_query_results

from catkg.store.bounded import (
    Limits,
    NotAcceptable,
    PoolBusy,
    QueryTimeout,
    ResultCache,
    ResultTooLarge,
    WorkerCrashed,
    WorkerPool,
    blocking,
)
from catkg.store.embedded import EmbeddedStore
from catkg.store.protocol import Reply

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def uncached(**bounds: Any) -> Limits:
    """Limits with no result cache, so every query here reaches a worker: the workers are what these tests check
    (the cache has tests of its own, at the end)."""
    return Limits(cache_bytes=0, **bounds)


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    workers = WorkerPool(uncached(timeout=1.5, workers=2))
    yield workers
    workers.close()


def oxigraph_dir(store: EmbeddedStore) -> Path:
    return store.directory / "oxigraph"


def pids(pool: WorkerPool) -> set[int]:
    return {w.proc.pid for w in pool._workers if w.proc.poll() is None}


def count(pool: WorkerPool, directory: Path, sparql: str = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }") -> int:
    body = json.loads(pool.run(directory, sparql).read())
    return int(body["results"]["bindings"][0]["n"]["value"])


def test_result_is_spooled_in_the_asked_format(pool: WorkerPool, store: EmbeddedStore) -> None:
    result = pool.run(
        oxigraph_dir(store), "SELECT ?s WHERE { ?s a <https://w3id.org/catkg/ontology#Fact> }", results_format="tsv"
    )
    text = result.read().decode("utf-8")
    assert (result.form, result.format, result.size) == ("solutions", "tsv", len(text.encode()))
    assert text.splitlines()[0] == "?s" and len(text.splitlines()) == store.info["counts"]["facts"] + 1
    graph = pool.run(oxigraph_dir(store), "CONSTRUCT WHERE { ?s a ?c } LIMIT 3", graph_format="ntriples")
    assert graph.form == "triples" and len(graph.read().decode().splitlines()) == 3


def test_union_default_graph_unless_the_dataset_is_named(pool: WorkerPool, store: EmbeddedStore) -> None:
    total = count(pool, oxigraph_dir(store))
    ontology = "https://w3id.org/catkg/graph/ontology"
    in_ontology = int(next(iter(store.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{ontology}> {{ ?s ?p ?o }} }}")))[0].value)
    assert 0 < in_ontology < total
    from_clause = pool.run(oxigraph_dir(store), f"SELECT (COUNT(*) AS ?n) FROM <{ontology}> {{ ?s ?p ?o }}", dataset=True)
    assert json.loads(from_clause.read())["results"]["bindings"][0]["n"]["value"] == str(in_ontology)
    protocol = pool.run(oxigraph_dir(store), "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", default_graph=[ontology], named_graphs=[])
    assert json.loads(protocol.read())["results"]["bindings"][0]["n"]["value"] == str(in_ontology)


def test_timeout_kills_the_worker_and_the_next_query_runs(pool: WorkerPool, store: EmbeddedStore) -> None:
    count(pool, oxigraph_dir(store))
    before = pids(pool)
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="ran out of time"):
        pool.run(oxigraph_dir(store), RUNAWAY)
    assert 1.5 <= time.monotonic() - started < 5
    assert len(pids(pool) - before) == 1, "the killed worker was replaced"
    assert count(pool, oxigraph_dir(store)) == store.info["counts"]["triples"]


def test_result_size_limit(pool: WorkerPool, store: EmbeddedStore) -> None:
    spooled = set(pool.spool.iterdir())
    with pytest.raises(ResultTooLarge, match="larger than the limit of 4096 bytes"):
        pool.run(oxigraph_dir(store), "CONSTRUCT WHERE { ?s ?p ?o }", max_bytes=4096)
    assert set(pool.spool.iterdir()) == spooled, "the partial result was removed"
    small = pool.run(oxigraph_dir(store), "ASK { ?s ?p ?o }", max_bytes=4096)
    assert small.size < 4096


def test_small_results_come_through_the_pipe_large_ones_through_the_spool(store: EmbeddedStore) -> None:
    """The lean path: a result up to ``inline_bytes`` never touches the spool; one byte more and it is spooled.
    Both give the same bytes, and a result larger than the pipe's capacity arrives whole."""
    directory, query = oxigraph_dir(store), "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20"
    everything = "CONSTRUCT WHERE { ?s ?p ?o }"
    seen: dict[int, tuple[bool, bytes]] = {}
    reference = WorkerPool(uncached(timeout=30, workers=1, inline_bytes=0))
    try:
        spooled = reference.run(directory, query)
        assert spooled.body is None and spooled.path is not None and spooled.path.exists()
        expected = spooled.read()
        assert len(expected) == spooled.size and not spooled.path.exists(), "read removes the spool file"
        whole = reference.run(directory, everything, graph_format="ntriples").read()
    finally:
        reference.close()
    for inline in (len(expected), len(expected) - 1):
        pool = WorkerPool(uncached(timeout=30, workers=1, inline_bytes=inline))
        try:
            result = pool.run(directory, query)
            seen[inline] = (result.body is not None, result.read())
            assert list(pool.spool.iterdir()) == [], "nothing is left in the spool"
            if inline == len(expected):
                big = WorkerPool(uncached(timeout=30, workers=1, inline_bytes=len(whole)))
                try:
                    assert len(whole) > 1024 * 1024, "larger than the reply pipe"
                    graph = big.run(directory, everything, graph_format="ntriples")
                    assert graph.body is not None and graph.read() == whole
                finally:
                    big.close()
        finally:
            pool.close()
    assert seen == {len(expected): (True, expected), len(expected) - 1: (False, expected)}


def test_size_limit_holds_on_the_lean_path(store: EmbeddedStore) -> None:
    """A result over the size limit is refused whether it would have come inline or spooled."""
    for inline in (0, 1 << 20):
        pool = WorkerPool(uncached(timeout=30, workers=1, inline_bytes=inline))
        try:
            with pytest.raises(ResultTooLarge):
                pool.run(oxigraph_dir(store), "CONSTRUCT WHERE { ?s ?p ?o }", max_bytes=100_000)
            assert list(pool.spool.iterdir()) == []
        finally:
            pool.close()


def test_syntax_error_and_unacceptable_form(pool: WorkerPool, store: EmbeddedStore) -> None:
    with pytest.raises(SyntaxError, match="error at 1:"):
        pool.run(oxigraph_dir(store), "SELEKT * WHERE { ?s ?p ?o }")
    with pytest.raises(NotAcceptable) as refused:
        pool.run(oxigraph_dir(store), "CONSTRUCT WHERE { ?s ?p ?o }", graph_format=None)
    assert refused.value.form == "triples"


def test_a_crashing_worker_costs_one_query(store: EmbeddedStore) -> None:
    """An address-space limit makes a huge sort abort its worker (Rust aborts on a failed allocation)."""
    crashing = WorkerPool(uncached(timeout=30, workers=1, memory=2 * 1024**3))  # an idle worker maps ~1.3 GB
    try:
        with pytest.raises(WorkerCrashed, match="stopped the process evaluating it"):
            crashing.run(oxigraph_dir(store), "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f")
        assert count(crashing, oxigraph_dir(store)) == store.info["counts"]["triples"]
    finally:
        crashing.close()


def test_deep_recursion_fits_the_worker_stack(pool: WorkerPool, store: EmbeddedStore) -> None:
    """Past the lexer's limit (direct use): 20,000 nested parentheses overflow an 8 MB stack, not the worker's."""
    deep = "SELECT (" + "(" * 20_000 + "1" + ")" * 20_000 + " AS ?x) {}"
    result = pool.run(oxigraph_dir(store), deep)
    assert json.loads(result.read())["results"]["bindings"][0]["x"]["value"] == "1"


def small_store(path: Path, label: str) -> Path:
    store = Store(str(path))
    store.add(Quad(NamedNode("http://example.org/x"), NamedNode("http://example.org/label"), Literal(label)))
    store.flush()
    del store
    return path


def test_worker_follows_a_new_generation(pool: WorkerPool, tmp_path: Path) -> None:
    first, second = small_store(tmp_path / "first", "one"), small_store(tmp_path / "second", "two")
    for directory, expected in [(first, "one"), (second, "two"), (first, "one")]:
        result = pool.run(directory, "SELECT ?l { ?x <http://example.org/label> ?l }")
        solutions = parse_query_results(result.read(), format=QueryResultsFormat.JSON)
        assert [s["l"].value for s in solutions] == [expected]


def test_workers_have_no_network(pool: WorkerPool, store: EmbeddedStore) -> None:
    """Even a SERVICE clause that bypasses the lexer (direct use) reaches nothing from an isolated worker."""
    count(pool, oxigraph_dir(store))
    if not pool.isolated:
        pytest.skip("this kernel does not allow unprivileged user namespaces; the lexer alone refuses SERVICE")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(1)
        port = listener.getsockname()[1]
        with pytest.raises(Exception, match="(?i)connect|network|unreachable|error"):
            pool.run(oxigraph_dir(store), f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}")
        with pytest.raises(socket.timeout):
            listener.accept()


def test_worker_overhead_is_small(pool: WorkerPool, store: EmbeddedStore) -> None:
    """The price of killable queries: a trivial query through a warm worker against in process."""
    directory = oxigraph_dir(store)
    pool.run(directory, "ASK {}").read()
    runs = 50
    started = time.perf_counter()
    for _ in range(runs):
        pool.run(directory, "ASK { ?s ?p ?o }").read()
    via_worker = (time.perf_counter() - started) / runs
    started = time.perf_counter()
    for _ in range(runs):
        store.query("ASK { ?s ?p ?o }").serialize(format=QueryResultsFormat.JSON)
    in_process = (time.perf_counter() - started) / runs
    print(f"trivial query: {in_process * 1000:.3f} ms in process, {via_worker * 1000:.3f} ms via a worker")
    assert via_worker < 0.05


def test_the_blocking_form_works_where_a_loop_already_runs(pool: WorkerPool, store: EmbeddedStore) -> None:
    """Synchronous code called under a running loop (as under Playwright's sync API) can still call ``run``."""

    async def synchronous_code_under_a_loop() -> int:
        return count(pool, oxigraph_dir(store))

    with ThreadPoolExecutor(max_workers=1) as thread:  # a thread of its own: this one may run a loop already
        assert thread.submit(asyncio.run, synchronous_code_under_a_loop()).result() == store.info["counts"]["triples"]


def test_callers_on_threads_and_on_one_loop_share_the_workers(store: EmbeddedStore) -> None:
    """More callers than workers, from threads (each its own loop) and from one loop at once: each gets its own
    answer, and the pool never runs more workers than its limit."""
    directory = oxigraph_dir(store)
    total = store.info["counts"]["triples"]
    pool = WorkerPool(uncached(timeout=30, workers=2))
    try:
        answers: list[int] = []

        def on_a_thread() -> None:
            answers.append(count(pool, directory))

        async def on_one_loop() -> list[int]:
            results = await asyncio.gather(
                *(pool.evaluate(directory, f"SELECT (COUNT(*) + {i} AS ?n) {{ ?s ?p ?o }}") for i in range(6))
            )
            return [int(json.loads(r.read())["results"]["bindings"][0]["n"]["value"]) for r in results]

        threads = [threading.Thread(target=on_a_thread) for _ in range(4)]
        for thread in threads:
            thread.start()
        assert blocking(on_one_loop()) == [total + i for i in range(6)]
        for thread in threads:
            thread.join()
        assert answers == [total] * 4
        assert len(pool._workers) <= 2
    finally:
        pool.close()


def test_a_caller_waits_for_a_free_worker_no_longer_than_its_limit(store: EmbeddedStore) -> None:
    directory = oxigraph_dir(store)
    pool = WorkerPool(uncached(timeout=30, workers=1))
    try:
        count(pool, directory)
        outcome: list[type[Exception]] = []

        def hold_the_worker() -> None:
            try:
                pool.run(directory, RUNAWAY, timeout=3)
            except Exception as err:
                outcome.append(type(err))

        busy = threading.Thread(target=hold_the_worker)
        busy.start()
        time.sleep(0.5)
        started = time.monotonic()
        with pytest.raises(PoolBusy, match="stayed busy for 0.5 s"):
            pool.run(directory, "ASK {}", timeout=0.5)
        assert time.monotonic() - started < 2
        busy.join()
        assert outcome == [QueryTimeout]
        assert count(pool, directory) == store.info["counts"]["triples"], "the slot came back after the kill"
    finally:
        pool.close()


def test_a_cancelled_query_kills_its_worker(store: EmbeddedStore) -> None:
    """A caller that stops waiting (a client gone) must not leave its answer to be read as the next query's."""
    directory = oxigraph_dir(store)
    pool = WorkerPool(uncached(timeout=30, workers=1))
    try:
        count(pool, directory)
        (worker,) = pool._workers

        async def cancel_a_runaway() -> None:
            task = asyncio.ensure_future(pool.evaluate(directory, RUNAWAY))
            await asyncio.sleep(0.5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        blocking(cancel_a_runaway())
        assert worker.proc.poll() is not None, "the worker evaluating the cancelled query was killed"
        assert count(pool, directory, "SELECT (COUNT(*) + 1 AS ?n) { ?s ?p ?o }") == store.info["counts"]["triples"] + 1
    finally:
        pool.close()


def test_limits_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATKG_SPARQL_TIMEOUT", "2.5")
    monkeypatch.setenv("CATKG_SPARQL_MAX_BYTES", "1000")
    monkeypatch.setenv("CATKG_SPARQL_ISOLATE", "0")
    limits = Limits.from_env(workers=3)
    assert (limits.timeout, limits.max_bytes, limits.workers, limits.isolate) == (2.5, 1000, 3, False)
    assert Limits.from_env(timeout=7).timeout == 7
    monkeypatch.setenv("CATKG_SPARQL_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="CATKG_SPARQL_TIMEOUT='soon'"):
        Limits.from_env()


def test_inline_bound_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CATKG_SPARQL_INLINE_BYTES", raising=False)
    assert Limits.from_env().inline_bytes == 256 * 1024
    monkeypatch.setenv("CATKG_SPARQL_INLINE_BYTES", "0")
    assert Limits.from_env().inline_bytes == 0
    monkeypatch.setenv("CATKG_SPARQL_INLINE_BYTES", "-1")
    with pytest.raises(ValueError, match="must be positive"):
        Limits.from_env()


def test_a_repeated_query_is_answered_from_the_cache_without_a_worker(store: EmbeddedStore) -> None:
    """The same query on the same generation answers the same bytes, even while the only worker is busy."""
    directory = oxigraph_dir(store)
    pool = WorkerPool(Limits(timeout=30, workers=1))
    try:
        query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 20"
        first = pool.run(directory, query).read()
        busy = threading.Thread(target=lambda: pytest.raises(QueryTimeout, pool.run, directory, RUNAWAY, timeout=3))
        busy.start()
        time.sleep(0.3)
        started = time.monotonic()
        again = pool.run(directory, query, timeout=0.5)  # without the cache: PoolBusy after 0.5 s
        assert again.read() == first and time.monotonic() - started < 0.2
        with pytest.raises(PoolBusy):
            pool.run(directory, query + " # not the same text", timeout=0.5)
        with pytest.raises(PoolBusy):
            pool.run(directory, query, graph_format=None, results_format="csv", timeout=0.5)  # another format
        busy.join()
        with pytest.raises(ResultTooLarge):
            pool.run(directory, query, max_bytes=100)  # a cached result still meets a smaller size limit
        assert len(pool.cache) == 1
    finally:
        pool.close()


def test_what_the_cache_never_keeps(store: EmbeddedStore, tmp_path: Path) -> None:
    """Queries that may answer differently (RAND, NOW, UUID, STRUUID, BNODE), spooled results, errors; and a new
    generation is never answered from an old one's results."""
    directory = oxigraph_dir(store)
    pool = WorkerPool(Limits(timeout=30, workers=1, inline_bytes=4096))
    try:
        draws = {pool.run(directory, "SELECT (rand() AS ?r) {}").read() for _ in range(3)}
        assert len(draws) == 3
        for query in (
            "SELECT (NOW() AS ?t) {}",
            "SELECT (UUID() AS ?u) {}",
            "SELECT (STRUUID() AS ?u) {}",
            "CONSTRUCT { ?s <http://example.org/p> [] } WHERE { ?s a ?c } LIMIT 1",
            'SELECT (BNODE ("x") AS ?b) {}',
        ):
            pool.run(directory, query).read()
        assert len(pool.cache) == 1, "only the CONSTRUCT, whose template blank node keeps its label in a document"
        spooled = pool.run(directory, "CONSTRUCT WHERE { ?s ?p ?o }", graph_format="ntriples")
        assert spooled.path is not None
        spooled.discard()
        with pytest.raises(SyntaxError):
            pool.run(directory, "SELEKT")
        assert len(pool.cache) == 1
        query = "SELECT ?l { ?x <http://example.org/label> ?l }"
        first, second = small_store(tmp_path / "first", "one"), small_store(tmp_path / "second", "two")
        assert b"one" in pool.run(first, query).read() and b"two" in pool.run(second, query).read()
    finally:
        pool.close()


def test_the_cache_stays_within_its_bytes() -> None:
    cache = ResultCache(capacity=3000)
    reply = Reply("ok", "solutions", "json", 1000, 0.001, inline=True)
    keys = [("/g", f"SELECT {i}", "json", None, None, None, False) for i in range(4)]
    for key in keys:
        cache.put(key, reply, b"x" * 1000)
        assert cache.size <= 3000
    assert cache.get(keys[0]) is None and cache.get(keys[3]) is not None, "least recently used first out"
    cache.put(("/g", "SELECT big", "json", None, None, None, False), reply, b"x" * 5000)
    assert cache.get(("/g", "SELECT big", "json", None, None, None, False)) is None, "larger than the whole cache"


def test_cache_bound_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATKG_SPARQL_CACHE_BYTES", "0")
    assert Limits.from_env().cache_bytes == 0 and WorkerPool(Limits.from_env()).cache is None
    monkeypatch.delenv("CATKG_SPARQL_CACHE_BYTES")
    assert Limits.from_env().cache_bytes == 32 * 1024 * 1024

"""``CATKG_SERVE_WORKERS=2``: two server processes share the port, each with its own SPARQL worker pool; the limits
hold in each, small and spooled results answer the same, and stopping the server leaves no process behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from conftest import free_port, start_server

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def descendants(pid: int) -> set[int]:
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found |= {int(entry.name)} | descendants(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def two(store_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    proc = start_server(
        store_path,
        port,
        extra_env={"CATKG_SERVE_WORKERS": "2", "CATKG_SPARQL_TIMEOUT": "1.5", "CATKG_SPARQL_MAX_BYTES": "1000000"},
    )
    yield f"http://127.0.0.1:{port}", proc
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=20)


def test_two_processes_answer_and_keep_the_limits(two: tuple[str, subprocess.Popen]) -> None:
    server, proc = two
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20"
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: httpx.get(f"{server}/sparql", params={"query": query}, timeout=10), range(40)))
    assert {r.status_code for r in answers} == {200} and len({r.content for r in answers}) == 1
    spooled = httpx.get(f"{server}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1500"}, timeout=10)
    assert spooled.status_code == 200 and len(spooled.content) == int(spooled.headers["content-length"]) > 256 * 1024 - 1
    too_large = httpx.get(f"{server}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, timeout=10)
    assert too_large.status_code == 507
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        runaways = list(pool.map(lambda _: httpx.get(f"{server}/sparql", params={"query": RUNAWAY}, timeout=20), range(4)))
    assert {r.status_code for r in runaways} == {503} and time.monotonic() - started < 10
    assert httpx.get(f"{server}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10).status_code == 200
    servers = [p for p in descendants(proc.pid) if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]
    assert len(servers) == 2, "two server processes"


def test_stopping_leaves_no_process(two: tuple[str, subprocess.Popen]) -> None:
    server, proc = two
    assert httpx.get(f"{server}/sparql", params={"query": "ASK {}"}, timeout=10).status_code == 200
    family = descendants(proc.pid)
    assert len(family) >= 4, "two server processes and their query workers"
    proc.terminate()
    proc.wait(timeout=20)
    deadline = time.monotonic() + 10
    while any(alive(p) for p in family) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [p for p in family if alive(p)]


def test_a_bad_number_of_processes_is_refused(store_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "catkg.api.cli", "serve", "--store", str(store_path), "--port", str(free_port())],
        env={**os.environ, "CATKG_SERVE_WORKERS": "two"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "CATKG_SERVE_WORKERS='two'" in done.stderr

"""Scale and speed of catkg (issue 9): build, store size, memory, latency and throughput, side by side with
pyoxigraph's raw bulk load, ``oxigraph serve`` and ``rdflib-endpoint`` on the same data, in one run.

    nice -n 10 .venv/bin/python benchmarks/bench.py --sizes 10k,100k [--profile] [--budget-minutes 60]

See benchmarks/README.md for what each column means. Every number written to benchmarks/RESULTS.md is measured in
the run that writes it (the raw numbers also go to benchmarks/results.json). Servers listen on 127.0.0.1 only, on
free ports, and are stopped by their pid when their measurements are done, whatever happens.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
BIN = Path(PY).parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402

CAT = "https://w3id.org/catkg/ontology#"
ENTITY = "https://w3id.org/catkg/entity/"
FACT = "https://w3id.org/catkg/fact/"
TWO_HOP = (
    "PREFIX cat: <https://w3id.org/catkg/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "SELECT ?fact ?subject ?objectLabel WHERE { ?subject skos:broader <%s> . "
    "?fact cat:hasSubject ?subject ; cat:hasObject ?object . ?object rdfs:label ?objectLabel }"
)
"""The 2-hop query: facts whose subject sits directly under an entity, with their object's label."""
SHORT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20"
"""The short query (issue 16): twenty triples, the same for every request."""
ENTITY_FACTS = (
    "PREFIX cat: <https://w3id.org/catkg/ontology#> "
    "SELECT ?fact ?statement WHERE { ?fact cat:hasSubject <%s> ; cat:statement ?statement }"
)
"""One entity's facts, with their statements: a short query that differs from request to request."""
SHORT_CELLS = ("short", "short_unique", "entity_facts", "entity_facts_unique")
"""The short-query cells: repeated texts, and the same made unique (see ``unique``)."""
QUESTION = "quantified_risk_factors"
JSON_RESULTS = "application/sparql-results+json"


def parse_size(text: str) -> int:
    text = text.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * mult)


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def du(path: Path) -> int:
    """Bytes on disk under ``path`` (allocated blocks, links not followed)."""
    total = 0
    for p in [path, *path.rglob("*")]:
        if p.is_file() and not p.is_symlink():
            total += p.stat().st_blocks * 512
    return total


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def scaled(seconds: float, facts: int) -> float:
    """A time limit set for 10k facts, grown with the square root of the size (10x at 1M facts): a limit that
    only catches a hung step at 10k must not cut off a 1M run, whose build, loads and scans take longer."""
    return seconds * max(1.0, (facts / 10_000) ** 0.5)


def ms(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(pct(values, 0.5) * 1000, 2),
        "p95_ms": round(pct(values, 0.95) * 1000, 2),
        "p99_ms": round(pct(values, 0.99) * 1000, 2),
    }


# --- child processes: one measured thing each, peak memory from wait4 -----------------------------------------------


def run_child(args: list[str], timeout: float, log: Path) -> dict[str, Any]:
    """Run ``bench.py <args>`` in a child; its last stdout line is JSON. Adds wall seconds and peak RSS (MiB)."""
    started = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.Popen([PY, str(Path(__file__)), *args], stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                os.wait4(proc.pid, 0)
                return {"error": f"timed out after {timeout:.0f} s", "seconds": round(time.perf_counter() - started, 1)}
            time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    lines = log.read_text().strip().splitlines()
    if proc.returncode != 0 or not lines:
        return {"error": f"exit {proc.returncode}: " + " | ".join(lines[-5:]), "seconds": round(wall, 1)}
    result = json.loads(lines[-1])
    result.setdefault("seconds", round(wall, 3))
    result["wall_seconds"] = round(wall, 3)
    result["peak_rss_mib"] = round(usage.ru_maxrss / 1024, 1)
    return result


def timed_build(data: str, store: str) -> tuple[Any, float, dict[str, float]]:
    """Build ``store`` from ``data``: the result, its seconds, and the seconds of each phase.

    Each phase is named by the build's own progress message and lasts until the next one (the last, until
    build_graph returns), so the names follow the build as it changes."""
    from catkg.queries.steps import build_graph

    marks: list[tuple[str, float]] = []
    started = time.perf_counter()
    result = build_graph(
        Path(store),
        curated=Path(data) / "curated",
        sources=Path(data) / "sources",
        progress=lambda message: marks.append((message, time.perf_counter() - started)),
    )
    seconds = time.perf_counter() - started
    ends = [at for _, at in marks[1:]] + [seconds]
    return result, seconds, {message: round(end - at, 3) for (message, at), end in zip(marks, ends, strict=True)}


def child_build(data: str, store: str) -> None:
    result, seconds, phases = timed_build(data, store)
    print(
        json.dumps(
            {
                "seconds": round(seconds, 3),
                "phases": phases,
                "counts": result.info["counts"],
                "reasoning": result.info.get("reasoning"),
                "shapes": result.info.get("shapes"),
                "directory": str(result.directory),
            }
        )
    )


def child_rebuild(data: str, store: str) -> None:
    """Edit one fact of one fact file (the middle one) and build again on the built store: the incremental
    build a curator waits for. The file is restored afterwards (the store keeps the edit)."""
    files = sorted((Path(data) / "curated" / "facts").glob("*.yaml"))
    edited = files[len(files) // 2]
    original = edited.read_bytes()
    text = original.decode("utf-8")
    at = text.index('statement: "') + len('statement: "')
    edited.write_text(text[:at] + "Edited: " + text[at:], encoding="utf-8")
    try:
        result, seconds, phases = timed_build(data, store)
    finally:
        edited.write_bytes(original)
    print(
        json.dumps(
            {
                "seconds": round(seconds, 3),
                "file": edited.name,
                "files": len(files),
                "phases": phases,
                "counts": result.info["counts"],
                "shapes": result.info.get("shapes"),
            }
        )
    )


def child_raw_load(nquads: str, directory: str) -> None:
    from pyoxigraph import RdfFormat, Store

    started = time.perf_counter()
    store = Store(directory)
    store.bulk_load(path=nquads, format=RdfFormat.N_QUADS)
    store.flush()
    count = len(store)
    seconds = time.perf_counter() - started
    del store
    print(json.dumps({"seconds": round(seconds, 3), "quads": count}))


def timed(fn: Callable[[], Any], repeat: int, budget: float) -> list[float]:
    """Seconds of ``repeat`` calls after one warm-up, or of as many as fit in ``budget`` seconds."""
    fn()  # warm up
    times = []
    end = time.monotonic() + budget
    for _ in range(repeat):
        if time.monotonic() > end:
            break
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def child_direct(store_link: str, plan_file: str, repeat: str, budget: str) -> None:
    """The API's queries run directly on pyoxigraph in one process, no HTTP: the floor the API is compared to.

    The store is opened as ``catkg serve`` opens it (``EmbeddedStore``: the union default graph, and the fact
    documents and search index of its generation directory)."""
    from catkg.queries.entities import get_entity
    from catkg.queries.questions import answer
    from catkg.queries.search import search
    from catkg.store.embedded import EmbeddedStore

    plan = json.loads(Path(plan_file).read_text())
    store = EmbeddedStore(Path(store_link))
    n, step = int(repeat), float(budget)
    cyc = {k: iter(v * (n + 2)) for k, v in plan.items() if isinstance(v, list)}
    out = {
        "entity": ms(timed(lambda: get_entity(store, next(cyc["leaves"])), n, step)),
        "search": ms(timed(lambda: search(store, next(cyc["searches"])), n, step)),
        "question": ms(timed(lambda: answer(store, QUESTION, {"outcome": next(cyc["leaves"])}), n, step)),
        "two_hop": ms(timed(lambda: list(store.query(TWO_HOP % (ENTITY + next(cyc["parents"])))), n, step)),
    }
    print(json.dumps(out))


def child_profile(store_link: str, plan_file: str, out_dir: str, size: str) -> None:
    """pyinstrument over each API query run directly (a few calls each); writes one text report a query."""
    from pyinstrument import Profiler

    from catkg.queries.entities import get_entity
    from catkg.queries.questions import answer
    from catkg.queries.search import search
    from catkg.store.embedded import EmbeddedStore

    plan = json.loads(Path(plan_file).read_text())
    store = EmbeddedStore(Path(store_link))
    calls = {
        "entity": lambda i: get_entity(store, plan["leaves"][i]),
        "search": lambda i: search(store, plan["searches"][i % len(plan["searches"])]),
        "question": lambda i: answer(store, QUESTION, {"outcome": plan["leaves"][i]}),
    }
    summary = {}
    for name, call in calls.items():
        call(0)
        profiler = Profiler(interval=0.001)
        started = time.perf_counter()
        with profiler:
            for i in range(1, 6):
                call(i)
        summary[name] = round((time.perf_counter() - started) / 5 * 1000, 2)
        Path(out_dir, f"{size}-{name}.txt").write_text(profiler.output_text(unicode=False, color=False, show_all=False))
    print(json.dumps({"mean_ms": summary}))


def child_profile_build(data: str, store: str, out: str) -> None:
    from pyinstrument import Profiler

    from catkg.queries.steps import build_graph

    profiler = Profiler(interval=0.01)
    started = time.perf_counter()
    with profiler:
        build_graph(Path(store), curated=Path(data) / "curated", sources=Path(data) / "sources")
    Path(out).write_text(profiler.output_text(unicode=False, color=False))
    print(json.dumps({"seconds": round(time.perf_counter() - started, 3)}))


# --- servers ---------------------------------------------------------------------------------------------------------


def tree_rss_mib(root: int) -> float:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds (user and system) used so far by a process and its living descendants, from /proc."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                stats[int(entry)] = fields
                children.setdefault(int(fields[1]), []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    total, todo, tick = 0, [root], os.sysconf("SC_CLK_TCK")
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        if pid in stats:
            total += int(stats[pid][11]) + int(stats[pid][12])
    return total / tick


class Server:
    """A server process on loopback, its memory sampled while it runs; stopped by pid (and its group).

    ``sparql_path`` is where it answers the SPARQL 1.1 Protocol; it is ready when an ASK there answers 200.
    """

    def __init__(
        self,
        name: str,
        argv: list[str],
        url: str,
        sparql_path: str,
        log: Path,
        ready_timeout: float,
        env: dict[str, str] | None = None,
    ):
        self.name, self.url, self.sparql_path, self.peak = name, url, sparql_path, 0.0
        self.log = open(log, "w")
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            argv, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT, env={**os.environ, **(env or {})}
        )
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        import httpx

        deadline = time.monotonic() + ready_timeout
        while True:
            if self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"{name} exited with {self.proc.returncode}; see {log}")
            try:
                if httpx.get(url + sparql_path, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{name} did not answer within {ready_timeout:.0f} s")
            time.sleep(0.2)
        self.ready_seconds = round(time.perf_counter() - started, 2)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_mib(self.proc.pid))
            self._stop.wait(0.2)

    def rss(self) -> float:
        return round(tree_rss_mib(self.proc.pid), 1)

    def stop(self) -> None:
        self._stop.set()
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=20)
            except ProcessLookupError:
                pass
        self.log.close()


def sparql_request(path: str, query: str) -> tuple[str, dict]:
    return path, {"params": {"query": query}, "headers": {"Accept": JSON_RESULTS}}


def unique(requests: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """The same SPARQL requests, each query text made different by a trailing comment: the engine's work is the
    same, but no result cache (catkg keeps small results of repeated queries) can answer one from another."""
    out = []
    for i, (path, kw) in enumerate(requests):
        params = {**kw["params"], "query": f"{kw['params']['query']}\n# request {i}"}
        out.append((path, {**kw, "params": params}))
    return out


def sequential(base: str, requests: list[tuple[str, dict]], timeout: float, budget: float) -> dict[str, Any]:
    """Latency of requests one after another (one warm-up first), within ``budget`` seconds."""
    import httpx

    times, errors = [], 0
    end = time.monotonic() + budget
    with httpx.Client(base_url=base, timeout=timeout) as client:
        path, kw = requests[0]
        client.get(path, **kw)
        for path, kw in requests:
            if time.monotonic() > end:
                break
            t = time.perf_counter()
            try:
                r = client.get(path, **kw)
                r.read()
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            times.append(time.perf_counter() - t)
            errors += not ok
    out = ms(times) if times else {"n": 0}
    out["errors"] = errors
    return out


def concurrent(base: str, requests: list[tuple[str, dict]], clients: int, timeout: float, budget: float) -> dict[str, Any]:
    """``clients`` threads, each its own connection, sharing a bounded list of requests; throughput and p99."""
    import httpx

    lock, latencies, errors = threading.Lock(), [], [0]
    queue = list(reversed(requests))
    end = time.monotonic() + budget

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=timeout) as client:
            while time.monotonic() < end:
                with lock:
                    if not queue:
                        return
                    path, kw = queue.pop()
                t = time.perf_counter()
                try:
                    r = client.get(path, **kw)
                    r.read()
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                with lock:
                    latencies.append(time.perf_counter() - t)
                    errors[0] += not ok

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - started
    out = ms(latencies) if latencies else {"n": 0}
    out.update(errors=errors[0], seconds=round(wall, 2), rps=round(len(latencies) / wall, 1) if latencies else 0.0)
    return out


# --- one size --------------------------------------------------------------------------------------------------------


def make_plan(data: Path, facts: int, rng: random.Random) -> dict[str, Any]:
    """Which entities, texts and facts the measurements ask about (the same for every server)."""
    count = synth.entity_count(facts)
    entities = synth.make_entities(count, random.Random(9))  # same seed as the data: same labels
    internal = count // synth.FANOUT // 2
    leaves = [e for e in entities[count // 2 :]]
    parents = [e["id"] for e in entities[len(synth.ENTITY_TYPES) : len(synth.ENTITY_TYPES) + max(1, internal)]]
    picked = rng.sample(leaves, 40)
    searches = [f"risk of {e['label']}" for e in picked[:10]] + [
        f"{e['abbreviations'][0]} and pulmonary embolism" for e in leaves[::7] if e["abbreviations"]
    ][:5]
    return {
        "leaves": [e["id"] for e in picked],
        "parents": rng.sample(parents, min(40, len(parents))),
        "searches": searches,
        "facts": [f"fact-{rng.randrange(facts)}" for _ in range(2000)],
    }


def fact_details_query(fact_id: str) -> str:
    """The query catkg runs for /api/facts/{id} (fact_details.rq, bound), to ask the other servers the same."""
    from pyoxigraph import NamedNode

    from catkg.queries.run import bind, named_query

    return bind(named_query("fact_details").text, [{"fact": NamedNode(FACT + fact_id)}])


def measure_server(
    kind: str, server: Server, plan: dict[str, Any], args: argparse.Namespace, scale: float, step: float, timeout: float
) -> dict:
    """Latency p50/p95 of each query kind, then throughput under ``args.clients`` clients; each cell within
    ``step`` seconds, each request within ``timeout``."""
    n = max(5, int(args.requests * scale))
    load = max(40, int(args.load_requests * scale))
    base = server.url
    two_hop = [sparql_request(server.sparql_path, TWO_HOP % (ENTITY + p)) for p in plan["parents"]]
    out: dict[str, Any] = {}
    cyc = lambda items, k: [items[i % len(items)] for i in range(k)]  # noqa: E731
    if kind == "catkg":  # catkg2, the same server in two processes, answers only the SPARQL cells
        out["entity"] = sequential(base, cyc([(f"/api/entities/{e}", {}) for e in plan["leaves"]], n), timeout, step)
        out["search"] = sequential(base, cyc([("/api/search", {"params": {"q": s}}) for s in plan["searches"]], n), timeout, step)
        out["question"] = sequential(
            base, cyc([(f"/api/questions/{QUESTION}", {"params": {"outcome": e}}) for e in plan["leaves"]], n), timeout, step
        )
        fact_reqs = [(f"/api/facts/{f}", {}) for f in plan["facts"]]
    elif kind != "catkg2":
        fact_reqs = [sparql_request(server.sparql_path, fact_details_query(f)) for f in plan["facts"][:load]]
    # Every SPARQL request but the short cells' repeated ones has a text of its own (unique): these cells measure
    # the evaluation, not catkg's result cache.
    sparql_facts = kind not in ("catkg", "catkg2")
    out["two_hop"] = sequential(base, unique(cyc(two_hop, n)), timeout, step)
    if kind != "catkg2":
        out["fact"] = sequential(base, unique(cyc(fact_reqs, n)) if sparql_facts else cyc(fact_reqs, n), timeout, step)
    out["load_sparql"] = concurrent(base, unique(cyc(two_hop, load)), args.clients, timeout, step)
    if kind != "catkg2":
        facts = unique(cyc(fact_reqs, load)) if sparql_facts else cyc(fact_reqs, load)
        out["load_fact"] = concurrent(base, facts, args.clients, timeout, step)
    short = [sparql_request(server.sparql_path, SHORT)]
    entity_facts = [sparql_request(server.sparql_path, ENTITY_FACTS % (ENTITY + e)) for e in plan["leaves"]]
    concurrent(base, unique(cyc(short, 200)), args.clients, timeout, step)  # warm every worker first
    k = args.short_requests
    for key, requests in (
        ("short", cyc(short, k)),
        ("short_unique", unique(cyc(short, k))),
        ("entity_facts", cyc(entity_facts, k)),
        ("entity_facts_unique", unique(cyc(entity_facts, k))),
    ):
        cpu = tree_cpu_seconds(server.proc.pid)
        out[key] = concurrent(base, requests, args.clients, timeout, step)
        # The server's own CPU per answered request (all its processes), whatever the client costs.
        out[key]["server_cpu_ms"] = round((tree_cpu_seconds(server.proc.pid) - cpu) / max(1, out[key]["n"]) * 1000, 3)
    return out


def data_stats(data: Path) -> dict[str, Any]:
    """What a reused data set holds (the YAML MiB and fact files columns), read from its files."""
    yaml = list((data / "curated").rglob("*.yaml"))
    return {
        "reused": True,
        "yaml_bytes": sum(p.stat().st_size for p in yaml),
        "fact_files": len(list((data / "curated" / "facts").glob("*.yaml"))),
    }


def prepare(facts: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Generate the data set (or reuse it) and remove the stores of an earlier run."""
    data = work / "data"
    if not (data / "curated").is_dir() or args.regenerate:
        shutil.rmtree(work, ignore_errors=True)
        t = time.perf_counter()
        stats = synth.generate(data, facts, facts_per_file=args.facts_per_file)
        stats["seconds"] = round(time.perf_counter() - t, 2)
    else:
        stats = data_stats(data)
    for old in (work / "store", work / "store.generations", work / "store.cache", work / "raw", work / "oxigraph-cli"):
        if old.is_symlink() or old.is_file():
            old.unlink()
        elif old.exists():
            shutil.rmtree(old)
    return stats


def load_raw(res: dict[str, Any], work: Path, logs: Path, left: Callable[[], float]) -> Path:
    """Dump the built store to N-Quads, then load that file with pyoxigraph's bulk_load and with the Oxigraph CLI.

    Nothing here holds the quads as Python objects: pyoxigraph writes the dump to the file itself, and both
    loaders read it from its path (at 1M facts it is about 6 GB).
    """
    from pyoxigraph import RdfFormat, Store

    nq, gen, name = work / "dump.nq", Path(res["build"]["directory"]), label(res["facts"])
    t = time.perf_counter()
    ro = Store.read_only(str(gen / "oxigraph"))
    ro.dump(output=str(nq), format=RdfFormat.N_QUADS)
    del ro
    res["dump"] = {"seconds": round(time.perf_counter() - t, 2), "bytes": nq.stat().st_size}
    res["raw"] = run_child(["_raw", str(nq), str(work / "raw")], max(60, left()), logs / f"{name}-raw.log")
    if "error" not in res["raw"]:
        res["raw"]["triples_per_s"] = round(res["raw"]["quads"] / res["raw"]["seconds"])
    res["oxigraph_load"] = oxigraph_load(
        nq, work / "oxigraph-cli", res["build"]["counts"]["triples"], max(60, left()), logs / f"{name}-oxigraph-load.log"
    )
    res["disk"] = {
        "catkg_generation": du(gen),
        "catkg_oxigraph": du(gen / "oxigraph"),
        "catkg_search_index": (gen / "search.sqlite").stat().st_size,
        "raw_bulk_load": du(work / "raw"),
        "oxigraph_cli": du(work / "oxigraph-cli"),
        "nquads": nq.stat().st_size,
    }
    return nq


def oxigraph_load(nq: Path, location: Path, triples: int, timeout: float, log: Path) -> dict[str, Any]:
    """``oxigraph load`` of the dump into the store ``oxigraph serve-read-only`` then serves."""
    t = time.perf_counter()
    with open(log, "w") as out:
        try:
            cli = subprocess.run(
                [str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(nq)],
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {timeout:.0f} s", "seconds": round(time.perf_counter() - t, 1)}
    seconds = time.perf_counter() - t
    if cli.returncode != 0:
        return {"error": f"exit {cli.returncode}; see {log}", "seconds": round(seconds, 1)}
    return {"seconds": round(seconds, 3), "triples_per_s": round(triples / seconds)}


def server_specs(
    facts: int, args: argparse.Namespace, work: Path, nq: Path, ready: float, left: Callable[[], float]
) -> list[tuple[str, Callable[[int, Path], Server], float]]:
    """(key, start(port, log), share of the requests) of each server measured at this size.

    Each server is asked at its own SPARQL path: catkg at ``/sparql``, ``oxigraph serve`` at ``/query``, and
    ``rdflib-endpoint serve`` at ``/``, the only path its CLI serves (it answers 404 at ``/sparql``).
    """

    def url(port: int) -> str:
        return f"http://127.0.0.1:{port}"

    specs = [
        (
            "catkg",
            lambda port, log: Server(
                "catkg serve (CATKG_SERVE_WORKERS=1)",
                [PY, "-m", "catkg.api.cli", "serve", "--store", str(work / "store"), "--port", str(port)],
                url(port),
                "/sparql",
                log,
                ready,
                env={"CATKG_SERVE_WORKERS": "1"},
            ),
            1.0,
        ),
        (
            "catkg2",
            lambda port, log: Server(
                "catkg serve (CATKG_SERVE_WORKERS=2)",
                [PY, "-m", "catkg.api.cli", "serve", "--store", str(work / "store"), "--port", str(port)],
                url(port),
                "/sparql",
                log,
                ready,
                env={"CATKG_SERVE_WORKERS": "2"},
            ),
            1.0,
        ),
        (
            "oxigraph",
            lambda port, log: Server(
                "oxigraph serve-read-only",
                [
                    str(BIN / "oxigraph"),
                    "serve-read-only",
                    "--location",
                    str(work / "oxigraph-cli"),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--union-default-graph",
                ],
                url(port),
                "/query",
                log,
                ready,
            ),
            1.0,
        ),
    ]
    if facts <= args.rdflib_max:
        # It parses the whole dump into Python objects before it answers: its start-up grows with the data.
        specs.append(
            (
                "rdflib",
                lambda port, log: Server(
                    "rdflib-endpoint",
                    [str(BIN / "rdflib-endpoint"), "serve", str(nq), "--host", "127.0.0.1", "--port", str(port)],
                    url(port),
                    "/",
                    log,
                    max(60, min(left(), 2 * ready)),
                ),
                args.rdflib_scale,
            )
        )
    return specs


def run_size(facts: int, args: argparse.Namespace, deadline: float) -> dict[str, Any]:
    name = label(facts)
    work = args.work / name
    logs = args.work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    res: dict[str, Any] = {"facts": facts}
    say = lambda m: print(f"[{name}] {m}", flush=True)  # noqa: E731
    left = lambda: deadline - time.monotonic()  # noqa: E731
    step = args.step_budget or scaled(180, facts)
    res["budgets"] = {"step_s": round(step), "request_s": round(scaled(60, facts)), "ready_s": round(scaled(300, facts))}

    res["data"] = prepare(facts, args, work)
    say(f"data: {res['data']}")
    say("catkg build ...")
    res["build"] = run_child(["_build", str(work / "data"), str(work / "store")], max(60, left()), logs / f"{name}-build.log")
    say(f"build: {res['build']}")
    if "error" in res["build"]:
        return res
    res["build"]["triples_per_s"] = round(res["build"]["counts"]["triples"] / res["build"]["seconds"])
    say("catkg build again, one fact file edited ...")
    res["rebuild"] = run_child(
        ["_rebuild", str(work / "data"), str(work / "store")], max(60, left()), logs / f"{name}-rebuild.log"
    )
    say(f"rebuild: {res['rebuild']}")
    say("dump, raw bulk_load, oxigraph load (CLI) ...")
    nq = load_raw(res, work, logs, left)
    say(f"raw: {res['raw']}; oxigraph load: {res['oxigraph_load']}; disk: {res['disk']}")

    plan = make_plan(work / "data", facts, random.Random(facts))
    plan_file = work / "plan.json"
    plan_file.write_text(json.dumps(plan))
    say("direct pyoxigraph ...")
    res["direct"] = run_child(
        ["_direct", str(work / "store"), str(plan_file), str(args.requests), str(step)],
        max(60, min(left(), 4 * step + scaled(120, facts))),
        logs / f"{name}-direct.log",
    )
    say(f"direct: {res['direct']}")
    if args.profile and left() > 120:
        pdir = args.results.parent / "profiles"
        pdir.mkdir(exist_ok=True)
        res["profile"] = run_child(
            ["_profile", str(work / "store"), str(plan_file), str(pdir), name],
            min(left(), scaled(600, facts)),
            logs / f"{name}-profile.log",
        )
        say(f"profile: {res['profile']}")
    if facts > args.rdflib_max:
        res["rdflib"] = {"skipped": f"not run above {label(args.rdflib_max)} facts (--rdflib-max)"}
    for key, start, scale in server_specs(facts, args, work, nq, scaled(300, facts), left):
        if args.servers and key not in args.servers:
            res[key] = {"skipped": "not in --servers"}
            continue
        res[key] = measure(key, start, scale, plan, args, step, scaled(60, facts), logs / f"{name}-{key}.log", left)
        say(f"{key}: {res[key]}")
    return res


def measure(
    key: str,
    start: Callable[[int, Path], Server],
    scale: float,
    plan: dict[str, Any],
    args: argparse.Namespace,
    step: float,
    timeout: float,
    log: Path,
    left: Callable[[], float],
) -> dict:
    """Start one server, measure it, stop it (also on errors, which are recorded and end only this server)."""
    if left() < 60:
        return {"skipped": "time budget spent"}
    server = None
    try:
        server = start(free_port(), log)
        idle = server.rss()
        measured = measure_server(key, server, plan, args, scale, step, timeout)
        measured.update(
            ready_seconds=server.ready_seconds, idle_rss_mib=idle, after_rss_mib=server.rss(), peak_rss_mib=round(server.peak, 1)
        )
        return measured
    except Exception as err:  # noqa: BLE001 - recorded in the results, the run goes on
        return {"error": f"{type(err).__name__}: {err}"}
    finally:
        if server:
            server.stop()


# --- report ----------------------------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    mem = next((line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")), "0")
    versions = {}
    for pkg in (
        "catkg",
        "pyoxigraph",
        "oxigraph",
        "rdflib",
        "rdflib-endpoint",
        "fastapi",
        "uvicorn",
        "pyshacl",
        "pyinstrument",
        "httpx",
    ):
        try:
            versions[pkg] = package_version(pkg)
        except Exception:  # noqa: BLE001
            versions[pkg] = "not installed"
    return {
        "nproc": str(os.cpu_count()),
        "memory_gib": f"{int(mem) / 2**20:.1f}",
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        **versions,
    }


def g(d: dict, *path: str, default: Any = "—") -> Any:
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return default
        d = d[p]
    return d


def ratio(a: Any, b: Any) -> str:
    try:
        return f"{float(a) / float(b):.2f}x"
    except (TypeError, ValueError, ZeroDivisionError):
        return "—"


def mib(b: Any) -> str:
    return f"{b / 2**20:.1f}" if isinstance(b, (int, float)) else "—"


SEARCH_BEGIN, SEARCH_END = "<!-- search: written by benchmarks/search_bench.py -->", "<!-- search end -->"
"""RESULTS.md's search section is search_bench.py's: a run of this script keeps it as it is."""


def search_section(path: Path) -> str:
    """The search section of the report at ``path``, if it has one."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if SEARCH_BEGIN not in text:
        return ""
    return "\n" + text[text.index(SEARCH_BEGIN) : text.index(SEARCH_END) + len(SEARCH_END)] + "\n"


def report(results: list[dict], meta: dict, command: str, notes: list[str], profile_dir: Path) -> str:
    out = [
        "# catkg benchmark results (issue 9: scale and speed)",
        "",
        "Written by `benchmarks/bench.py`; every number below was measured in the run that wrote this file "
        f"(started {meta['started']}, {meta['minutes']} minutes). Raw numbers: `benchmarks/results.json`. "
        "What each column means: `benchmarks/README.md`.",
        "",
        "## Machine and versions",
        "",
        "| | |",
        "| --- | --- |",
    ]
    out += [f"| {k} | {v} |" for k, v in meta["machine"].items()]
    out += ["", "## Command", "", "```sh", command, "```", ""]
    if notes:
        out += ["## Sizes not run / notes", ""] + [f"- {n}" for n in notes] + [""]
    out += [
        "## Build",
        "",
        "| facts | triples | catkg build s | catkg triples/s | raw bulk_load s | raw triples/s | build/raw (target ≥0.7x) "
        "| `oxigraph load` s | build peak RSS MiB | raw load peak RSS MiB | YAML MiB | fact files |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        out.append(
            f"| {label(r['facts'])} | {g(r, 'build', 'counts', 'triples')} | {g(r, 'build', 'seconds')} | "
            f"{g(r, 'build', 'triples_per_s')} | {g(r, 'raw', 'seconds')} | {g(r, 'raw', 'triples_per_s')} | "
            f"{ratio(g(r, 'build', 'triples_per_s'), g(r, 'raw', 'triples_per_s'))} | "
            f"{g(r, 'oxigraph_load', 'seconds')} | {g(r, 'build', 'peak_rss_mib')} | {g(r, 'raw', 'peak_rss_mib')} | "
            f"{mib(g(r, 'data', 'yaml_bytes', default=None))} | {g(r, 'data', 'fact_files')} |"
        )
    out += ["", "Build phases (seconds, from the build's own progress messages):", ""]
    for r in results:
        phases = g(r, "build", "phases", default={})
        if phases:
            out.append(
                f"- {label(r['facts'])}: "
                + "; ".join(f"{k}: {v}" for k, v in phases.items())
                + f"; SHACL {g(r, 'build', 'shapes', 'seconds')} s, reasoner {g(r, 'build', 'reasoning', 'seconds')} s"
            )
    out += [
        "",
        "One fact file edited (one statement of one fact), then `build_graph` again on the built store: an incremental "
        "build (unchanged files are not parsed again; parts of the graph whose shapes check passed are not checked "
        "again; validation, conversion to RDF, the load and the search index are done in full).",
        "",
        "| facts | fact files | full build s | one-file rebuild s | rebuild/full | shape parts reused | phases |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        rb = r.get("rebuild", {})
        if "seconds" in rb and "phases" in rb:
            full = g(r, "build", "seconds", default=None)
            out.append(
                f"| {label(r['facts'])} | {rb['files']} | {full} | {rb['seconds']} | "
                f"{ratio(rb['seconds'], full) if full else '—'} | {g(rb, 'shapes', 'reused_parts')} | "
                + "; ".join(f"{k}: {v}" for k, v in rb["phases"].items())
                + f"; SHACL {g(rb, 'shapes', 'seconds')} s |"
            )
        elif rb:
            out.append(f"| {label(r['facts'])} | {rb.get('error', rb)} | | | | | |")
    out += [
        "",
        "## Store size on disk (MiB)",
        "",
        "| facts | N-Quads dump | catkg generation (total) | catkg oxigraph | catkg search index "
        "| raw bulk_load store | `oxigraph load` store |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        d = r.get("disk", {})
        out.append(
            f"| {label(r['facts'])} | {mib(d.get('nquads'))} | {mib(d.get('catkg_generation'))} | "
            f"{mib(d.get('catkg_oxigraph'))} | {mib(d.get('catkg_search_index'))} | {mib(d.get('raw_bulk_load'))} | "
            f"{mib(d.get('oxigraph_cli'))} |"
        )
    out += [
        "",
        "## Latency, one client (ms, p50 / p95)",
        "",
        "catkg API = HTTP to a real `catkg serve` on loopback; direct = the same catkg query functions on pyoxigraph "
        "in one process (no HTTP); oxigraph / rdflib = the same SPARQL over HTTP to `oxigraph serve-read-only` / "
        "`rdflib-endpoint`. `fact` on the other servers is catkg's bound `fact_details.rq` query sent as SPARQL.",
        "",
        "| facts | query | catkg API | direct pyoxigraph | API/direct (target ≤3x) | oxigraph serve | rdflib-endpoint |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]

    def cell(d: Any) -> str:
        if not (isinstance(d, dict) and "p50_ms" in d):
            return "—"
        return f"{d['p50_ms']} / {d['p95_ms']}" + (f" ({d['errors']} err)" if d.get("errors") else "")

    for r in results:
        for q in ("entity", "search", "question", "two_hop", "fact"):
            api, direct = g(r, "catkg", q, default={}), g(r, "direct", q, default={})
            out.append(
                f"| {label(r['facts'])} | {q} | {cell(api)} | {cell(direct)} | "
                f"{ratio(api.get('p50_ms'), direct.get('p50_ms')) if direct else '—'} | "
                f"{cell(g(r, 'oxigraph', q, default={}))} | {cell(g(r, 'rdflib', q, default={}))} |"
            )
    out += [
        "",
        f"## Throughput, {meta['clients']} concurrent clients on loopback",
        "",
        "| facts | request | server | requests | errors | req/s | p50 ms | p99 ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        for q, what in (("load_sparql", "/sparql 2-hop"), ("load_fact", "one fact")):
            for s in ("catkg", "catkg2", "oxigraph", "rdflib"):
                d = g(r, s, q, default={})
                if isinstance(d, dict) and "rps" in d:
                    where = {"catkg": "/api/facts/{id}", "oxigraph": "SPARQL fact_details", "rdflib": "SPARQL fact_details"}
                    out.append(
                        f"| {label(r['facts'])} | {what if q == 'load_sparql' else where[s]} | {s} | {d['n']} | "
                        f"{d['errors']} | {d['rps']} | {d['p50_ms']} | {d['p99_ms']} |"
                    )
    out += [
        "",
        f"## Short SPARQL queries, {meta['clients']} concurrent clients on loopback",
        "",
        "`short` = `" + SHORT + "` every time; `entity_facts` = one entity's facts with their statements "
        "(40 leaf entities in turn). These repeat: catkg answers a repeated query from its result cache "
        "(`CATKG_SPARQL_CACHE_BYTES`), oxigraph evaluates each. `short_unique` and `entity_facts_unique` are the same "
        "requests with a comment that makes every query text different, so every one is evaluated by every server. "
        "catkg = `catkg serve` (one process), catkg2 = the same with "
        "`CATKG_SERVE_WORKERS=2`; oxigraph = `oxigraph serve-read-only`. The clients are Python threads on the same "
        "machine (httpx, one connection each): their own CPU is part of what limits every server. `server CPU` is "
        "the CPU time of the server and all its processes per answered request, measured over the cell.",
        "",
        "| facts | query | server | requests | errors | req/s | p50 ms | p99 ms | server CPU ms/request | req/s vs oxigraph |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        for q in SHORT_CELLS:
            base = g(r, "oxigraph", q, "rps", default=None)
            for s in ("catkg", "catkg2", "oxigraph"):
                d = g(r, s, q, default={})
                if isinstance(d, dict) and "rps" in d:
                    out.append(
                        f"| {label(r['facts'])} | {q} | {s} | {d['n']} | {d['errors']} | {d['rps']} | {d['p50_ms']} | "
                        f"{d['p99_ms']} | {d.get('server_cpu_ms', '—')} | {ratio(d['rps'], base) if base else '—'} |"
                    )
    out += [
        "",
        "## Server memory (MiB, resident, process and all its children)",
        "",
        "| facts | server | ready after s | idle | after the run | peak sampled |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        for s in ("catkg", "catkg2", "oxigraph", "rdflib"):
            d = r.get(s, {})
            if "peak_rss_mib" in d:
                out.append(
                    f"| {label(r['facts'])} | {s} | {d['ready_seconds']} | {d['idle_rss_mib']} | "
                    f"{d['after_rss_mib']} | {d['peak_rss_mib']} |"
                )
            elif d:
                out.append(f"| {label(r['facts'])} | {s} | {d.get('skipped') or d.get('error')} | | | |")
    out += ["", "## Targets", "", "| facts | target | measured | met |", "| --- | --- | --- | --- |"]
    for r in results:
        checks = []
        b, raw = g(r, "build", "triples_per_s", default=None), g(r, "raw", "triples_per_s", default=None)
        if b and raw:
            checks.append(("catkg build ≥ 0.7x raw bulk_load throughput", b / raw, b / raw >= 0.7, "x"))
        for q in ("entity", "search"):
            p50 = g(r, "catkg", q, "p50_ms", default=None)
            if p50 is not None:
                checks.append((f"API {q} p50 < 10 ms", p50, p50 < 10, " ms"))
                d = g(r, "direct", q, "p50_ms", default=None)
                if d:
                    checks.append((f"API {q} p50 ≤ 3x direct pyoxigraph", p50 / d, p50 / d <= 3, "x"))
        # A throughput with failed requests is not compared: its requests per second would count errors.
        c, o, rl = (
            g(r, s, "load_sparql", "rps", default=None) if not g(r, s, "load_sparql", "errors", default=0) else None
            for s in ("catkg", "oxigraph", "rdflib")
        )
        if c and o:
            checks.append(("/sparql throughput ≥ 0.8x oxigraph serve", c / o, c / o >= 0.8, "x"))
        if c and rl:
            checks.append(("/sparql throughput ≥ 10x rdflib-endpoint", c / rl, c / rl >= 10, "x"))
        for s in ("catkg", "catkg2"):
            for q in SHORT_CELLS:
                mine, theirs = g(r, s, q, "rps", default=None), g(r, "oxigraph", q, "rps", default=None)
                if mine and theirs and not g(r, s, q, "errors", default=0):
                    checks.append((f"{s} {q} /sparql throughput ≥ 1.0x oxigraph serve", mine / theirs, mine >= theirs, "x"))
            mine, theirs = g(r, s, "two_hop", "p50_ms", default=None), g(r, "oxigraph", "two_hop", "p50_ms", default=None)
            if mine and theirs:
                checks.append((f"{s} 2-hop p50 speed ≥ 0.9x oxigraph serve's", theirs / mine, theirs / mine >= 0.9, "x"))
        rebuilt = g(r, "rebuild", "seconds", default=None)
        if rebuilt:
            checks.append(("one-file rebuild < 60 s", rebuilt, rebuilt < 60, " s"))
        peak = g(r, "catkg", "peak_rss_mib", default=None)
        if peak:
            checks.append(("catkg serve memory < 2 GB (2048 MiB)", peak, peak < 2048, " MiB"))
        for what, value, ok, unit in checks:
            out.append(f"| {label(r['facts'])} | {what} | {value:.2f}{unit} | {'yes' if ok else 'NO'} |")
    profiles = sorted(profile_dir.glob("*.txt")) if profile_dir.is_dir() else []
    if profiles:
        out += [
            "",
            "## Profiles",
            "",
            "pyinstrument reports of this run are in `benchmarks/profiles/` "
            + ", ".join(f"`{p.name}`" for p in profiles)
            + "; mean ms per call (direct, in process):",
            "",
        ]
        for r in results:
            if "profile" in r:
                out.append(f"- {label(r['facts'])}: {g(r, 'profile', 'mean_ms')}")
    return "\n".join(out) + "\n"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        {
            "_build": child_build,
            "_rebuild": child_rebuild,
            "_raw": child_raw_load,
            "_direct": child_direct,
            "_profile": child_profile,
            "_profile_build": child_profile_build,
        }[sys.argv[1]](*sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10k", help="comma-separated fact counts: 2k,10k,100k,1M (or 2000)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/catkg-bench"), help="where data and stores go")
    parser.add_argument("--requests", type=int, default=60, help="sequential requests per latency measurement")
    parser.add_argument("--load-requests", type=int, default=800, help="requests per throughput measurement")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--short-requests", type=int, default=3000, help="requests per short-query throughput cell")
    parser.add_argument(
        "--rdflib-max",
        type=parse_size,
        default=100_000,
        help="largest size rdflib-endpoint is run at (it loads everything into memory)",
    )
    parser.add_argument("--rdflib-scale", type=float, default=0.25, help="fraction of the requests sent to rdflib-endpoint")
    parser.add_argument("--facts-per-file", type=int, default=200, help="facts per curated YAML file")
    parser.add_argument(
        "--step-budget",
        type=float,
        default=None,
        help="seconds at most per latency/throughput cell (default: 180 at 10k, x sqrt(facts/10k))",
    )
    parser.add_argument(
        "--servers",
        type=lambda text: set(text.split(",")),
        default=None,
        help="comma-separated servers to measure (catkg,catkg2,oxigraph,rdflib; default: all)",
    )
    parser.add_argument("--budget-minutes", type=float, default=75, help="stop starting new work after this")
    parser.add_argument("--profile", action="store_true", help="pyinstrument over the direct queries")
    parser.add_argument("--regenerate", action="store_true", help="regenerate data even when present")
    parser.add_argument(
        "--results", type=Path, default=HERE / "RESULTS.md", help="the report; results.json and profiles/ are written beside it"
    )
    args = parser.parse_args()
    raw = args.results.parent / "results.json"
    started = time.monotonic()
    deadline = started + args.budget_minutes * 60
    meta = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": machine(), "clients": args.clients}
    command = "nice -n 10 .venv/bin/python benchmarks/bench.py " + " ".join(sys.argv[1:])
    results, notes = [], []
    for size in [parse_size(s) for s in args.sizes.split(",")]:
        if time.monotonic() > deadline - 120:
            notes.append(f"{label(size)}: not run, the time budget of {args.budget_minutes} minutes was spent")
            continue
        results.append(run_size(size, args, deadline))
        meta["minutes"] = round((time.monotonic() - started) / 60, 1)
        raw.write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    meta["minutes"] = round((time.monotonic() - started) / 60, 1)
    for r in results:
        for key in ("build", "rebuild", "raw", "oxigraph_load", "direct", "catkg", "catkg2", "oxigraph", "rdflib"):
            if isinstance(r.get(key), dict) and ("error" in r[key] or "skipped" in r[key]):
                notes.append(f"{label(r['facts'])} {key}: {r[key].get('error') or r[key].get('skipped')}")
    raw.write_text(json.dumps({"meta": meta, "results": results, "notes": notes}, indent=1))
    text = report(results, meta, command, notes, args.results.parent / "profiles")
    args.results.write_text(text + search_section(args.results))
    print(text)


if __name__ == "__main__":
    main()

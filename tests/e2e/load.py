"""A bounded load on a real catkg server on loopback: mixed SPARQL, API and page requests from concurrent clients.

Used by the load tests (a few thousand requests, with and without a rebuild under way) and runnable by hand:

    python tests/e2e/load.py http://127.0.0.1:8000 --clients 16 --requests 4000

It prints one line a request kind with the count, errors, p50 and p99 in milliseconds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import httpx

PREFIX = "PREFIX cat: <https://w3id.org/catkg/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#> "
SPARQL = [
    PREFIX + "SELECT ?f ?q WHERE { ?f a cat:Fact ; cat:hasEvidence/oa:hasSelector/oa:exact ?q } LIMIT 20",
    PREFIX + "SELECT (COUNT(?f) AS ?n) WHERE { ?f a cat:RiskFactor }",
    PREFIX + "ASK { ?f a cat:Fact }",
]


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error:
                self.errors[kind].append(error)

    def table(self) -> list[dict[str, object]]:
        rows = []
        for kind in sorted(self.latencies):
            times = sorted(self.latencies[kind])
            rows.append(
                {
                    "kind": kind,
                    "requests": len(times),
                    "errors": len(self.errors[kind]),
                    "p50_ms": round(statistics.median(times) * 1000, 1),
                    "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))] * 1000, 1),
                }
            )
        return rows


def requests_for(base: str, fact_ids: list[str], entity_ids: list[str], rng: random.Random) -> tuple[str, str, dict]:
    """One request of a random kind: (kind, url, httpx keyword arguments)."""
    choice = rng.randrange(8)
    if choice == 0:
        return "sparql", f"{base}/sparql", {"params": {"query": rng.choice(SPARQL)}}
    if choice == 1:
        return "api fact", f"{base}/api/facts/{rng.choice(fact_ids)}", {}
    if choice == 2:
        return "api facts", f"{base}/api/facts", {"params": {"entity": rng.choice(entity_ids), "limit": 20}}
    if choice == 3:
        return (
            "api search",
            f"{base}/api/search",
            {"params": {"q": rng.choice(["PE", "D-dimer threshold", "osimertinib DIC", "VTE after surgery"])}},
        )
    if choice == 4:
        return "page entity", f"{base}/entity/{rng.choice(entity_ids)}", {"headers": {"Accept": "text/html"}}
    if choice == 5:
        return "page search", f"{base}/search", {"params": {"q": "pulmonary embolism"}}
    if choice == 6:
        return "page fact", f"{base}/fact/{rng.choice(fact_ids)}", {"headers": {"Accept": "text/html"}}
    return "api stats", f"{base}/api/stats", {}


def run(base: str, clients: int, total: int, seed: int = 7, stop: threading.Event | None = None) -> Results:
    """Send ``total`` requests from ``clients`` threads; a request is an error unless it answers 200 in time."""
    with httpx.Client(timeout=30) as probe:
        fact_ids = [f["id"] for f in probe.get(f"{base}/api/facts", params={"limit": 1000}).json()["items"]]
        entity_ids = [e["id"] for e in probe.get(f"{base}/api/entities", params={"limit": 1000}).json()["items"]]
    results = Results()
    per_client = total // clients

    def client(number: int) -> None:
        rng = random.Random(seed + number)
        with httpx.Client(timeout=30) as http:
            for _ in range(per_client):
                if stop is not None and stop.is_set():
                    return
                kind, url, kwargs = requests_for(base, fact_ids, entity_ids, rng)
                started = time.perf_counter()
                try:
                    response = http.get(url, **kwargs)
                    error = None if response.status_code == 200 else f"{response.status_code} {url}"
                except httpx.HTTPError as err:
                    error = f"{type(err).__name__} {url}"
                results.record(kind, time.perf_counter() - started, error)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="server base URL, e.g. http://127.0.0.1:8000 (loopback only)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=4000)
    args = parser.parse_args()
    if not args.base.startswith(("http://127.", "http://localhost", "http://[::1]")):
        parser.error("the load goes to a server on this machine's loopback only")
    started = time.perf_counter()
    results = run(args.base, args.clients, args.requests)
    elapsed = time.perf_counter() - started
    print(f"{'kind':<12} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8}")
    for row in results.table():
        print(f"{row['kind']:<12} {row['requests']:>8} {row['errors']:>6} {row['p50_ms']:>8} {row['p99_ms']:>8}")
    count = sum(len(v) for v in results.latencies.values())
    print(f"{count} requests from {args.clients} clients in {elapsed:.1f} s ({count / elapsed:.0f}/s)")


if __name__ == "__main__":
    main()

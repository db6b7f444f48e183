"""CPU of one search, in process, and searches a second from a pool of threads: what a loaded machine blurs least.

A script, not a test. Wall-clock latency on a shared machine measures the other work as much as catkg; the CPU time
a search takes in its own process does not. For a generation that search_bench.py built (``--work``/<size>):

- each fixed question of search_bench.py searched in 5 rounds after a warm-up: the best round's CPU ms a search,
  by question shape;
- the same questions from 1, 2 and 8 threads of one process: searches a second and how many cores were busy
  (Tantivy's search releases the GIL; the ranking's Python holds it).

    nice .venv/bin/python benchmarks/search_cpu.py /tmp/catkg-search-bench/100k

Run with ``PYTHONPATH`` pointing at another commit's rooms to compare commits on one index layout.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from search_bench import QUESTIONS

from catkg.queries.search import search
from catkg.store.embedded import EmbeddedStore


def cpu_per_search(store: EmbeddedStore, rounds: int = 5) -> dict[str, float]:
    """The best round's CPU ms a search, by question shape."""
    out = {}
    for shape, questions in QUESTIONS.items():
        for q in questions:
            search(store, q, limit=10)
        times = []
        for _ in range(rounds):
            started = time.process_time()
            for q in questions:
                search(store, q, limit=10)
            times.append((time.process_time() - started) / len(questions) * 1000)
        out[shape] = round(min(times), 2)
    return out


def threads(store: EmbeddedStore, counts: tuple[int, ...] = (1, 2, 8), repeat: int = 6) -> dict[int, dict[str, float]]:
    """Searches a second and busy cores with each number of threads."""
    questions = [q for shape in QUESTIONS.values() for q in shape] * repeat
    out = {}
    for count in counts:
        with ThreadPoolExecutor(count) as pool:
            wall, cpu = time.perf_counter(), time.process_time()
            list(pool.map(lambda q: search(store, q, limit=10), questions))
            wall = time.perf_counter() - wall
        out[count] = {"searches_per_s": round(len(questions) / wall, 1), "cores": round((time.process_time() - cpu) / wall, 2)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("work", type=Path, help="a size's folder of search_bench.py's --work (it holds 'store')")
    args = parser.parse_args()
    store = EmbeddedStore(args.work / "store")
    print({"work": str(args.work), "cpu_ms_per_search": cpu_per_search(store), "threads": threads(store)})


if __name__ == "__main__":
    main()

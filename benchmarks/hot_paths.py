"""The hot paths of benchmarks/RESULTS.md measured directly on a built store, no server, no build.

Usage: ``.venv/bin/python benchmarks/hot_paths.py STORE PLAN_JSON [--shacl]``, e.g. with
``/tmp/catkg-bench/10k/store`` and ``/tmp/catkg-bench/10k/plan.json`` from a ``bench.py`` run. Prints one JSON
object: p50 and min in ms of the SHACL check of the data graph (``--shacl``: seconds, one run), ``facts_by_id``
for 1, 20 and 50 facts, search's ``interpret`` and ``search``, ``get_entity`` and the named question, each
over the plan's leaves and searches. Run it on the tree before and after a change to compare.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat

from catkg.queries import search as search_module
from catkg.queries.entities import get_entity
from catkg.queries.facts import facts_by_id
from catkg.queries.questions import answer
from catkg.store.embedded import EmbeddedStore

QUESTION = "quantified_risk_factors"


def timed(call, n: int) -> dict[str, float]:
    times = []
    for i in range(n):
        started = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - started) * 1000)
    return {"p50": round(statistics.median(times), 2), "min": round(min(times), 2)}


def main() -> None:
    store, plan = EmbeddedStore(Path(sys.argv[1])), json.loads(Path(sys.argv[2]).read_text())
    generation, raw = store.directory, store.generation().oxigraph
    leaves, searches = plan["leaves"], plan["searches"]
    facts = [f.removeprefix("fact-") for f in plan["facts"]]
    out: dict[str, object] = {}
    if "--shacl" in sys.argv:
        from catkg.ontology.shacl import check_shapes

        data = raw.dump(format=RdfFormat.N_TRIPLES, from_graph=NamedNode("https://w3id.org/catkg/graph/facts"))
        started = time.perf_counter()
        report = check_shapes(data)
        out["shacl_s"] = round(time.perf_counter() - started, 2)
        out["shacl_focus_nodes"] = report.focus_nodes
    for n in (1, 20, 50):
        out[f"facts_by_id_{n}"] = timed(
            lambda i, n=n: facts_by_id(store, [f"fact-{f}" for f in facts[i * n % len(facts) :][:n]]), 30
        )
    db = sqlite3.connect(generation / search_module.INDEX)
    out["interpret"] = timed(lambda i: search_module.interpret(db, searches[i % len(searches)]), 60)
    out["search"] = timed(lambda i: search_module.search(store, generation, searches[i % len(searches)]), 30)
    out["entity"] = timed(lambda i: get_entity(store, leaves[i % len(leaves)]), 30)
    out["question"] = timed(lambda i: answer(store, QUESTION, {"outcome": leaves[i % len(leaves)]}), 20)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

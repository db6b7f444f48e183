"""Search at scale: the search index and /api/search at 10k, 100k and 1M synthetic facts, Tantivy beside FTS5.

A script, not a test. A full store build of 1M facts takes about 15 minutes and 10 GiB; the search reads only
its index, so this builds only the index, from synthetic facts made as benchmarks/synth.py makes them (same
entities, words, kinds, values; its 30-word vocabulary is the worst case: every word of a question matches a
large share of the facts), into a generation with an empty graph, and serves it with a real ``catkg serve``.

For each size it measures, in one run:

- the index build (catkg.queries.index.write_index: SQLite documents and facets + the Tantivy engine), and an
  SQLite FTS5 table of the same text columns, the engine catkg used before;
- one top-10 OR query per question straight on each engine (Tantivy's BM25 with the search's field boosts;
  FTS5's ``bm25()`` with the same column weights, ``ORDER BY ... LIMIT 10``), p50 and p99;
- ``/api/search?q=`` through HTTP, one client after another, then 8 clients at once: p50, p99, requests/s; with
  one server process and with two (``CATKG_SERVE_WORKERS``, ``--processes``), since the machine has two cores.

    nice .venv/bin/python benchmarks/search_bench.py --sizes 10k,100k           # a few minutes
    flock /work/wt/BIG.lock nice .venv/bin/python benchmarks/search_bench.py --sizes 1M

prints the tables and writes them (with the command) as the search section of ``--out`` (default
benchmarks/RESULTS.md, whose other sections bench.py writes and keeps this one), the raw numbers beside it in
search-results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bench
import orjson
import synth
from pyoxigraph import Store

from catkg.api.app import SERVE_WORKERS
from catkg.ontology.load import fact_kinds, label
from catkg.queries import engine as fulltext
from catkg.queries.engine import TEXT, Leaf, open_engine
from catkg.queries.index import EntityText, document, entity_token, type_closure, write_index
from catkg.queries.search import TEXT_WEIGHTS

QUESTIONS = {
    "short": ["thrombotic", "platelet score", "kinase inhibitor"],
    "long": [
        "which thrombotic and embolic complications follow resection in metastatic tumour patients, and how are they treated",
        "what is the risk of venous occlusion and haemorrhage with kinase inhibitor therapy in adeno stage cohorts",
    ],
    "common": ["pulmonary coagulation factor", "venous thrombotic tumour therapy"],
    "rare": ["Author17 et al.", "study 4242"],
}
"""Fixed questions: short, long, common words (each in a large share of the facts), rare words."""
FTS_WEIGHTS = (4.0, 1.5, 3.0, 1.0)
"""FTS5 column weights of statement, quote, names, details: the search's TEXT_WEIGHTS."""


def documents(facts: int, seed: int = 9) -> tuple[list[dict], Iterator[dict[str, Any]]]:
    """The entities and the facts (in the API's shape) that synth.py writes for ``facts`` with ``seed``."""
    rng = random.Random(seed)
    entities = synth.make_entities(synth.entity_count(facts), rng)
    by_id = {e["id"]: e for e in entities}

    def facts_of() -> Iterator[dict[str, Any]]:
        offsets: dict[str, int] = {}
        for i in range(facts):
            article = f"article-{i // synth.FACTS_PER_ARTICLE}"
            f = synth.make_fact(i, article, entities, rng)
            start = offsets.get(article, 60)
            offsets[article] = start + len(f["quote"]) + 1
            subject, obj = by_id[f["subject"]], by_id[f["object"]]
            values = [
                {k: v.get(k) for k in ("value", "as_written", "unit", "measure", "comparator", "cohort_size", "time_point")}
                for v in f["values"]
            ]
            yield {
                "id": f["id"],
                "kind": f["kind"],
                "statement": f["statement"],
                "subject": {"id": subject["id"], "label": subject["label"], "type": subject["type"]},
                "predicate": f["predicate"],
                "object": {"id": obj["id"], "label": obj["label"], "type": obj["type"]},
                "values": values,
                "study_design": f["study_design"],
                "direction": f["direction"],
                "population": f["population"],
                "compared_with": None,
                "evidence": {
                    "quote": f["quote"],
                    "source": {"id": article, "title": f"Synthetic article {article}", "file": f"{article}.txt"},
                    "start": start,
                    "end": start + len(f["quote"]),
                    "occurrence": None,
                    "citations": f["citations"],
                    "cites": [],
                    "attributed_to": f["attributed_to"],
                    "url": f"/source/{article}#c{start}-{start + len(f['quote'])}",
                },
            }

    return entities, facts_of()


def entity_texts(entities: list[dict]) -> dict[str, EntityText]:
    """Names, token and broader tokens of each synthetic entity, as the build makes them from curated entities."""
    by_id = {e["id"]: e for e in entities}

    def above(eid: str) -> set[str]:
        out, todo = set(), list(by_id[eid]["broader"])
        while todo:
            b = todo.pop()
            if b not in out:
                out.add(b)
                todo += by_id[b]["broader"]
        return out

    return {
        e["id"]: EntityText(
            tuple(dict.fromkeys([e["label"], *e["synonyms"], *e["abbreviations"]])),
            entity_token(e["id"]),
            frozenset(map(entity_token, above(e["id"]))),
        )
        for e in entities
    }


def build(facts: int, work: Path) -> dict[str, Any]:
    """A store link to a generation holding an empty graph and the search index of ``facts`` synthetic facts."""
    if work.exists():
        shutil.rmtree(work)
    generation = work / "store.generations" / "g1"
    generation.mkdir(parents=True)
    Store(str(generation / "oxigraph"))  # an empty graph: the search reads only the index
    (generation / "build.json").write_text(
        json.dumps({"version": "bench", "counts": {"facts": facts, "triples": 0}}), encoding="utf-8"
    )
    (work / "store").symlink_to(generation)
    entities, facts_of = documents(facts)
    texts = entity_texts(entities)
    started = time.perf_counter()
    for _ in facts_of:  # making the synthetic facts is not the build's work: timed alone, then taken off
        pass
    made_s = time.perf_counter() - started
    _, facts_of = documents(facts)
    started = time.perf_counter()
    write_index(generation, facts_of, texts)
    index_s = time.perf_counter() - started - made_s
    kinds, types = {slug: label(cls) for slug, cls in fact_kinds().items()}, type_closure()
    _, facts_of = documents(facts)
    alone = work / "engine-alone"
    alone.mkdir()
    started = time.perf_counter()
    fulltext.write(alone, ((n, orjson.dumps(document(f, texts, kinds, types)).decode()) for n, f in enumerate(facts_of, 1)))
    engine_s = time.perf_counter() - started - made_s
    shutil.rmtree(alone)
    _, again = documents(facts)
    started = time.perf_counter()
    fts_path = work / "fts5.sqlite"
    fts5(fts_path, again, texts)
    fts_s = time.perf_counter() - started - made_s
    size = sum(p.stat().st_size for p in (generation / "fulltext").rglob("*") if p.is_file())
    return {
        "facts": facts,
        "synthetic_facts_s": round(made_s, 1),
        "index_build_s": round(index_s, 1),
        "engine_alone_s": round(engine_s, 1),
        "fts5_build_s": round(fts_s, 1),
        "tantivy_bytes": size,
        "sqlite_bytes": (generation / "search.sqlite").stat().st_size,
        "fts5_bytes": fts_path.stat().st_size,
    }


def fts5(path: Path, facts: Iterator[dict[str, Any]], entities: dict[str, EntityText]) -> None:
    """The same text columns in an SQLite FTS5 table, as catkg's index was before the engine (porter stems)."""
    kinds = {slug: label(cls) for slug, cls in fact_kinds().items()}
    db = sqlite3.connect(path)
    db.execute(f"CREATE VIRTUAL TABLE facts USING fts5({', '.join(TEXT)}, tokenize='porter unicode61 remove_diacritics 2')")

    def rows() -> Iterator[tuple[str, ...]]:
        for f in facts:
            ends = (entities[f["subject"]["id"]], entities[f["object"]["id"]])
            details = {f["predicate"], kinds[f["kind"]], *f["evidence"]["citations"], *(v["as_written"] for v in f["values"])}
            names = {n for e in ends for n in e.names}
            yield (f["statement"], f["evidence"]["quote"], " ; ".join(sorted(names)), " ; ".join(sorted(details)))

    db.executemany(f"INSERT INTO facts VALUES ({', '.join('?' * len(TEXT))})", rows())
    db.commit()
    db.close()


def engines(work: Path, repeat: int) -> dict[str, Any]:
    """One top-10 OR query per question on each engine, ``repeat`` times: p50 and p99 in ms."""
    engine = open_engine(work / "store")
    db = sqlite3.connect(f"file:{work / 'fts5.sqlite'}?mode=ro", uri=True)
    weights = ", ".join(map(str, FTS_WEIGHTS))
    out: dict[str, Any] = {}
    for shape, questions in QUESTIONS.items():
        times: dict[str, list[float]] = {"tantivy": [], "fts5": []}
        for _ in range(repeat):
            for q in questions:
                words = engine.words(q)
                query = engine.query(list(dict.fromkeys(Leaf(f, (w,), b) for w in words for f, b in TEXT_WEIGHTS.items())))
                t = time.perf_counter()
                engine.top(query, 10)
                times["tantivy"].append(time.perf_counter() - t)
                match = " OR ".join(f'"{w}"' for w in dict.fromkeys(q.lower().replace(".", " ").split()))
                t = time.perf_counter()
                db.execute(
                    f"SELECT rowid FROM facts WHERE facts MATCH ? ORDER BY bm25(facts, {weights}) LIMIT 10", (match,)
                ).fetchall()
                times["fts5"].append(time.perf_counter() - t)
        out[shape] = {name: bench.ms(values) for name, values in times.items()}
    db.close()
    return out


def serve(work: Path, requests: int, clients: int, processes: int) -> dict[str, Any]:
    """/api/search through a real ``catkg serve`` of ``processes`` server processes (``CATKG_SERVE_WORKERS``) on
    loopback: sequential, then ``clients`` at once."""
    port = bench.free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "catkg.api.cli", "serve", "--store", str(work / "store"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=open(work / f"serve-{processes}.log", "w"),
        env={**os.environ, SERVE_WORKERS: str(processes)},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        out: dict[str, Any] = {}
        for shape, questions in QUESTIONS.items():
            reqs = [("/api/search", {"params": {"q": questions[i % len(questions)], "limit": 10}}) for i in range(requests)]
            out[shape] = {
                "one_client": bench.sequential(base, reqs, timeout=60, budget=300),
                f"{clients}_clients": bench.concurrent(base, reqs * clients, clients, timeout=60, budget=300),
            }
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def table(results: list[dict[str, Any]], clients: int) -> str:
    lines = [
        "| facts | index step (fact documents, facets, Tantivy) | of which Tantivy alone | FTS5 table of the same text | "
        "Tantivy size | SQLite file | FTS5 size |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        b = r["build"]
        lines.append(
            f"| {bench.label(b['facts'])} | {b['index_build_s']} s | {b['engine_alone_s']} s | {b['fts5_build_s']} s | "
            f"{bench.mib(b['tantivy_bytes'])} MiB | {bench.mib(b['sqlite_bytes'])} MiB | {bench.mib(b['fts5_bytes'])} MiB |"
        )
    lines += [
        "",
        "Top-10 OR query straight on the engine, ms (p50 / p99):",
        "",
        "| facts | questions | Tantivy | FTS5 |",
        "| ---: | --- | ---: | ---: |",
    ]
    for r in results:
        for shape, cell in r["engines"].items():
            lines.append(
                f"| {bench.label(r['build']['facts'])} | {shape} | {cell['tantivy']['p50_ms']} / {cell['tantivy']['p99_ms']} | "
                f"{cell['fts5']['p50_ms']} / {cell['fts5']['p99_ms']} |"
            )
    processes = sorted({p for r in results for p in _api(r)}, key=int)
    lines += [
        "",
        f"`/api/search?q=...&limit=10` through HTTP (catkg serve with 1 or 2 server processes, CATKG_SERVE_WORKERS), "
        f"ms (p50 / p99), and requests/s with {clients} clients:",
        "",
        "| facts | questions | " + " | ".join(f"{p} proc.: 1 client | {clients} clients | req/s" for p in processes) + " |",
        "| ---: | --- |" + " ---: | ---: | ---: |" * len(processes),
    ]
    for r in results:
        api = _api(r)
        for shape in QUESTIONS:
            cells = []
            for p in processes:
                cell = api.get(p, {}).get(shape)
                if cell is None:
                    cells.append("- | - | -")
                    continue
                one, many = cell["one_client"], cell[f"{clients}_clients"]
                cells.append(f"{one['p50_ms']} / {one['p99_ms']} | {many['p50_ms']} / {many['p99_ms']} | {many['rps']}")
            lines.append(f"| {bench.label(r['build']['facts'])} | {shape} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _api(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A run's /api/search figures by number of server processes (runs before there were several: one)."""
    api = result["api"]
    return {"1": api} if set(api) <= set(QUESTIONS) else api


def targets(results: list[dict[str, Any]], clients: int) -> str:
    """Issue 15's targets at 1M facts, each with what this run measured (worst question shape) and whether it holds."""
    big = [r for r in results if r["build"]["facts"] >= 1_000_000]
    if not big:
        return "No 1M size in this run: the targets (at 1M facts) are not checked.\n"
    r = big[0]
    rows = [
        ("index step < 60 s", r["build"]["index_build_s"], 60.0, "s"),
        ("Tantivy alone < 60 s", r["build"]["engine_alone_s"], 60.0, "s"),
    ]
    for processes, api in sorted(_api(r).items()):
        for setting in ("one_client", f"{clients}_clients"):
            for q, limit in (("p50_ms", 20.0), ("p99_ms", 100.0)):
                worst = max(cell[setting][q] for cell in api.values())
                where = f"{setting.replace('_', ' ')}, {processes} proc."
                rows.append((f"/api/search {where} {q[:3]} < {limit:g} ms (worst shape)", worst, limit, "ms"))
    lines = ["| target at 1M facts | measured | met |", "| --- | ---: | --- |"]
    lines += [f"| {name} | {value} {unit} | {'yes' if value < limit else 'NO'} |" for name, value, limit, unit in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated fact counts (10k, 100k, 1M)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/catkg-search-bench"))
    parser.add_argument("--requests", type=int, default=100, help="requests per question shape and client setting")
    parser.add_argument("--repeat", type=int, default=20, help="engine queries per question")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--processes", default="1,2", help="comma-separated numbers of server processes to serve with")
    parser.add_argument(
        "--from-json",
        type=Path,
        help="write the report of earlier runs' search-results.json (comma-separated: one table), measuring nothing",
    )
    parser.add_argument("--command", help="with --from-json: the command that run was made with")
    parser.add_argument("--note", type=Path, help="a Markdown file whose text goes into the section after the tables")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "RESULTS.md", help="the report whose search section is (re)written"
    )
    args = parser.parse_args()
    if args.from_json:
        results = [r for path in str(args.from_json).split(",") for r in json.loads(Path(path).read_text(encoding="utf-8"))]
        report(results, args, args.command or "python benchmarks/search_bench.py (command not recorded)")
        return
    results = []
    for size in [bench.parse_size(s) for s in args.sizes.split(",")]:
        work = args.work / bench.label(size)
        print(f"{bench.label(size)}: building", flush=True)
        built = build(size, work)
        print(f"  {built}", flush=True)
        api = {p: serve(work, args.requests, args.clients, int(p)) for p in args.processes.split(",")}
        result = {"build": built, "engines": engines(work, args.repeat), "api": api}
        results.append(result)
        print(table([result], args.clients), flush=True)
    report(results, args, "python benchmarks/search_bench.py " + " ".join(sys.argv[1:]))
    args.out.with_name("search-results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")


def report(results: list[dict[str, Any]], args: argparse.Namespace, command: str) -> None:
    section = (
        f"{bench.SEARCH_BEGIN}\n## Search at scale (issue 15: the index alone, Tantivy beside FTS5)\n\n"
        f"Command: `{command}`\n\nMachine: {json.dumps(bench.machine())}\n\n{table(results, args.clients)}\n"
        f"Targets of issue 15:\n\n{targets(results, args.clients)}\n"
        + (args.note.read_text(encoding="utf-8").rstrip("\n") + "\n\n" if args.note else "")
        + bench.SEARCH_END
    )
    write_section(args.out, section)
    print(section)


def write_section(path: Path, section: str) -> None:
    """Put ``section`` in place of the report's search section, or at its end."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if bench.SEARCH_BEGIN in text:
        text = text[: text.index(bench.SEARCH_BEGIN)] + section + text[text.index(bench.SEARCH_END) + len(bench.SEARCH_END) :]
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + section + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

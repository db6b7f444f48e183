"""What the build's index step writes from the curation equals what the named queries read from the graph.

The fact documents (read by every view of a fact) and the search index are made from the validated curation, not
from the graph, so that a build stays cheap per fact; the graph stays the truth. Checked fact by fact on the
curated data and on a synthetic data set (``benchmarks/synth.py``), and a store without documents must say to
rebuild it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import SYNTHETIC_FACTS

from catkg.ingest.validate import load_and_validate
from catkg.queries.engine import open_engine
from catkg.queries.facts import fact_ids, facts_by_id, facts_from_graph, get_fact
from catkg.queries.index import COLUMNS, INDEX, entity_token
from catkg.queries.run import QueryError, run
from catkg.queries.search import search
from catkg.store.embedded import EmbeddedStore

ROOT = Path(__file__).resolve().parents[2]
CURATED_IDS = sorted(item.record.id for item in load_and_validate().curation.facts)
QUESTIONS = ["risk of pulmonary embolism", "PE", "osimertinib", "thrombosis in lung cancer", "drug", "of the"]


@pytest.fixture(scope="module")
def graph_facts(store: EmbeddedStore) -> dict[str, dict[str, Any]]:
    """Every curated fact as the named queries read it from the session's store."""
    return {f["id"]: f for f in facts_from_graph(store, fact_ids(store))}


@pytest.mark.parametrize("fact_id", CURATED_IDS)
def test_curated_fact_document_is_what_the_graph_says(store: EmbeddedStore, graph_facts: dict, fact_id: str) -> None:
    assert facts_by_id(store, [fact_id]) == [graph_facts[fact_id]]


def test_synthetic_fact_documents_are_what_the_graph_says(synthetic: EmbeddedStore) -> None:
    ids = fact_ids(synthetic)
    stored, read = facts_by_id(synthetic, ids), facts_from_graph(synthetic, ids)
    assert len(ids) == SYNTHETIC_FACTS
    assert [f["id"] for f in stored] == ids
    assert [f["id"] for f, g in zip(stored, read, strict=True) if f != g] == []


def test_documents_keep_the_order_asked_and_leave_out_unknown_ids(store: EmbeddedStore) -> None:
    ids = CURATED_IDS[:3]
    asked = [ids[2], "no-such-fact", ids[0], ids[2]]
    assert [f["id"] for f in facts_by_id(store, asked)] == [ids[2], ids[0], ids[2]]
    assert facts_by_id(store, []) == []


def index_rows(store: EmbeddedStore) -> tuple[list[tuple[str, ...]], list[tuple[str, str]]]:
    """The full-text documents (with each fact's id) as the engine stores them, and the names the build wrote."""
    db = sqlite3.connect(store.directory / INDEX)
    try:
        ids = dict(db.execute("SELECT n, id FROM documents"))
        names = sorted(db.execute("SELECT entity, name FROM names"))
    finally:
        db.close()
    engine = open_engine(store.directory)
    facts = []
    for n, fact_id in ids.items():
        doc = engine.stored(n)
        facts.append((fact_id, *(" ; ".join(sorted(doc.get(c, []))) for c in COLUMNS)))
    return sorted(facts), names


def graph_rows(store: EmbeddedStore) -> tuple[list[tuple[str, ...]], list[tuple[str, str]]]:
    """The same, as the queries search_documents and search_names read them from the graph."""
    docs: dict[str, dict[str, Any]] = {}
    for row in run(store, "search_documents"):
        doc = docs.setdefault(row["id"], {c: set() for c in COLUMNS})
        if row["statement"] is not None:
            doc["statement"], doc["quote"] = row["statement"], row["quote"]
        for column, value in (
            ("names", row["entityName"]),
            ("details", row["detail"]),
            ("entities", row["entity"] and entity_token(row["entity"])),
            ("broader", row["broaderEntity"] and entity_token(row["broaderEntity"])),
        ):
            if value:
                doc[column].add(value)
    facts = [(fid, d["statement"], d["quote"], *(" ; ".join(sorted(d[c])) for c in COLUMNS[2:])) for fid, d in docs.items()]
    return sorted(facts), sorted({(row["id"], row["name"]) for row in run(store, "search_names")})


@pytest.mark.parametrize("which", ["curated", "synthetic"])
def test_search_index_is_what_the_graph_says(request: pytest.FixtureRequest, which: str) -> None:
    built = request.getfixturevalue("store" if which == "curated" else "synthetic")
    (facts, names), (expected_facts, expected_names) = index_rows(built), graph_rows(built)
    assert len(facts) == len(fact_ids(built))
    assert [row for row, want in zip(facts, expected_facts, strict=True) if row != want] == []
    assert names == expected_names


@pytest.mark.parametrize("which", ["curated", "synthetic"])
def test_the_ranking_reads_the_engines_own_documents(request: pytest.FixtureRequest, which: str) -> None:
    """The engine document of each fact in the facets table (what the ranking matches concepts on) is the document
    the engine indexed, so it too is what the graph says (test_search_index_is_what_the_graph_says)."""
    built = request.getfixturevalue("store" if which == "curated" else "synthetic")
    db = sqlite3.connect(built.directory / INDEX)
    try:
        rows = db.execute("SELECT n, document FROM facets ORDER BY n").fetchall()
    finally:
        db.close()
    engine = open_engine(built.directory)
    assert len(rows) == engine.size
    # The engine stores no empty column, nor is "n" a column of the document.
    ranked = {n: {k: v for k, v in orjson.loads(document).items() if v} for n, document in rows}
    differ = [n for n, document in ranked.items() if document != {k: v for k, v in engine.stored(n).items() if k != "n"}]
    assert differ == []


@pytest.mark.parametrize("which", ["curated", "synthetic"])
@pytest.mark.parametrize("question", QUESTIONS)
def test_search_pages_follow_one_ranking(request: pytest.FixtureRequest, which: str, question: str) -> None:
    """Pages of any size walk the ranking of one large page: ties (same score) keep one order across page edges."""
    built = request.getfixturevalue("store" if which == "curated" else "synthetic")
    everything = search(built, question, limit=1000).as_dict()
    ranking = [(f["id"], f["score"]) for f in everything["items"]]
    assert len(ranking) == everything["total"]
    for size in (1, 3, 7):
        paged = [
            (f["id"], f["score"])
            for offset in range(0, len(ranking), size)
            for f in search(built, question, limit=size, offset=offset).items
        ]
        assert paged == ranking, size


@pytest.fixture
def copied(store: EmbeddedStore, tmp_path: Path) -> EmbeddedStore:
    """A copy of the session's store, whose index the test may change."""
    generation = tmp_path / "generation"
    shutil.copytree(store.directory, generation)
    os.symlink(generation, tmp_path / "store")
    return EmbeddedStore(tmp_path / "store")


def test_a_store_built_without_documents_says_to_rebuild(copied: EmbeddedStore) -> None:
    db = sqlite3.connect(copied.directory / INDEX)
    db.execute("DROP TABLE documents")
    db.execute("PRAGMA user_version = 0")  # what an older catkg wrote
    db.commit()
    db.close()
    for read in (lambda: get_fact(copied, CURATED_IDS[0]), lambda: search(copied, "PE")):
        with pytest.raises(QueryError, match=r"layout 0.*no fact documents.*rebuild the store with 'catkg build'"):
            read()


def test_a_store_without_an_index_says_to_rebuild(copied: EmbeddedStore) -> None:
    (copied.directory / INDEX).unlink()
    with pytest.raises(QueryError, match=r"no search index in .*rebuild the store with 'catkg build'"):
        get_fact(copied, CURATED_IDS[0])

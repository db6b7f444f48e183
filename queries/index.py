"""What the build's index step writes into each store generation, and how it is opened to read.

An SQLite file holds the fact documents (``catkg.queries.facts``), the entity names and the facets of each fact
the search reads (``catkg.queries.search``); beside it, the full-text engine (``catkg.queries.engine``). Both are
written once per build from the validated curation, swapped in with the graph, read-only afterwards. Each fact is
one document of the engine: its statement, quote, values as written, attributed study and citations, the names
(label, synonyms, abbreviations) of its subject and object, its entities as tokens (``x<id>``) for the fact's own
entities and for their broader ones, and its kind, design, measures, source kind and entity types.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

import orjson
from rdflib.namespace import RDFS

from catkg.ingest import collector
from catkg.ingest.to_rdf import broader_closure
from catkg.ingest.validate import Validated
from catkg.ontology.load import entity_types, fact_kinds, label, ontology_graph
from catkg.queries import engine
from catkg.queries.run import QueryError

INDEX = "search.sqlite"

LAYOUT = 4
"""The file's layout, kept in SQLite's ``user_version``: 2 added the fact documents and numbers facts by rowid; 3
moved the full-text index from SQLite FTS5 to the Tantivy engine beside the file (catkg.queries.engine) and added
the facets; 4 added each fact's engine document to its facets, which the ranking reads instead of the engine's
store (60 rows of SQLite in 0.3 ms, against 1.2-2.6 ms for 60 documents out of Tantivy's compressed store at
100k facts). A store built by an older catkg has layout 0 (no documents), 2 or 3 and must be rebuilt."""

COLUMNS = ("statement", "quote", "names", "entities", "broader", "details")
"""The columns of a fact's engine document that the graph is checked against (tests/queries/test_documents.py)."""


def entity_token(entity_id: str) -> str:
    """One index token standing for an entity, whatever words its names are made of."""
    return "x" + entity_id.replace("-", "")


BATCH = 10_000
"""Facts written per executemany: the build holds one batch of documents at a time, whatever the data's size."""

T = TypeVar("T")


@dataclass(frozen=True)
class EntityText:
    """What a fact's document says of one of its entities: the names, the entity's token, its broader tokens."""

    names: tuple[str, ...]
    token: str
    broader: frozenset[str]


def build_index(directory: Path, validated: Validated) -> None:
    """Write the search index and the fact documents for the store in ``directory`` (a build step, run beside
    the store's load: catkg.store.beside).

    Both are made from the validated curation, not read back from the graph (that cost 0.6 ms a fact); the tests
    prove them equal to what the named queries read from the graph.
    """
    from catkg.queries.facts import fact_documents  # facts.py reads through open_index: imported here, no cycle

    write_index(directory, fact_documents(validated), _entity_texts(validated))


def write_index(directory: Path, facts: Iterable[dict[str, Any]], entities: dict[str, EntityText]) -> None:
    """Write ``facts`` (in the API's shape) into the SQLite file and the full-text engine of ``directory``.

    One pass, a batch of documents at a time: the SQLite rows and the engine's documents of a fact share its
    number. The benchmarks call this with synthetic facts to build the search of 1M facts without a store.
    """
    kinds = {slug: label(cls) for slug, cls in fact_kinds().items()}
    types = type_closure()
    db = sqlite3.connect(directory / INDEX)
    try:
        # No journal and no syncs while writing: a build that fails discards the whole generation, and the swap
        # to a finished one is the rename of catkg.store.build.
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("CREATE TABLE names (name TEXT NOT NULL, entity TEXT NOT NULL)")
        # A fact's number is its rowid in every table and its "n" in the engine: ranking reads numbers only.
        db.execute("CREATE TABLE documents (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, fact TEXT NOT NULL)")
        columns = ", ".join(f"{c} TEXT NOT NULL" for c in (*FACETS, "document"))
        db.execute(f"CREATE TABLE facets (n INTEGER PRIMARY KEY, {columns})")
        db.execute(f"PRAGMA user_version = {LAYOUT}")
        db.executemany(
            "INSERT INTO names VALUES (?, ?)", ((name, entity) for entity, text in entities.items() for name in text.names)
        )

        def documents() -> Iterator[tuple[int, str]]:
            for batch in _batches(enumerate(facts, 1), BATCH):
                # Each document is made into JSON once, for its facets row and for the engine (which parses it in
                # Rust: one call a fact, not one a value).
                docs = [(n, f, orjson.dumps(document(f, entities, kinds, types)).decode()) for n, f in batch]
                db.executemany(
                    "INSERT INTO documents VALUES (?, ?, ?)", [(n, f["id"], orjson.dumps(f).decode()) for n, f, _ in docs]
                )
                db.executemany(
                    f"INSERT INTO facets VALUES (?{', ?' * (len(FACETS) + 1)})", [(n, *facets(f), d) for n, f, d in docs]
                )
                yield from ((n, d) for n, _, d in docs)

        with collector.paused():  # a batch of documents held sets off full collections (7.2 s against 4.7 s of CPU at 100k)
            engine.write(directory, documents())
        db.commit()
    finally:
        db.close()


FACETS = ("subject", "predicate", "object", "source", "sentence", "kind")
"""What the ranking reads of a candidate fact to fold near-duplicates and spread a page over distinct answers;
beside them, in the column ``document``, the fact's engine document as JSON (which concepts it matches)."""


def facets(fact: dict[str, Any]) -> tuple[str, ...]:
    evidence = fact["evidence"]
    sentence = f"{evidence['source']['id']}:{evidence['start']}"
    source = evidence["source"]["id"]
    return (fact["subject"]["id"], fact["predicate"].lower(), fact["object"]["id"], source, sentence, fact["kind"])


def type_closure() -> dict[str, list[str]]:
    """Each entity type slug and the slugs of the types above it (an imaging is a procedure)."""
    classes = entity_types()
    slugs = {cls: slug for slug, cls in classes.items()}
    graph = ontology_graph()
    return {
        slug: [slugs[c] for c in graph.transitive_objects(cls, RDFS.subClassOf) if c in slugs] for slug, cls in classes.items()
    }


def _entity_texts(validated: Validated) -> dict[str, EntityText]:
    records = [e.record for e in validated.curation.entities]
    closure = broader_closure(records)
    return {
        e.id: EntityText(
            tuple(dict.fromkeys([e.label, *e.synonyms, *e.abbreviations])),
            entity_token(e.id),
            frozenset(map(entity_token, closure[e.id])),
        )
        for e in records
    }


def document(
    fact: dict[str, Any], entities: dict[str, EntityText], kinds: dict[str, str], types: dict[str, list[str]]
) -> dict[str, list[str]]:
    """One fact's document of the full-text engine: its text, its entities' names and tokens, the details of its
    values, evidence, predicate and kind, and its facets as exact tokens (each column's values sorted, no repeats).

    Written for a million calls a build: the columns of a fact about one entity, or without values, skip the sets
    and sorts they do not need (at 100k synthetic facts this function was 40% of the index step's main thread)."""
    subject, obj = fact["subject"], fact["object"]
    a, b = entities[subject["id"]], entities[obj["id"]]
    evidence, values = fact["evidence"], fact["values"]
    details = {fact["predicate"], kinds[fact["kind"]], *evidence["citations"], *[value["as_written"] for value in values]}
    attributed = evidence["attributed_to"]
    if attributed:
        details.add(attributed)
    if a is b:
        names, tokens, broader = sorted(set(a.names)), [a.token], sorted(a.broader)
    else:
        names, broader = sorted({*a.names, *b.names}), sorted(a.broader | b.broader)
        tokens = sorted({a.token, b.token})
    return {
        "statement": [fact["statement"]],
        "quote": [evidence["quote"]],
        "names": names,
        "entities": tokens,
        "broader": broader,
        "details": sorted(details),
        "kind": [fact["kind"]],
        "design": [fact["study_design"]],
        "measures": sorted({"any", *[value["measure"] for value in values]}) if values else [],
        "source": ["reference" if evidence["cites"] else "article", *(["attributed"] if attributed else [])],
        "types": sorted({*types.get(subject["type"], [subject["type"]]), *types.get(obj["type"], [obj["type"]])}),
    }


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def open_index(directory: Path) -> sqlite3.Connection:
    """The index of the generation in ``directory``, opened read-only.

    :raises QueryError: when the generation has no index, or one of another layout (a store built by another
        version of catkg), saying how to get one.
    """
    path = directory / INDEX
    if not path.is_file():
        raise QueryError(f"no search index in {directory}; rebuild the store with 'catkg build'")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    ((layout,),) = db.execute("PRAGMA user_version")
    if layout != LAYOUT:
        db.close()
        raise QueryError(
            f"the search index in {directory} has layout {layout}, this catkg reads layout {LAYOUT} (a store "
            "built by an older catkg has no fact documents); rebuild the store with 'catkg build'"
        )
    return db

"""The SQLite file the build's index step writes into each store generation: its layout, how it is written and how
it is opened to read.

It holds the full-text index and the entity names the search reads (``catkg.queries.search``) and the fact
documents (``catkg.queries.facts``): written once per build from the validated curation, swapped in with the
graph, read-only afterwards. Each fact is one document of the index: its statement, quote, values as written,
attributed study and citations, and the names (label, synonyms, abbreviations) of its subject and object, and its
entities as tokens (``x<id>``) for the fact's own entities and for their broader ones.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from catkg.ingest.to_rdf import broader_closure
from catkg.ingest.validate import Validated
from catkg.ontology.load import fact_kinds, label
from catkg.queries.run import Queryable, QueryError

INDEX = "search.sqlite"

LAYOUT = 2
"""The file's layout, kept in SQLite's ``user_version``: 2 added the fact documents and numbers facts by rowid.
A store built by an older catkg has layout 0 (no documents) and must be rebuilt."""

COLUMNS = ("statement", "quote", "names", "entities", "broader", "details")
"""The full-text columns of a fact's document, in the order of the ``facts`` table."""


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


def build_index(directory: Path, store: Queryable, validated: Validated) -> None:
    """Write the search index and the fact documents for the store in ``directory`` (a build step, see
    catkg.store.build).

    Both are made from the validated curation, not read back from the graph (that cost 0.6 ms a fact); the tests
    prove them equal to what the named queries read from the graph.
    """
    from catkg.queries.facts import fact_documents  # facts.py reads through open_index: imported here, no cycle

    entities = _entity_texts(validated)
    kinds = {slug: label(cls) for slug, cls in fact_kinds().items()}
    db = sqlite3.connect(directory / INDEX)
    try:
        db.execute(
            f"CREATE VIRTUAL TABLE facts USING fts5({', '.join(COLUMNS)}, tokenize='porter unicode61 remove_diacritics 2')"
        )
        db.execute("CREATE TABLE names (name TEXT NOT NULL, entity TEXT NOT NULL)")
        # A fact's number is its rowid in both tables: ranking reads only rowids, and ids only for one page.
        db.execute("CREATE TABLE documents (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, fact TEXT NOT NULL)")
        db.execute(f"PRAGMA user_version = {LAYOUT}")
        db.executemany(
            "INSERT INTO names VALUES (?, ?)", ((name, entity) for entity, text in entities.items() for name in text.names)
        )
        for batch in _batches(enumerate(fact_documents(validated), 1), BATCH):
            db.executemany("INSERT INTO documents VALUES (?, ?, ?)", ((n, f["id"], json.dumps(f)) for n, f in batch))
            db.executemany(
                f"INSERT INTO facts (rowid, {', '.join(COLUMNS)}) VALUES (?{', ?' * len(COLUMNS)})",
                ((n, *_index_row(f, entities, kinds)) for n, f in batch),
            )
        db.commit()
    finally:
        db.close()


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


def _index_row(fact: dict[str, Any], entities: dict[str, EntityText], kinds: dict[str, str]) -> tuple[str, ...]:
    """One fact's row of the full-text index: its text, its entities' names and tokens, and the details of its
    values, evidence, predicate and kind."""
    ends = (entities[fact["subject"]["id"]], entities[fact["object"]["id"]])
    evidence = fact["evidence"]
    details = {fact["predicate"], kinds[fact["kind"]], *evidence["citations"], *(value["as_written"] for value in fact["values"])}
    if evidence["attributed_to"]:
        details.add(evidence["attributed_to"])
    columns = ({n for e in ends for n in e.names}, {e.token for e in ends}, ends[0].broader | ends[1].broader, details)
    return (fact["statement"], evidence["quote"], *(" ; ".join(sorted(c)) for c in columns))


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

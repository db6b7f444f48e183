"""Full-text search over facts: an SQLite FTS5 index with BM25 ranking, built beside the store.

The index is a build step, so it is written into each new store generation and swapped in with it. Each fact is
one document: its statement, quote, values as written, attributed study and citations, and the names (label,
synonyms, abbreviations) of its subject and object. Entity names found in a question are also matched as the
entity itself (an ``x<id>`` token), for the fact's own entities and, ranked lower, for their broader ones, so
"PE" finds facts about pulmonary embolism, and "VTE" finds them too.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from catkg.queries.facts import Page, fact_ids, facts_by_id
from catkg.queries.run import Queryable, QueryError, run

INDEX = "search.sqlite"

COLUMNS = ("statement", "quote", "names", "entities", "broader", "details")
WEIGHTS = (4.0, 1.5, 3.0, 6.0, 1.0, 1.0)
"""BM25 column weights: entity matches count most, then the statement and entity names, then the quote."""

STOPWORDS = set("""a an and are as at be by can do does for from has have how i in into is it its of on or that the
their there these this to was were what when where which who whom why will with""".split())

WORD = re.compile(r"\w+", re.UNICODE)


def entity_token(entity_id: str) -> str:
    """One index token standing for an entity, whatever words its names are made of."""
    return "x" + entity_id.replace("-", "")


@dataclass(frozen=True)
class Hit:
    id: str
    score: float


def build_index(directory: Path, store: Queryable, validated: object = None) -> None:
    """Write the search index for the store in ``directory`` (a build step, see catkg.store.build)."""
    path = directory / INDEX
    db = sqlite3.connect(path)
    try:
        db.execute(f"CREATE VIRTUAL TABLE facts USING fts5(id UNINDEXED, {', '.join(COLUMNS)}, "
                   "tokenize='porter unicode61 remove_diacritics 2')")
        db.execute("CREATE TABLE names (name TEXT NOT NULL, entity TEXT NOT NULL)")
        db.executemany("INSERT INTO names VALUES (?, ?)",
                       ((row["name"], row["id"]) for row in run(store, "search_names")))
        db.executemany(f"INSERT INTO facts VALUES (?, {', '.join('?' * len(COLUMNS))})", _documents(store))
        db.commit()
    finally:
        db.close()


def _documents(store: Queryable) -> list[tuple[str, ...]]:
    docs: dict[str, dict[str, Any]] = {}
    for row in run(store, "search_documents"):
        doc = docs.setdefault(row["id"], {"statement": None, "quote": None, "names": set(),
                                          "entities": set(), "broader": set(), "details": set()})
        if row["statement"] is not None:
            doc["statement"], doc["quote"] = row["statement"], row["quote"]
        for key in ("entityName", "detail"):
            if row[key]:
                doc["names" if key == "entityName" else "details"].add(row[key])
        if row["entity"]:
            doc["entities"].add(entity_token(row["entity"]))
        if row["broaderEntity"]:
            doc["broader"].add(entity_token(row["broaderEntity"]))
    return [(fid, d["statement"], d["quote"], *(" ; ".join(sorted(d[c])) for c in COLUMNS[2:]))
            for fid, d in docs.items()]


def _names(db: sqlite3.Connection) -> list[tuple[str, str]]:
    return db.execute("SELECT name, entity FROM names ORDER BY length(name) DESC").fetchall()


@dataclass(frozen=True)
class NameIndex:
    """The entity names of one search index, longest first, grouped by their first word (lower case).

    A name is found in a text only where the text has the name's first word as a whole word (a name starts at a
    word boundary, see ``_name_pattern``), so a question looks up its own words here instead of trying every name.
    Names that do not start with a word character are tried on every question.
    """

    by_word: dict[str, list[int]]
    always: list[int]
    names: list[tuple[str, str]]

    @classmethod
    def of(cls, names: list[tuple[str, str]]) -> NameIndex:
        by_word: dict[str, list[int]] = {}
        always = []
        for position, (name, _) in enumerate(names):
            first = WORD.match(name)
            if first:
                by_word.setdefault(first.group().lower(), []).append(position)
            else:
                always.append(position)
        return cls(by_word, always, names)

    def candidates(self, text: str) -> list[tuple[str, str]]:
        """The names that may occur in ``text``, in the order of ``names`` (longest first)."""
        positions = set(self.always)
        for word in set(WORD.findall(text.lower())):
            positions.update(self.by_word.get(word, ()))
        return [self.names[p] for p in sorted(positions)]


@lru_cache(maxsize=8)
def _name_index(path: str, mtime_ns: int, size: int) -> NameIndex:
    """The name index of one search index file, read once per file version (a new build writes a new file)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return NameIndex.of(_names(db))
    finally:
        db.close()


def name_index(db: sqlite3.Connection) -> NameIndex:
    """The name index of ``db``: cached by the file's path, modification time and size; read anew for a database
    with no file (in memory)."""
    path = next((row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main"), "")
    if path:
        stat = Path(path).stat()
        return _name_index(path, stat.st_mtime_ns, stat.st_size)
    return NameIndex.of(_names(db))


@dataclass(frozen=True)
class Reading:
    """How a question was read: the entities it names (and the names used), and its other words."""

    entities: list[str]
    names_of: dict[str, list[str]]
    words: list[str]


@lru_cache(maxsize=500_000)
def _name_pattern(name: str) -> re.Pattern[str]:
    """The pattern an entity name is found by, compiled once: ``re``'s own cache holds 512 patterns, fewer than the
    names of a large graph, so without this every question recompiled every name (78% of a search at 10k facts)."""
    flags = 0 if (len(name) <= 4 and name.isupper()) else re.IGNORECASE
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", flags)


def interpret(db: sqlite3.Connection, text: str) -> Reading:
    """Split a question into the entities it names and its remaining words (stop words dropped).

    Longer names win (``D-dimer`` before ``D``); a short all-capital abbreviation must match its case, so the
    word "all" is not ALK and "pe" inside a word never matches.
    """
    entities: list[str] = []
    names_of: dict[str, list[str]] = {}
    rest = text
    for name, entity in name_index(db).candidates(text):
        pattern = _name_pattern(name)
        if pattern.search(rest):
            rest = pattern.sub(" ", rest)
            names_of.setdefault(entity, []).append(name)
            if entity not in entities:
                entities.append(entity)
    words = [w for w in WORD.findall(rest.lower()) if w not in STOPWORDS]
    return Reading(entities, names_of, words)


def concepts(reading: Reading) -> list[str]:
    """One FTS5 expression per concept of the question: each word, and each entity as its token or the name used.

    Every term is quoted, so no user text is read as FTS5 syntax.
    """
    terms = [f'"{w}"' for w in dict.fromkeys(reading.words)]
    for entity in reading.entities:
        phrases = ['"' + " ".join(WORD.findall(n.lower())) + '"' for n in reading.names_of[entity] if WORD.search(n)]
        terms.append("(" + " OR ".join([f'{{entities broader names}} : "{entity_token(entity)}"', *phrases]) + ")")
    return terms


def search_ids(directory: Path, text: str) -> tuple[list[Hit], list[str]]:
    """Fact ids ranked for ``text``, best first, and the entities the text was read as naming.

    Facts that match more of the question's concepts come first (a coordination factor, as in Lucene's classic
    scoring: "osimertinib pulmonary embolism" wants facts about both), then by BM25.
    """
    path = directory / INDEX
    if not path.is_file():
        raise QueryError(f"no search index in {directory}; rebuild the store with 'catkg build'")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        reading = interpret(db, text)
        entities, terms = reading.entities, concepts(reading)
        if not terms:
            return [], entities
        weights = ", ".join(str(w) for w in (0.0, *WEIGHTS))
        scores = dict(db.execute(f"SELECT id, bm25(facts, {weights}) FROM facts WHERE facts MATCH ?",
                                 (" OR ".join(terms),)).fetchall())
        coverage = dict.fromkeys(scores, 0)
        for term in terms:
            for (fid,) in db.execute("SELECT id FROM facts WHERE facts MATCH ?", (term,)):
                coverage[fid] += 1
    finally:
        db.close()
    ranked = sorted(scores, key=lambda fid: (-coverage[fid], scores[fid], fid))
    return [Hit(fid, round(-scores[fid], 4)) for fid in ranked], entities


def search(store: Queryable, directory: Path, text: str, *, limit: int = 20, offset: int = 0,
           kind: str | None = None, type: str | None = None) -> dict[str, Any]:
    """A page of facts ranked by relevance to ``text``, each with its score and evidence; ``kind`` and ``type``
    (an entity type of the subject or object) narrow the hits."""
    hits, entities = search_ids(directory, text)
    if kind or type:
        wanted = set(fact_ids(store, kind=kind, type=type))
        hits = [h for h in hits if h.id in wanted]
    page_hits = hits[offset : offset + limit]
    facts = {f["id"]: f for f in facts_by_id(store, [h.id for h in page_hits])}
    items = [{**facts[h.id], "score": h.score} for h in page_hits if h.id in facts]
    page = Page(items, len(hits), limit, offset).as_dict()
    page["interpreted"] = {"entities": entities}
    return page

"""Full-text search over facts: reads a question and ranks facts by BM25 over the index queries/index.py builds.

The index is a build step, so it is written into each new store generation and swapped in with it; the same step
writes the fact documents ``catkg.queries.facts`` reads facts from. Each fact is one document of the index: its
statement, quote, values as written, attributed study and citations, and the names (label, synonyms,
abbreviations) of its subject and object. Entity names found in a question are also matched as the entity itself
(an ``x<id>`` token), for the fact's own entities and, ranked lower, for their broader ones, so
"PE" finds facts about pulmonary embolism, and "VTE" finds them too.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from catkg.queries.facts import Page, Served, fact_ids, facts_by_id
from catkg.queries.index import entity_token, open_index

WEIGHTS = (4.0, 1.5, 3.0, 6.0, 1.0, 1.0)
"""BM25 weights of the index's COLUMNS: entity matches count most, then the statement and entity names, then the
quote."""

STOPWORDS = set(
    """a an and are as at be by can do does for from has have how i in into is it its of on or that the
their there these this to was were what when where which who whom why will with""".split()
)

WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    id: str
    score: float


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


def _ranked(db: sqlite3.Connection, terms: list[str]) -> list[tuple[int, float, int]]:
    """Every fact matching a concept of the question, best first, as (minus its coverage, its BM25, its rowid).

    Facts that match more of the question's concepts come first (a coordination factor, as in Lucene's classic
    scoring: "osimertinib pulmonary embolism" wants facts about both), then by BM25. FTS5's BM25 is a sum over the
    query's phrases, so each concept is scored on its own and the scores added: one query a concept gives both
    the facts it matches and their share of the score, and no fact's text is read (rowids only).
    """
    weights = ", ".join(map(str, WEIGHTS))
    coverage: Counter[int] = Counter()
    scores: Counter[int] = Counter()
    for term in terms:
        matched = dict(db.execute(f"SELECT rowid, bm25(facts, {weights}) FROM facts WHERE facts MATCH ?", (term,)))
        coverage.update(matched.keys())
        scores.update(matched)
    return sorted((-coverage[rowid], score, rowid) for rowid, score in scores.items())


def _page(db: sqlite3.Connection, ranked: list[tuple[int, float, int]], offset: int, limit: int) -> list[Hit]:
    """One page of ranked hits; hits that tie (same coverage and score) go in id order, so ids are read only for
    the page and the ties across its edges."""
    start, end = offset, min(offset + limit, len(ranked))
    while 0 < start < len(ranked) and ranked[start - 1][:2] == ranked[start][:2]:
        start -= 1
    while start < end < len(ranked) and ranked[end - 1][:2] == ranked[end][:2]:
        end += 1
    window = ranked[start:end]
    ids = dict(
        db.execute(
            "SELECT n, id FROM documents WHERE n IN (SELECT value FROM json_each(?))",
            (json.dumps([rowid for *_, rowid in window]),),
        )
    )
    window.sort(key=lambda hit: (hit[0], hit[1], ids[hit[2]]))
    return [Hit(ids[rowid], round(-score, 4)) for _, score, rowid in window[offset - start :][:limit]]


def _numbers(db: sqlite3.Connection, ids: list[str]) -> set[int]:
    """The rowids of the facts with these ids."""
    return {n for (n,) in db.execute("SELECT n FROM documents WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),))}


@dataclass(frozen=True)
class SearchPage(Page):
    """A page of search hits, with how the question was read."""

    interpreted: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "interpreted": self.interpreted}


def search(
    store: Served,
    text: str,
    *,
    limit: int = 20,
    offset: int = 0,
    kind: str | None = None,
    type: str | None = None,
) -> SearchPage:
    """A page of facts ranked by relevance to ``text``, each with its score and evidence; ``kind`` and ``type``
    (an entity type of the subject or object) narrow the hits. ``interpreted`` names the entities the text was
    read as naming.

    :raises QueryError: when the store has no search index.
    """
    db = open_index(store.directory)
    try:
        reading = interpret(db, text)
        ranked = _ranked(db, concepts(reading))
        if kind or type:
            wanted = _numbers(db, fact_ids(store, kind=kind, type=type))
            ranked = [hit for hit in ranked if hit[2] in wanted]
        hits = _page(db, ranked, offset, limit)
    finally:
        db.close()
    facts = {f["id"]: f for f in facts_by_id(store, [h.id for h in hits])}
    items = [{**facts[h.id], "score": h.score} for h in hits if h.id in facts]
    return SearchPage(items, len(ranked), limit, offset, {"entities": reading.entities})

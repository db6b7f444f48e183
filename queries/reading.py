"""How a question is read: the entities it names, what its other words ask for, and the words left.

Entity names (labels, synonyms, abbreviations) come from the search index of the generation; the words for fact
kinds, value measures, study designs and source kinds come from the ontology's search vocabulary
(ontology/search_terms.ttl). A reading the user removed (``not``: ``entity:pulmonary-embolism``, ``kind:mechanism``)
leaves its words as plain words.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from catkg.ontology.search_terms import Term, search_terms

STOPWORDS = set(
    """a an and are as at be by can do does for from has have how i in into is it its of on or that the
their there these this to was were what when where which who whom why will with""".split()
)

LISTING = {"which", "list", "every", "all", "each", "compare", "both", "either", "any", "give", "collect"}
"""Words that ask for several answers ("which drugs", "list every threshold"): the page is spread wider."""

FILLER = {"list", "every", "all", "each", "give", "me", "show", "tell", "say", "says", "about", "collect", "article", "articles"}
"""Words that shape a question and name nothing in it."""

WORD = re.compile(r"\w+", re.UNICODE)
LONGEST = 4
"""The most words a vocabulary label has ("number of patients")."""


@dataclass(frozen=True)
class Reading:
    """How a question was read: the entities it names (and the names used), the vocabulary terms its words name
    (with the words), its other words, and whether it asks for a list."""

    entities: list[str]
    names_of: dict[str, list[str]]
    terms: list[tuple[Term, str]]
    """Vocabulary terms other than entities (which join ``entities``), each with the words that named it."""
    words: list[str]
    listing: bool
    excluded: list[str] = field(default_factory=list)

    def key(self, term: Term) -> str:
        return f"{term.facet}:{term.value}"

    def interpreted(self) -> dict[str, object]:
        """The reading as the API answers it: each facet's values, and every reading with the words it came from
        (its ``key`` is what ``not`` takes to remove it)."""
        facets = {"kind": "kinds", "measure": "measures", "design": "designs", "source": "sources", "type": "types"}
        readings = [
            {"key": f"entity:{e}", "facet": "entity", "value": e, "text": ", ".join(self.names_of[e])} for e in self.entities
        ]
        readings += [
            {"key": self.key(t), "facet": t.facet, "value": t.value, "label": t.label, "text": text} for t, text in self.terms
        ]
        out: dict[str, object] = {"entities": list(self.entities)}
        for facet, name in facets.items():
            out[name] = [t.value for t, _ in self.terms if t.facet == facet]
        out.update({"words": list(self.words), "listing": self.listing, "readings": readings, "excluded": list(self.excluded)})
        return out


def _singular(word: str) -> str:
    """A plural read as its singular, well enough for matching labels ("thresholds", "case reports")."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _normal(text: str) -> tuple[str, ...]:
    return tuple(_singular(w) for w in WORD.findall(text.lower()))


@lru_cache(maxsize=1)
def vocabulary() -> dict[tuple[str, ...], list[Term]]:
    """The ontology's search labels as normalised word sequences."""
    found: dict[tuple[str, ...], list[Term]] = {}
    for label, terms in search_terms().items():
        found.setdefault(_normal(label), []).extend(terms)
    return found


def _names(db: sqlite3.Connection) -> list[tuple[str, str]]:
    return db.execute("SELECT name, entity FROM names ORDER BY length(name) DESC").fetchall()


@dataclass(frozen=True)
class NameIndex:
    """The entity names of one search index, longest first, each filed under its rarest word (lower case).

    A name can occur in a text only if each of its words is a word of the text, so a question looks up its own
    words here and tests only the names filed under them, instead of trying every name. Filed under the rarest
    word, not the first: in a graph whose names share a few words, a common first word starts thousands of names
    (9.5 ms of a 35 ms search at 1M synthetic facts). Names with no word character are tried on every question.
    """

    by_word: dict[str, list[int]]
    always: list[int]
    names: list[tuple[str, str]]
    words: list[frozenset[str]]

    @classmethod
    def of(cls, names: list[tuple[str, str]]) -> NameIndex:
        words = [frozenset(WORD.findall(name.lower())) for name, _ in names]
        counts = Counter(w for ws in words for w in ws)
        by_word: dict[str, list[int]] = {}
        always = []
        for position, ws in enumerate(words):
            if ws:
                by_word.setdefault(min(ws, key=lambda w: (counts[w], w)), []).append(position)
            else:
                always.append(position)
        return cls(by_word, always, names, words)

    def candidates(self, text: str) -> list[tuple[str, str]]:
        """The names that may occur in ``text``, in the order of ``names`` (longest first)."""
        present = set(WORD.findall(text.lower()))
        positions = set(self.always)
        for word in present:
            positions.update(p for p in self.by_word.get(word, ()) if self.words[p] <= present)
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


@lru_cache(maxsize=500_000)
def _name_pattern(name: str) -> re.Pattern[str]:
    """The pattern an entity name is found by, compiled once: ``re``'s own cache holds 512 patterns, fewer than the
    names of a large graph, so without this every question recompiled every name (78% of a search at 10k facts)."""
    flags = 0 if (len(name) <= 4 and name.isupper()) else re.IGNORECASE
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", flags)


def read(db: sqlite3.Connection, text: str, excluded: list[str] | tuple[str, ...] = ()) -> Reading:
    """Read a question: entity names first (longer names win, ``D-dimer`` before ``D``; a short all-capital
    abbreviation must match its case, so "all" is not ALK), then the vocabulary's labels in the words left
    (longest first), then the remaining words, stop words dropped. Readings in ``excluded`` are skipped, their
    words kept as words.
    """
    skip = set(excluded)
    entities: list[str] = []
    names_of: dict[str, list[str]] = {}
    rest = text
    for name, entity in name_index(db).candidates(text):
        if f"entity:{entity}" in skip:
            continue
        pattern = _name_pattern(name)
        if pattern.search(rest):
            rest = pattern.sub(" ", rest)
            names_of.setdefault(entity, []).append(name)
            if entity not in entities:
                entities.append(entity)
    words = WORD.findall(rest)
    lowered = [w.lower() for w in words]
    listing = any(w in LISTING for w in lowered)
    terms, left = _terms(words, skip)
    for term, phrase in [(t, p) for t, p in terms if t.facet == "entity"]:
        if term.value not in entities:
            entities.append(term.value)
        names_of.setdefault(term.value, []).append(phrase)
    terms = [(t, p) for t, p in terms if t.facet != "entity"]
    plain = [w.lower() for w in left if w.lower() not in STOPWORDS and w.lower() not in FILLER]
    return Reading(entities, names_of, terms, list(dict.fromkeys(plain)), listing, sorted(skip))


def _terms(words: list[str], skip: set[str]) -> tuple[list[tuple[Term, str]], list[str]]:
    """The vocabulary terms named in ``words`` (each with the words that named it) and the words left."""
    vocab = vocabulary()
    normal = [_singular(w.lower()) for w in words]
    found: list[tuple[Term, str]] = []
    left: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(LONGEST, len(words) - i), 0, -1):
            key = tuple(normal[i : i + size])
            if size == 1 and key[0] in STOPWORDS and key not in vocab:
                continue
            terms = [t for t in vocab.get(key, []) if f"{t.facet}:{t.value}" not in skip]
            if terms:
                phrase = " ".join(words[i : i + size])
                found.extend((t, phrase) for t in terms if all(t != seen for seen, _ in found))
                i += size
                break
        else:
            left.append(words[i])
            i += 1
    return found, left

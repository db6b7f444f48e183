"""Search over facts: a question read as concepts, candidates from the full-text engine, a first page that covers
the question.

Every step can be told to a clinician:

1. **Reading** (catkg.queries.reading): the entities the question names (PE is pulmonary embolism; an entity also
   finds facts about the entities under it), what its other words ask for through the ontology's vocabulary (a
   fact kind, a value measure, a study design, a cited reference), and its other words. Each is one *concept*.
2. **Candidates**: the engine's best ``WINDOW`` facts by BM25 over all the concepts (an entity's own token counts
   most, then the statement and the entities' names, then the quote), scored in Rust: the engine keeps only the
   best ``WINDOW``, and Python ranks no more than those.
3. **Coverage**: each candidate is scored by the share of the question's concepts it matches, each concept weighted
   by its rarity (BM25's idf), plus its BM25 relevance (half as much at most): a fact about both "osimertinib" and
   "pulmonary embolism" comes before a fact about one of them.
4. **Folding**: a candidate with the subject, predicate and object of a better one, or read from the same sentence,
   is folded under it ("+N more"), so the page is not ten copies of one answer.
5. **Spreading**: the page is then filled greedily (maximal marginal relevance): a concept already shown counts
   ``SHOWN`` times as much each time it is shown again, a fact loses ``REDUNDANCY`` for every shown fact with the
   same answer (its subject or object that the question does not name; more for list questions, "which",
   "every"), and every concept that matches a candidate gets one fact on the first page.

The constants were chosen on the tuning questions of tests/queries/search_quality.yaml only (a grid over
RELEVANCE, SHOWN, WORD_WEIGHT and REDUNDANCY); the held-out questions were not used to choose anything.

Beyond the ``WINDOW`` best candidates, facts follow the engine's BM25 order, so pages of any size walk one ranking.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson
import tantivy

from catkg.queries.engine import Engine, Leaf, Tokens, open_engine, tokens
from catkg.queries.facts import Page, Served, facts_by_id, kind_iri, type_iri
from catkg.queries.index import FACETS, entity_token, open_index
from catkg.queries.reading import Reading, read
from catkg.queries.run import QueryError

WINDOW = 60
"""How many of the engine's best candidates are scored for coverage, folded and spread."""
FIRST_PAGE = 10
"""The page every concept of the question is represented on."""

TEXT_WEIGHTS = {"statement": 4.0, "quote": 1.5, "names": 3.0, "details": 1.0}
"""BM25 boosts of a word in each text column: the statement and the entities' names count most."""
WORD_FIELDS = ("statement", "names", "details")
"""Where a plain word is looked for: not in the quote, whose words the statement restates. Each column is one more
posting list the engine scores in full (tantivy's Python searcher does not prune): at 1M synthetic facts the quote
cost 4-11 ms of a search, and the quality sets found the same answers without it (an entity's names are still
looked for in the quote)."""
ENTITY_WEIGHTS = {"entities": 6.0, "broader": 1.0}
"""An entity's own token counts most; a fact about an entity under it, less."""
TERM_WEIGHT = 4.0
"""A vocabulary term (a fact kind, a measure, a design, a source kind) as a column token."""
TERM_FIELD = {"kind": "kind", "measure": "measures", "design": "design", "source": "source", "type": "types"}
RELEVANCE = 0.5
"""BM25 relevance counts up to half as much as full coverage of the question."""
REDUNDANCY = {False: 0.05, True: 0.1}
"""What a fact loses for each shown fact with the same answer: more when the question asks for a list."""
SHOWN = 0.7
"""A concept already on the page counts 0.7 times as much each time it is shown again."""
SPREAD = 30
"""Places filled one by one (three first pages); the rest of the window follows by its gain then."""
WORD_WEIGHT = 0.5
"""A plain word of the question counts half as much as what the question was read as naming."""


@dataclass(frozen=True)
class Concept:
    """One concept of the question: its key (``entity:d-dimer``, ``kind:mechanism``, ``word:resolved``), the engine
    leaves that match it (any one suffices), and its weight (rarity)."""

    key: str
    leaves: list[Leaf]
    weight: float

    def matches(self, document: Tokens) -> bool:
        return any(leaf.matches(document) for leaf in self.leaves)


@dataclass(frozen=True)
class SearchPage(Page):
    """A page of search hits, with how the question was read."""

    interpreted: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "interpreted": self.interpreted}


def concepts(engine: Engine, reading: Reading) -> list[Concept]:
    """The question's concepts as engine leaves. Every term is a token or a phrase of tokens made by the index's
    own analyzer, so no user text is read as query syntax."""
    found = []
    for entity in reading.entities:
        token = entity_token(entity)
        leaves = [Leaf(f, (token,), w) for f, w in ENTITY_WEIGHTS.items()]
        counts = [engine.count(f, token) for f in ENTITY_WEIGHTS]
        for name in reading.names_of[entity]:
            words = tuple(engine.words(name))
            if words:
                leaves += [Leaf(f, words, TEXT_WEIGHTS[f]) for f in ("statement", "names", "quote")]
        found.append(_concept(engine, f"entity:{entity}", leaves, counts))
    for term, text in reading.terms:
        facet_field = TERM_FIELD[term.facet]
        leaves = [Leaf(facet_field, (term.value,), TERM_WEIGHT)]
        counts = [engine.count(facet_field, term.value)]
        for word in engine.words(text):
            leaves += _word_leaves(word)
        found.append(_concept(engine, reading.key(term), leaves, counts))
    for word in reading.words:
        tokens = engine.words(word)
        if tokens:
            leaves = [leaf for token in tokens for leaf in _word_leaves(token)]
            counts = [engine.count(f, t) for t in tokens for f in TEXT_WEIGHTS]
            found.append(_concept(engine, f"word:{word}", leaves, counts, WORD_WEIGHT))
    return found


def _word_leaves(token: str) -> list[Leaf]:
    return [Leaf(f, (token,), TEXT_WEIGHTS[f]) for f in WORD_FIELDS]


def _concept(engine: Engine, key: str, leaves: list[Leaf], counts: list[int], share: float = 1.0) -> Concept:
    """A concept; its weight is BM25's idf of its commonest leaf (a lower bound of how many facts it matches)."""
    size, matched = engine.size, max(counts, default=0)
    weight = share * math.log(1 + (size - matched + 0.5) / (matched + 0.5))
    return Concept(key, leaves, weight)


def _filtered(engine: Engine, query: tantivy.Query, kind: str | None, type: str | None) -> tantivy.Query:
    """``query`` restricted to facts of ``kind`` and with an entity of ``type`` (or under it), adding no score."""
    clauses = [(tantivy.Occur.Must, query)]
    if kind:
        kind_iri(kind)  # unknown kind: QueryError naming the known ones
        clauses.append((tantivy.Occur.Must, engine.only("kind", kind)))
    if type:
        type_iri(type)
        clauses.append((tantivy.Occur.Must, engine.only("types", type)))
    return tantivy.Query.boolean_query(clauses) if len(clauses) > 1 else query


@dataclass(eq=False)
class Candidate:
    n: int
    relevance: float
    facets: dict[str, str]
    matched: set[str] = field(default_factory=set)
    score: float = 0.0
    folded: list[tuple[Candidate, str]] = field(default_factory=list)


def _facets(db: sqlite3.Connection, numbers: list[int]) -> dict[int, tuple[dict[str, str], str]]:
    """Each fact's facets, and its engine document as JSON."""
    rows = db.execute(
        f"SELECT n, {', '.join(FACETS)}, document FROM facets WHERE n IN (SELECT value FROM json_each(?))",
        (json.dumps(numbers),),
    )
    return {row[0]: (dict(zip(FACETS, row[1:-1], strict=True)), row[-1]) for row in rows}


def _score(found: list[Concept], candidates: list[Candidate], documents: list[Tokens] | None) -> None:
    """Each candidate's score: the rarity-weighted share of the concepts it matches (read in ``documents``; all of
    them when None), plus its scaled BM25."""
    for i, candidate in enumerate(candidates):
        candidate.matched = {c.key for c in found if documents is None or c.matches(documents[i])}
    total = sum(c.weight for c in found) or 1.0
    weights = {c.key: c.weight for c in found}
    best = max((c.relevance for c in candidates), default=0.0) or 1.0
    for c in candidates:
        c.score = sum(weights[k] for k in c.matched) / total + RELEVANCE * c.relevance / best


def _fold(ranked: list[Candidate]) -> list[Candidate]:
    """Fold each candidate under the first better one with its subject, predicate and object, or its sentence."""
    kept: list[Candidate] = []
    by_triple: dict[tuple[str, str, str], Candidate] = {}
    by_sentence: dict[str, Candidate] = {}
    for c in ranked:
        triple = (c.facets["subject"], c.facets["predicate"], c.facets["object"])
        if triple in by_triple:
            by_triple[triple].folded.append((c, "same subject, predicate and object"))
        elif c.facets["sentence"] in by_sentence:
            by_sentence[c.facets["sentence"]].folded.append((c, "same sentence"))
        else:
            kept.append(c)
            by_triple[triple] = c
            by_sentence[c.facets["sentence"]] = c
    return kept


def _spread(kept: list[Candidate], found: list[Concept], reading: Reading) -> list[Candidate]:
    """Fill the page greedily: each next fact is the one that adds most, where a concept already shown counts
    ``SHOWN`` times as much each time it is shown again, and a fact loses ``REDUNDANCY`` for each shown fact with
    the same answer (its subject or object, when the question does not name it). Then every concept that a
    candidate matches gets one on the first page. A fact's ``score`` is its gain when it was placed."""
    if not kept:
        return []
    kept = sorted(kept, key=lambda c: c.n)  # rows by number, so the first best row is the lower number of a tie
    keys = [c.key for c in found]
    named = set(reading.entities)
    ends = sorted({e for c in kept for e in _answers(c, named)})
    column = {e: i for i, e in enumerate(ends)}
    # One row a candidate: the weights of the concepts it matches, and the answers it gives.
    covers = np.array([[c.weight if c.key in k.matched else 0.0 for c in found] for k in kept]) / (
        sum(c.weight for c in found) or 1.0
    )
    gives = np.zeros((len(kept), len(ends)))
    for row, c in enumerate(kept):
        for e in _answers(c, named):
            gives[row, column[e]] = 1.0
    best = max(c.relevance for c in kept) or 1.0
    relevance = np.array([RELEVANCE * c.relevance / best for c in kept])
    factor, shown = np.ones(len(keys)), np.zeros(len(ends))
    left = np.ones(len(kept), dtype=bool)
    order: list[Candidate] = []
    penalty = REDUNDANCY[reading.listing]
    for _ in range(min(len(kept), SPREAD)):
        gain = covers @ factor + relevance - penalty * (gives @ shown)
        gain[~left] = -np.inf
        pick = int(gain.argmax())  # the first best row: ties go to the lower number
        left[pick] = False
        kept[pick].score = float(gain[pick])
        order.append(kept[pick])
        factor[covers[pick] > 0] *= SHOWN
        shown += gives[pick]
    # Past the first SPREAD places, the rest of the window in the order of its gain then (no higher than the
    # last place's: a gain only falls as the page fills); a stable sort keeps ties in number order.
    gains = (covers @ factor + relevance - penalty * (gives @ shown)).tolist()
    for row in sorted(np.flatnonzero(left).tolist(), key=lambda r: -gains[r]):
        kept[row].score = gains[row]
        order.append(kept[row])
    covered = {k for c in order[:FIRST_PAGE] for k in c.matched}
    promoted: list[Candidate] = []
    for concept in sorted(found, key=lambda c: -c.weight):
        if concept.key in covered or len(promoted) >= FIRST_PAGE // 2:
            continue
        pick = next((c for c in order[FIRST_PAGE:] if concept.key in c.matched and c not in promoted), None)
        if pick is not None:
            promoted.append(pick)
            covered |= pick.matched
    if not promoted:
        return order
    moved = set(promoted)
    rest = [c for c in order if c not in moved]
    cut = max(FIRST_PAGE - len(promoted), 0)
    return rest[:cut] + promoted + rest[cut:]


def _answers(c: Candidate, named: set[str]) -> tuple[str, ...]:
    """The entities of a fact that the question does not name: what the fact answers."""
    return tuple({c.facets[role] for role in ("subject", "object")} - named)


def search(
    store: Served,
    text: str,
    *,
    limit: int = 20,
    offset: int = 0,
    kind: str | None = None,
    type: str | None = None,
    exclude: Sequence[str] = (),
) -> SearchPage:
    """A page of facts ranked for ``text`` (see the module's docstring), each with its score, its evidence and the
    near-duplicates folded under it; ``kind`` and ``type`` (an entity type of the subject or object) narrow the
    hits; ``exclude`` removes readings of the question (``entity:pulmonary-embolism``, ``kind:mechanism``).

    :raises QueryError: when the store has no search index, or for an unknown kind or type.
    """
    db = open_index(store.directory)
    try:
        engine = open_engine(store.directory)
        if engine is None:
            raise QueryError(f"no search index in {store.directory}; rebuild the store with 'catkg build'")
        reading = read(db, text, exclude)
        found = concepts(engine, reading)
        if not found:
            return SearchPage([], 0, limit, offset, reading.interpreted())
        query = _filtered(engine, engine.query(list(dict.fromkeys(leaf for c in found for leaf in c.leaves))), kind, type)
        hits, total = engine.top(query, WINDOW, count=True)
        facets = _facets(db, [n for _, n, _ in hits])
        window = [Candidate(n, score, facets[n][0]) for score, n, _ in hits]
        # With one concept, every candidate matches it: nothing to read.
        fields = {leaf.field for c in found for leaf in c.leaves}
        documents = tokens([orjson.loads(facets[c.n][1]) for c in window], fields) if len(found) > 1 else None
        _score(found, window, documents)
        ranked = sorted(window, key=lambda c: (-c.score, c.n))
        order = _spread(_fold(ranked), found, reading)
        folded = sum(len(c.folded) for c in order)
        wanted = offset + limit
        if wanted > len(order) and total > len(window):
            beyond, _ = engine.top(query, wanted - len(order) + len(window))
            best = max(c.relevance for c in window) or 1.0  # their BM25 scaled as in the window
            order += [Candidate(n, score, {}, score=RELEVANCE * score / best) for score, n, _ in beyond[len(window) :]]
        page = order[offset:wanted]
        ids = _ids(db, [c.n for c in page] + [f.n for c in page for f, _ in c.folded])
    finally:
        db.close()
    facts = {f["id"]: f for f in facts_by_id(store, list(ids.values()))}
    items = [_item(c, ids, facts) for c in page if ids.get(c.n) in facts]
    return SearchPage(items, total - folded, limit, offset, reading.interpreted())


def _ids(db: sqlite3.Connection, numbers: list[int]) -> dict[int, str]:
    rows = db.execute("SELECT n, id FROM documents WHERE n IN (SELECT value FROM json_each(?))", (json.dumps(numbers),))
    return dict(rows.fetchall())


def _item(c: Candidate, ids: dict[int, str], facts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    folded = [
        {"id": ids[f.n], "statement": facts[ids[f.n]]["statement"], "why": why} for f, why in c.folded if ids.get(f.n) in facts
    ]
    return {**facts[ids[c.n]], "score": round(c.score, 4), "matched": sorted(c.matched), "more": len(folded), "folded": folded}

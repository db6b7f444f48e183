"""The full-text engine of the search: a Tantivy index in each store generation, written once by the build.

Tantivy (Rust) scores the matches of a query and keeps the top k without the GIL, 40-60 times faster than SQLite
FTS5's ``ORDER BY bm25 LIMIT 10`` at 1M facts (benchmarks/RESULTS.md, search section). Its Python searcher always
collects through a MultiCollector, which scores every match (no block-max WAND pruning: a one-word query on 1M
synthetic facts takes 2 ms), so a search costs about what the posting lists of its terms hold: a column fewer
per word is a posting list fewer. Each fact is one
document: its text columns (analysed: lower case, English stems) and its facets as exact tokens (its entities,
their broader entities, its kind, its study design, the measures of its values, the kind of its source, the types
of its entities).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import tantivy

ENGINE = "fulltext"
"""The folder of the Tantivy index, beside the SQLite file of catkg.queries.index."""

TEXT = ("statement", "quote", "names", "details")
"""Analysed columns: the fact's sentence, its quote, its entities' names, its values, study and citations."""
TOKENS = ("entities", "broader", "kind", "design", "measures", "source", "types")
"""Exact columns: ids and slugs, one token each."""
ANALYZER = "catkg"
SEPARATOR, DOCUMENT = "qqcolumnqq", "qqdocumentqq"
"""Words no text holds, put between the columns and the documents analysed together (see ``tokens``)."""


def analyzer() -> tantivy.TextAnalyzer:
    """Words as the index holds them: split on non-alphanumerics, long tokens dropped, lower case, English stems."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("n", stored=True, indexed=True, fast=True)
    for name in TEXT:
        builder.add_text_field(name, stored=True, tokenizer_name=ANALYZER)
    for name in TOKENS:
        builder.add_text_field(name, stored=True, tokenizer_name="raw", index_option="freq")
    return builder.build()


def _index(path: Path, create: bool) -> tantivy.Index:
    if create:
        path.mkdir()
    index = tantivy.Index(schema(), str(path), reuse=not create)
    index.register_tokenizer(ANALYZER, analyzer())
    return index


def write(directory: Path, documents: Iterable[tuple[int, str]]) -> None:
    """Write the index of ``documents`` (each its number and its columns' values as a JSON object, ``{"statement":
    [...], ...}``) into ``directory``.

    A document goes in as JSON, parsed in Rust: building it with one ``add_text`` a value took a third of the index
    step's Python at 100k synthetic facts. One writer thread, so documents keep their numbers' order (ties in score
    then go by number) and the build's other core stays with the step's Python (or Oxigraph). Each 256 MB of the
    writer's heap makes a segment (3 at 1M facts), which are left unmerged.
    """
    index = _index(directory / ENGINE, create=True)
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    for n, columns in documents:
        # The number goes first in the object: the columns' JSON is the one the facets table holds.
        writer.add_json(f'{{"n":{n},{columns[1:]}' if len(columns) > 2 else f'{{"n":{n}}}')
    writer.commit()
    writer.wait_merging_threads()


Tokens = dict[str, str | frozenset[str]]
"""A document's columns as the index's tokens: a text column as one string of its tokens, each between spaces
(``" thrombot event "``), so a token or a phrase is one substring test; an exact column as the set of its values."""


@dataclass(frozen=True)
class Leaf:
    """One term (or phrase) of a query: in which column, which tokens, with what BM25 boost."""

    field: str
    words: tuple[str, ...]
    boost: float = 1.0

    @cached_property
    def needle(self) -> str:
        """What ``matches`` looks for: the tokens between spaces in a text column, the value in an exact one."""
        return f" {' '.join(self.words)} " if self.field in TEXT else self.words[0]

    def matches(self, document: Tokens) -> bool:
        """Whether ``document`` (see ``tokens``) holds this leaf: the engine's test, made on a candidate's
        stored columns instead of one more query a concept (a query filtered to 100 documents took 2 ms at 100k)."""
        return self.needle in document.get(self.field, "")


@dataclass(frozen=True)
class Engine:
    """An open index: the searcher of one generation and the analyzer its questions are read with."""

    index: tantivy.Index
    searcher: tantivy.Searcher
    schema: tantivy.Schema

    def words(self, text: str) -> list[str]:
        """``text`` as the index's tokens."""
        return list(_ANALYZER.analyze(text))

    def query(self, leaves: list[Leaf]) -> tantivy.Query:
        """A document matches if it holds any leaf; its score is the sum of its leaves' boosted BM25."""
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, self._leaf(leaf)) for leaf in leaves])

    def _leaf(self, leaf: Leaf) -> tantivy.Query:
        if len(leaf.words) > 1:
            query = tantivy.Query.phrase_query(self.schema, leaf.field, list(leaf.words))
        else:
            query = tantivy.Query.term_query(self.schema, leaf.field, leaf.words[0])
        return query if leaf.boost == 1.0 else tantivy.Query.boost_query(query, leaf.boost)

    def only(self, field: str, value: str) -> tantivy.Query:
        """Documents with ``value`` in ``field``, adding no score (a filter)."""
        return tantivy.Query.const_score_query(tantivy.Query.term_query(self.schema, field, value), 0.0)

    def count(self, field: str, value: str) -> int:
        """How many documents hold a token: a term's document frequency, read from the dictionary."""
        return self.searcher.doc_freq(field, value)

    @property
    def size(self) -> int:
        return self.searcher.num_docs

    def top(self, query: tantivy.Query, limit: int, *, count: bool = False) -> tuple[list[tuple[float, int, Any]], int]:
        """The best ``limit`` documents for ``query`` as (score, number, address), and how many match when
        ``count``."""
        found = self.searcher.search(query, limit=max(limit, 1), count=count)
        hits = found.hits[:limit]
        numbers = self.searcher.fast_field_values("n", [address for _, address in hits])
        top = [(score, n, address) for (score, address), n in zip(hits, numbers, strict=True)]
        return top, (found.count or 0) if count else len(top)

    def stored(self, n: int) -> dict[str, list[str]]:
        """The stored columns of document ``n`` (for the tests that compare the index with the graph)."""
        found = self.searcher.search(tantivy.Query.term_query(self.schema, "n", n), limit=1, count=False)
        return self.searcher.doc(found.hits[0][1]).to_dict() if found.hits else {}


_ANALYZER = analyzer()


def tokens(documents: list[dict[str, list[str]]], fields: set[str]) -> list[Tokens]:
    """The ``fields`` of these engine documents (each column's values, as ``write`` was given them) as the index's
    tokens (see ``Tokens``).

    The text columns of all the documents are analysed in one call, columns and documents split at separator words
    (one call a search, not one a value: at 1M facts, one a document took 6.6 ms of a 20 ms search); a phrase may
    then run across two values of one column, which a clinician would not tell from a match."""
    text = [name for name in TEXT if name in fields]
    exact = fields.difference(TEXT)
    out: list[Tokens] = [{name: frozenset(doc.get(name, ())) for name in exact} for doc in documents]
    if text and documents:
        joined = f" {DOCUMENT} ".join(f" {SEPARATOR} ".join(" ; ".join(doc.get(name, [])) for name in text) for doc in documents)
        analysed = f" {' '.join(_ANALYZER.analyze(joined))} "
        for document, columns in zip(out, analysed.split(DOCUMENT), strict=True):
            for name, column in zip(text, columns.split(SEPARATOR), strict=True):
                document[name] = column
    return out


@lru_cache(maxsize=8)
def _open(path: str, mtime_ns: int) -> Engine:
    """One engine per index version: a new build writes a new folder (its meta.json's time changes)."""
    index = _index(Path(path), create=False)
    return Engine(index, index.searcher(), index.schema)


def open_engine(directory: Path) -> Engine | None:
    """The engine of the generation in ``directory``, or None when it has none (an older layout)."""
    path = directory / ENGINE
    meta = path / "meta.json"
    if not meta.is_file():
        return None
    return _open(str(path), meta.stat().st_mtime_ns)

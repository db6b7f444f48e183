"""The full-text engine of the search: a Tantivy index in each store generation, written once by the build.

Tantivy (Rust) answers a top-k query with block-max WAND, so the cost of a page does not grow with the number of
facts that match a word; SQLite FTS5 scores every match (``ORDER BY bm25 LIMIT 10`` took 390-1050 ms on 1M
documents, Tantivy 4-12 ms, as measured for issue 15; benchmarks/ does not yet measure it). Each fact is one
document: its text columns (analysed: lower case, English stems) and its facets as exact tokens (its entities,
their broader entities, its kind, its study design, the measures of its values, the kind of its source, the types
of its entities).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import tantivy

ENGINE = "fulltext"
"""The folder of the Tantivy index, beside the SQLite file of catkg.queries.index."""

TEXT = ("statement", "quote", "names", "details")
"""Analysed columns: the fact's sentence, its quote, its entities' names, its values, study and citations."""
TOKENS = ("entities", "broader", "kind", "design", "measures", "source", "types")
"""Exact columns: ids and slugs, one token each."""
ANALYZER = "catkg"


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
        builder.add_text_field(name, stored=name in ("entities", "broader"), tokenizer_name="raw", index_option="freq")
    return builder.build()


def _index(path: Path, create: bool) -> tantivy.Index:
    if create:
        path.mkdir()
    index = tantivy.Index(schema(), str(path), reuse=not create)
    index.register_tokenizer(ANALYZER, analyzer())
    return index


def write(directory: Path, documents: Iterable[tuple[int, dict[str, list[str]]]]) -> None:
    """Write the index of ``documents`` (each its number and its columns' values) into ``directory``.

    One writer thread, so documents keep their numbers' order (ties in score then go by number) and the build's
    other core stays with Oxigraph; one segment at the end, so a search walks one posting list a term.
    """
    index = _index(directory / ENGINE, create=True)
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    for n, columns in documents:
        doc = tantivy.Document()
        doc.add_unsigned("n", n)
        for name, values in columns.items():
            for value in values:
                doc.add_text(name, value)
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()


@dataclass(frozen=True)
class Engine:
    """An open index: the searcher of one generation and the analyzer its questions are read with."""

    index: tantivy.Index
    searcher: tantivy.Searcher
    schema: tantivy.Schema

    def words(self, text: str) -> list[str]:
        """``text`` as the index's tokens."""
        return [token for token in _ANALYZER.analyze(text)]

    def term(self, field: str, value: str, boost: float = 1.0) -> tantivy.Query:
        query = tantivy.Query.term_query(self.schema, field, value)
        return query if boost == 1.0 else tantivy.Query.boost_query(query, boost)

    def phrase(self, field: str, words: list[str], boost: float = 1.0) -> tantivy.Query:
        query = (
            tantivy.Query.phrase_query(self.schema, field, words)
            if len(words) > 1
            else tantivy.Query.term_query(self.schema, field, words[0])
        )
        return query if boost == 1.0 else tantivy.Query.boost_query(query, boost)

    def count(self, field: str, value: str) -> int:
        """How many documents hold a token: a term's document frequency, read from the dictionary."""
        return self.searcher.doc_freq(field, value)

    @property
    def size(self) -> int:
        return self.searcher.num_docs

    def top(self, query: tantivy.Query, limit: int, *, count: bool = False) -> tuple[list[tuple[float, int]], int]:
        """The best ``limit`` documents for ``query`` as (score, number), and how many match when ``count``."""
        if limit <= 0 and not count:
            return [], 0
        found = self.searcher.search(query, limit=max(limit, 1), count=count)
        numbers = self.searcher.fast_field_values("n", [address for _, address in found.hits])
        hits = [(score, n) for (score, _), n in zip(found.hits, numbers, strict=True)][:limit] if limit > 0 else []
        return hits, (found.count or 0) if count else len(hits)

    def among(self, query: tantivy.Query, numbers: list[int]) -> dict[int, float]:
        """The score of ``query`` in each of the documents ``numbers`` that it matches."""
        if not numbers:
            return {}
        only = tantivy.Query.term_set_query(self.schema, "n", numbers)
        both = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, only)])
        found = self.searcher.search(both, limit=len(numbers), count=False)
        values = self.searcher.fast_field_values("n", [address for _, address in found.hits])
        return {n: score for (score, _), n in zip(found.hits, values, strict=True)}

    def stored(self, n: int) -> dict[str, list[str]]:
        """The stored columns of document ``n`` (for the tests that compare the index with the graph)."""
        found = self.searcher.search(tantivy.Query.term_query(self.schema, "n", n), limit=1, count=False)
        return self.searcher.doc(found.hits[0][1]).to_dict() if found.hits else {}


_ANALYZER = analyzer()


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

"""The serializations a query's result can be asked in: one table, by name, with the media type of each.

SELECT and ASK results ('results') are written in the SPARQL results formats, CONSTRUCT and DESCRIBE results
('graph') in the RDF formats. The worker (:mod:`catkg.store.worker`), the remote store, the CLI's ``query`` and the
endpoint all read this table, so a format is named in one place.

>>> FORMATS["csv"].media_type
'text/csv; charset=utf-8'
>>> RESULTS_FORMATS, GRAPH_FORMATS
(('json', 'xml', 'csv', 'tsv'), ('turtle', 'ntriples', 'nquads', 'jsonld', 'rdfxml'))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True)
class Format:
    """One serialization: its name, the results it serializes, its media type, and pyoxigraph's name for it."""

    name: str
    kind: Literal["results", "graph"]
    media_type: str
    pyoxigraph: str
    """The member of ``QueryResultsFormat`` (results) or ``RdfFormat`` (graph)."""
    label: str
    """Its name for a person (the editor's download links)."""

    def engine(self) -> Any:
        """pyoxigraph's format object (imported here, so reading the table needs no engine)."""
        from pyoxigraph import QueryResultsFormat, RdfFormat

        return getattr(QueryResultsFormat if self.kind == "results" else RdfFormat, self.pyoxigraph)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("json", "results", "application/sparql-results+json", "JSON", "JSON"),
        Format("xml", "results", "application/sparql-results+xml", "XML", "XML"),
        Format("csv", "results", "text/csv; charset=utf-8", "CSV", "CSV"),
        Format("tsv", "results", "text/tab-separated-values; charset=utf-8", "TSV", "TSV"),
        Format("turtle", "graph", "text/turtle; charset=utf-8", "TURTLE", "Turtle"),
        Format("ntriples", "graph", "application/n-triples", "N_TRIPLES", "N-Triples"),
        Format("nquads", "graph", "application/n-quads", "N_QUADS", "N-Quads"),
        Format("jsonld", "graph", "application/ld+json", "JSON_LD", "JSON-LD"),
        Format("rdfxml", "graph", "application/rdf+xml", "RDF_XML", "RDF/XML"),
    )
}
RESULTS_FORMATS = tuple(name for name, f in FORMATS.items() if f.kind == "results")
"""SPARQL results formats (SELECT, ASK), by name."""
GRAPH_FORMATS = tuple(name for name, f in FORMATS.items() if f.kind == "graph")
"""RDF formats (CONSTRUCT, DESCRIBE), by name."""


def kind_of(form: str | None) -> Literal["results", "graph"]:
    """Which formats serialize a result of this form: a query form (``screen``'s) or a result form (the worker's).

    >>> kind_of("describe"), kind_of("triples"), kind_of("select"), kind_of(None)
    ('graph', 'graph', 'results', 'results')
    """
    return "graph" if form in ("construct", "describe", "triples") else "results"


def media_types(kind: Literal["results", "graph"]) -> dict[str, str]:
    """Name -> media type of every format of one kind, in the table's order."""
    return {name: f.media_type for name, f in FORMATS.items() if f.kind == kind}


__all__ = ["FORMATS", "GRAPH_FORMATS", "RESULTS_FORMATS", "Format", "kind_of", "media_types"]

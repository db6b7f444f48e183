"""Turn validated curation into RDF quads (pyoxigraph terms), the shape ARCHITECTURE.md describes.

Types are materialized up the ontology's subclass hierarchy and ``skos:broader`` is closed into
``skos:broaderTransitive``, so plain SPARQL finds every fact of a kind and every entity under a broader one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import networkx as nx
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse
from rdflib import RDFS as _RDFS
from rdflib import URIRef

from catkg.ingest.load import Located
from catkg.ingest.models import Entity, Fact, Source, Value
from catkg.ingest.validate import Validated
from catkg.ontology import BASE, ENTITY, EVIDENCE, FACT, GRAPH, ONTOLOGY, SOURCE
from catkg.ontology.load import entity_types, fact_kinds, ontology_graph, ontology_path

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS = "http://www.w3.org/2004/02/skos/core#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
BIBO = "http://purl.org/ontology/bibo/"
VOID = "http://rdfs.org/ns/void#"

ONTOLOGY_GRAPH = NamedNode(GRAPH + "ontology")
DATA_GRAPH = NamedNode(GRAPH + "facts")
META_GRAPH = NamedNode(GRAPH + "meta")
INFERRED_GRAPH = NamedNode(GRAPH + "inferred")
"""What the reasoner inferred beyond the data graph (classes of entities, entailed subclass links)."""
DATASET = NamedNode(BASE + "dataset")

PREFIX_LEN = 32
"""Characters of context kept on each side of a quote (oa:prefix, oa:suffix)."""


def cat(name: str) -> NamedNode:
    return NamedNode(ONTOLOGY + name)


def fact_iri(fact_id: str) -> NamedNode:
    return NamedNode(FACT + fact_id)


def entity_iri(entity_id: str) -> NamedNode:
    return NamedNode(ENTITY + entity_id)


def source_iri(source_id: str) -> NamedNode:
    return NamedNode(SOURCE + source_id)


def evidence_iri(fact_id: str) -> NamedNode:
    return NamedNode(EVIDENCE + fact_id)


def text(value: str) -> Literal:
    return Literal(value)


def typed(value: object, datatype: str) -> Literal:
    return Literal(str(value), datatype=NamedNode(XSD + datatype))


def number(value: float | int) -> Literal:
    """An xsd:decimal written as the curator wrote it (2.0 stays 2.0, 6 stays 6)."""
    return typed(repr(value) if isinstance(value, float) else value, "decimal")


def superclasses(cls: URIRef) -> list[NamedNode]:
    """The class and all its ontology superclasses, as pyoxigraph terms."""
    return [NamedNode(str(c)) for c in ontology_graph().transitive_objects(cls, _RDFS.subClassOf)]


class _Writer:
    """Collects quads for one graph; skips None objects so optional fields need no if-statements."""

    def __init__(self, graph: NamedNode):
        self.graph = graph
        self.quads: list[Quad] = []

    def add(self, s: NamedNode, p: NamedNode | str, o: object) -> None:
        if o is None:
            return
        pred = p if isinstance(p, NamedNode) else NamedNode(p)
        obj = o if isinstance(o, (NamedNode, Literal)) else text(str(o))
        self.quads.append(Quad(s, pred, obj, self.graph))

    def types(self, s: NamedNode, cls: URIRef) -> None:
        for c in superclasses(cls):
            self.add(s, RDF_TYPE, c)


def _source(w: _Writer, item: Located[Source]) -> None:
    src, s = item.record, source_iri(item.record.id)
    w.types(s, URIRef(ONTOLOGY + ("Article" if src.kind == "article" else "CitedReference")))
    w.add(s, DCT + "identifier", src.id)
    w.add(s, DCT + "title", src.title)
    w.add(s, RDFS_LABEL, src.title)
    w.add(s, cat("sourceFile"), src.file)
    w.add(s, DCT + "issued", src.published)
    w.add(s, DCT + "date", typed(src.year, "gYear") if src.year else None)
    for author in src.authors:
        w.add(s, DCT + "creator", author)
    w.add(s, cat("authorsAsWritten"), "; ".join(src.authors) if src.authors else None)
    w.add(s, cat("journalTitle"), src.journal)
    w.add(s, BIBO + "volume", src.volume)
    w.add(s, BIBO + "pages", src.pages)
    w.add(s, cat("citationAsWritten"), src.citation)
    w.add(s, cat("studyDesign"), src.study_design)
    if src.kind == "reference" and src.cited_in:
        w.add(s, cat("listPosition"), typed(src.position, "positiveInteger"))
        w.add(s, DCT + "isReferencedBy", source_iri(src.cited_in))
        w.add(source_iri(src.cited_in), DCT + "references", s)


def _entity(w: _Writer, ent: Entity, broader_closure: set[str]) -> None:
    e = entity_iri(ent.id)
    w.types(e, entity_types()[ent.type])
    w.add(e, DCT + "identifier", ent.id)
    w.add(e, RDFS_LABEL, ent.label)
    w.add(e, SKOS + "prefLabel", ent.label)
    w.add(e, SKOS + "definition", ent.definition)
    for name in ent.synonyms:
        w.add(e, SKOS + "altLabel", name)
    for name in ent.abbreviations:
        w.add(e, cat("abbreviation"), name)
        w.add(e, SKOS + "altLabel", name)
    for broader in ent.broader:
        w.add(e, SKOS + "broader", entity_iri(broader))
        w.add(entity_iri(broader), SKOS + "narrower", e)
    for broader in sorted(broader_closure):
        w.add(e, SKOS + "broaderTransitive", entity_iri(broader))
    for xref in ent.xrefs:
        w.add(e, SKOS + "exactMatch", xref.id)


def _value(w: _Writer, fact_id: str, index: int, value: Value) -> NamedNode:
    m = NamedNode(f"{FACT}{fact_id}/value/{index + 1}")
    w.add(m, RDF_TYPE, cat("Measurement"))
    w.add(m, cat("valueIndex"), typed(index + 1, "positiveInteger"))
    w.add(m, cat("value"), number(value.value))
    w.add(m, cat("upperValue"), number(value.upper) if value.upper is not None else None)
    w.add(m, cat("asWritten"), value.as_written)
    w.add(m, cat("unit"), value.unit)
    w.add(m, cat("measure"), value.measure)
    w.add(m, cat("comparator"), value.comparator)
    w.add(m, cat("cohortSize"), typed(value.cohort_size, "integer") if value.cohort_size else None)
    w.add(m, cat("timePoint"), value.time_point)
    w.add(m, cat("population"), value.population)
    w.add(m, cat("interval"), value.interval)
    w.add(m, cat("pValue"), value.p_value)
    return m


def _fact(w: _Writer, fact: Fact, v: Validated) -> None:
    f, ev, span = fact_iri(fact.id), evidence_iri(fact.id), v.spans[fact.id]
    source_text = v.texts[span.source]
    w.types(f, fact_kinds()[fact.kind])
    w.add(f, DCT + "identifier", fact.id)
    w.add(f, cat("statement"), fact.statement)
    w.add(f, RDFS_LABEL, fact.statement)
    w.add(f, cat("hasSubject"), entity_iri(fact.subject))
    w.add(f, cat("predicateLabel"), fact.predicate)
    w.add(f, cat("hasObject"), entity_iri(fact.object))
    w.add(f, cat("studyDesign"), fact.study_design)
    w.add(f, cat("direction"), fact.direction)
    w.add(f, cat("population"), fact.population)
    w.add(f, cat("comparedWith"), fact.compared_with)
    w.add(f, PROV + "wasDerivedFrom", source_iri(fact.source))
    for index, value in enumerate(fact.values):
        w.add(f, cat("hasMeasurement"), _value(w, fact.id, index, value))
    w.add(f, cat("hasEvidence"), ev)
    w.types(ev, URIRef(ONTOLOGY + "Evidence"))
    w.add(ev, OA + "hasSource", source_iri(span.source))
    quote_sel, position_sel = NamedNode(str(ev.value) + "#quote"), NamedNode(str(ev.value) + "#position")
    w.add(ev, OA + "hasSelector", quote_sel)
    w.add(quote_sel, RDF_TYPE, NamedNode(OA + "TextQuoteSelector"))
    w.add(quote_sel, OA + "exact", fact.quote)
    w.add(quote_sel, OA + "prefix", source_text[max(0, span.start - PREFIX_LEN) : span.start])
    w.add(quote_sel, OA + "suffix", source_text[span.end : span.end + PREFIX_LEN])
    w.add(ev, OA + "hasSelector", position_sel)
    w.add(position_sel, RDF_TYPE, NamedNode(OA + "TextPositionSelector"))
    w.add(position_sel, OA + "start", typed(span.start, "nonNegativeInteger"))
    w.add(position_sel, OA + "end", typed(span.end, "nonNegativeInteger"))
    w.add(ev, cat("occurrence"), typed(fact.occurrence, "positiveInteger") if fact.occurrence else None)
    for marker in fact.citations:
        w.add(ev, cat("citationMarker"), marker)
    w.add(ev, cat("attributedTo"), fact.attributed_to)
    for ref in fact.cites:
        w.add(ev, cat("citesReference"), source_iri(ref))
        w.add(f, PROV + "wasDerivedFrom", source_iri(ref))


def broader_closure(entities: list[Entity]) -> dict[str, set[str]]:
    """Every entity's broader entities, transitively (the hierarchy is a DAG: validation refused cycles)."""
    graph = nx.DiGraph((e.id, b) for e in entities for b in e.broader)
    return {e.id: nx.descendants(graph, e.id) if e.id in graph else set() for e in entities}


def data_quads(v: Validated) -> list[Quad]:
    """Facts, entities and sources, in the data graph."""
    w = _Writer(DATA_GRAPH)
    for item in v.curation.sources:
        _source(w, item)
    entities = [e.record for e in v.curation.entities]
    closure = broader_closure(entities)
    for ent in entities:
        _entity(w, ent, closure[ent.id])
    for item in v.curation.facts:
        _fact(w, item.record, v)
    return w.quads


def ontology_quads() -> Iterator[Quad]:
    """The ontology, in its own graph."""
    for triple in parse(path=ontology_path(), format=RdfFormat.TURTLE):
        yield Quad(triple.subject, triple.predicate, triple.object, ONTOLOGY_GRAPH)


def meta_quads(version: str, built: datetime, counts: dict[str, int]) -> list[Quad]:
    """What was built and when: the dataset's version and build time, for /api/stats and VoID."""
    w = _Writer(META_GRAPH)
    w.add(DATASET, RDF_TYPE, NamedNode(VOID + "Dataset"))
    w.add(DATASET, DCT + "title", "catkg: Cancer-Associated Thrombosis Knowledge Graph")
    w.add(DATASET, NamedNode("http://www.w3.org/2002/07/owl#versionInfo"), version)
    w.add(DATASET, DCT + "modified", typed(built.isoformat(timespec="seconds"), "dateTime"))
    w.add(DATASET, VOID + "triples", typed(counts["triples"], "integer"))
    return w.quads

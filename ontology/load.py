"""Read the ontology file and answer what curators may name in YAML: fact kinds and entity types."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from catkg.ontology import ONTOLOGY

CAT = Namespace(ONTOLOGY)


def ontology_path() -> str:
    return str(files("catkg.ontology") / "catkg.ttl")


@cache
def ontology_graph() -> Graph:
    """The ontology as an rdflib graph, parsed once per process."""
    graph = Graph()
    graph.parse(ontology_path(), format="turtle")
    return graph


def _slugs_under(root: URIRef) -> dict[str, URIRef]:
    graph = ontology_graph()
    return {str(slug): cls for cls in graph.transitive_subjects(RDFS.subClassOf, root) for slug in graph.objects(cls, CAT.slug)}


@cache
def fact_kinds() -> dict[str, URIRef]:
    """Fact kind slugs (``risk-factor``) to their classes (``cat:RiskFactor``)."""
    return _slugs_under(CAT.Fact)


@cache
def entity_types() -> dict[str, URIRef]:
    """Entity type slugs (``drug-class``) to their classes (``cat:DrugClass``)."""
    return _slugs_under(CAT.Entity)


def label(term: URIRef) -> str:
    """The English label of an ontology term."""
    return str(ontology_graph().value(term, RDFS.label) or term.split("#")[-1])


def _slugs_of(cls: URIRef) -> dict[str, URIRef]:
    """Slugs of the named individuals of ``cls`` (a controlled list of the ontology) to their IRIs."""
    graph = ontology_graph()
    return {str(slug): term for term in graph.subjects(RDF.type, cls) for slug in graph.objects(term, CAT.slug)}


@cache
def evidence_levels() -> dict[str, URIRef]:
    """Evidence level slugs (``title-only``) to their individuals (``cat:TitleOnly``)."""
    return _slugs_of(CAT.EvidenceLevel)


@cache
def qualifiers() -> dict[str, URIRef]:
    """Qualifier slugs (``elevated``, ``type-of``) to their individuals."""
    return _slugs_of(CAT.Qualifier)


@cache
def source_note_kinds() -> dict[str, URIRef]:
    """Source note kind slugs (``likely-typo``) to their individuals."""
    return _slugs_of(CAT.SourceNoteKind)

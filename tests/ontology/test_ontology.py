"""The ontology parses, and every class curators can name has a unique slug and a label."""

from __future__ import annotations

from collections import Counter

from rdflib import OWL, RDF, RDFS, URIRef

from catkg.ontology import ONTOLOGY
from catkg.ontology.load import CAT, entity_types, fact_kinds, ontology_graph


def test_every_class_and_property_is_labelled() -> None:
    graph = ontology_graph()
    terms = [
        t
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
        for t in graph.subjects(RDF.type, kind)
        if str(t).startswith(ONTOLOGY)
    ]
    assert len(terms) > 40
    assert [t for t in terms if graph.value(t, RDFS.label) is None] == []


def test_slugs_are_unique() -> None:
    slugs = Counter(str(s) for s in ontology_graph().objects(None, CAT.slug))
    assert [s for s, n in slugs.items() if n > 1] == []


def test_kinds_and_types_named_by_the_architecture() -> None:
    for kind in (
        "risk-factor",
        "relative-risk",
        "incidence",
        "prevalence",
        "survival",
        "mortality",
        "drug-effect",
        "case-outcome",
        "diagnostic",
        "guideline-recommendation",
        "mechanism",
        "timing",
        "epidemiology",
        "unclear-association",
    ):
        assert kind in fact_kinds()
    for entity_type in (
        "disease",
        "complication",
        "drug",
        "drug-class",
        "gene-alteration",
        "biomarker",
        "procedure",
        "clinical-finding",
        "population",
    ):
        assert entity_type in entity_types()
    assert fact_kinds()["incidence"] == URIRef(ONTOLOGY + "Incidence")


def test_standard_vocabularies_are_reused() -> None:
    graph = ontology_graph()
    assert (CAT.Evidence, RDFS.subClassOf, URIRef("http://www.w3.org/ns/oa#SpecificResource")) in graph
    assert (CAT.Fact, RDFS.subClassOf, URIRef("http://www.w3.org/ns/prov#Entity")) in graph
    assert (CAT.abbreviation, RDFS.subPropertyOf, URIRef("http://www.w3.org/2004/02/skos/core#altLabel")) in graph

"""The ontology is documented and aligned: definitions everywhere, a version and a license, standard vocabularies
reused, and every Biolink category and predicate it names present in the biolink-model package's schema."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, URIRef
from rdflib.namespace import SKOS

from catkg.ontology import ONTOLOGY, biolink
from catkg.ontology.load import CAT, entity_types, fact_kinds, ontology_graph

DCT = "http://purl.org/dc/terms/"


def own_terms() -> list[URIRef]:
    graph = ontology_graph()
    return sorted(
        t
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
        for t in graph.subjects(RDF.type, kind)
        if str(t).startswith(ONTOLOGY)
    )


@pytest.mark.parametrize("term", own_terms(), ids=lambda t: t.removeprefix(ONTOLOGY))
def test_every_term_has_a_label_and_a_definition(term: URIRef) -> None:
    graph = ontology_graph()
    assert graph.value(term, RDFS.label) is not None
    assert (graph.value(term, RDFS.comment) or graph.value(term, SKOS.definition)) is not None


def test_version_iri_and_license() -> None:
    graph = ontology_graph()
    ontology = URIRef(ONTOLOGY.rstrip("#"))
    assert (ontology, RDF.type, OWL.Ontology) in graph
    version = str(graph.value(ontology, OWL.versionInfo))
    assert str(graph.value(ontology, OWL.versionIRI)).endswith("/" + version)
    assert graph.value(ontology, URIRef(DCT + "license")) is not None


def test_standard_vocabularies_are_aligned() -> None:
    graph = ontology_graph()
    assert (CAT.Entity, RDFS.subClassOf, SKOS.Concept) in graph
    assert (SKOS.broaderTransitive, RDF.type, OWL.TransitiveProperty) in graph
    assert (CAT.Source, RDFS.subClassOf, URIRef("http://www.w3.org/ns/prov#Entity")) in graph


def test_every_entity_type_has_a_biolink_category_and_every_kind_a_predicate() -> None:
    categories, predicates = biolink.categories_of_classes(), biolink.predicates_of_kinds()
    assert [t for t, cls in entity_types().items() if cls not in categories] == []
    assert [k for k, cls in fact_kinds().items() if cls not in predicates] == []


def test_biolink_names_exist_in_the_biolink_model_package() -> None:
    assert biolink.unknown_names() == []
    used = set(biolink.categories_of_classes().values()) | set(biolink.predicates_of_kinds().values())
    assert used <= biolink.categories() | biolink.categories("association") | biolink.predicates()


def test_the_biolink_check_knows_a_made_up_name() -> None:
    """The check reads the package's schema: real names are in it, invented ones and mixins are not."""
    assert {"biolink:Disease", "biolink:Drug", "biolink:Procedure"} <= biolink.categories()
    assert "biolink:related_to" in biolink.predicates()
    assert "biolink:Medication" not in biolink.categories()
    assert "biolink:cures" not in biolink.predicates()
    assert "biolink:treats" not in biolink.predicates(), "a mixin is not a predicate an edge may take"
    assert "biolink:Association" not in biolink.categories(), "an association is not a node category"

"""The reasoner (HermiT through owlready2) on the curated entities: what it infers, and whom it blames."""

from __future__ import annotations

from functools import cache

import networkx as nx
import pytest
from pyoxigraph import RdfFormat, serialize
from rdflib import OWL, RDF, URIRef

from catkg.ingest.to_rdf import data_quads
from catkg.ingest.validate import load_and_validate
from catkg.ontology import ENTITY, ONTOLOGY
from catkg.ontology.load import CAT, ontology_graph
from catkg.ontology.reason import Reasoning, ReasoningError, anchored_classes, reason

TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
BROADER = "http://www.w3.org/2004/02/skos/core#broaderTransitive"


@cache
def curated_typing() -> str:
    """The curated entities' types and broader entities, as the build hands them to the reasoner."""
    quads = data_quads(load_and_validate())
    typing = [q.triple for q in quads if q.predicate.value in (TYPE, BROADER) and q.subject.value.startswith(ENTITY)]
    return serialize(typing, format=RdfFormat.N_TRIPLES).decode()


@cache
def curated_reasoning() -> Reasoning:
    return reason(curated_typing())


def classes_of(entity: str) -> set[str]:
    """The classes inferred for an entity, as local names (EGFRTKI)."""
    return {o.removeprefix(ONTOLOGY) for s, o in curated_reasoning().types if s == ENTITY + entity}


def triple(entity: str, predicate: str, obj: str) -> str:
    return f"<{ENTITY}{entity}> <{predicate}> <{obj}> .\n"


@pytest.mark.parametrize(
    "entity,expected",
    [
        ("osimertinib", {"EGFRTKI", "TargetedTherapy", "DrugOrDrugClass"}),
        ("erlotinib", {"EGFRTKI", "TargetedTherapy"}),
        ("egfr-tki", {"EGFRTKI", "TargetedTherapy", "DrugOrDrugClass"}),
        ("crizotinib", {"ALKTKI", "TargetedTherapy"}),
        ("lmwh", {"LMWH", "Anticoagulant"}),
        ("lung-adenocarcinoma", {"LungAdenocarcinoma", "NSCLC", "LungCancer"}),
        ("mucinous-adenocarcinoma", {"LungAdenocarcinoma", "NSCLC", "LungCancer"}),
        ("acute-pe", {"PulmonaryEmbolism", "VenousThromboembolism"}),
        ("deep-vein-thrombosis", {"DeepVeinThrombosis", "VenousThromboembolism"}),
        ("paraneoplastic-dic", {"DIC"}),
        ("eml4-alk", {"DriverMutation"}),
    ],
)
def test_reasoner_infers_classes_from_the_hierarchy(entity: str, expected: set[str]) -> None:
    assert expected <= classes_of(entity)


def test_what_is_not_under_an_anchor_is_not_inferred() -> None:
    assert not {"EGFRTKI", "TargetedTherapy"} & classes_of("cisplatin")
    assert "SmallCellLungCancer" not in classes_of("nsclc")
    assert "NSCLC" not in classes_of("small-cell-lung-cancer")
    # an intervention placed under a drug class is about it, not one: prophylactic anticoagulation is a treatment
    assert "Anticoagulant" not in classes_of("prophylactic-anticoagulation")
    assert "Intervention" in classes_of("prophylactic-anticoagulation")


def test_inferred_triples_are_new_and_counted() -> None:
    reasoning = curated_reasoning()
    stated = set(curated_typing().splitlines())
    assert reasoning.types and reasoning.subclasses
    assert not {f"<{s}> <{TYPE}> <{o}> ." for s, o in reasoning.types} & stated
    assert len(reasoning.triples()) == len(reasoning.types) + len(reasoning.subclasses)
    assert (ONTOLOGY + "LungAdenocarcinoma", ONTOLOGY + "Disease") in reasoning.subclasses  # entailed, not written
    assert (ONTOLOGY + "Drug", ONTOLOGY + "DrugOrDrugClass") in reasoning.subclasses  # from the union
    assert reasoning.seconds > 0


def test_a_drug_typed_as_a_disease_is_named() -> None:
    data = curated_typing() + triple("osimertinib", TYPE, ONTOLOGY + "Disease")
    with pytest.raises(ReasoningError) as caught:
        reason(data)
    assert list(caught.value.entities) == ["osimertinib"]
    message = str(caught.value)
    assert "inconsistent" in message and "'osimertinib'" in message
    assert "cat:Disease and cat:Drug are disjoint" in message


def test_a_drug_placed_under_a_cancer_is_named_with_the_reason() -> None:
    data = (
        curated_typing()
        + triple("new-drug", TYPE, ONTOLOGY + "Drug")
        + triple("new-drug", TYPE, ONTOLOGY + "Entity")
        + triple("new-drug", BROADER, ENTITY + "lung-cancer")
        + triple("mixed-cancer", TYPE, ONTOLOGY + "Cancer")
        + triple("mixed-cancer", BROADER, ENTITY + "nsclc")
        + triple("mixed-cancer", BROADER, ENTITY + "small-cell-lung-cancer")
    )
    with pytest.raises(ReasoningError) as caught:
        reason(data)
    why = caught.value.entities
    assert set(why) == {"new-drug", "mixed-cancer"}, "every entity to blame, and only those"
    assert "under 'lung-cancer'" in why["new-drug"] and "cat:Disease" in why["new-drug"]
    assert "cat:NSCLC and cat:SmallCellLungCancer are disjoint" in why["mixed-cancer"]


def test_an_intervention_may_sit_under_a_disease() -> None:
    data = (
        curated_typing()
        + triple("lung-cancer-surgery", TYPE, ONTOLOGY + "Procedure")
        + triple("lung-cancer-surgery", BROADER, ENTITY + "lung-cancer")
    )
    assert "LungCancer" not in {o.removeprefix(ONTOLOGY) for s, o in reason(data).types if s == ENTITY + "lung-cancer-surgery"}


def test_anchors_are_curated_entities_and_match_the_definitions() -> None:
    graph = ontology_graph()
    entities = {item.record.id for item in load_and_validate().curation.entities}
    anchors = anchored_classes()
    assert len(anchors) >= 12
    for entity, cls in anchors.items():
        assert entity.removeprefix(ENTITY) in entities, f"{cls}: anchor {entity} is not a curated entity"
        reachable, todo = set(), list(graph.objects(cls, OWL.equivalentClass))
        while todo:
            node = todo.pop()
            if node not in reachable and not isinstance(node, URIRef):
                reachable.add(node)
                todo += list(graph.objects(node, None))
        assert any(
            graph.value(r, OWL.onProperty) == CAT.atOrUnder and graph.value(r, OWL.hasValue) == URIRef(entity) for r in reachable
        ), f"{cls}: its definition does not use its anchor {entity}"


def test_the_classes_the_issue_names_exist() -> None:
    graph = ontology_graph()
    for name in (
        "LungCancer",
        "NSCLC",
        "LungAdenocarcinoma",
        "VenousThromboembolism",
        "PulmonaryEmbolism",
        "DeepVeinThrombosis",
        "DIC",
        "TargetedTherapy",
        "EGFRTKI",
        "Anticoagulant",
        "LMWH",
        "DOAC",
    ):
        assert (URIRef(ONTOLOGY + name), RDF.type, OWL.Class) in graph, name


def test_the_curated_hierarchy_is_a_dag() -> None:
    entities = [item.record for item in load_and_validate().curation.entities]
    graph = nx.DiGraph((e.id, b) for e in entities for b in e.broader)
    assert nx.is_directed_acyclic_graph(graph)
    assert nx.has_path(graph, "osimertinib", "targeted-therapy")


def each_alone(self) -> dict[str, list[str]]:
    """Every entity its own group: HermiT then reasons over all of them, as without grouping."""
    return {entity: [entity] for entity in sorted(self.types)}


def test_reasoning_over_one_entity_of_each_kind_infers_what_reasoning_over_all_does(monkeypatch) -> None:
    from catkg.ontology.reason import _Input

    grouped = curated_reasoning()
    assert len(_Input.parse(curated_typing()).groups()) < len(load_and_validate().curation.entities)
    monkeypatch.setattr(_Input, "groups", each_alone)
    alone = reason(curated_typing())
    assert (grouped.types, grouped.subclasses) == (alone.types, alone.subclasses)
    assert len(grouped.types) > 100


def test_every_entity_of_a_group_that_contradicts_the_ontology_is_named() -> None:
    """Two drugs placed alike under a cancer are reasoned over as one, and both are blamed."""
    data = curated_typing()
    for drug in ("new-drug", "other-drug"):
        data += (
            triple(drug, TYPE, ONTOLOGY + "Drug")
            + triple(drug, TYPE, ONTOLOGY + "Entity")
            + triple(drug, BROADER, ENTITY + "lung-cancer")
        )
    with pytest.raises(ReasoningError) as caught:
        reason(data)
    assert set(caught.value.entities) == {"new-drug", "other-drug"}
    assert all("under 'lung-cancer'" in why for why in caught.value.entities.values())

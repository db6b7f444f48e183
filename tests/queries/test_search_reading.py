"""The search reads questions through the ontology's vocabulary, folds near-duplicates and filters in the engine."""

from __future__ import annotations

from typing import get_args

import pytest

from catkg.ingest.models import Measure, StudyDesign
from catkg.ingest.validate import load_and_validate
from catkg.ontology.load import entity_types, fact_kinds
from catkg.ontology.search_terms import search_terms, undeclared
from catkg.queries.facts import fact_ids, facts_by_id
from catkg.queries.search import search

CURATION = load_and_validate().curation
ENTITIES = {e.record.id for e in CURATION.entities}


def test_every_subject_of_the_vocabulary_is_a_term_it_can_read() -> None:
    assert undeclared() == []


def test_the_vocabulary_names_only_values_the_curation_can_hold() -> None:
    terms = {t for found in search_terms().values() for t in found}
    allowed = {
        "kind": set(fact_kinds()),
        "measure": set(get_args(Measure)) | {"any"},
        "design": set(get_args(StudyDesign)),
        "source": {"reference", "attributed"},
        "type": set(entity_types()),
        "entity": ENTITIES,
    }
    wrong = sorted(f"{t.facet}:{t.value}" for t in terms if t.value not in allowed[t.facet])
    assert wrong == []
    assert {t.value for t in terms if t.facet == "kind"} == set(fact_kinds()), "every fact kind has search words"


@pytest.mark.parametrize(
    ("question", "facet", "value"),
    [
        ("List every numeric threshold for PE", "measures", "threshold"),
        ("what are the cut-off values", "measures", "threshold"),
        ("cited case reports of DIC", "designs", "case-report"),
        ("cited case reports of DIC", "sources", "reference"),
        ("mechanisms of thrombosis after surgery", "kinds", "mechanism"),
        ("in-hospital deaths with PE", "kinds", "mortality"),
        ("which targeted drugs resolved DIC", "entities", "targeted-therapy"),
    ],
)
def test_question_words_are_read_as_what_they_name(store, question: str, facet: str, value: str) -> None:
    assert value in search(store, question, limit=1).interpreted[facet]


def test_a_removed_reading_leaves_its_words_as_words(store) -> None:
    read = search(store, "mechanisms of thrombosis", limit=5)
    assert "mechanism" in read.interpreted["kinds"] and "thrombosis" in read.interpreted["entities"]
    without = search(store, "mechanisms of thrombosis", limit=5, exclude=["kind:mechanism"])
    assert without.interpreted["kinds"] == [] and "mechanisms" in without.interpreted["words"]
    assert without.interpreted["excluded"] == ["kind:mechanism"]
    gone = search(store, "mechanisms of thrombosis", limit=5, exclude=["entity:thrombosis"])
    assert "thrombosis" not in gone.interpreted["entities"] and "thrombosis" in gone.interpreted["words"]


@pytest.mark.parametrize("question", ["chemotherapy and thrombosis", "Trousseau syndrome case reports", "PE", "DIC"])
def test_folded_facts_share_the_triple_or_the_sentence_of_their_result(store, question: str) -> None:
    page = search(store, question, limit=50)
    folded = [(item, f) for item in page.items for f in item["folded"]]
    for item, f in folded:
        (other,) = facts_by_id(store, [f["id"]])
        same_triple = (item["subject"]["id"], item["predicate"].lower(), item["object"]["id"]) == (
            other["subject"]["id"],
            other["predicate"].lower(),
            other["object"]["id"],
        )
        same_sentence = (item["evidence"]["source"]["id"], item["evidence"]["start"]) == (
            other["evidence"]["source"]["id"],
            other["evidence"]["start"],
        )
        assert same_triple or same_sentence, (item["id"], f)
        assert f["why"] == ("same subject, predicate and object" if same_triple else "same sentence")
        assert item["more"] == len(item["folded"])
    shown = [i for item in page.items for i in [item["id"], *(f["id"] for f in item["folded"])]]
    assert len(shown) == len(set(shown)), "a fact is shown once"


def test_chemotherapy_agents_in_one_sentence_fold_under_one_result(store) -> None:
    """The review names four agents (and what they do) in one sentence: one result, the rest "+N more"."""
    page = search(store, "which chemotherapy agents promote thrombosis", limit=10)
    agents = {
        "cisplatin-promotes-thrombosis",
        "carboplatin-promotes-thrombosis",
        "gemcitabine-promotes-thrombosis",
        "paclitaxel-promotes-thrombosis",
    }
    holders = [item for item in page.items if agents & {item["id"], *(f["id"] for f in item["folded"])}]
    assert len(holders) == 1 and agents <= {holders[0]["id"], *(f["id"] for f in holders[0]["folded"])}


def shown(page) -> set[str]:
    return {i for item in page.items for i in [item["id"], *(f["id"] for f in item["folded"])]}


QUESTION = "lung cancer thrombosis pulmonary embolism"


@pytest.mark.parametrize("kind", ["diagnostic", "risk-factor", "case-outcome", "mechanism"])
def test_kind_filter_in_the_engine_keeps_exactly_the_graph_s_facts_of_that_kind(store, kind: str) -> None:
    """With a page large enough for every match, results and folded facts are all the matches, once each."""
    everything = shown(search(store, QUESTION, limit=1000))
    kept = shown(search(store, QUESTION, limit=1000, kind=kind))
    assert kept and kept == everything & set(fact_ids(store, kind=kind))


@pytest.mark.parametrize("entity_type", sorted(entity_types()))
def test_type_filter_in_the_engine_matches_the_graph(store, entity_type: str) -> None:
    """The engine holds each fact's entity types with the types above them, as the graph materializes them."""
    everything = shown(search(store, QUESTION, limit=1000))
    kept = shown(search(store, QUESTION, limit=1000, type=entity_type))
    assert kept == everything & set(fact_ids(store, type=entity_type))

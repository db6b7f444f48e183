"""The data graph as N-Triples text: literals escaped right, and chunks that hold every triple of their facts."""

from __future__ import annotations

from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import Literal, RdfFormat, parse

from catkg.ingest.claims import group_claims
from catkg.ingest.to_rdf import CHUNK, CLAIMS, FACTS, RECORDS, data_ntriples, entity_typing, literal
from catkg.ingest.validate import Validated, load_and_validate
from catkg.ontology import CLAIM, ENTITY, EVIDENCE, FACT

# Every character a curated string can hold: YAML and UTF-8 allow no lone surrogates.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_a_literal_reads_back_as_the_same_string(value: str) -> None:
    line = f"<urn:s> <urn:p> {literal(value)} .\n"
    [triple] = parse(line.encode(), format=RdfFormat.N_TRIPLES)
    assert triple.object == Literal(value)


@cache
def curated() -> Validated:
    return load_and_validate()


def test_records_come_first_then_chunks_of_facts_then_claims() -> None:
    parts = list(data_ntriples(curated()))
    facts = -(-len(curated().curation.facts) // CHUNK)
    claims = -(-len(group_claims(f.record for f in curated().curation.facts)) // CHUNK)
    assert [section for section, _ in parts] == [RECORDS] + [FACTS] * facts + [CLAIMS] * claims


def test_every_triple_about_a_fact_is_in_its_own_chunk(monkeypatch) -> None:
    """What checking the shapes chunk by chunk relies on (ontology/shacl.py): a fact's nodes (itself, its
    measurements, evidence and selectors) have all their triples in one chunk, and no record's triple is there."""
    monkeypatch.setattr("catkg.ingest.to_rdf.CHUNK", 7)
    parts = list(data_ntriples(curated()))
    assert len(parts) > 10
    owner: dict[str, int] = {}
    for number, (section, text) in enumerate(parts):
        for triple in parse(text.encode(), format=RdfFormat.N_TRIPLES):
            subject = triple.subject.value
            if section in (RECORDS, CLAIMS):
                assert not subject.startswith((FACT, EVIDENCE)), subject
                assert section == RECORDS or subject.startswith(CLAIM), subject
                continue
            assert subject.startswith((FACT, EVIDENCE)), subject
            fact = subject.removeprefix(FACT).removeprefix(EVIDENCE).split("/")[0].split("#")[0]
            assert owner.setdefault(fact, number) == number, f"{fact} spans chunks {owner[fact]} and {number}"
    assert set(owner) == {item.record.id for item in curated().curation.facts}


def test_the_reasoner_gets_each_entitys_types_and_broader_entities() -> None:
    triples = list(parse(entity_typing(curated()).encode(), format=RdfFormat.N_TRIPLES))
    assert {t.subject.value for t in triples} == {ENTITY + e.record.id for e in curated().curation.entities}
    assert {t.predicate.value for t in triples} == {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        "http://www.w3.org/2004/02/skos/core#broaderTransitive",
    }
    osimertinib = {t.object.value for t in triples if t.subject.value == ENTITY + "osimertinib"}
    assert ENTITY + "egfr-tki" in osimertinib and "https://w3id.org/catkg/ontology#Drug" in osimertinib


def test_xrefs_are_skos_mappings_to_the_terms_iri() -> None:
    """Each xref is one SKOS mapping triple to the IRI its prefix expands to: exact by default, broad where the
    curator says the term is broader, related for a gene alteration's gene (ingest/vocabularies.yaml)."""
    skos = "http://www.w3.org/2004/02/skos/core#"
    records = next(text for section, text in data_ntriples(curated()) if section == RECORDS)
    mappings = {
        (t.subject.value.removeprefix(ENTITY), t.predicate.value.removeprefix(skos), t.object.value)
        for t in parse(records.encode(), format=RdfFormat.N_TRIPLES)
        if t.predicate.value in {skos + "exactMatch", skos + "broadMatch", skos + "relatedMatch"}
    }
    assert ("pulmonary-embolism", "exactMatch", "http://purl.obolibrary.org/obo/HP_0002204") in mappings
    assert ("incidental-pe", "broadMatch", "http://purl.obolibrary.org/obo/HP_0002204") in mappings
    assert ("egfr-mutation", "relatedMatch", "http://identifiers.org/ncbigene/1956") in mappings
    assert len(mappings) == sum(len(e.record.xrefs) for e in curated().curation.entities)

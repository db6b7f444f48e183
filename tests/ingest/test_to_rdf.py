"""The data graph as N-Triples text: literals escaped right, and chunks that hold every triple of their facts."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import Literal, RdfFormat, parse

from catkg.ingest.claims import group_claims
from catkg.ingest.to_rdf import CLAIMS, FACTS, RECORDS, data_ntriples, data_parts, entity_typing, literal
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


def test_records_come_first_then_runs_of_facts_then_claims() -> None:
    parts = data_parts(curated())
    sections = [part.section for part in parts]
    facts, claims = sections.count(FACTS), sections.count(CLAIMS)
    assert sections == [RECORDS] + [FACTS] * facts + [CLAIMS] * claims and facts and claims
    assert len({part.key for part in parts}) == len(parts)
    assert [s for s, _ in data_ntriples(curated())] == sections


def test_a_part_says_what_its_triples_are_about() -> None:
    """The subjects a part records are exactly those of its triples: what a later build removes it by."""
    for part in data_parts(curated()):
        made = part.render()
        assert set(made.subjects) == {f"<{t.subject.value}>" for t in parse(made.text.encode(), format=RdfFormat.N_TRIPLES)}
        assert len(made.subjects) == len(set(made.subjects))


def test_runs_are_cut_by_content_so_an_edit_changes_only_its_own_part(monkeypatch) -> None:
    """Removing a fact, or editing one, changes the key of the part that holds it and no other: a delta build
    then rewrites one part, where cutting every CHUNK facts would shift every part after it."""
    monkeypatch.setattr("catkg.ingest.to_rdf.CHUNK", 7)
    v = curated()
    before = [p.key for p in data_parts(v) if p.section == FACTS]
    assert len(before) > 10
    runs = [[f.id for f in run] for run in _fact_runs(v)]
    # Drop a fact that does not end its run (which would join two runs), of a claim without conflicts (whose other
    # facts' links do not name it).
    claims = group_claims(f.record for f in v.curation.facts)
    calm = {i for c in claims if not c.conflicted for i in c.facts}
    alone = next(i for run in runs[1:] for i in run[:-1] if i in calm)
    facts = [f for f in v.curation.facts if f.record.id != alone]
    fewer = replace(v, curation=replace(v.curation, facts=facts))
    after = [p.key for p in data_parts(fewer) if p.section == FACTS]
    assert len(set(before) - set(after)) == 1 and len(set(after) - set(before)) == 1
    # An edit of one statement: one part's key changes, the text of the others is the same.
    edited = [
        replace(f, record=f.record.model_copy(update={"statement": "edited"})) if f.record.id == alone else f
        for f in v.curation.facts
    ]
    changed = replace(v, curation=replace(v.curation, facts=edited))
    keys = [p.key for p in data_parts(changed) if p.section == FACTS]
    assert sum(a != b for a, b in zip(before, keys, strict=True)) == 1


def _fact_runs(v: Validated) -> list[list]:
    from catkg.ingest.to_rdf import _runs

    facts = [f.record for f in v.curation.facts]
    return [[facts[i] for i in run] for run in _runs([f.id for f in facts])]


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

"""SHACL shapes (pyshacl) on the curated graph: it conforms, and each kind of damage names its fact."""

from __future__ import annotations

from functools import cache

import pytest
from pyoxigraph import RdfFormat, Store, serialize

from catkg.ingest.to_rdf import DATA_GRAPH, data_quads
from catkg.ingest.validate import load_and_validate
from catkg.ontology.shacl import ShapeError, check_shapes

FACT = "yang-vte-incidence-after-surgery"
CAT = "https://w3id.org/catkg/ontology#"
OA = "http://www.w3.org/ns/oa#"


@cache
def stored() -> bytes:
    """The curated data graph as the store holds it (Oxigraph normalizes some literals), as N-Triples."""
    store = Store()
    store.bulk_extend(data_quads(load_and_validate()))
    return store.dump(format=RdfFormat.N_TRIPLES, from_graph=DATA_GRAPH)


def without(predicate: str, subject_part: str) -> bytes:
    """The graph less every triple whose subject contains ``subject_part`` and whose predicate is ``predicate``."""
    kept = [
        line
        for line in stored().split(b"\n")
        if not (f"<{predicate}>".encode() in line and subject_part.encode() in line.split(b" ", 1)[0])
    ]
    assert len(kept) < len(stored().split(b"\n")), f"nothing removed for {predicate} on {subject_part}"
    return b"\n".join(kept)


def violations(data: bytes) -> list[str]:
    with pytest.raises(ShapeError) as caught:
        check_shapes(data)
    return [str(v) for v in caught.value.violations]


def test_the_curated_graph_conforms() -> None:
    report = check_shapes(stored())
    assert report.focus_nodes > 1000


def test_a_fact_without_evidence_is_named() -> None:
    found = violations(without(CAT + "hasEvidence", f"/fact/{FACT}>"))
    assert found == [f"fact {FACT!r}: quote: a fact has exactly one evidence node (sh:MinCountConstraintComponent)"]


@pytest.mark.parametrize(
    "predicate,subject,field",
    [
        (OA + "exact", f"/evidence/{FACT}#quote>", "quote"),
        (OA + "start", f"/evidence/{FACT}#position>", "quote"),
        (OA + "hasSource", f"/evidence/{FACT}>", "source"),
        (CAT + "hasSubject", f"/fact/{FACT}>", "subject"),
        (CAT + "hasObject", f"/fact/{FACT}>", "object"),
        (CAT + "value", f"/fact/{FACT}/value/1>", "values[0].value"),
        (CAT + "unit", f"/fact/{FACT}/value/1>", "values[0].unit"),
    ],
    ids=["quote", "offsets", "source", "subject", "object", "value", "unit"],
)
def test_each_missing_part_names_the_fact_and_the_field(predicate: str, subject: str, field: str) -> None:
    found = violations(without(predicate, subject))
    assert found and all(v.startswith(f"fact {FACT!r}: {field}: ") for v in found), found


def test_a_fact_with_two_kinds_is_named() -> None:
    extra = f"<https://w3id.org/catkg/fact/{FACT}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{CAT}Mortality> .\n"
    found = violations(stored() + extra.encode())
    assert found == [
        f"fact {FACT!r}: kind: a fact has exactly one kind (one class directly under cat:Fact) "
        "(sh:QualifiedMaxCountConstraintComponent)"
    ]


def test_an_entity_without_a_label_is_named() -> None:
    found = violations(without("http://www.w3.org/2000/01/rdf-schema#label", "/entity/osimertinib>"))
    assert found == [
        "entity 'osimertinib': label: Less than 1 values on "
        "<https://w3id.org/catkg/entity/osimertinib>->rdfs:label (sh:MinCountConstraintComponent)"
    ]


def test_dimensionless_thresholds_need_no_unit() -> None:
    """The thresholds written without a unit (Wells score above two, RV/LV ratio above one) pass; a count does not."""
    measure = f'<{CAT}measure> "threshold"'.encode()
    assert measure in stored()
    check_shapes(stored())
    as_count = stored().replace(measure, f'<{CAT}measure> "count"'.encode())
    assert any("a measurement needs a unit" in v for v in violations(as_count))


def test_literals_as_written_and_as_stored_both_conform() -> None:
    """to_rdf writes xsd:nonNegativeInteger offsets; Oxigraph keeps them as xsd:integer."""
    written = serialize([q.triple for q in data_quads(load_and_validate())], format=RdfFormat.N_TRIPLES)
    assert b"XMLSchema#nonNegativeInteger" in written and b"XMLSchema#nonNegativeInteger" not in stored()
    check_shapes(written)


def test_a_fact_without_an_evidence_level_is_named() -> None:
    found = violations(without(CAT + "evidenceLevel", f"/fact/{FACT}>"))
    assert found == [
        f"fact {FACT!r}: evidence_level: a fact has exactly one evidence level (cat:EvidenceLevel) (sh:MinCountConstraintComponent)"
    ]


def test_a_source_note_without_a_kind_is_named() -> None:
    noted = "d-dimer-below-0-5-rules-out-pe"
    found = violations(without(CAT + "noteKind", f"/fact/{noted}/note>"))
    assert found and all(noted in v and "source_note.kind" in v for v in found), found


def test_a_claim_without_a_subject_is_named() -> None:
    found = violations(without(CAT + "claimSubject", "/claim/immunotherapy--risk-factor--pulmonary-embolism>"))
    assert found and all("immunotherapy--risk-factor--pulmonary-embolism" in v and "subject" in v for v in found), found

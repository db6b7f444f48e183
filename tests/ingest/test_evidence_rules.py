"""The evidence-quality rules, one test each: evidence levels, claims and their independent sources, conflicts,
source notes, qualifiers, durations and copies. The curated data is checked against each rule, and the rule is
checked on made-up facts that break it, so a rule that stopped biting would fail here."""

from __future__ import annotations

import re

import pytest

from catkg.ingest.claims import claims_by_fact, group_claims, marker_numbers, studies_of
from catkg.ingest.models import Fact, Value
from catkg.ingest.validate import duration_total, evidence_level_for, load_and_validate

VALIDATED = load_and_validate()
FACTS = {item.record.id: item.record for item in VALIDATED.curation.facts}
REFERENCES = {s.record.id: s.record for s in VALIDATED.curation.sources if s.record.kind == "reference"}
DESIGNS = {k: r.study_design for k, r in REFERENCES.items()}
CLAIMS = group_claims(FACTS.values())
CLAIM_OF = claims_by_fact(CLAIMS)


def fact(**fields: object) -> Fact:
    base = {
        "id": "made-up",
        "kind": "risk-factor",
        "statement": "A made-up fact for a rule.",
        "subject": "surgery",
        "predicate": "raises the risk of",
        "object": "pulmonary-embolism",
        "source": "lung-cancer-pe-review",
        "quote": "A made-up sentence.",
        "study_design": "review",
        "evidence_level": "review-statement",
        "direction": "supports",
    }
    return Fact(**{**base, **fields})


def level(f: Fact, location: str) -> tuple[str | None, list[str]]:
    got, wrong = evidence_level_for(f, location, DESIGNS)
    return got, [name for name, _ in wrong]


# ---------------------------------------------------------------- evidence levels


def test_every_curated_level_is_the_rules() -> None:
    for fact_id, f in FACTS.items():
        assert level(f, VALIDATED.locations[fact_id]) == (f.evidence_level, []), fact_id


def test_a_reference_title_is_title_only_with_the_references_design_and_a_population() -> None:
    titled = [f for f in FACTS.values() if f.cites]
    assert titled and all(f.evidence_level == "title-only" and f.population for f in titled)
    assert all(f.study_design == (DESIGNS[f.cites[0]] or "unspecified") for f in titled)
    made_up = fact(cites=["ref-kim-2018"], source="dic-targeted-therapy-2022", study_design="unspecified")
    assert level(made_up, "reference-list") == ("title-only", ["study_design", "population"])


def test_only_the_pooled_result_of_a_practice_point_is_pooled_analysis() -> None:
    """The issue: 'thrombocytopenia may indicate DIC' carried pooled-analysis; only the 69% came from the pool."""
    points = {i: f for i, f in FACTS.items() if VALIDATED.locations[i] == "practice-points"}
    pooled = {i for i, f in points.items() if f.study_design == "pooled-analysis"}
    assert pooled == {"dic-pp-targeted-therapy-one-year-survival"}
    assert points["dic-pp-thrombocytopenia-may-indicate-dic"].evidence_level == "authors-conclusion"
    assert points["dic-pp-test-actionable-biomarkers-despite-dic"].study_design == "unspecified"
    assert {f.evidence_level for f in points.values() if f.study_design == "case-report"} == {"primary-result"}
    assert level(fact(study_design="pooled-analysis"), "practice-points") == ("primary-result", ["study_design"])
    assert level(fact(study_design="review"), "practice-points") == ("authors-conclusion", ["study_design"])


def test_a_sentence_citing_a_study_is_the_studys_not_the_reviews() -> None:
    """The issue: chemotherapy 2–6 times [21] was 'review', stage III–IV 2.97 times [19] 'unspecified'."""
    chemo, stage = FACTS["chemotherapy-thrombosis-risk-2-6-times"], FACTS["stage-iii-iv-pe-risk-2-97-times"]
    assert (
        (chemo.study_design, chemo.evidence_level) == (stage.study_design, stage.evidence_level) == ("unspecified", "cited-study")
    )
    body = [f for i, f in FACTS.items() if VALIDATED.locations[i] == "body"]
    assert not [f.id for f in body if f.study_design == "review" and (f.citations or f.attributed_to)]
    assert level(fact(citations=["[21]"], quote="A made-up sentence [21]."), "body") == ("review-statement", ["study_design"])
    assert level(fact(study_design="unspecified", evidence_level="cited-study"), "body") == ("cited-study", ["study_design"])


def test_the_body_levels_follow_the_design() -> None:
    assert level(fact(study_design="retrospective-cohort"), "body") == ("primary-result", [])
    assert level(fact(study_design="guideline"), "body") == ("guideline", [])
    assert level(fact(study_design="unspecified", attributed_to="Research", quote="Research says."), "body")[0] == "cited-study"
    assert level(fact(), "body") == ("review-statement", [])
    assert level(fact(study_design="unspecified"), "abstract") == ("abstract", ["study_design"])
    assert level(fact(), None) == (None, ["quote"])


# ---------------------------------------------------------------- claims, independent sources, conflicts


@pytest.mark.parametrize(
    "claim_id,facts,studies",
    [
        (
            "lung-adenocarcinoma--risk-factor--pulmonary-embolism",
            3,
            ["lung-cancer-pe-review", "lung-cancer-pe-review [19]", "lung-cancer-pe-review [30]"],
        ),
        ("immunotherapy--risk-factor--pulmonary-embolism", 3, ["lung-cancer-pe-review", "lung-cancer-pe-review [17]"]),
        ("chemotherapy--risk-factor--pulmonary-embolism", 2, ["lung-cancer-pe-review", "lung-cancer-pe-review [17]"]),
        ("d-dimer.high--risk-factor--pulmonary-embolism", 2, ["lung-cancer-pe-review", "lung-cancer-pe-review [18]"]),
        # Cui et al. [8] is told in four sentences, three of them without the marker: one study, not four
        ("pulmonary-embolism--timing--malignancy", 6, ["lung-cancer-pe-review [7]", "lung-cancer-pe-review [8]"]),
        ("egfr-mutation--case-presentation--dic", 3, ["dic-targeted-therapy-2022", "ref-fujita-2021", "ref-kim-2018"]),
    ],
)
def test_independent_sources_count_studies_not_sentences(claim_id: str, facts: int, studies: list[str]) -> None:
    claim = next(c for c in CLAIMS if c.id == claim_id)
    assert (len(claim.facts), list(claim.studies), claim.independent_sources) == (facts, studies, len(studies))


def test_each_fact_is_evidence_for_one_claim_of_its_triple_and_qualifiers() -> None:
    assert sorted(CLAIM_OF) == sorted(FACTS)
    for fact_id, claim in CLAIM_OF.items():
        f = FACTS[fact_id]
        key = (f.subject, f.subject_qualifier, f.bears_on or f.kind, f.object, f.object_qualifier)
        assert key == (claim.subject, claim.subject_qualifier, claim.kind, claim.object, claim.object_qualifier)
        assert (fact_id in claim.supporting) == (f.direction == "supports")


def test_the_conflicts_are_the_reviews_own_contradictions() -> None:
    """The review lists immunotherapy (and anti-tumour therapy) among what raises PE risk [17], then calls the
    relation unclear: both are conflicts; nothing else in the curated data disagrees."""
    conflicted = {c.id: (set(c.supporting), set(c.disputing)) for c in CLAIMS if c.conflicted}
    assert conflicted == {
        "immunotherapy--risk-factor--pulmonary-embolism": (
            {"immunotherapy-increases-pe-risk-in-lung-cancer"},
            {"immunotherapy-pe-relationship-unclear", "immunotherapy-pe-data-scarce"},
        ),
        "anti-tumor-therapy--risk-factor--pulmonary-embolism": (
            {"anti-tumor-therapy-increases-pe-risk-in-lung-cancer", "lung-cancer-treatment-risks-worsening-pe"},
            {"anti-tumor-therapy-pe-causality-unexplored"},
        ),
    }


def test_marker_numbers_and_follow_on_sentences() -> None:
    assert marker_numbers("[21, 33]") == [21, 33] and marker_numbers("[27–29]") == [27, 28, 29]
    follow_on = FACTS["cui-pe-after-malignancy-47"]
    assert studies_of(follow_on, FACTS) == {"lung-cancer-pe-review [8]"}
    assert studies_of(fact(), FACTS) == {"lung-cancer-pe-review"}


# ---------------------------------------------------------------- source notes, qualifiers, durations, copies


@pytest.mark.parametrize(
    "fact_id,kind,words",
    [
        ("d-dimer-below-0-5-rules-out-pe", "likely-typo", "0.5 mg/L"),
        ("pe-prevalence-7-1-percent-lung-cancer-only-cohort", "internal-inconsistency", "control group"),
        ("cui-pe-prevalence-36-4-percent", "classification", "pulmonary artery sarcoma"),
        ("pleural-effusion-47-5-vs-26-percent", "denominator-unclear", "47.5% of 40"),
    ],
)
def test_the_named_source_anomalies_carry_a_note_and_keep_their_quote(fact_id: str, kind: str, words: str) -> None:
    f = FACTS[fact_id]
    assert f.source_note and f.source_note.kind == kind and words in f.source_note.note
    span = VALIDATED.spans[fact_id]
    assert VALIDATED.texts[f.source][span.start : span.end] == f.quote


def test_the_typo_is_kept_verbatim_in_the_quote() -> None:
    assert "0.5\u00a0mg/ml" in FACTS["d-dimer-below-0-5-rules-out-pe"].quote


@pytest.mark.parametrize(
    "fact_id,side,qualifier,entity",
    [
        ("troponin-suggests-rv-dysfunction", "subject", "elevated", "troponin"),
        ("surgery-risk-factor-postoperative-respiratory-failure", "subject", "type-of", "surgery"),
        ("post-pe-syndrome-features-quality-of-life", "object", "impaired", "quality-of-life"),
        ("dic-pp-case-dic-severe-thrombocytopenia", "object", "severe", "thrombocytopenia"),
    ],
)
def test_qualifiers_are_fields_not_entity_names(fact_id: str, side: str, qualifier: str, entity: str) -> None:
    f = FACTS[fact_id]
    assert (getattr(f, f"{side}_qualifier"), getattr(f, side)) == (qualifier, entity)
    assert qualifier.replace("-", " ") not in f.predicate
    named = next(e.record for e in VALIDATED.curation.entities if e.record.id == entity)
    assert not [n for n in [named.label, *named.synonyms] if qualifier.replace("-", " ") in n.lower()]


def test_a_duration_written_as_one_quantity_is_one_value() -> None:
    for fact_id in ("ref-masubuchi-2015-egfr-tki-controlled-trousseau", "ref-masubuchi-2015-chemotherapy-controlled-trousseau"):
        assert FACTS[fact_id].values == [
            Value(value=22, as_written="one year and 10 months", unit="months", measure="duration")
        ], fact_id
    assert duration_total("one year and 10 months", "years") == pytest.approx(22 / 12)
    assert duration_total("10 months", "months") is None


def test_no_fact_copies_another_facts_quote_and_values() -> None:
    """The issue's Yang et al. duplicate is gone; the validator refuses another (tests/ingest/test_validation.py)."""
    seen = {}
    for f in FACTS.values():
        if f.values:
            key = (f.source, f.quote, f.subject, f.object, tuple(f.values))
            assert key not in seen, (f.id, seen.get(key))
            seen[key] = f.id
    assert "yang-surgery-risk-factor-for-vte" not in FACTS


def test_reference_title_statements_do_not_read_as_rules() -> None:
    """A title states what one report is about: statements that generalise say where they come from."""
    for fact_id in ("ref-kuwahata-2016-d-dimer-monitoring-trousseau", "ref-kerrigan-2016-actionable-mutations-intensive-care"):
        assert re.search(r"\((title only)\)", FACTS[fact_id].statement), fact_id
    assert FACTS["ref-kerrigan-2016-actionable-mutations-intensive-care"].predicate.find("guides") == -1
    assert FACTS["ref-wu-2020-bone-marrow-metastasis-pancytopenia"].kind != "mechanism"

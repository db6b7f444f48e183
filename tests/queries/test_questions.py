"""A question answered by a variant query (``questions.STARTS_FROM``) gives the rows of the question's own query.

The variant is only a faster plan, so for every outcome and design it must answer exactly what the question's
own ``.rq`` answers: checked on the curated data and on a synthetic data set (``benchmarks/synth.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from catkg.queries.questions import STARTS_FROM, _plan, answer
from catkg.queries.run import run
from catkg.store.embedded import EmbeddedStore

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "quantified_risk_factors"
ENTITIES = (
    "SELECT DISTINCT ?id WHERE { ?e a <https://w3id.org/catkg/ontology#Entity> ; <http://purl.org/dc/terms/identifier> ?id }"
)
DESIGNS = "SELECT DISTINCT ?d WHERE { ?f <https://w3id.org/catkg/ontology#studyDesign> ?d }"


def differing(store: EmbeddedStore, params: dict[str, str | None]) -> bool:
    _, variant = STARTS_FROM[QUESTION]
    return run(store, QUESTION, params) != run(store, variant, params)


@pytest.mark.parametrize("which", ["curated", "synthetic"])
def test_outcome_variant_answers_the_question_s_rows(request: pytest.FixtureRequest, which: str) -> None:
    built = request.getfixturevalue("store" if which == "curated" else "synthetic")
    outcomes = sorted(s["id"].value for s in built.query(ENTITIES))
    designs = [None, *sorted(s["d"].value for s in built.query(DESIGNS))[:2]]
    assert len(outcomes) >= 100 and len(designs) == 3
    answered = [o for o in outcomes if run(built, QUESTION, {"outcome": o})]
    assert len(answered) >= 3, "the comparison covers outcomes with rows"
    assert [(o, d) for o in outcomes for d in designs if differing(built, {"outcome": o, "design": d})] == []


def test_answer_uses_the_variant_only_when_the_outcome_is_given(store: EmbeddedStore) -> None:
    _, variant = STARTS_FROM[QUESTION]
    assert _plan(QUESTION, {"outcome": "pulmonary-embolism"}) == variant
    assert _plan(QUESTION, {"outcome": None, "design": "retrospective-cohort"}) == QUESTION
    answered = answer(store, QUESTION, {"outcome": "venous-thromboembolism"})
    rows = run(store, QUESTION, {"outcome": "venous-thromboembolism"})
    assert answered["name"] == QUESTION and answered["total"] == len(rows) > 0
    assert [item["evidence"][0]["fact"] for item in answered["items"]] == [r["fact"].rsplit("/", 1)[1] for r in rows]

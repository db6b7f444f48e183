"""Search quality: plain-language questions must find the facts that answer them in the top 5."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from catkg.ingest.validate import load_and_validate
from catkg.queries.search import search

CASES = yaml.safe_load((Path(__file__).parent / "search_quality.yaml").read_text(encoding="utf-8"))


def test_there_are_enough_questions() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES, ids=[c["question"] for c in CASES])
def test_expected_facts_rank_in_top_5(store, case: dict) -> None:
    curated = {item.record.id for item in load_and_validate().curation.facts}
    assert set(case["expect"]) <= curated, "the expected facts must exist"
    top = [item["id"] for item in search(store, case["question"], limit=5).items]
    missing = [fact for fact in case["expect"] if fact not in top]
    assert not missing, f"{missing} not in the top 5: {top}"


def test_fts_syntax_in_questions_is_just_text(store) -> None:
    for hostile in ['"unbalanced', "NEAR(a b)", "pulmonary*", "a AND OR NOT", "{entities}: x", "^start", "-"]:
        search(store, hostile)

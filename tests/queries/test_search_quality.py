"""Search quality: plain-language questions must find the facts that answer them.

Two sets of questions written from the two articles. The first (search_quality.yaml) holds short questions whose
answer must be in the top 5, and multi-part evidence questions (list, several aspects, numeric, both articles,
the cited case reports) whose answer items must be on the first page of /api/search; the ranking was tuned on it.
The second (search_heldout.yaml) was written with it, before any tuning, and never tuned on: it checks that the
ranking answers questions in general, not the phrasings it was tuned on. The third (search_fresh.yaml) was written
later by another engineer, in other wordings (lay terms, abbreviations, inverted questions), and scored once as
written: 98.7% on its first run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from catkg.ingest.validate import load_and_validate
from catkg.queries.search import search

HERE = Path(__file__).parent
CASES = yaml.safe_load((HERE / "search_quality.yaml").read_text(encoding="utf-8"))
TOP5 = [c for c in CASES if "expect" in c]
EVIDENCE = [c for c in CASES if "answers" in c]
HELDOUT = yaml.safe_load((HERE / "search_heldout.yaml").read_text(encoding="utf-8"))
FRESH = yaml.safe_load((HERE / "search_fresh.yaml").read_text(encoding="utf-8"))
FIRST_PAGE = 10
TARGET = 0.9
CURATED = {item.record.id for item in load_and_validate().curation.facts}


def test_there_are_enough_questions() -> None:
    assert len(TOP5) >= 15 and len(EVIDENCE) >= 40 and len(HELDOUT) >= 15 and len(FRESH) >= 25
    asked = [c["question"].lower() for c in TOP5 + EVIDENCE + HELDOUT + FRESH]
    assert len(asked) == len(set(asked)), "a question is asked twice"


@pytest.mark.parametrize("case", TOP5 + EVIDENCE + HELDOUT + FRESH, ids=lambda c: c["question"])
def test_expected_facts_exist(case: dict) -> None:
    wanted = case.get("expect") or case["answers"]
    assert set(wanted) <= CURATED, f"unknown fact ids: {sorted(set(wanted) - CURATED)}"


@pytest.mark.parametrize("case", TOP5, ids=[c["question"] for c in TOP5])
def test_expected_facts_rank_in_top_5(store, case: dict) -> None:
    """In the top 5, or folded under one of them as its near-duplicate (shown on the page as "+N more")."""
    top = [i for item in search(store, case["question"], limit=5).items for i in [item["id"], *(f["id"] for f in item["folded"])]]
    missing = [fact for fact in case["expect"] if fact not in top]
    assert not missing, f"{missing} not in the top 5: {top}"


def shown(client, question: str) -> list[str]:
    """The fact ids on the first page of /api/search: each result's, and those folded under it."""
    body = client.get("/api/search", params={"q": question, "limit": FIRST_PAGE}).json()
    return [i for item in body["items"] for i in [item["id"], *(f["id"] for f in item.get("folded", []))]]


def score(client, cases: list[dict], title: str) -> float:
    """The mean share of answer items on the first page, printed with the table of every question."""
    shares = []
    print(f"\n{title}: share of answer items in the first {FIRST_PAGE} results of /api/search")
    for case in cases:
        page = shown(client, case["question"])
        found = [a for a in case["answers"] if a in page]
        shares.append(len(found) / len(case["answers"]))
        missing = ", ".join(a for a in case["answers"] if a not in page)
        print(f"  {shares[-1]:4.0%}  {case['shape']:<10} {case['question']}" + (f"  [missing: {missing}]" if missing else ""))
    mean = sum(shares) / len(shares)
    print(f"  mean {mean:.1%} over {len(cases)} questions")
    return mean


def test_evidence_questions_find_their_answers_on_the_first_page(client) -> None:
    assert score(client, EVIDENCE, "tuning set") >= TARGET


def test_heldout_questions_find_their_answers_on_the_first_page(client) -> None:
    assert score(client, HELDOUT, "held-out set") >= TARGET


def test_fresh_questions_find_their_answers_on_the_first_page(client) -> None:
    assert score(client, FRESH, "fresh set") >= TARGET


def test_fts_syntax_in_questions_is_just_text(store) -> None:
    for hostile in ['"unbalanced', "NEAR(a b)", "pulmonary*", "a AND OR NOT", "{entities}: x", "^start", "-"]:
        search(store, hostile)

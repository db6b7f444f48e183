"""The coverage ledger: every sentence of both articles is covered by curation or skipped with a reason."""

from __future__ import annotations

import pytest

from catkg.ingest.ledger import Entry, core, ledger, split_sentences, summary, units
from catkg.ingest.models import Skip
from catkg.ingest.validate import load_and_validate


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return ledger(load_and_validate())


def pieces(line: str) -> list[str]:
    return [line[start:end] for start, end in split_sentences(line)]


# ------------------------------------------------------------------ the splitter, on made-up strings


def test_splits_at_full_stop_before_capital() -> None:
    assert pieces("PE is common. It is serious! Is it? Yes.") == ["PE is common.", "It is serious!", "Is it?", "Yes."]


def test_no_split_before_lower_case_or_digit() -> None:
    assert pieces("See clin. lung cancer. 2016;17:523-527") == ["See clin. lung cancer. 2016;17:523-527"]


def test_no_split_after_et_al() -> None:
    assert pieces("As Li et al. [7] showed, PE is common. Then more.") == ["As Li et al. [7] showed, PE is common.", "Then more."]
    assert pieces("Data from Yang et al. Further work.") == ["Data from Yang et al. Further work."]


def test_no_split_after_fig() -> None:
    assert pieces("See Fig. 1 and Fig. A for details.") == ["See Fig. 1 and Fig. A for details."]


def test_marker_after_full_stop_stays_with_its_sentence() -> None:
    assert pieces("It was the largest group. [8] However, data are few.") == [
        "It was the largest group. [8]",
        "However, data are few.",
    ]
    assert pieces("Rates were similar. [27, 28] Nonetheless, more is needed.") == [
        "Rates were similar. [27, 28]",
        "Nonetheless, more is needed.",
    ]


def test_sentence_may_start_with_a_bracket() -> None:
    assert pieces("One thing. [image] shows it.") == ["One thing.", "[image] shows it."]


def test_initials_end_an_author_list() -> None:
    assert pieces("Kerrigan K, Otterson G. Treatment of cancer. clin lung cancer. 2016") == [
        "Kerrigan K, Otterson G.",
        "Treatment of cancer. clin lung cancer. 2016",
    ]


def test_core_trims_edge_markers_and_spaces() -> None:
    text = "  It was the largest group. [8] "
    start, end = core(text, 0, len(text))
    assert text[start:end] == "It was the largest group."
    text = "[3] A sentence [4]."
    start, end = core(text, 0, len(text))
    assert text[start:end] == "A sentence [4]."


def test_units_strip_bullets_and_keep_offsets() -> None:
    text = (
        "Title line\n\n      • Thrombocytopenia may indicate DIC.\n        • Wang D\n"
        "  1. Kerrigan K. Treatment. clin lung cancer. 2016\n"
    )
    found = units("s", text)
    assert [text[u.start : u.end] for u in found] == [
        "Title line",
        "Thrombocytopenia may indicate DIC.",
        "Wang D",
        "Kerrigan K.",
        "Treatment. clin lung cancer. 2016",
    ]
    assert [u.line for u in found] == [1, 3, 4, 5, 5]


def test_units_of_a_line_with_a_trailing_marker() -> None:
    text = "Yes. [8] However, no.\n"
    found = units("s", text)
    assert [(text[u.start : u.end], text[u.core_start : u.core_end]) for u in found] == [
        ("Yes. [8]", "Yes."),
        ("However, no.", "However, no."),
    ]


# ------------------------------------------------------------------ the ledger over the curated data


def test_every_unit_is_covered_or_skipped(entries: list[Entry]) -> None:
    uncovered = [f"{e.unit.source}:{e.unit.line}: {e.text}" for e in entries if e.status == "uncovered"]
    assert not uncovered, (
        f"{len(uncovered)} sentence(s) neither covered by a fact, a reference or an article "
        "record nor skipped in skips.yaml:\n  " + "\n  ".join(uncovered)
    )


def test_both_articles_are_in_the_ledger(entries: list[Entry]) -> None:
    assert {e.unit.source for e in entries} == {"dic-targeted-therapy-2022", "lung-cancer-pe-review"}


def test_skip_reasons_are_allowed(entries: list[Entry]) -> None:
    allowed = set(Skip.model_fields["reason"].annotation.__args__)  # type: ignore[union-attr]
    assert {e.reason for e in entries if e.status == "skipped"} <= allowed


def test_every_skip_record_skips_something(entries: list[Entry]) -> None:
    used = {(e.unit.source, e.by[0]) for e in entries if e.status == "skipped"}
    skips = load_and_validate().curation.skips
    unused = [f"{s.file}:{s.line}: {s.record.text}" for s in skips if (s.record.source, s.record.text) not in used]
    assert not unused, "skip records that no ledger unit falls into (covered elsewhere?):\n  " + "\n  ".join(unused)


def test_reference_list_is_covered_by_reference_records(entries: list[Entry]) -> None:
    refs = [e for e in entries if e.unit.source == "dic-targeted-therapy-2022" and e.unit.line >= 31]
    assert refs and all(e.status == "covered" and e.reason in {"reference", "fact"} for e in refs)


def test_summary_adds_up(entries: list[Entry]) -> None:
    for source, counts in summary(entries).items():
        assert counts["covered"] + counts["skipped"] + counts["uncovered"] == counts["units"], source
        assert sum(counts["skipped_by_reason"].values()) == counts["skipped"], source  # type: ignore[union-attr]

"""Entity mentions and suggestions on sentences of our own: the matching rules, not the curated articles."""

from __future__ import annotations

from catkg.ingest.mentions import Names, suggestions
from catkg.ingest.models import Entity

NAMES = Names(
    [
        Entity(id="lung-cancer", label="lung cancer", type="cancer", synonyms=["lung malignancies"]),
        Entity(id="nsclc", label="non-small cell lung cancer", type="cancer", abbreviations=["NSCLC"]),
        Entity(id="small-cell-lung-cancer", label="small cell lung cancer", type="cancer"),
        Entity(id="pulmonary-embolism", label="pulmonary embolism", type="complication", abbreviations=["PE"]),
        Entity(id="egfr-tki", label="EGFR tyrosine kinase inhibitor", type="drug-class", abbreviations=["EGFR-TKI", "EGFR-TKIs"]),
    ]
)


def found(sentence: str) -> list[tuple[str, str]]:
    return [(m.written, m.entity) for m in NAMES.mentions(sentence)]


def test_the_longest_name_wins_where_names_overlap() -> None:
    assert found("Non-small cell lung cancer, unlike lung cancer in general, ...") == [
        ("Non-small cell lung cancer", "nsclc"),
        ("lung cancer", "lung-cancer"),
    ]
    assert found("EGFR-TKIs and an EGFR-TKI") == [("EGFR-TKIs", "egfr-tki"), ("EGFR-TKI", "egfr-tki")]


def test_abbreviations_are_case_sensitive_names_are_not() -> None:
    assert found("PE in NSCLC; pe and nsclc are not abbreviations") == [("PE", "pulmonary-embolism"), ("NSCLC", "nsclc")]
    assert found("PULMONARY EMBOLISM, Lung Cancer") == [
        ("PULMONARY EMBOLISM", "pulmonary-embolism"),
        ("Lung Cancer", "lung-cancer"),
    ]


def test_names_match_on_word_boundaries_and_plurals_only_where_listed() -> None:
    assert found("PEG, EPE and post-PE (PE)") == [("PE", "pulmonary-embolism"), ("PE", "pulmonary-embolism")]
    assert found("lung cancers and lung malignancies") == [("lung malignancies", "lung-cancer")]


def test_unknown_terms_are_suggested_once_each_with_their_lines() -> None:
    lines = [
        (3, "Rivaroxaban reduced PE in NSCLC, as the Khorana score and computed tomography pulmonary angiography (CTPA) showed."),
        (5, "CTPA confirmed PE in stage III-IV lung cancer (OR 2.1, 95% CI 1.4–3.2), as Tanaka et al. found."),
        (7, "Liu HY, Che YQ."),
    ]
    got = {s.name: (s.kind, s.count, s.lines, s.expansion) for s in suggestions(lines, NAMES)}
    assert got == {
        "CTPA": ("abbreviation", 2, [3, 5], "computed tomography pulmonary angiography"),
        "Khorana": ("term", 1, [3], None),
    }, "a capitalised first word, roman numerals, statistics, authors before 'et al.' and initials are no terms"

"""Every validation rule, one bad input each: the error names file, line and field, and no store is harmed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from catkg.ingest.load import CurationError
from catkg.ingest.validate import load_and_validate
from catkg.store.build import build

SOURCES = """\
sources:
  - id: review
    kind: article
    title: "A narrative review of lung cancer and pulmonary embolism"
    title_in_text: false
    file: 002_7e3217616b27ac64.txt
  - id: dic
    kind: article
    title: "Targeted therapy for lung cancer with paraneoplastic disseminated intravascular coagulation: A case report and pooled analysis"
    file: 000_39374a5e31a6b0a7.txt
  - id: ref-kim
    kind: reference
    cited_in: dic
    position: 12
    title: "Dramatic response of acute disseminated intravascular coagulation to erlotinib in a patient with lung adenocarcinoma with activating EGFR mutation."
    authors: ["Kim JS", "Ryu JS", "Jeon SH", "et al."]
    citation: "J Int Med Res. 2018; 46: 533-537"
  - id: ref-brosseau
    kind: reference
    cited_in: dic
    position: 13
    title: "Lazarus syndrome with crizotinib in a non–small cell lung cancer patient with ROS1 rearrangement and disseminated intravascular coagulation."
    authors: ["Brosseau S", "Gounant V", "Naltet C", "et al."]
    citation: "Clin Lung Cancer. 2018; 19: e57-e61"
"""

ENTITIES = """\
entities:
  - id: lung-cancer
    label: lung cancer
    type: cancer
  - id: venous-thromboembolism
    label: venous thromboembolism
    type: complication
    abbreviations: [VTE]
  - id: lung-cancer-surgery
    label: lung cancer surgery
    type: procedure
    broader: [lung-cancer]
"""

FACTS = """\
facts:
  - id: yang-vte-after-surgery
    kind: incidence
    statement: "VTE after lung cancer surgery reached 5.3% at 30 months."
    subject: lung-cancer-surgery
    predicate: cumulative incidence of
    object: venous-thromboembolism
    values:
      - value: 2.0
        as_written: "2.0%"
        unit: "%"
        measure: percentage
        cohort_size: 1001
        time_point: 1 month
    source: review
    quote: "Similarly, a retrospective analysis by Yang et al. involving 1,001 individuals with lung cancer found that the probabilities of developing VTE at 1, 3, 6, 12, and 30\u00a0months post-surgery were 2.0%, 3.0%, 4.0%, 5.0%, and 5.3%, respectively, with the first month being the peak period for VTE occurrence [23]."
    citations: ["[23]"]
    attributed_to: "Yang et al."
    study_design: retrospective-cohort
    evidence_level: primary-result
    direction: supports
  - id: prognosis-repeated
    kind: prognosis
    statement: "PE markedly reduces quality of life in people with lung cancer."
    subject: lung-cancer
    predicate: worsened by
    object: venous-thromboembolism
    source: review
    quote: "The presence of PE markedly reduces the quality of life and has a significant impact on the prognosis of those diagnosed with both lung cancer and PE."
    occurrence: 1
    study_design: review
    evidence_level: review-statement
    direction: supports
"""


def write(root: Path, sources: str = SOURCES, entities: str = ENTITIES, facts: str = FACTS) -> Path:
    curated = root / "ingest" / "curated"
    curated.mkdir(parents=True, exist_ok=True)
    (curated / "sources.yaml").write_text(sources, encoding="utf-8")
    (curated / "entities.yaml").write_text(entities, encoding="utf-8")
    (curated / "facts.yaml").write_text(facts, encoding="utf-8")
    return curated


def problems(curated: Path) -> list[str]:
    with pytest.raises(CurationError) as caught:
        load_and_validate(curated)
    return [str(p) for p in caught.value.problems]


def test_fixture_is_valid(tmp_path: Path) -> None:
    checked = load_and_validate(write(tmp_path))
    span = checked.spans["yang-vte-after-surgery"]
    assert checked.texts["review"][span.start : span.end] == checked.curation.facts[0].record.quote


BAD = [
    # (rule, replace old -> new in FACTS/ENTITIES/SOURCES, file, line needle, field, message part)
    (
        "unknown key",
        "facts",
        "    direction: supports\n  - id: prognosis",
        "    direction: supports\n    confidence: high\n  - id: prognosis",
        "confidence: high",
        "facts[0].confidence",
        "Extra inputs are not permitted",
    ),
    (
        "missing field",
        "facts",
        "    predicate: cumulative incidence of\n",
        "",
        "- id: yang-vte-after-surgery",
        "facts[0].predicate",
        "Field required",
    ),
    (
        "wrong type",
        "facts",
        "cohort_size: 1001",
        "cohort_size: many",
        "cohort_size: many",
        "facts[0].values[0].cohort_size",
        "valid integer",
    ),
    (
        "unknown kind",
        "facts",
        "kind: incidence",
        "kind: incidense",
        "kind: incidense",
        "facts[0].kind",
        "unknown fact kind 'incidense'",
    ),
    (
        "unknown entity",
        "facts",
        "object: venous-thromboembolism\n    values",
        "object: venous-thrombo\n    values",
        "object: venous-thrombo",
        "facts[0].object",
        "unknown entity 'venous-thrombo'",
    ),
    (
        "unknown entity type",
        "entities",
        "type: procedure",
        "type: operation",
        "type: operation",
        "entities[2].type",
        "unknown entity type 'operation'",
    ),
    (
        "duplicate id",
        "facts",
        "id: prognosis-repeated",
        "id: yang-vte-after-surgery",
        "  - id: yang-vte-after-surgery\n    kind: prognosis",
        "facts[1].id",
        "duplicate fact id",
    ),
    (
        "quote not verbatim",
        "facts",
        "found that the probabilities",
        "found the probabilities",
        "Similarly, a retrospective",
        "facts[0].quote",
        "closest: 'Similarly, a retrospective analysis by Yang et al.",
    ),
    (
        "repeated quote without occurrence",
        "facts",
        "    occurrence: 1\n",
        "",
        "The presence of PE markedly",
        "facts[1].quote",
        "occurs 2 times",
    ),
    (
        "occurrence out of range",
        "facts",
        "occurrence: 1",
        "occurrence: 3",
        "occurrence: 3",
        "facts[1].occurrence",
        "occurs 2 times",
    ),
    (
        "value absent from quote",
        "facts",
        'as_written: "2.0%"',
        'as_written: "2.5%"',
        'as_written: "2.5%"',
        "facts[0].values[0].as_written",
        "does not appear in the quote",
    ),
    (
        "value differs from what is written",
        "facts",
        "value: 2.0",
        "value: 3.0",
        "value: 3.0",
        "facts[0].values[0].value",
        "is not the number written",
    ),
    (
        "citation marker not in quote",
        "facts",
        'citations: ["[23]"]',
        'citations: ["[24]"]',
        'citations: ["[24]"]',
        "facts[0].citations[0]",
        "does not appear in the quote",
    ),
    (
        "attributed study not in quote",
        "facts",
        'attributed_to: "Yang et al."',
        'attributed_to: "Song et al."',
        'attributed_to: "Song et al."',
        "facts[0].attributed_to",
        "does not appear in the quote",
    ),
    (
        "broader cycle",
        "entities",
        "type: cancer\n",
        "type: cancer\n    broader: [lung-cancer-surgery]\n",
        "broader: [lung-cancer-surgery]",
        "entities[0].broader",
        "cycle",
    ),
    (
        "reference title not verbatim",
        "sources",
        "Dramatic response of acute",
        "Dramatic response of chronic",
        "Dramatic response of chronic",
        "sources[2].title",
        "not verbatim",
    ),
    (
        "reference author not before its title",
        "sources",
        '"Kim JS"',
        '"Kimm JS"',
        '"Kimm JS"',
        "sources[2].authors[0]",
        "not written between the previous entry and the title",
    ),
    (
        "author of another entry",
        "sources",
        '"Brosseau S"',
        '"Kim JS"',
        '["Kim JS", "Gounant V"',
        "sources[3].authors[0]",
        "not written between the previous entry and the title",
    ),
    (
        "positions out of text order",
        "sources",
        "position: 13",
        "position: 11",
        "position: 11",
        "sources[3].position",
        "comes after position 12",
    ),
    (
        "cited reference of another article",
        "facts",
        'attributed_to: "Yang et al."',
        'attributed_to: "Yang et al."\n    cites: [ref-kim]',
        "cites: [ref-kim]",
        "facts[0].cites[0]",
        "not in the quoted source 'review'",
    ),
    (
        "article file missing",
        "sources",
        "file: 002_7e3217616b27ac64.txt",
        "file: 002_missing.txt",
        "file: 002_missing.txt",
        "sources[0].file",
        "no such file",
    ),
    (
        "evidence level disagrees with the rule",
        "facts",
        "evidence_level: primary-result",
        "evidence_level: cited-study",
        "evidence_level: cited-study",
        "facts[0].evidence_level",
        "'cited-study' disagrees with the rule: a quote in the body with study_design retrospective-cohort is 'primary-result'",
    ),
    (
        "unknown evidence level",
        "facts",
        "evidence_level: primary-result",
        "evidence_level: strong",
        "evidence_level: strong",
        "facts[0].evidence_level",
        "unknown evidence level 'strong'",
    ),
    (
        "a sentence citing a study labelled the review's own",
        "facts",
        "study_design: retrospective-cohort\n    evidence_level: primary-result",
        "study_design: review\n    evidence_level: review-statement",
        "study_design: review\n    evidence_level: review-statement",
        "facts[0].study_design",
        "the sentence cites [23]: the claim is the cited study's",
    ),
    (
        "a study design with nothing cited",
        "facts",
        "study_design: review\n    evidence_level: review-statement",
        "study_design: unspecified\n    evidence_level: cited-study",
        "study_design: unspecified",
        "facts[1].study_design",
        "the sentence cites no study",
    ),
    (
        "qualifier not written in the quote",
        "facts",
        "evidence_level: primary-result\n",
        "evidence_level: primary-result\n    subject_qualifier: elevated\n",
        "subject_qualifier: elevated",
        "facts[0].subject_qualifier",
        "'elevated' is not written in the quote",
    ),
    (
        "unknown qualifier",
        "facts",
        "evidence_level: primary-result\n",
        "evidence_level: primary-result\n    object_qualifier: raised\n",
        "object_qualifier: raised",
        "facts[0].object_qualifier",
        "unknown qualifier 'raised'",
    ),
    (
        "unknown source note kind",
        "facts",
        "evidence_level: primary-result\n",
        'evidence_level: primary-result\n    source_note:\n      kind: rumour\n      note: "As written; nobody knows."\n',
        "kind: rumour",
        "facts[0].source_note.kind",
        "unknown source note kind 'rumour'",
    ),
    (
        "same study as no fact",
        "facts",
        "evidence_level: review-statement\n",
        "evidence_level: review-statement\n    same_study_as: nobody\n",
        "same_study_as: nobody",
        "facts[1].same_study_as",
        "'nobody' is not another curated fact",
    ),
    (
        "bears on its own kind",
        "facts",
        "evidence_level: review-statement\n",
        "evidence_level: review-statement\n    bears_on: prognosis\n",
        "bears_on: prognosis",
        "facts[1].bears_on",
        "is the fact's own kind",
    ),
    (
        "cross-reference without where it was verified",
        "entities",
        "abbreviations: [VTE]",
        "abbreviations: [VTE]\n    xrefs: [{id: 'X:1'}]",
        "xrefs:",
        "entities[1].xrefs[0].verified_in",
        "Field required",
    ),
    (
        "cross-reference with a prefix the prefix table does not know",
        "entities",
        "abbreviations: [VTE]",
        "abbreviations: [VTE]\n    xrefs: [{id: 'MONDO:0005061', verified_in: 'a guess'}]",
        "xrefs:",
        "entities[1].xrefs[0].id",
        "unknown prefix 'MONDO'; known: HP, NCBIGene",
    ),
    (
        "cross-reference whose local id is not its vocabulary's shape",
        "entities",
        "abbreviations: [VTE]",
        "abbreviations: [VTE]\n    xrefs: [{id: 'HP:2204', verified_in: 'a typo'}]",
        "xrefs:",
        "entities[1].xrefs[0].id",
        "local id '2204' is not the shape of HP ids",
    ),
    (
        "cross-reference listed twice",
        "entities",
        "abbreviations: [VTE]",
        "abbreviations: [VTE]\n    xrefs: [{id: 'HP:0002204', verified_in: 'once'}, {id: 'HP:0002204', verified_in: 'twice'}]",
        "xrefs:",
        "entities[1].xrefs[1].id",
        "HP:0002204 is listed more than once",
    ),
]


@pytest.mark.parametrize("rule,file,old,new,needle,field,message", BAD, ids=[b[0] for b in BAD])
def test_rule(tmp_path: Path, rule: str, file: str, old: str, new: str, needle: str, field: str, message: str) -> None:
    texts = {"sources": SOURCES, "entities": ENTITIES, "facts": FACTS}
    assert old in texts[file], f"fixture lost {old!r}"
    texts[file] = texts[file].replace(old, new, 1)
    curated = write(tmp_path, **texts)
    name = "ingest/curated/" + file + ".yaml"
    expected_line = texts[file][: texts[file].index(needle)].count("\n") + 1
    found = problems(curated)
    assert any(p.startswith(f"{name}:{expected_line}: {field}: ") and message in p for p in found), found


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    facts = FACTS.replace("kind: incidence", "kind: nope").replace("kind: prognosis", "kind: nada")
    found = problems(write(tmp_path, facts=facts))
    assert len([p for p in found if "unknown fact kind" in p]) == 2


@pytest.mark.parametrize(
    "content,message",
    [
        ("facts:\n  - id: [unclosed\n", "YAML syntax error"),
        ("", "the file is empty"),
        ("- just a list\n", "expected a mapping"),
        ("facts:\n  - id: a\n    id: b\n", "duplicate key"),
        ("factz: []\n", "unknown section"),
    ],
)
def test_broken_files(tmp_path: Path, content: str, message: str) -> None:
    curated = write(tmp_path, facts=content)
    assert any("ingest/curated/facts.yaml:" in p and message in p for p in problems(curated))


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    curated = write(tmp_path)
    (curated / "facts.yaml").write_bytes(FACTS.encode() + b"  - id: caf\xe9\n")
    found = problems(curated)
    assert any(p.startswith(f"ingest/curated/facts.yaml:{FACTS.count(chr(10)) + 1}: not valid UTF-8") for p in found)


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
        elif path.is_symlink():
            digest.update(str(path.readlink()).encode())
    return digest.hexdigest()


def test_failed_build_leaves_store_untouched(tmp_path: Path) -> None:
    good = write(tmp_path / "good")
    store = tmp_path / "data" / "store"
    build(store, curated=good)
    before = tree_digest(tmp_path / "data")
    bad = write(tmp_path / "bad", facts=FACTS.replace("kind: incidence", "kind: nope"))
    with pytest.raises(CurationError):
        build(store, curated=bad)
    assert tree_digest(tmp_path / "data") == before


def test_a_copy_of_another_facts_quote_and_values_is_an_error(tmp_path: Path) -> None:
    """The Yang et al. cohort was once curated twice: the same sentence, subject, object and values."""
    first = FACTS.split("  - id: prognosis-repeated")[0].removeprefix("facts:\n")
    copy = first.replace("id: yang-vte-after-surgery", "id: yang-surgery-risk").replace("kind: incidence", "kind: risk-factor")
    copy = copy.replace("predicate: cumulative incidence of", "predicate: raises the risk of")
    facts = FACTS + copy
    found = problems(write(tmp_path, facts=facts))
    line = (
        facts[: facts.index("id: yang-surgery-risk")].count("\n")
        + 1
        + first.split("\n").index(next(x for x in first.split("\n") if x.startswith("    quote:")))
    )
    assert any(
        p.startswith(f"ingest/curated/facts.yaml:{line}: facts[2].quote: copies the quote, subject, object and values")
        and "'yang-vte-after-surgery'" in p
        for p in found
    ), found

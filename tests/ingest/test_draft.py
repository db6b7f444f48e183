"""Drafting facts: the draft file is canonical curated YAML whose records validate when moved, and no reader of
the curation ever loads it.

A small article of our own (below) exercises the shapes a draft must handle; the two curated articles, drafted as
if new, check that a whole draft moved into the curation validates but for what its comments flag.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from test_curated_facts import assert_canonical

from catkg.ingest.draft import DraftError, draft, draft_path, write_draft
from catkg.ingest.ledger import ledger
from catkg.ingest.load import CurationError
from catkg.ingest.models import Fact
from catkg.ingest.validate import curated_root, load_and_validate, sources_root

TEXT = (
    "Venous thromboembolism in gastric cancer\n"
    "\n"
    "Abstract\n"
    "Venous thromboembolism (VTE) is common in gastric cancer.\n"
    "Background\n"
    "Among 120 patients with gastric cancer, 14 developed VTE within 6\u00a0months [3].\n"
    "Chemotherapy raised the risk of VTE 2–4 times, as Tanaka et al. reported [4, 5].\n"
    "Elevated D-dimer above 500\u00a0ng/mL predicted VTE (OR 2.1, 95% CI 1.4–3.2).\n"
    "The Khorana score and computed tomography pulmonary angiography (CTPA) were used.\n"
    "Gastric cancer was staged.\n"
    "Venous thromboembolism (VTE) is common in gastric cancer.\n"
)
SOURCES = """\
sources:
  - id: gastric-vte
    kind: article
    title: "Venous thromboembolism in gastric cancer"
    file: gastric.txt
    sections:
      - heading: "Abstract"
        kind: abstract
      - heading: "Background"
        kind: body
"""
ENTITIES = """\
entities:
  - id: gastric-cancer
    label: "gastric cancer"
    type: cancer

  - id: venous-thromboembolism
    label: "venous thromboembolism"
    type: complication
    abbreviations: ["VTE"]

  - id: chemotherapy
    label: "chemotherapy"
    type: treatment

  - id: d-dimer
    label: "D-dimer"
    type: biomarker
"""


@pytest.fixture
def curated(tmp_path: Path) -> Path:
    root = tmp_path / "curated"
    (root / "facts").mkdir(parents=True)
    (root / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (root / "entities.yaml").write_text(ENTITIES, encoding="utf-8")
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "gastric.txt").write_text(TEXT, encoding="utf-8")
    return root


def validated(curated: Path):
    return load_and_validate(curated, curated.parent / "sources")


def records(path: Path) -> dict[str, dict]:
    return {r["quote"]: r for r in yaml.safe_load(path.read_text(encoding="utf-8"))["facts"]}


def test_one_candidate_per_sentence_that_says_something(curated: Path) -> None:
    path, drafted = write_draft(validated(curated), curated, "gastric-vte")
    assert path == curated / "facts" / "gastric-vte.draft.yaml"
    found = records(path)
    assert list(found) == [
        "Venous thromboembolism (VTE) is common in gastric cancer.",
        "Among 120 patients with gastric cancer, 14 developed VTE within 6\u00a0months [3].",
        "Chemotherapy raised the risk of VTE 2–4 times, as Tanaka et al. reported [4, 5].",
        "Elevated D-dimer above 500\u00a0ng/mL predicted VTE (OR 2.1, 95% CI 1.4–3.2).",
    ], "the title, headings, a sentence naming one entity and nothing more, and the repeat get no candidate"
    assert (drafted.sentences, len(drafted.candidates)) == (10, 4)
    repeated = found["Venous thromboembolism (VTE) is common in gastric cancer."]
    assert repeated["occurrence"] == 1 and repeated["evidence_level"] == "abstract" and repeated["study_design"] == "review"
    cohort = found["Among 120 patients with gastric cancer, 14 developed VTE within 6\u00a0months [3]."]
    assert [v["as_written"] for v in cohort["values"]] == ["120 patients", "14", "6\u00a0months"]
    assert cohort["values"][1] == {"value": 14, "as_written": "14", "unit": "patients", "measure": "count", "cohort_size": 120}
    assert (cohort["citations"], cohort["evidence_level"]) == (["[3]"], "cited-study")
    assert (cohort["subject"], cohort["object"]) == ("gastric-cancer", "venous-thromboembolism")
    assert cohort["population"] == "120 patients with gastric cancer"
    risk = found["Chemotherapy raised the risk of VTE 2–4 times, as Tanaka et al. reported [4, 5]."]
    assert (risk["subject"], risk["object"], risk["attributed_to"]) == ("chemotherapy", "venous-thromboembolism", "Tanaka et al.")
    assert risk["values"] == [{"value": 2, "upper": 4, "as_written": "2–4 times", "unit": "times", "measure": "ratio"}]
    assert risk["kind"] == "relative-risk" and risk["citations"] == ["[4, 5]"], "no cue word: the kind its ratio measures"
    marker = found["Elevated D-dimer above 500\u00a0ng/mL predicted VTE (OR 2.1, 95% CI 1.4–3.2)."]
    assert [(v["as_written"], v.get("comparator"), v.get("interval")) for v in marker["values"]] == [
        ("500\u00a0ng/mL", ">", None),
        ("OR 2.1", None, "95% CI 1.4–3.2"),
    ]
    assert marker["evidence_level"] == "review-statement" and marker["study_design"] == "review"


def test_the_draft_is_canonical_yaml_with_the_texts_own_characters(curated: Path) -> None:
    path, _ = write_draft(validated(curated), curated, "gastric-vte")
    text = path.read_text(encoding="utf-8")
    assert_canonical(text, path.name)
    assert "6\u00a0months" in text and "2–4 times" in text and "\\u" not in text and "\\x" not in text
    for record in yaml.safe_load(text)["facts"]:
        Fact.model_validate(record)


def test_unknown_terms_are_suggested_with_their_long_form(curated: Path) -> None:
    path, drafted = write_draft(validated(curated), curated, "gastric-vte")
    suggested = {s["name"]: s for s in yaml.safe_load(path.read_text(encoding="utf-8"))["suggestions"]}
    assert suggested["CTPA"]["kind"] == "abbreviation"
    assert suggested["CTPA"]["expansion"] == "computed tomography pulmonary angiography"
    assert suggested["Khorana"]["kind"] == "term" and suggested["Khorana"]["lines"] == [9]
    assert "Tanaka" not in suggested and "VTE" not in suggested and "CI" not in suggested


def test_moved_records_validate(curated: Path) -> None:
    path, _ = write_draft(validated(curated), curated, "gastric-vte")
    facts = path.read_text(encoding="utf-8").split("\n\n# Terms")[0] + "\n"
    (curated / "facts" / "gastric-vte.yaml").write_text(facts, encoding="utf-8")
    assert len(validated(curated).curation.facts) == 4


def test_an_existing_draft_is_kept_without_force(curated: Path) -> None:
    path = draft_path(curated, "gastric-vte")
    path.write_text("# my review so far\n", encoding="utf-8")
    with pytest.raises(DraftError, match="exists: review it, or replace it with --force"):
        write_draft(validated(curated), curated, "gastric-vte")
    assert path.read_text(encoding="utf-8") == "# my review so far\n"
    write_draft(validated(curated), curated, "gastric-vte", force=True)
    assert "facts:" in path.read_text(encoding="utf-8")
    assert [p.name for p in (curated / "facts").iterdir()] == ["gastric-vte.draft.yaml"], "no temporary file is left"


def test_unknown_article_is_refused(curated: Path) -> None:
    with pytest.raises(DraftError, match="unknown article 'gastric'.*gastric-vte"):
        write_draft(validated(curated), curated, "gastric")
    assert list((curated / "facts").iterdir()) == []


def test_validation_and_ledger_never_read_a_draft(curated: Path) -> None:
    before = validated(curated)
    write_draft(before, curated, "gastric-vte")
    (curated / "broken.draft.yaml").write_text("facts:\n  - id: Not A Slug\n  nonsense: [\n", encoding="utf-8")
    after = validated(curated)
    assert after.curation.facts == [] and [e.status for e in ledger(after)] == [e.status for e in ledger(before)]
    (curated / "broken.yaml").write_text("facts:\n  - id: Not A Slug\n", encoding="utf-8")
    with pytest.raises(CurationError, match="broken.yaml"):
        validated(curated)


def test_sentences_already_accounted_for_are_not_drafted_again(curated: Path) -> None:
    path, _ = write_draft(validated(curated), curated, "gastric-vte")
    head, second = path.read_text(encoding="utf-8").split("\n\n")[:2]  # the first two records, with their comments
    first = head.split("facts:\n", 1)[1]
    (curated / "facts" / "gastric-vte.yaml").write_text(f"facts:\n{first}\n\n{second}\n", encoding="utf-8")
    _, drafted = write_draft(validated(curated), curated, "gastric-vte", force=True)
    assert [(c.fact.quote[:30], c.fact.occurrence) for c in drafted.candidates] == [
        ("Chemotherapy raised the risk o", None),
        ("Elevated D-dimer above 500\u00a0ng/", None),
        ("Venous thromboembolism (VTE) i", 2),
    ], "the repeat of a curated sentence is still to be accounted for (a fact or a skip)"


@pytest.fixture(scope="module")
def as_if_new(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The curation without facts or skips: both articles to draft from scratch."""
    root = tmp_path_factory.mktemp("new") / "curated"
    (root / "facts").mkdir(parents=True)
    for name in ("sources.yaml", "entities.yaml"):
        shutil.copy(curated_root() / name, root / name)
    return root


@pytest.mark.parametrize("article", ["lung-cancer-pe-review", "dic-targeted-therapy-2022"])
def test_a_whole_draft_moved_validates_but_for_what_it_flags(as_if_new: Path, article: str, tmp_path: Path) -> None:
    """Every problem the validator finds in a moved draft is one its record's '# check' comment named."""
    root = tmp_path / "curated"
    shutil.copytree(as_if_new, root)
    path, drafted = write_draft(load_and_validate(root, sources_root()), root, article)
    text = path.read_text(encoding="utf-8")
    assert_canonical(text, path.name)
    (root / "facts" / f"{article}.yaml").write_text(text.split("\n\n# Terms")[0] + "\n", encoding="utf-8")
    flagged = {(i, note.split(":")[0].removeprefix("check ")) for i, c in enumerate(drafted.candidates) for note in c.notes}
    try:
        load_and_validate(root, sources_root())
        found: set[tuple[int, str]] = set()
    except CurationError as err:
        found = {(int(m[1]), m[2]) for p in err.problems if (m := re.match(r"facts\[(\d+)\]\.(\w+)", p.field))}
        assert len(found) == len(err.problems), err
    assert found <= flagged


@pytest.mark.parametrize("article", ["lung-cancer-pe-review", "dic-targeted-therapy-2022"])
def test_a_fully_curated_article_has_nothing_left_to_draft(article: str) -> None:
    drafted = draft(load_and_validate(), article)
    assert (drafted.open, drafted.candidates) == (0, [])

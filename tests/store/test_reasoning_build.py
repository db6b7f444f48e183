"""Every build reasons and checks shapes: inferred classes are queryable, a contradiction or a broken shape
fails the build naming the record, and the previous store keeps serving untouched."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from catkg.ingest.load import CurationError
from catkg.ontology.reason import ReasoningError
from catkg.ontology.shacl import ShapeError
from catkg.store.build import build
from catkg.store.embedded import EmbeddedStore

PREFIXES = "PREFIX cat: <https://w3id.org/catkg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "

SOURCES = """\
sources:
  - id: review
    kind: article
    title: "A narrative review of lung cancer and pulmonary embolism"
    title_in_text: false
    file: 002_7e3217616b27ac64.txt
"""

ENTITIES = """\
entities:
  - id: lung-cancer
    label: lung cancer
    type: cancer
  - id: venous-thromboembolism
    label: venous thromboembolism
    type: complication
  - id: targeted-therapy
    label: targeted therapy
    type: drug-class
  - id: egfr-tki
    label: EGFR-TKI
    type: drug-class
    broader: [targeted-therapy]
  - id: osimertinib
    label: osimertinib
    type: drug
    broader: [egfr-tki]
"""

QUOTE = (
    "Similarly, a retrospective analysis by Yang et al. involving 1,001 individuals with lung cancer found that "
    "the probabilities of developing VTE at 1, 3, 6, 12, and 30\\u00a0months post-surgery were 2.0%, 3.0%, 4.0%, "
    "5.0%, and 5.3%, respectively, with the first month being the peak period for VTE occurrence [23]."
)

FACTS = """\
facts:
  - id: yang-vte-after-surgery
    kind: incidence
    statement: "VTE after lung cancer surgery reached 2.0% at one month."
    subject: lung-cancer
    predicate: cumulative incidence of
    object: venous-thromboembolism
    values:
      - value: 2.0
        as_written: "2.0%"
        unit: "%"
        measure: percentage
    source: review
    quote: "{QUOTE}"
    study_design: retrospective-cohort
    evidence_level: primary-result
    direction: supports
""".replace("{QUOTE}", QUOTE)


def write(root: Path, entities: str = ENTITIES, facts: str = FACTS) -> Path:
    curated = root / "curated"
    curated.mkdir(parents=True)
    (curated / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (curated / "entities.yaml").write_text(entities, encoding="utf-8")
    (curated / "facts.yaml").write_text(facts, encoding="utf-8")
    return curated


def digest(root: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        sha.update(str(path.relative_to(root)).encode())
        if path.is_symlink():
            sha.update(str(path.readlink()).encode())
        elif path.is_file():
            sha.update(path.read_bytes())
    return sha.hexdigest()


@pytest.fixture()
def served(tmp_path: Path) -> Path:
    """A store built from the small fixture, and its state before anything else happens."""
    path = tmp_path / "data" / "store"
    build(path, curated=write(tmp_path / "good"))
    return path


def test_inferred_classes_are_queryable_and_counted(served: Path) -> None:
    store = EmbeddedStore(served)
    ids = {
        row["id"].value
        for row in store.query(PREFIXES + "SELECT ?id WHERE { ?d a cat:TargetedTherapy ; dcterms:identifier ?id }")
    }
    assert ids == {"targeted-therapy", "egfr-tki", "osimertinib"}
    assert bool(
        store.query(
            PREFIXES + "ASK { GRAPH <https://w3id.org/catkg/graph/inferred> "
            "{ <https://w3id.org/catkg/entity/osimertinib> a cat:EGFRTKI } }"
        )
    )
    assert not bool(
        store.query(
            PREFIXES + "ASK { GRAPH <https://w3id.org/catkg/graph/facts> "
            "{ <https://w3id.org/catkg/entity/osimertinib> a cat:EGFRTKI } }"
        )
    )
    reasoning = json.loads((served.resolve() / "build.json").read_text())["reasoning"]
    assert reasoning["reasoner"].startswith("HermiT") and reasoning["seconds"] > 0
    inferred = len(list(store.query("SELECT * WHERE { GRAPH <https://w3id.org/catkg/graph/inferred> { ?s ?p ?o } }")))
    assert reasoning["inferred_triples"] == inferred > 0


def test_a_drug_placed_under_a_cancer_fails_the_build_and_changes_nothing(tmp_path: Path, served: Path) -> None:
    before = digest(tmp_path / "data")
    bad = ENTITIES.replace("    broader: [egfr-tki]\n", "    broader: [egfr-tki, lung-cancer]\n")
    with pytest.raises(CurationError) as caught:
        build(served, curated=write(tmp_path / "bad", entities=bad))
    message = str(caught.value)
    line = bad[: bad.index("broader: [egfr-tki, lung-cancer]")].count("\n") + 1
    assert f"curated/entities.yaml:{line}: entities[4].broader: entity 'osimertinib' contradicts the ontology" in message
    assert "cat:Disease and cat:Drug are disjoint" in message or "cat:Drug and cat:Disease are disjoint" in message
    assert isinstance(caught.value.__cause__, ReasoningError)
    assert digest(tmp_path / "data") == before


def test_a_broken_shape_fails_the_build_naming_fact_and_constraint(tmp_path: Path, served: Path) -> None:
    """A percentage without its unit passes validation (unit is optional there) but not the shapes."""
    before = digest(tmp_path / "data")
    bad = FACTS.replace('        unit: "%"\n', "")
    with pytest.raises(CurationError) as caught:
        build(served, curated=write(tmp_path / "bad", facts=bad))
    message = str(caught.value)
    assert "facts[0].values[0].unit: fact 'yang-vte-after-surgery': a measurement needs a unit" in message
    assert "(sh:OrConstraintComponent)" in message
    assert isinstance(caught.value.__cause__, ShapeError)
    assert digest(tmp_path / "data") == before


def test_the_real_build_records_reasoning_and_shapes(store) -> None:
    info = store.info
    assert info["reasoning"]["inferred_types"] > 100 and info["reasoning"]["inferred_subclass_links"] > 0
    assert info["shapes"]["focus_nodes"] > info["counts"]["facts"]
    drugs = {
        row["id"].value
        for row in store.query(PREFIXES + "SELECT ?id WHERE { ?d a cat:TargetedTherapy ; a cat:Drug ; dcterms:identifier ?id }")
    }
    assert {"osimertinib", "erlotinib", "gefitinib", "crizotinib", "alectinib"} <= drugs


def test_facts_about_narrower_entities_answer_for_the_broader_one(client) -> None:
    """/api/facts?entity=targeted-therapy includes the facts about osimertinib."""
    osimertinib = {f["id"] for f in client.get("/api/facts", params={"entity": "osimertinib", "limit": 1000}).json()["items"]}
    broader = {f["id"] for f in client.get("/api/facts", params={"entity": "targeted-therapy", "limit": 1000}).json()["items"]}
    assert osimertinib and osimertinib <= broader


def test_the_cli_reports_a_contradiction_without_a_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    bad = ENTITIES.replace("    broader: [egfr-tki]\n", "    broader: [lung-cancer]\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "catkg.api.cli",
            "build",
            "--store",
            str(tmp_path / "store"),
            "--curated",
            str(write(tmp_path / "bad", entities=bad)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "entity 'osimertinib' contradicts the ontology" in result.stderr
    assert not (tmp_path / "store").exists()

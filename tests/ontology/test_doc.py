"""docs/ontology.md is generated from catkg.ttl and stays in step with it (`catkg ontology-doc` rewrites it)."""

from __future__ import annotations

import re
from pathlib import Path

from catkg.ontology.doc import markdown, terms
from catkg.queries.ontology import term_counts

DOC = Path(__file__).resolve().parents[2] / "docs" / "ontology.md"


def without_counts(text: str) -> str:
    """The document less its counts (the last column), which follow the curated data, not the ontology."""
    return re.sub(r"\| \d+ \|$", "| n |", text, flags=re.MULTILINE)


def test_docs_ontology_md_is_in_step_with_the_ontology(store) -> None:
    expected = markdown(term_counts(store))
    assert without_counts(DOC.read_text(encoding="utf-8")) == without_counts(expected), (
        "docs/ontology.md is out of date: run 'catkg build && catkg ontology-doc'"
    )


def test_every_term_is_in_the_doc() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert [t.name for t in terms() if f"`{t.name}`" not in text] == []


def test_counts_come_from_the_store(store) -> None:
    counts = term_counts(store)
    assert counts["https://w3id.org/catkg/ontology#Fact"] == store.info["counts"]["facts"]
    assert counts["https://w3id.org/catkg/ontology#Entity"] == store.info["counts"]["entities"]
    assert counts["https://w3id.org/catkg/ontology#TargetedTherapy"] >= 4  # inferred instances count
    assert counts["https://w3id.org/catkg/ontology#hasSubject"] == store.info["counts"]["facts"]

"""The curated data, record by record: quotes verbatim at their spans, numbers as written, one canonical style.

Every check that can name a record is parametrized over record ids, so a failure names the fact. Source texts are
re-read here with ``open(..., encoding='utf-8')``, independently of the validator.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from catkg.ingest.ledger import split_sentences, units
from catkg.ingest.load import CurationError
from catkg.ingest.models import SLUG, Fact
from catkg.ingest.validate import Validated, load_and_validate

INGEST = Path(__file__).resolve().parents[2] / "ingest"
CURATED = INGEST / "curated"


def _validated() -> tuple[Validated | None, str]:
    try:
        return load_and_validate(), ""
    except CurationError as err:
        return None, str(err)


VALIDATED, PROBLEMS = _validated()
FACTS: dict[str, Fact] = {f.record.id: f.record for f in VALIDATED.curation.facts} if VALIDATED else {}
SOURCES = {s.record.id: s.record for s in VALIDATED.curation.sources} if VALIDATED else {}
ENTITIES = [e.record for e in VALIDATED.curation.entities] if VALIDATED else []
REFERENCES = [s for s in SOURCES.values() if s.kind == "reference"]
FACT_IDS = sorted(FACTS)

WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10, "threefold": 3}


def source_text(source_id: str) -> str:
    with open(INGEST / "sources" / SOURCES[source_id].file, encoding="utf-8") as handle:  # type: ignore[operator]
        return handle.read()


def written_numbers(text: str) -> set[float]:
    found = {float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}
    return found | {float(v) for w, v in WORDS.items() if re.search(rf"\b{w}\b", text, re.IGNORECASE)}


def test_curation_validates() -> None:
    assert VALIDATED is not None, PROBLEMS


def test_at_least_150_facts() -> None:
    assert len(FACTS) >= 150


def test_fact_ids_are_unique_slugs() -> None:
    ids = [f.record.id for f in VALIDATED.curation.facts] if VALIDATED else []
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert [i for i in ids if not re.fullmatch(SLUG, i)] == []


@pytest.mark.parametrize("fact_id", FACT_IDS)
def test_quote_is_verbatim_at_its_span(fact_id: str) -> None:
    fact, span = FACTS[fact_id], VALIDATED.spans[fact_id]  # type: ignore[union-attr]
    text = source_text(fact.source)
    assert text[span.start : span.end] == fact.quote
    starts = [m.start() for m in re.finditer(re.escape(fact.quote), text)]
    assert len(starts) == 1 or fact.occurrence, "the quote repeats; the fact must say which occurrence"
    assert starts[(fact.occurrence or 1) - 1] == span.start


@pytest.mark.parametrize("fact_id", FACT_IDS)
def test_quote_is_a_whole_sentence_or_a_whole_title(fact_id: str) -> None:
    fact, span = FACTS[fact_id], VALIDATED.spans[fact_id]  # type: ignore[union-attr]
    sentences = {(u.start, u.end) for u in units(fact.source, source_text(fact.source))}
    titles = {SOURCES[ref].title for ref in fact.cites}
    assert (span.start, span.end) in sentences or fact.quote in titles, (
        "quote a whole sentence (with its final period and citation markers) or a cited reference's whole title"
    )


@pytest.mark.parametrize("fact_id", FACT_IDS)
def test_values_are_written_in_the_quote(fact_id: str) -> None:
    fact = FACTS[fact_id]
    for value in fact.values:
        assert value.as_written in fact.quote, value.as_written
        numbers = written_numbers(value.as_written)
        years_months = re.fullmatch(r"(\w+) years? and (\w+) months?", value.as_written)
        if years_months:  # one duration written as two quantities is one value, in months
            years, months = (WORDS.get(n, n) for n in years_months.groups())
            assert (value.unit, float(value.value)) == ("months", 12 * float(years) + float(months)), value
            continue
        assert float(value.value) in numbers, (value.value, value.as_written)
        assert value.upper is None or float(value.upper) in numbers, (value.upper, value.as_written)


@pytest.mark.parametrize("fact_id", FACT_IDS)
def test_markers_and_attribution_are_in_the_quote(fact_id: str) -> None:
    fact = FACTS[fact_id]
    assert all(marker in fact.quote for marker in fact.citations)
    assert fact.attributed_to is None or fact.attributed_to in fact.quote


@pytest.mark.parametrize("fact_id", FACT_IDS)
def test_statement_is_one_sentence(fact_id: str) -> None:
    statement = FACTS[fact_id].statement
    assert statement.endswith("."), "a statement ends with a period"
    assert len(split_sentences(statement)) == 1, "a statement is one sentence"
    assert statement[0].isupper(), "a statement starts with a capital letter"


@pytest.mark.parametrize("fact_id", FACT_IDS)
def test_fact_from_a_reference_title_cites_it(fact_id: str) -> None:
    fact = FACTS[fact_id]
    titled = [r.id for r in REFERENCES if r.title == fact.quote]
    assert fact.cites == titled, "a fact read from a reference title cites exactly that reference"
    assert all(SOURCES[ref].cited_in == fact.source for ref in fact.cites)


@pytest.mark.parametrize("fact_id", FACT_IDS)
def test_unclear_association_has_unclear_direction(fact_id: str) -> None:
    fact = FACTS[fact_id]
    assert (fact.kind == "unclear-association") <= (fact.direction == "unclear")


def test_every_reference_states_at_least_one_fact() -> None:
    cited = {ref for fact in FACTS.values() for ref in fact.cites}
    assert sorted(r.id for r in REFERENCES if r.id not in cited) == []


def test_reference_positions_count_from_one_in_order() -> None:
    by_article: dict[str, list[int]] = {}
    for ref in REFERENCES:
        by_article.setdefault(ref.cited_in, []).append(ref.position)  # type: ignore[arg-type]
    for article, positions in by_article.items():
        assert positions == list(range(1, len(positions) + 1)), article
        text = source_text(article)
        in_list = sorted(REFERENCES, key=lambda r: text.index(r.title))
        assert [r.position for r in in_list if r.cited_in == article] == positions, article


@pytest.mark.parametrize("ref_id", sorted(r.id for r in REFERENCES))
def test_reference_is_complete(ref_id: str) -> None:
    ref = SOURCES[ref_id]
    assert ref.authors and ref.journal and ref.year and ref.citation and ref.title.endswith(".")
    assert ref.citation in source_text(ref.cited_in)  # type: ignore[arg-type]
    assert str(ref.year) in ref.citation


def test_no_external_identifiers() -> None:
    """Nothing here can verify an ontology id, DOI or PMID, so none is curated."""
    assert [e.id for e in ENTITIES if e.xrefs] == []
    pattern = re.compile(r"\b(?:MONDO|NCIT|CHEBI|DOID|HP|UMLS|MESH|PMID|DOI):", re.IGNORECASE)
    offenders = [str(p.relative_to(CURATED)) for p in CURATED.rglob("*.yaml") if pattern.search(p.read_text("utf-8"))]
    assert offenders == []


@pytest.mark.parametrize("entity_id", sorted(e.id for e in ENTITIES))
def test_entity_names_appear_in_the_sources(entity_id: str) -> None:
    entity = next(e for e in ENTITIES if e.id == entity_id)
    texts = " ".join(source_text(s.id) for s in SOURCES.values() if s.kind == "article").lower()
    assert [n for n in entity.synonyms + entity.abbreviations if n.lower() not in texts] == []


@pytest.mark.parametrize("path", sorted(p.name if p.parent == CURATED else f"facts/{p.name}" for p in CURATED.rglob("*.yaml")))
def test_yaml_is_in_canonical_style(path: str) -> None:
    """Canonical style: 2-space indents, no tabs or trailing spaces, free text double-quoted, one final newline.

    To restore it, indent records as '  - key: value' with fields under them at 4 spaces, and wrap quotes,
    statements, titles and skip texts in double quotes (copy them from the source with Python, not by retyping).
    """
    check_canonical((CURATED / path).read_text(encoding="utf-8"), path)


def check_canonical(text: str, path: str) -> None:
    """Assert the canonical style of one curated file's text (also used on files that `catkg source add` writes)."""
    assert text.endswith("\n") and not text.endswith("\n\n"), "end the file with exactly one newline"
    assert isinstance(yaml.safe_load(text), dict)
    for number, line in enumerate(text.split("\n"), start=1):
        where = f"{path}:{number}"
        assert "\t" not in line, f"{where}: tab"
        assert line == line.rstrip(), f"{where}: trailing whitespace"
        indent = len(line) - len(line.lstrip(" "))
        assert indent % 2 == 0, f"{where}: indent by multiples of 2 spaces"
        key = re.match(r"\s*(?:- )?(quote|statement|title|text|predicate|as_written): (.*)", line)
        if key:
            assert key.group(2).startswith('"') and key.group(2).endswith('"'), f"{where}: double-quote {key.group(1)}"

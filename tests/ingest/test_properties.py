"""Property-based tests of the loader and the validators: no input crashes them, and offsets are always right."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from catkg.ingest.load import Curation, load_file, read_yaml
from catkg.ingest.validate import NUMBER, WORDS, closest_passage, numbers_in, occurrences, sources_root

REVIEW = (sources_root() / "002_7e3217616b27ac64.txt").read_text(encoding="utf-8")
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(st.binary(max_size=2000))
def test_any_bytes_give_data_or_located_problems(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(raw)
    data, lines, problems = read_yaml(path, "x.yaml")
    assert data is not None or problems
    assert all(p.file == "x.yaml" and p.line >= 0 for p in problems)


@FAST
@given(st.text(max_size=2000))
def test_any_text_loads_into_records_or_problems(tmp_path: Path, text: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    curation = Curation()
    problems = load_file(path, "x.yaml", curation)
    for p in problems:
        assert p.message and p.file == "x.yaml"


records = st.dictionaries(
    st.sampled_from(
        ["id", "kind", "statement", "subject", "object", "quote", "values", "source", "colour", "occurrence", "citations"]
    ),
    st.one_of(
        st.none(),
        st.integers(),
        st.text(max_size=30),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    ),
    max_size=8,
)


@FAST
@given(st.lists(records, min_size=1, max_size=5))
def test_any_fact_records_are_loaded_or_each_problem_names_its_record(tmp_path: Path, facts: list[dict]) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text(yaml.safe_dump({"facts": facts}), encoding="utf-8")
    curation = Curation()
    problems = load_file(path, "facts.yaml", curation)
    named = {int(p.field.split("[")[1].split("]")[0]) for p in problems if p.field.startswith("facts[")}
    loaded = {item.index for item in curation.facts}
    assert named | loaded == set(range(len(facts))), "every record is either loaded or named in a problem"
    assert not named & loaded


@FAST
@given(st.integers(0, len(REVIEW) - 1), st.integers(1, 300))
def test_every_occurrence_of_a_quote_is_found_at_its_offset(start: int, length: int) -> None:
    quote = REVIEW[start : start + length]
    assume(quote.strip())
    found = occurrences(REVIEW, quote)
    assert start in found
    assert all(REVIEW[s : s + len(quote)] == quote for s in found)


@FAST
@given(st.integers(0, len(REVIEW) - 200), st.integers(20, 150), st.integers(0, 19), st.characters(codec="utf-8"))
def test_a_changed_quote_is_shown_with_its_first_difference(start: int, length: int, at: int, char: str) -> None:
    quote = REVIEW[start : start + length]
    changed = quote[:at] + char + quote[at + 1 :]
    assume(changed not in REVIEW)
    shown = closest_passage(REVIEW, changed)
    assert "first difference at character" in shown


@FAST
@given(st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False))
def test_numbers_are_read_as_written(number) -> None:
    plain = f"{number:f}"
    grouped = f"{number:,f}"
    assert float(number) in numbers_in(f"about {plain} units")
    assert float(number) in numbers_in(f"about {grouped}%")


def test_unsafe_or_unknown_tags_are_problems_not_crashes(tmp_path: Path) -> None:
    for text in ("=\n", "facts: !!python/object:os.system ls\n", "a: !!binary 'not base64!'\n"):
        path = tmp_path / "x.yaml"
        path.write_text(text, encoding="utf-8")
        data, _, problems = read_yaml(path, "x.yaml")
        assert data is None and problems and problems[0].line == 1, text


def test_a_file_that_is_only_a_null_is_a_problem(tmp_path: Path) -> None:
    """Found by the property above: '~' parsed to nothing and said nothing, so a curated file could vanish."""
    for text in ("~", "null", "---\n", "--- ~\n"):
        path = tmp_path / "x.yaml"
        path.write_text(text, encoding="utf-8")
        problems = load_file(path, "x.yaml", Curation())
        assert [p.message for p in problems] == ["the file holds only a null, no records"], text


@FAST
@given(st.lists(st.sampled_from([*WORDS, *(w.upper() for w in WORDS), "twofold", "none", "-", " ", "4", "x"]), max_size=12))
def test_number_words_are_found_as_whole_words_each_as_its_own_search_would(words: list[str]) -> None:
    """One search for all the number words finds what a search a word found (the rule numbers_in had before)."""
    for joined in (" ".join(words), "".join(words), "-".join(words)):
        each = {float(v) for w, v in WORDS.items() if re.search(rf"\b{w}\b", joined, re.IGNORECASE)}
        assert numbers_in(joined) - {float(n.replace(",", "")) for n in NUMBER.findall(joined)} <= each <= numbers_in(joined)

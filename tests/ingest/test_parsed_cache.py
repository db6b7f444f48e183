"""The records cache: a cached file gives exactly the records a fresh read does, and a changed reader reads again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from catkg.ingest import load, parsed, validate
from catkg.ingest.load import CurationError, load_curation
from catkg.ingest.parsed import ParsedCache
from catkg.ingest.validate import curated_root, load_and_validate, sources_root


def records(root: Path, cache: ParsedCache | None = None) -> list[tuple[str, str, str, int, int]]:
    cur = load_curation(root, parsed=cache)
    return [
        (item.section, type(item.record).__name__, item.record.model_dump_json(), item.index, item.line)
        for section in (cur.sources, cur.entities, cur.facts, cur.skips)
        for item in section
    ]


def unreadable(*args: object) -> None:
    raise AssertionError("a cached file was read again")


def test_cached_records_equal_a_fresh_read_and_the_files_are_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = records(curated_root())
    cache = ParsedCache(tmp_path / "parsed")
    assert records(curated_root(), cache) == fresh
    cache.commit()
    assert len(list((tmp_path / "parsed").iterdir())) == len(list(curated_root().rglob("*.yaml")))
    with monkeypatch.context() as patched:
        patched.setattr(load, "file_records", unreadable)
        assert records(curated_root(), ParsedCache(tmp_path / "parsed")) == fresh


def test_a_changed_reader_or_model_reads_every_file_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ParsedCache(tmp_path / "parsed")
    records(curated_root(), cache)
    cache.commit()
    monkeypatch.setattr(parsed, "_reader_key", lambda: b"another reader")
    monkeypatch.setattr(load, "file_records", unreadable)
    with pytest.raises(AssertionError, match="read again"):
        records(curated_root(), ParsedCache(tmp_path / "parsed"))


def test_a_file_with_problems_is_not_kept_and_is_reported_again(tmp_path: Path) -> None:
    root = tmp_path / "curated"
    shutil.copytree(curated_root(), root)
    target = next(root.glob("facts/*.yaml"))
    target.write_text(target.read_text(encoding="utf-8").replace("  statement:", "  statment:", 1), encoding="utf-8")
    for _ in range(2):
        cache = ParsedCache(tmp_path / "parsed")
        with pytest.raises(CurationError, match="statment"):
            load_curation(root, parsed=cache)
        cache.commit()
    kept = {p.name for p in (tmp_path / "parsed").iterdir()}
    assert cache.key(target) not in kept and len(kept) == len(list(root.rglob("*.yaml"))) - 1


def test_an_unreadable_cache_entry_is_read_again(tmp_path: Path) -> None:
    fresh = records(curated_root())
    cache = ParsedCache(tmp_path / "parsed")
    records(curated_root(), cache)
    cache.commit()
    for entry in (tmp_path / "parsed").iterdir():
        entry.write_bytes(b"not a pickle")
    assert records(curated_root(), ParsedCache(tmp_path / "parsed")) == fresh


def validated_through(cache_dir: Path, curated: Path | None = None, sources: Path | None = None) -> dict:
    cache = ParsedCache(cache_dir)
    checked = load_and_validate(curated, sources, parsed=cache)
    cache.commit()
    return checked.spans


def test_an_unchanged_file_is_not_checked_fact_by_fact_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = load_and_validate().spans
    assert validated_through(tmp_path / "parsed") == fresh
    monkeypatch.setattr(validate, "_check_fact", unreadable)
    assert validated_through(tmp_path / "parsed") == fresh


def test_a_changed_text_or_entity_checks_every_fact_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    curated, sources = tmp_path / "curated", tmp_path / "sources"
    shutil.copytree(curated_root(), curated)
    shutil.copytree(sources_root(), sources)
    validated_through(tmp_path / "parsed", curated, sources)
    text = next(sources.glob("*.txt"))
    text.write_text(text.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with monkeypatch.context() as patched:
        patched.setattr(validate, "_check_fact", unreadable)
        with pytest.raises(AssertionError, match="read again"):
            validated_through(tmp_path / "parsed", curated, sources)
    validated_through(tmp_path / "parsed", curated, sources)
    # The fact files are unchanged, but an entity their facts name is renamed away: still refused.
    fact = load_and_validate(curated, sources).curation.facts[0].record
    entities = next(p for p in curated.rglob("*.yaml") if f"- id: {fact.subject}\n" in p.read_text(encoding="utf-8"))
    entities.write_text(
        entities.read_text(encoding="utf-8").replace(f"- id: {fact.subject}\n", f"- id: {fact.subject}-renamed\n"),
        encoding="utf-8",
    )
    with pytest.raises(CurationError, match=f"unknown entity '{fact.subject}'"):
        validated_through(tmp_path / "parsed", curated, sources)

"""Building a store: counts read back, atomic swap, a failed build changes nothing, readers follow a swap."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from catkg.ingest.validate import load_and_validate
from catkg.store.build import build
from catkg.store.embedded import EmbeddedStore, StoreError, generations_dir


def test_built_store_holds_every_curated_record(store: EmbeddedStore) -> None:
    checked = load_and_validate()
    counts = store.info["counts"]
    assert counts["facts"] == len(checked.curation.facts) >= 1
    assert counts["entities"] == len(checked.curation.entities)
    assert counts["sources"] == len(checked.curation.sources)
    assert counts["triples"] > 10 * counts["facts"]


def test_rebuild_swaps_and_open_store_follows(tmp_path: Path) -> None:
    path = tmp_path / "store"
    first = build(path).directory
    reader = EmbeddedStore(path)
    assert reader.generation().directory == first
    second = build(path).directory
    assert second != first and path.resolve() == second
    assert reader.generation().directory == second
    assert bool(reader.query("ASK { ?f a <https://w3id.org/catkg/ontology#Fact> }"))
    third = build(path).directory
    kept = {p for p in generations_dir(path).iterdir() if p.is_dir()}
    assert kept == {second, third}, "keeps the current generation and the one it replaced"


def test_failing_step_removes_its_generation_and_keeps_the_old(tmp_path: Path) -> None:
    path = tmp_path / "store"
    first = build(path).directory

    def broken_step(directory, validated):
        raise OSError(28, "No space left on device")

    with pytest.raises(StoreError, match="No space left on device"):
        build(path, steps=[broken_step])
    assert path.resolve() == first
    assert [p for p in generations_dir(path).iterdir() if p.is_dir()] == [first]


def test_a_plain_directory_is_never_clobbered(tmp_path: Path) -> None:
    path = tmp_path / "store"
    path.mkdir()
    (path / "precious").write_text("keep me")
    with pytest.raises(StoreError, match="not a catkg store"):
        build(path)
    assert (path / "precious").read_text() == "keep me"


def test_missing_and_corrupted_stores_say_how_to_rebuild(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="catkg build"):
        EmbeddedStore(tmp_path / "none")
    path = tmp_path / "store"
    directory = build(path).directory
    os.remove(directory / "build.json")
    with pytest.raises(StoreError, match="incomplete or corrupted.*catkg build"):
        EmbeddedStore(path)


def test_unwritable_location_is_a_clear_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        blocker = tmp_path / "file"
        blocker.write_text("")
        target = blocker / "store"  # a path under a regular file cannot be created, even by root
    else:
        tmp_path.chmod(0o500)
        target = tmp_path / "store"
    with pytest.raises(StoreError, match="cannot create the store directory"):
        build(target)


def _parts_then(failure):
    """``data_parts`` of the curated data, with ``failure`` in place of the text of its second part of facts."""
    from catkg.ingest import to_rdf

    real = to_rdf.data_parts

    def parts(validated):
        made = real(validated)
        made[2] = replace(made[2], render=lambda: to_rdf.Rendered(failure()[1], ("<urn:a>",)))
        return made

    return parts


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "failure, error",
    [
        (lambda: (_ for _ in ()).throw(OSError(5, "Input/output error")), "Input/output error"),
        (lambda: ("facts", "<urn:a> <urn:b> not a term .\n"), "refused the RDF written .* must be an IRI"),
    ],
    ids=["the writer fails", "the loader refuses a line"],
)
def test_a_build_failing_while_streaming_stops_and_keeps_the_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure, error: str
) -> None:
    """The data graph streams through a pipe into the loader while the shapes are checked on the same chunks: a
    failure on either side ends all of them (no thread left waiting) and leaves the serving generation alone."""
    path = tmp_path / "store"
    first = build(path).directory
    monkeypatch.setattr("catkg.ingest.to_rdf.CHUNK", 50)
    monkeypatch.setattr("catkg.store.build.data_parts", _parts_then(failure))
    with pytest.raises(StoreError, match=error):
        build(path)
    assert path.resolve() == first
    assert [p for p in generations_dir(path).iterdir() if p.is_dir()] == [first]


def _disk(path: Path) -> int:
    return sum(f.stat().st_blocks * 512 for f in path.rglob("*") if f.is_file())


def test_the_store_is_no_larger_than_its_quads_loaded_at_once(store: EmbeddedStore, tmp_path: Path) -> None:
    """Each load after the first lands in RocksDB's first level, and four of them set off a compaction that left
    the store 1.6x larger (10k facts); a store left open after a large load compacts too (1.9x at 100k). The build
    loads everything in one go, adds only the meta graph after, and reads the store back read-only."""
    from pyoxigraph import RdfFormat, Store

    built = store.generation().directory / "oxigraph"
    dump = tmp_path / "all.nq"
    with dump.open("wb") as out:
        store.generation().oxigraph.dump(out, format=RdfFormat.N_QUADS)
    raw = Store(str(tmp_path / "raw"))
    raw.bulk_load(path=str(dump), format=RdfFormat.N_QUADS)
    raw.flush()
    del raw
    assert _disk(built) <= 1.15 * _disk(tmp_path / "raw"), (_disk(built), _disk(tmp_path / "raw"))


def test_a_fact_whose_quote_is_lost_fails_the_count_check(store: EmbeddedStore) -> None:
    from pyoxigraph import NamedNode, Store

    from catkg.store.build import _check_counts
    from catkg.store.embedded import Snapshot

    copy = Store()
    copy.extend(store.generation().oxigraph.quads_for_pattern(None, None, None, None))
    validated = load_and_validate()
    assert _check_counts(Snapshot(copy), validated)["quotes"] == len(validated.curation.facts)
    exact = next(copy.quads_for_pattern(None, NamedNode("http://www.w3.org/ns/oa#exact"), None, None))
    copy.remove(exact)
    with pytest.raises(StoreError, match="'quotes': " + str(len(validated.curation.facts) - 1)):
        _check_counts(Snapshot(copy), validated)

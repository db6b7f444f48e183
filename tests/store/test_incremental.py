"""Incremental builds: the parts of the graph the serving generation holds and its shapes check passed are reused.

The proof is by comparison with a full build of the same files: the same quads, the same search answers, the same
counts; and an edit that breaks a shape in a file whose parts were cached is still refused.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import BlankNode, NamedNode, RdfFormat, Store, serialize
from rdflib import Graph
from rdflib.compare import IsomorphicGraph, to_isomorphic

from catkg.api.app import create_app
from catkg.ingest.load import CurationError
from catkg.ingest.to_rdf import META_GRAPH, ONTOLOGY_GRAPH, data_parts
from catkg.ingest.validate import load_and_validate
from catkg.queries.steps import build_graph
from catkg.store.build import PASSED, cache_dir
from catkg.store.embedded import EmbeddedStore, StoreError
from catkg.store.parts import PARTS

ROOT = Path(__file__).resolve().parents[2]
CHUNK = 50
"""Facts (and claims) per part in these tests (the build's is 500): 300 synthetic facts make 6 parts beside the
records and the claims' parts."""
FACTS = 300
MODIFIED = "http://purl.org/dc/terms/modified"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("incremental")
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "synth.py"), str(out), "--facts", str(FACTS), "--facts-per-file", "100"],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(autouse=True)
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("catkg.ingest.to_rdf.CHUNK", CHUNK)


def copy(data: Path, to: Path) -> Path:
    shutil.copytree(data / "curated", to / "curated")
    shutil.copytree(data / "sources", to / "sources")
    return to


def build_at(store: Path, data: Path, **options: object):
    return build_graph(store, curated=data / "curated", sources=data / "sources", **options)


def quads(store: Path) -> tuple[set[str], IsomorphicGraph]:
    """Every quad of the store but the build time (which differs between any two builds): those without blank
    nodes as N-Quads, those with (the ontology's OWL axioms, labelled anew by each load) as a graph compared up to
    the renaming of its blank nodes."""
    opened = Store.read_only(str(store.resolve() / "oxigraph"))
    plain, blank = set(), []
    for q in opened:
        if q.graph_name == META_GRAPH and q.predicate == NamedNode(MODIFIED):
            continue
        if isinstance(q.subject, BlankNode) or isinstance(q.object, BlankNode):
            assert q.graph_name == ONTOLOGY_GRAPH, q
            blank.append(q.triple)
        else:
            plain.add(str(q))
    return plain, to_isomorphic(Graph().parse(data=serialize(blank, format=RdfFormat.N_TRIPLES), format="nt"))


def answers(store: Path) -> list[object]:
    """What the API answers about the store: searches, statistics (but the build time) and every fact."""
    with TestClient(create_app(EmbeddedStore(store))) as client:
        return [
            {k: v for k, v in client.get(url).json().items() if k != "built"}
            for url in (
                "/api/search?q=pulmonary+embolism&limit=50",
                "/api/search?q=risk+of+lung+cancer&limit=50",
                "/api/stats",
                "/api/facts?limit=1000",
            )
        ]


def part_count(data: Path) -> int:
    """The parts of the data graph: the records, then runs of about ``CHUNK`` facts, then of claims."""
    return len(data_parts(load_and_validate(data / "curated", data / "sources")))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_incremental_build_equals_a_full_build(data: Path, tmp_path: Path) -> None:
    work = copy(data, tmp_path)
    first = build_at(tmp_path / "store", work).info
    parts = part_count(work)
    assert first["shapes"]["reused_parts"] == 0 and first["shapes"]["focus_nodes"] > FACTS and "delta" not in first
    assert len((tmp_path / "store").resolve().joinpath(PASSED).read_text().split()) == parts

    again = build_at(tmp_path / "store", work).info
    assert (again["shapes"]["reused_parts"], again["shapes"]["focus_nodes"]) == (parts, 0), "nothing is checked again"
    assert again["delta"] == {"parts_kept": parts, "parts_removed": 0, "parts_written": 0}
    assert again["reasoning"]["reused"] and again["counts"] == first["counts"]

    # One fact of the second file changes: its part is checked and written again, and only it.
    edit(work / "curated" / "facts" / "facts-00001.yaml", "(synthetic fact 150)", "(synthetic fact 150, edited)")
    incremental = build_at(tmp_path / "store", work).info
    assert (
        incremental["shapes"]["reused_parts"] == parts - 1
        and 0 < incremental["shapes"]["focus_nodes"] < first["shapes"]["focus_nodes"]
    )
    assert incremental["delta"] == {"parts_kept": parts - 1, "parts_removed": 1, "parts_written": 1}
    full = build_at(tmp_path / "full", work, incremental=False).info
    assert full["shapes"]["reused_parts"] == 0 and full["shapes"]["focus_nodes"] == first["shapes"]["focus_nodes"]

    assert incremental["counts"] == full["counts"] and incremental["data_version"] == full["data_version"]
    assert quads(tmp_path / "store") == quads(tmp_path / "full")
    assert any("synthetic fact 150, edited" in q for q in quads(tmp_path / "store")[0])
    assert not any("(synthetic fact 150)" in q for q in quads(tmp_path / "store")[0]), "the old text is gone"
    assert answers(tmp_path / "store") == answers(tmp_path / "full")


def test_deltas_on_deltas_equal_a_full_build(data: Path, tmp_path: Path) -> None:
    """A delta generation is itself the base of the next: statements, a direction (which moves a fact between the
    supporting and the disputing side of its claim, so other facts' conflict links change) and a statement, one
    build each, give the same store as one full build of the result."""
    work = copy(data, tmp_path)
    build_at(tmp_path / "store", work)
    facts = work / "curated" / "facts"
    edit(facts / "facts-00000.yaml", "(synthetic fact 7)", "(synthetic fact 7, again)")
    edit(facts / "facts-00002.yaml", "(synthetic fact 201)", "(synthetic fact 201, again)")
    text = (facts / "facts-00001.yaml").read_text(encoding="utf-8")
    assert "direction: supports\n" in text
    (facts / "facts-00001.yaml").write_text(
        text.replace("direction: supports\n", "direction: does-not-support\n", 1), encoding="utf-8"
    )
    delta = build_at(tmp_path / "store", work).info["delta"]
    assert delta["parts_written"] >= 3 and delta["parts_removed"] == delta["parts_written"]
    edit(facts / "facts-00002.yaml", "(synthetic fact 202)", "(synthetic fact 202, again)")
    assert build_at(tmp_path / "store", work).info["delta"]["parts_written"] == 1
    full = build_at(tmp_path / "full", work, incremental=False).info
    assert build_at(tmp_path / "store", work).info["counts"] == full["counts"]
    assert quads(tmp_path / "store") == quads(tmp_path / "full")
    assert answers(tmp_path / "store") == answers(tmp_path / "full")


def test_changed_records_or_writer_or_record_of_parts_load_everything(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entity's edit (its types feed the reasoner and every part's check), another writer of the triples, and a
    record of parts that cannot be read each make a full load, which equals a full build."""
    work = copy(data, tmp_path)
    build_at(tmp_path / "store", work)
    edit(work / "curated" / "entities" / "entities-00000.yaml", '"marker infarction anatomical site 0"', '"renamed site 0"')
    assert "delta" not in build_at(tmp_path / "store", work).info
    build_at(tmp_path / "full", work, incremental=False)
    assert quads(tmp_path / "store") == quads(tmp_path / "full")

    (tmp_path / "store").resolve().joinpath(PARTS).write_bytes(b"not a database")
    assert "delta" not in build_at(tmp_path / "store", work).info
    with monkeypatch.context() as patched:
        patched.setattr("catkg.store.build.writer_key", lambda: b"another writer")
        assert "delta" not in build_at(tmp_path / "store", work).info
    assert "delta" not in build_at(tmp_path / "store", work).info, "the parts were written by another writer"
    assert "delta" in build_at(tmp_path / "store", work).info, "each full build records its parts again"
    assert quads(tmp_path / "store") == quads(tmp_path / "full")


def test_a_delta_that_fails_leaves_the_serving_generation_as_it_was(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A delta works on a copy whose files are hard links to the serving store's: a load refused half way through
    the delta removes the copy and changes nothing the server reads."""
    from catkg.ingest import to_rdf

    work = copy(data, tmp_path)
    served = build_at(tmp_path / "store", work).directory
    before = quads(tmp_path / "store")
    edit(work / "curated" / "facts" / "facts-00001.yaml", "(synthetic fact 150)", "(synthetic fact 150, edited)")
    real = to_rdf.data_parts
    keys = {part.key for part in real(load_and_validate(work / "curated", work / "sources"))} - {
        part.key for part in real(load_and_validate(data / "curated", data / "sources"))
    }

    def broken(validated):
        return [
            replace(p, render=lambda: to_rdf.Rendered("<urn:a> <urn:b> not a term .\n", ("<urn:a>",))) if p.key in keys else p
            for p in real(validated)
        ]

    monkeypatch.setattr("catkg.store.build.data_parts", broken)
    with pytest.raises(StoreError, match="refused the RDF"):
        build_at(tmp_path / "store", work)
    assert (tmp_path / "store").resolve() == served and quads(tmp_path / "store") == before
    assert [p for p in served.parent.iterdir() if p.is_dir()] == [served]


def test_a_shape_broken_in_a_cached_file_is_still_refused(data: Path, tmp_path: Path) -> None:
    work = copy(data, tmp_path)
    served = build_at(tmp_path / "store", work).directory
    # fact-1 is in the first file, whose part passed: its percentage loses its unit, which only the shapes refuse.
    edit(
        work / "curated" / "facts" / "facts-00000.yaml",
        '        as_written: "19.4%"\n        unit: "%"\n',
        '        as_written: "19.4%"\n',
    )
    with pytest.raises(CurationError, match="fact 'fact-1': a measurement needs a unit"):
        build_at(tmp_path / "store", work)
    assert (tmp_path / "store").resolve() == served, "the previous generation keeps serving"


def test_unchanged_files_are_not_parsed_again_but_still_validated(data: Path, tmp_path: Path) -> None:
    """The parse of every curated file is kept by content; a file whose entity went away is still refused."""
    work = copy(data, tmp_path)
    build_at(tmp_path / "store", work)
    parsed = cache_dir(tmp_path / "store") / "parsed"
    files = sorted((work / "curated").rglob("*.yaml"))
    fact_files = [p for p in files if p.parent.name == "facts"]
    before = {p.name for p in parsed.iterdir()}
    assert len(before) == len(files) + len(fact_files), "each file's records, and each fact file's checked spans"
    edit(work / "curated" / "facts" / "facts-00002.yaml", "(synthetic fact 250)", "(synthetic fact 250, edited)")
    build_at(tmp_path / "store", work)
    after = {p.name for p in parsed.iterdir()}
    assert len(after) == len(before) and len(after - before) == 2, "the edited file's records and spans replaced"
    # The fact files are unchanged, but the entity their first fact names is renamed away: still refused.
    edit(work / "curated" / "entities" / "entities-00000.yaml", "- id: anatomical-site-e14\n", "- id: anatomical-site-e14x\n")
    with pytest.raises(CurationError, match="facts\\[0\\].subject: unknown entity 'anatomical-site-e14'"):
        build_at(tmp_path / "store", work)


def test_changed_shapes_check_everything_again(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from catkg.ontology import shacl

    work = copy(data, tmp_path)
    build_at(tmp_path / "store", work)
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(Path(shacl.shapes_path()).read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    monkeypatch.setattr(shacl, "shapes_path", lambda: str(shapes))
    assert build_at(tmp_path / "store", work).info["shapes"]["reused_parts"] == 0


def test_an_unreadable_record_of_passed_parts_checks_everything(data: Path, tmp_path: Path) -> None:
    work = copy(data, tmp_path)
    served = build_at(tmp_path / "store", work).directory
    (served / PASSED).write_bytes(b"\xff\xfe not text")
    assert build_at(tmp_path / "store", work).info["shapes"]["reused_parts"] == 0


def test_the_cli_says_what_a_build_reused_and_builds_everything_with_full(data: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from catkg.api.cli import app

    work = copy(data, tmp_path)
    store = tmp_path / "store"
    command = ["build", "--store", str(store), "--curated", str(work / "curated"), "--sources", str(work / "sources")]
    runner = CliRunner()
    assert runner.invoke(app, command).exit_code == 0
    edit(work / "curated" / "facts" / "facts-00001.yaml", "(synthetic fact 150)", "(synthetic fact 150, edited)")
    again = runner.invoke(app, command)
    assert again.exit_code == 0 and f"1 of {part_count(work)} parts written anew" in again.output, again.output
    full = runner.invoke(app, [*command, "--full"])
    assert full.exit_code == 0 and "parts written" not in full.output, full.output
    info = (store.resolve() / "build.json").read_text(encoding="utf-8")
    assert '"delta"' not in info and '"reused_parts": 0' in info

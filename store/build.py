"""Build a store generation from curated data and swap it in atomically.

The new generation is written beside the old one; only when everything in it is written and checked does the
store link move to it (``os.replace`` of a link is atomic). A build that fails removes its own directory and
leaves the previous generation serving, untouched.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import queue
import shutil
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, serialize

from catkg.ingest import collector
from catkg.ingest.load import DRAFT_SUFFIX, CurationError
from catkg.ingest.parsed import ParsedCache
from catkg.ingest.to_rdf import (
    DATA_GRAPH,
    INFERRED_GRAPH,
    META_GRAPH,
    Part,
    data_parts,
    entity_typing,
    meta_quads,
    ontology_quads,
    writer_key,
)
from catkg.ingest.validate import Validated, curated_root, load_and_validate, sources_root
from catkg.ontology.reason import REASONER, Reasoning, ReasoningError, reason
from catkg.ontology.shacl import ShapeError, ShapeReport, check_shapes, records_key
from catkg.store.beside import Beside, Step
from catkg.store.embedded import GENERATIONS, Snapshot, StoreError, generations_dir
from catkg.store.parts import Parts
from catkg.store.remote import Staged, stage


@dataclass(frozen=True)
class BuildResult:
    directory: Path
    info: dict


def content_hash(*roots: Path) -> str:
    """A short hash of every curated and source file (drafts are not curated): the data version of a build."""
    digest = hashlib.sha256()
    for root in roots:
        read = (p for p in root.rglob("*") if p.is_file() and p.suffix in {".yaml", ".txt"} and not p.name.endswith(DRAFT_SUFFIX))
        for path in sorted(read):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _count(store: Snapshot, sparql: str) -> int:
    return int(next(iter(store.query(sparql)))[0].value)


PREFIXES = "PREFIX cat: <https://w3id.org/catkg/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#> "


QUOTED = (
    "SELECT (COUNT(DISTINCT ?f) AS ?n) { { SELECT ?f ?e { ?f cat:hasEvidence ?e } } "
    "{ SELECT ?e ?s { ?e oa:hasSelector ?s } } { SELECT ?s { ?s oa:exact ?quote } } }"
)
"""The facts with a quote in the store. Written as three subqueries, which Oxigraph joins by hash, where the path
``cat:hasEvidence/oa:hasSelector/oa:exact`` was a lookup a step: 0.69 s against 3.7 s at 100k facts (measured)."""


def _check_counts(store: Snapshot, validated: Validated) -> dict[str, int]:
    """Read back what was written and compare with what was curated, so a silent loss fails the build."""
    counts = {
        "facts": _count(store, PREFIXES + "SELECT (COUNT(DISTINCT ?f) AS ?n) { ?f a cat:Fact }"),
        "entities": _count(store, PREFIXES + "SELECT (COUNT(DISTINCT ?e) AS ?n) { ?e a cat:Entity }"),
        "sources": _count(store, PREFIXES + "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s a cat:Source }"),
        "quotes": _count(store, PREFIXES + QUOTED),
    }
    cur = validated.curation
    expected = {"facts": len(cur.facts), "entities": len(cur.entities), "sources": len(cur.sources), "quotes": len(cur.facts)}
    if counts != expected:
        raise StoreError(f"the built store does not hold what was curated: read back {counts}, expected {expected}")
    return counts


def build(
    path: Path,
    *,
    steps: Iterable[Step] = (),
    curated: Path | None = None,
    sources: Path | None = None,
    progress: Callable[[str], None] = lambda message: None,
    store_url: str | None = None,
    incremental: bool = True,
) -> BuildResult:
    """Validate, convert, load and check a new generation, then make ``path`` point at it.

    ``incremental``: curated files read by an earlier build (their records, kept by content hash in
    :func:`cache_dir`) are not read again, nor their facts checked one by one while nothing those checks read has
    changed (see :mod:`catkg.ingest.parsed`); and the parts of the graph that the serving
    generation's shapes check passed (its :data:`PASSED`, by content hash) are not checked again. Without a
    serving generation the shapes check everything; with False nothing is reused.

    With ``store_url`` (a remote SPARQL 1.1 store's query endpoint) the graphs go to that store instead of
    ``oxigraph/`` (see :mod:`catkg.store.remote`): they are built and checked in memory, staged on the remote
    store, read back, and switched live just before ``path`` moves to the new generation, which then holds
    only the build record and what the steps wrote (the search index).

    :raises CurationError: when the curated data has problems (nothing is written).
    :raises StoreError: when the store cannot be written or read back (the previous generation stays).
    """
    path = Path(path)
    if path.exists() and not path.is_symlink():
        raise StoreError(f"{path} exists and is not a catkg store link; move it away or choose another --store")
    with collector.frozen():  # the curation is alive to the end of the build: the collector need not walk it
        progress("validating curated data")
        parsed = ParsedCache(cache_dir(path) / "parsed") if incremental else None
        validated = load_and_validate(curated, sources, parsed=parsed)
        gens = generations_dir(path)
        try:
            gens.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(f"cannot create the store directory {gens}: {err.strerror}") from err
        with open(gens / ".lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as err:
                raise StoreError(f"another build of {path} is running") from err
            passed = _passed(path) if incremental else frozenset()
            result = _build_locked(path, gens, validated, steps, curated, sources, progress, store_url, passed)
            if parsed is not None:
                parsed.commit()  # only now: a failed build leaves the cache as it was
            return result


def _build_locked(
    path: Path,
    gens: Path,
    validated: Validated,
    steps: Iterable[Step],
    curated: Path | None,
    sources: Path | None,
    progress: Callable[[str], None],
    store_url: str | None = None,
    passed: frozenset[str] = frozenset(),
) -> BuildResult:
    started = time.perf_counter()
    built = datetime.now(UTC)
    directory = gens / f"{built.strftime('%Y%m%dT%H%M%S%fZ')}-{os.getpid()}"
    info = {
        "version": package_version("catkg"),
        "data_version": content_hash(curated or curated_root(), sources or sources_root()),
        "built": built.isoformat(timespec="seconds"),
    }
    staged: list[Staged] = []
    if store_url:
        info["store_url"] = store_url
        info["generation"] = directory.name
    previous = path.resolve() if path.is_symlink() else None
    try:
        directory.mkdir()
        serving = previous if passed and not store_url else None  # a delta builds on what the shapes passed
        info["counts"] = _write_generation(directory, validated, steps, info, built, progress, staged, passed, serving)
        info["seconds"] = round(time.perf_counter() - started, 3)
        (directory / "build.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        for remote in staged:
            progress("switching the remote store to the new graphs")
            remote.switch()
        _swap(path, directory)
    except BaseException as err:
        for remote in staged:
            if not remote.done:
                remote.drop()
        # The failed store may still be referenced from the traceback's frames, and RocksDB writes files
        # when it closes: release it before removing its directory, or the directory comes back.
        traceback.clear_frames(err.__traceback__)
        shutil.rmtree(directory, ignore_errors=True)
        if isinstance(err, OSError):
            raise StoreError(f"cannot write the store in {directory}: {err}") from err
        raise
    _prune(path, gens, keep={directory, previous})
    progress(f"built {info['counts']['facts']} facts, {info['counts']['triples']} triples in {info['seconds']} s")
    return BuildResult(directory, info)


def _write_generation(
    directory: Path,
    validated: Validated,
    steps: Iterable[Step],
    info: dict,
    built: datetime,
    progress: Callable[[str], None],
    staged: list[Staged] | None = None,
    passed: frozenset[str] = frozenset(),
    serving: Path | None = None,
) -> dict[str, int]:
    """Write the new generation: its article texts, its ``steps`` (in a forked process beside the store, see
    :mod:`catkg.store.beside`) and its store (:func:`_write_store`); returns the store's counts.
    """
    _write_texts(directory, validated)
    beside = Beside(steps, directory, validated)
    try:
        return _write_store(directory, validated, beside, info, built, progress, staged, passed, serving)
    finally:
        beside.stop()  # only still running when the store failed: the generation is discarded


def _write_store(
    directory: Path,
    validated: Validated,
    beside: Beside,
    info: dict,
    built: datetime,
    progress: Callable[[str], None],
    staged: list[Staged] | None,
    passed: frozenset[str],
    serving: Path | None,
) -> dict[str, int]:
    """Load, check and complete the new generation's store, then wait for ``beside``; closes the store before
    returning, error or not.

    With ``serving`` (the generation being replaced) and a data graph that differs from it in a few of its parts
    (:func:`_delta_of`), the store is a copy of the serving one with those parts replaced (:func:`_load_delta`);
    else it is loaded whole. For a remote store (``info["store_url"]``) the store is built in memory and then
    staged on the remote store (appended to ``staged``, for the caller to switch live).
    """
    remote_url = info.get("store_url")
    started = time.perf_counter()
    progress("writing the data graph's parts' keys, to compare with the serving generation's")
    parts = data_parts(validated)
    delta = _delta_of(serving, parts, passed) if serving else None
    if delta:
        assert serving is not None
        try:
            # A checkpoint: the serving store's files hard-linked (never changed in place), read-only to it.
            Store.read_only(str(serving / "oxigraph")).backup(str(directory / "oxigraph"))
        except (OSError, RuntimeError):  # a damaged serving store: this build replaces it whole
            shutil.rmtree(directory / "oxigraph", ignore_errors=True)
            delta.serving.close()
            delta = None
    progress("loading RDF, reasoning over the entities and checking SHACL shapes" if not delta else "replacing the changed parts")
    store = Store() if remote_url else Store(str(directory / "oxigraph"))
    try:
        try:
            release = info["version"] + "+" + info["data_version"]
            meta = lambda n: meta_quads(release, built, n)  # noqa: E731
            if delta:
                shapes, triples = _load_delta(store, directory, delta, parts, passed, meta)
                info["reasoning"] = {**delta.reasoning, "reused": True}  # the entities and the ontology are the same
            else:
                reasoning, shapes, triples = _load_and_check(store, directory, validated, parts, passed, meta)
                info["reasoning"] = {
                    "reasoner": REASONER,
                    "seconds": reasoning.seconds,
                    "inferred_triples": len(reasoning.triples()),
                    "inferred_types": len(reasoning.types),
                    "inferred_subclass_links": len(reasoning.subclasses),
                }
        except (ReasoningError, ShapeError) as err:
            raise _located(err, validated) from err
        info["load_seconds"] = round(time.perf_counter() - started, 3)
        info["shapes"] = {"seconds": shapes.seconds, "focus_nodes": shapes.focus_nodes, "reused_parts": shapes.reused}
        if delta:
            info["delta"] = {"parts_kept": delta.kept, "parts_removed": len(delta.gone), "parts_written": len(delta.new)}
        # A delta's record keeps the serving generation's keys too: each still certifies the exact text it names.
        keys = shapes.passed | (passed if delta else frozenset())
        (directory / PASSED).write_text("".join(f"{key}\n" for key in sorted(keys)), encoding="utf-8")
        if len(store) != triples:
            raise StoreError(
                f"the store holds {len(store)} triples, but {triples} were written: the RDF written from the curated "
                "data repeats a quad, a bug in catkg.ingest.to_rdf, please report it"
            )
        if not remote_url:
            # Closed at once and read back read-only: left open, RocksDB compacts what was just loaded into a
            # store twice the size (1.9x at 100k facts) while the steps run.
            store.flush()
            del store
            store = Store.read_only(str(directory / "oxigraph"))
        progress("counting what was stored")
        counts = _check_counts(Snapshot(store), validated)
        counts["triples"] = triples
        progress(f"waiting for {beside.names or 'no build step'}, written beside the store")
        info["steps_seconds"] = round(beside.result(), 3)
        if remote_url:
            progress(f"writing the graphs to {remote_url}")
            assert staged is not None, "a remote build stages into the caller's list, which switches or drops it"
            remote = stage(remote_url, store, info["generation"])
            staged.append(remote)
            info["remote_seconds"] = remote.seconds
        return counts
    finally:
        del store  # closes it: RocksDB has flushed and released its lock before the swap


def _load_and_check(
    store: Store,
    directory: Path,
    validated: Validated,
    parts: list[Part],
    passed: frozenset[str],
    meta: Callable[[int], list[Quad]],
) -> tuple[Reasoning, ShapeReport, int]:
    """Load the ontology, the data graph, what the reasoner infers and the meta graph into ``store``, in one
    ``bulk_load``; check the shapes and reason over the entities meanwhile. Returns the number of quads written.

    ``meta(n)`` is the meta graph of a dataset of ``n`` quads, its own included. It is written last, in the same
    load, counted from the lines written before it: the writer never repeats a quad (the ontology and the
    inferences are written each quad once, the curated data's RDF has no repeats; the caller checks the store's
    count against it). A second load, however small, would land beside the first in RocksDB, and every index scan
    would then merge two files: the 2-hop query of benchmarks/ took 9% longer on such a store (measured at 10k).

    The graphs are written as N-Quads into a pipe that ``bulk_load`` reads (Rust, without the GIL), and each
    chunk of facts also goes to the SHACL check, which runs on its own in-memory stores (large batches in worker
    processes); HermiT runs in its JVM.
    So the two cores share the work instead of taking it in turn (benchmarks/RESULTS.md has the phases). One
    load, not one a graph: RocksDB compacts its first level once four loads have landed there, and the
    compaction left the 10k store 1.6x the size of the same quads loaded at once.

    :raises ReasoningError, ShapeError: when the entities contradict the ontology or the data breaks a shape.
    :raises StoreError: when the store refuses what was written.
    """
    records = parts[0].render().text
    facts: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
    read, write = os.pipe()
    record = Parts.create(directory)
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="catkg-build") as pool:
        reasoning = pool.submit(reason, entity_typing(validated))
        shapes = pool.submit(check_shapes, records, iter(facts.get, None), passed)
        writer = pool.submit(_write_graphs, write, parts, record, facts, shapes, reasoning, meta)
        try:
            store.bulk_load(path=f"/dev/fd/{read}", format=RdfFormat.N_QUADS)
        except SyntaxError as err:  # the writer wrote what N-Quads does not allow: catkg's bug, not the data's
            raise _refused(err) from err
        finally:
            os.close(read)  # a writer still writing gets EPIPE instead of waiting forever
        try:
            written = writer.result()
        finally:
            record.close(commit=writer.exception() is None)
        return reasoning.result(), shapes.result(), written


@dataclass(frozen=True)
class _Delta:
    """How the new data graph differs from the serving generation's, part by part (:mod:`catkg.store.parts`)."""

    serving: Parts
    new: list[Part]
    gone: set[str]
    kept: int
    triples: int
    """The quads of the serving store."""
    reasoning: dict
    """The serving build's record of its reasoning, which the same entities and ontology would repeat."""


DELTA_SHARE = 0.25
"""A build copies the serving store and replaces parts only while at most this share of the parts changed: a
bound chosen, not measured, so that a large change is one bulk load into fresh files rather than many removals
and small loads beside the old ones."""


def _delta_of(serving: Path, parts: list[Part], passed: frozenset[str]) -> _Delta | None:
    """The parts to replace in a copy of ``serving``'s store, or None when the build must load everything: no
    record of its parts, another writer (catkg's code or the ontology changed), other records (sources, ledgers
    or entities changed: the reasoner and every part's check depend on them), shapes whose check of the records
    did not pass there (the shapes changed), or too many changed parts."""
    try:
        served = json.loads((serving / "build.json").read_text(encoding="utf-8"))
        triples, reasoning = int(served["counts"]["triples"]), dict(served["reasoning"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    record = Parts.open(serving) if (serving / "oxigraph").is_dir() else None
    if record is None:
        return None
    records = parts[0].render().text.encode()
    same = record.get("writer") == writer_key().hex() and record.get("records") == parts[0].key
    if not same or records_key(records) not in passed:
        record.close()
        return None
    keys = record.keys()
    new = [part for part in parts if part.key not in keys]
    if len(new) > DELTA_SHARE * len(parts):
        record.close()
        return None
    return _Delta(record, new, keys - {part.key for part in parts}, len(parts) - len(new), triples, reasoning)


def _load_delta(
    store: Store, directory: Path, delta: _Delta, parts: list[Part], passed: frozenset[str], meta: Callable[[int], list[Quad]]
) -> tuple[ShapeReport, int]:
    """Replace, in ``store`` (a copy of the serving generation's), the parts that are gone by the new ones and the
    meta graph by a new one; check the new parts' shapes; record the parts in ``directory``. Returns the shapes'
    report and the number of quads the store now holds. A failure leaves the copy for the caller to remove."""
    rendered = [part.render() for part in delta.new]
    removed = sum(_remove_subjects(store, subjects) for _, _, subjects in delta.serving.rows(delta.gone))
    old_meta = list(store.quads_for_pattern(None, None, None, META_GRAPH))
    _remove(store, old_meta)
    text = "".join(r.text for r in rendered)
    try:
        store.load(input=text.encode(), format=RdfFormat.N_TRIPLES, to_graph=DATA_GRAPH)
    except SyntaxError as err:
        raise _refused(err) from err
    triples = delta.triples - removed - len(old_meta) + text.count("\n")
    quads = meta(triples + len(meta(0)))
    store.extend(quads)
    try:
        shapes = check_shapes(parts[0].render().text, [r.text for r in rendered], passed)
    except SyntaxError as err:
        raise _refused(err) from err
    # The kept parts passed in the serving generation, as the records did (counted in ``shapes.reused`` already).
    shapes = replace(shapes, reused=shapes.reused + delta.kept - 1)
    record = Parts.create(directory, copy_of=delta.serving)
    delta.serving.close()
    record.remove(delta.gone)
    for part, made in zip(delta.new, rendered, strict=True):
        record.add(part.key, part.section, made.subjects)
    record.close(commit=True)
    return shapes, triples + len(quads)


SUBJECTS_AT_ONCE = 2000
"""Subjects whose data-graph triples one update removes: a few thousand keeps each update's text and its
transaction small."""


def _remove_subjects(store: Store, subjects: list[str]) -> int:
    """Remove every data-graph triple of ``subjects`` (N-Triples IRIs, as a part records them); how many there
    were. Counted and removed by Oxigraph, a few thousand subjects an update: reading them into Python to remove
    them quad by quad took 0.82 s against 0.65 s for a part of 4,732 subjects at 1M facts (warm, measured)."""
    removed = 0
    for start in range(0, len(subjects), SUBJECTS_AT_ONCE):
        values = " ".join(str(NamedNode(s[1:-1])) for s in subjects[start : start + SUBJECTS_AT_ONCE])
        where = f"WHERE {{ VALUES ?s {{ {values} }} GRAPH {DATA_GRAPH} {{ ?s ?p ?o }} }}"
        removed += _count(Snapshot(store), f"SELECT (COUNT(*) AS ?n) {where}")
        store.update(f"DELETE {{ GRAPH {DATA_GRAPH} {{ ?s ?p ?o }} }} {where}")
    return removed


def _remove(store: Store, quads: list[Quad]) -> None:
    """Remove ``quads`` (read from ``store``: valid terms) in one update a few thousand: 6.5x faster than a
    ``Store.remove`` a quad, each its own transaction (5,286 quads at 100k facts: 0.09 s against 0.57 s)."""
    for start in range(0, len(quads), 5000):
        data = " ".join(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in quads[start : start + 5000])
        store.update(f"DELETE DATA {{ {data} }}")


def _refused(err: SyntaxError) -> StoreError:
    return StoreError(
        f"the store refused the RDF written from the curated data ({err}); this is a bug in catkg.ingest.to_rdf, please report it"
    )


PASSED = "shapes-passed.txt"

TEXTS = "texts"
"""The folder of a generation that holds the article texts its facts were validated against, by file name: the
server shows an article from here, so a build from another ``--sources`` folder serves its own texts, and a text
edited after the build cannot drift from the offsets in the graph."""


def _write_texts(directory: Path, validated: Validated) -> None:
    folder = directory / TEXTS
    folder.mkdir()
    for item in validated.curation.sources:
        if item.record.kind == "article" and item.record.file:
            (folder / item.record.file).write_text(validated.texts[item.record.id], encoding="utf-8")


"""In a generation: the key of every part of its graph that passed the shapes (``ShapeReport.passed``), a line each."""


def cache_dir(path: Path) -> Path:
    """Where builds of the store ``path`` keep what the next build may reuse: ``<store>.cache`` beside it."""
    return path.parent / f"{path.name}.cache"


def _passed(path: Path) -> frozenset[str]:
    """What the serving generation's shapes check passed; nothing when there is none or its record is unreadable
    (then everything is checked: a cache that cannot be read costs time, never a check)."""
    try:
        return frozenset((path.resolve() / PASSED).read_text(encoding="utf-8").split()) if path.is_symlink() else frozenset()
    except (OSError, UnicodeDecodeError):
        return frozenset()


def _in_graph(ntriples: str, graph: NamedNode) -> bytes:
    """N-Triples lines as N-Quads in ``graph``: a line ends with " .\n" and nothing else can (``to_rdf`` escapes
    every line break inside a literal)."""
    return ntriples.replace(" .\n", f" <{graph.value}> .\n").encode()


def _write_graphs(
    fd: int,
    parts: list[Part],
    record: Parts,
    facts: queue.Queue[bytes | None],
    shapes: Future[ShapeReport],
    reasoning: Future[Reasoning],
    meta: Callable[[int], list[Quad]],
) -> int:
    """Write the ontology, every part of the data graph (the records first), the reasoner's inferences and then the
    meta graph to the pipe ``fd`` (a line a quad), hand the parts but the records to the shapes check and note
    each part in ``record``; always closes the pipe and ends the check's input, so neither reader waits on a writer
    that failed. Returns the number of quads written."""

    def hand(item: bytes | None) -> None:
        while not shapes.done():  # a check that failed reads no more
            try:
                facts.put(item, timeout=0.05)
                return
            except queue.Full:
                continue

    ended, lines = False, 0

    def write(data: bytes) -> None:
        nonlocal lines
        lines += data.count(b"\n")
        pipe.write(data)

    try:
        with open(fd, "wb", buffering=2**20, closefd=True) as pipe:
            # Each quad once, as the count needs: a Turtle file or the reasoner may state one twice.
            write(serialize(dict.fromkeys(ontology_quads()), format=RdfFormat.N_QUADS))
            record.set("writer", writer_key().hex())
            record.set("records", parts[0].key)
            for n, part in enumerate(parts):
                rendered = part.render()
                record.add(part.key, part.section, rendered.subjects)
                if n:
                    hand(rendered.text.encode())
                write(_in_graph(rendered.text, DATA_GRAPH))
            hand(None)
            ended = True
            inferred = dict.fromkeys(reasoning.result().triples())
            write("".join(f"<{s}> <{p}> <{o}> <{INFERRED_GRAPH.value}> .\n" for s, p, o in inferred).encode())
            quads = meta(lines + len(meta(0)))
            write(serialize(quads, format=RdfFormat.N_QUADS))
            return lines
    finally:
        if not ended:
            hand(None)


def _located(err: ReasoningError | ShapeError, validated: Validated) -> Exception:
    """The failure as curation problems at the lines of the records it names; a StoreError when it names none."""
    cur = validated.curation
    records = {
        (section, item.record.id): item
        for section, items in (("entities", cur.entities), ("facts", cur.facts), ("sources", cur.sources))
        for item in items
    }
    if isinstance(err, ReasoningError):
        found = [
            (records.get(("entities", eid)), "broader", f"entity {eid!r} contradicts the ontology: {why}")
            for eid, why in err.entities.items()
        ]
        found = [(item, field if item and item.record.broader else "type", message) for item, field, message in found]
    else:
        found = [
            (records.get((v.section, v.record)), v.field, f"{v.kind} {v.record!r}: {v.message} ({v.constraint})")
            for v in err.violations
        ]
    if found and all(item for item, _, _ in found):
        return CurationError([item.problem(field, message) for item, field, message in found])
    return StoreError(f"the built graph fails its checks: {err}")


def _swap(path: Path, directory: Path) -> None:
    """Point ``path`` at ``directory`` in one atomic rename of a fresh link over the old one."""
    link = path.parent / f".{path.name}.{os.getpid()}.link"
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(directory, path.parent), link)
    os.replace(link, path)


def _prune(path: Path, gens: Path, keep: set[Path | None]) -> None:
    """Remove every generation but the new one and the one it replaced (a server may still read that one),
    including leftovers of builds that were killed, and links a killed swap left; a failure here costs disk,
    not data."""
    for old in gens.iterdir():
        if old.is_dir() and old not in keep:
            shutil.rmtree(old, ignore_errors=True)
    for link in path.parent.glob(f".{path.name}.*.link"):
        link.unlink(missing_ok=True)


__all__ = ["GENERATIONS", "PASSED", "BuildResult", "build", "cache_dir", "content_hash"]

"""A draft is never part of the graph: a build beside drafts full of candidates is the build without them, quad
for quad (the meta graph's release, which carries the data version, included)."""

from __future__ import annotations

import shutil
from pathlib import Path

from test_incremental import quads

from catkg.ingest.draft import write_draft
from catkg.ingest.validate import curated_root, load_and_validate, sources_root
from catkg.queries.steps import build_graph


def test_drafts_do_not_change_the_built_graph(store_path: Path, tmp_path: Path) -> None:
    curated = tmp_path / "curated"
    shutil.copytree(curated_root(), curated)
    new = tmp_path / "new"  # the articles as if new (no facts, no skips): drafts with a candidate for most sentences
    (new / "facts").mkdir(parents=True)
    for name in ("sources.yaml", "entities.yaml"):
        shutil.copy(curated_root() / name, new / name)
    candidates = 0
    for article in ("lung-cancer-pe-review", "dic-targeted-therapy-2022"):
        path, drafted = write_draft(load_and_validate(new, sources_root()), new, article)
        shutil.copy(path, curated / "facts" / path.name)
        candidates += len(drafted.candidates)
    assert candidates > 100
    build_graph(tmp_path / "store", curated=curated, sources=sources_root())
    assert quads(tmp_path / "store") == quads(store_path), "the same quads, the release's data version among them"

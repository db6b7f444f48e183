"""The complete build: the store's own build plus the steps the queries room adds (the search index).

The store room cannot import from this room, so the extra steps are handed to it here; the CLI, the server and
the tests all build through ``build_graph``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catkg.queries.index import build_index
from catkg.store.beside import Step
from catkg.store.build import BuildResult, build

STEPS: tuple[Step, ...] = (build_index,)


def build_graph(path: Path, **options: Any) -> BuildResult:
    """Build a store generation at ``path`` with every step; see :func:`catkg.store.build.build`."""
    return build(path, steps=STEPS + tuple(options.pop("steps", ())), **options)

"""The SQLite file the build's index step writes into each store generation, and how it is opened to read.

It holds the full-text index and the entity names of the search (``catkg.queries.search``) and the fact documents
(``catkg.queries.facts``): written once per build, swapped in with the graph, read-only afterwards.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from catkg.queries.run import QueryError

INDEX = "search.sqlite"

LAYOUT = 2
"""The file's layout, kept in SQLite's ``user_version``: 2 added the fact documents and numbers facts by rowid.
A store built by an older catkg has layout 0 (no documents) and must be rebuilt."""


def open_index(directory: Path) -> sqlite3.Connection:
    """The index of the generation in ``directory``, opened read-only.

    :raises QueryError: when the generation has no index, or one of another layout (a store built by another
        version of catkg), saying how to get one.
    """
    path = directory / INDEX
    if not path.is_file():
        raise QueryError(f"no search index in {directory}; rebuild the store with 'catkg build'")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    ((layout,),) = db.execute("PRAGMA user_version")
    if layout != LAYOUT:
        db.close()
        raise QueryError(
            f"the search index in {directory} has layout {layout}, this catkg reads layout {LAYOUT} (a store "
            "built by an older catkg has no fact documents); rebuild the store with 'catkg build'"
        )
    return db

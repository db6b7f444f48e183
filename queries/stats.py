"""What the graph holds: counts by kind, source and entity type, and the build's version and time."""

from __future__ import annotations

from typing import Any

from catkg.queries.run import Queryable, run


def stats(store: Queryable) -> dict[str, Any]:
    """Counts read from the graph itself, and the version and build time from its meta graph."""
    result: dict[str, Any] = {"facts_by_kind": [], "facts_by_source": [], "entities_by_type": []}
    keys = {"kind": "facts_by_kind", "source": "facts_by_source", "entity-type": "entities_by_type"}
    for row in run(store, "stats"):
        result[keys[row["dimension"]]].append({"id": row["key"], "label": row["label"], "count": row["count"]})
    meta = run(store, "stats_meta")
    result.update(meta[0] if meta else {})
    return result

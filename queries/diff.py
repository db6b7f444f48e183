"""Compare two releases of the graph: which facts were added, removed or changed.

Either side is a store (a path made by ``catkg build``) or a dump in any RDF format (``.ttl``, ``.nt``, ``.nq``,
``.jsonld``, ``.rdf``), read into memory; both are read with the same queries, so a store and a dump of the same
build compare equal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyoxigraph import RdfFormat, Store

from catkg.queries.facts import fact_ids, facts_from_graph
from catkg.queries.run import Queryable, QueryError
from catkg.store.embedded import EmbeddedStore, Snapshot

IGNORED = {"iri"}
"""Fields that say where a fact is, not what it says."""


def open_release(path: Path) -> Queryable:
    """A store path, or a dump file read into an in-memory store.

    :raises QueryError: when the path is neither.
    """
    if path.is_symlink() or path.is_dir():
        return EmbeddedStore(path)
    if not path.is_file():
        raise QueryError(f"{path}: no such store or dump")
    suffix = path.suffix.lstrip(".")
    rdf_format = RdfFormat.from_extension(suffix)
    if rdf_format is None:
        raise QueryError(f"{path}: unknown dump format {suffix!r}; expected ttl, nt, nq, jsonld, rdf, trig")
    store = Store()
    try:
        store.load(path=str(path), format=rdf_format)
    except (SyntaxError, ValueError) as err:
        raise QueryError(f"{path}: not a readable {suffix} dump: {err}") from err
    return Snapshot(store)


def _facts(release: Queryable) -> dict[str, dict[str, Any]]:
    """Every fact as the graph says it: a dump has no fact documents beside it."""
    return {f["id"]: {k: v for k, v in f.items() if k not in IGNORED} for f in facts_from_graph(release, fact_ids(release))}


def _changed_fields(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    fields = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            fields += _changed_fields(a, b, f"{prefix}{key}.")
        elif a != b:
            fields.append(prefix + key)
    return fields


def diff(old: Queryable, new: Queryable) -> dict[str, Any]:
    """Facts added, removed and changed (with the fields that changed) from ``old`` to ``new``."""
    before, after = _facts(old), _facts(new)
    changed = [
        {"id": i, "fields": fields, "statement": after[i]["statement"]}
        for i in sorted(set(before) & set(after))
        if (fields := _changed_fields(before[i], after[i]))
    ]
    return {
        "added": [{"id": i, "statement": after[i]["statement"]} for i in sorted(set(after) - set(before))],
        "removed": [{"id": i, "statement": before[i]["statement"]} for i in sorted(set(before) - set(after))],
        "changed": changed,
    }

"""Walks over the entity graph with networkx: how two entities connect through facts.

Each fact is an edge between its subject and its object; optionally each ``skos:broader`` link is one too.
The graph is read once per store generation (``key``) and kept, since a generation never changes.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import lru_cache
from itertools import islice
from typing import Any

import networkx as nx

from catkg.queries.facts import NotFound, facts_by_id
from catkg.queries.run import Queryable, run

MAX_PATHS = 20


@lru_cache(maxsize=4)
def _entity_graph(key: Hashable, store: Queryable) -> nx.Graph:
    graph = nx.Graph()
    for row in run(store, "entities", {}):
        graph.add_node(row["id"], label=row["label"])
    for row in run(store, "entity_edges"):
        a, b = row["subjectId"], row["objectId"]
        if a == b:
            continue
        if not graph.has_edge(a, b):
            graph.add_edge(a, b, facts=[], broader=False)
        graph.edges[a, b]["facts"].append(row["id"])
    return graph


def entity_graph(store: Queryable, key: Hashable, hierarchy: bool = False) -> nx.Graph:
    """The entity graph of one store generation; with ``hierarchy``, broader links join it too."""
    graph = _entity_graph(key, store)
    if not hierarchy:
        return graph
    full = graph.copy()
    for row in run(store, "entity_links_all"):
        a, b = row["entityId"], row["broaderId"]
        if not full.has_edge(a, b):
            full.add_edge(a, b, facts=[], broader=True)
        else:
            full.edges[a, b]["broader"] = True
    return full


def paths(
    store: Queryable, key: Hashable, source: str, target: str, *, limit: int = 5, hierarchy: bool = False
) -> dict[str, Any]:
    """Up to ``limit`` simple paths from ``source`` to ``target``, shortest first, each hop with its facts.

    :raises NotFound: when either entity is unknown.
    """
    graph = entity_graph(store, key, hierarchy)
    for name in (source, target):
        if name not in graph:
            raise NotFound(f"unknown entity: {name}")
    try:
        found = list(islice(nx.shortest_simple_paths(graph, source, target), min(limit, MAX_PATHS)))
    except nx.NetworkXNoPath:
        found = []
    fact_ids = sorted({f for p in found for a, b in zip(p, p[1:], strict=False) for f in graph.edges[a, b]["facts"]})
    facts = {f["id"]: f for f in facts_by_id(store, fact_ids)}
    result = []
    for path in found:
        hops = []
        for a, b in zip(path, path[1:], strict=False):
            edge = graph.edges[a, b]
            hops.append(
                {
                    "from": {"id": a, "label": graph.nodes[a].get("label")},
                    "to": {"id": b, "label": graph.nodes[b].get("label")},
                    "broader": edge["broader"],
                    "facts": [facts[f] for f in edge["facts"] if f in facts],
                }
            )
        result.append({"length": len(hops), "entities": path, "hops": hops})
    return {"from": source, "to": target, "paths": result}


def related(store: Queryable, key: Hashable, entity: str, limit: int = 20) -> list[dict[str, Any]]:
    """Entities one fact away from ``entity``, most facts first."""
    graph = entity_graph(store, key)
    if entity not in graph:
        raise NotFound(f"unknown entity: {entity}")
    near = sorted(graph[entity].items(), key=lambda item: (-len(item[1]["facts"]), item[0]))
    return [{"id": other, "label": graph.nodes[other].get("label"), "facts": len(edge["facts"])} for other, edge in near[:limit]]

"""Counts of the ontology's terms in a store: instances of each class, uses of each property.

The ontology page and ``docs/ontology.md`` show them beside each definition (``catkg.ontology.doc``).
"""

from __future__ import annotations

from catkg.queries.run import Queryable, run


def term_counts(store: Queryable) -> dict[str, int]:
    """IRI of each catkg class to its number of instances (inferred ones included), of each property to its
    number of uses; terms with neither are absent."""
    return {row["term"]: row["count"] for row in run(store, "ontology_usage")}

"""Named evidence questions: ``.rq`` files tagged ``question``, answered with the facts behind every row.

A question's SELECT returns a ``?fact`` column (one fact IRI), or ``?facts`` and other columns whose names end
in ``Facts`` (fact IRIs joined by spaces, from GROUP_CONCAT); each answer row then carries the quote, source and
link of those facts instead, so no answer stands without its evidence.
"""

from __future__ import annotations

from typing import Any

from catkg.ontology import FACT
from catkg.queries.facts import NotFound, facts_by_id
from catkg.queries.run import NamedQuery, Queryable, QueryError, named_queries, run

TAG = "question"

STARTS_FROM: dict[str, tuple[str, str]] = {
    "quantified_risk_factors": ("outcome", "quantified_risk_factors_for_outcome"),
}
"""Question -> (parameter, query): when the parameter is given, that query answers, with the same rows, starting
from it; the question's own query tests every fact against it, a cost that grows with the graph, not the answer."""


def questions() -> list[NamedQuery]:
    return [q for q in named_queries().values() if TAG in q.tags]


def question(name: str) -> NamedQuery:
    """:raises NotFound: when no question has this name."""
    found = named_queries().get(name)
    if found is None or TAG not in found.tags:
        raise NotFound(f"unknown question: {name}")
    return found


def describe(q: NamedQuery) -> dict[str, Any]:
    return {
        "name": q.name,
        "title": q.title,
        "description": q.description,
        "returns": q.returns,
        "parameters": [
            {"name": p.name, "type": p.kind, "optional": p.optional, "description": p.description} for p in q.parameters
        ],
    }


def answer(store: Queryable, name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run a question; every row gets the evidence (quote, source, link) of its facts.

    :raises NotFound: for an unknown question. :raises QueryError: for an unknown or malformed parameter.
    """
    q = question(name)
    known = {p.name for p in q.parameters}
    unknown = sorted(set(params) - known)
    if unknown:
        raise QueryError(
            f"unknown parameter{'s' * (len(unknown) > 1)} for question {name!r}: "
            f"{', '.join(unknown)}; known: {', '.join(sorted(known)) or 'none'}"
        )
    rows = run(store, _plan(name, params), params)
    assert isinstance(rows, list)
    ids = {iri: iri.removeprefix(FACT) for row in rows for iri in _fact_iris(row)}
    facts = {f["iri"]: f for f in facts_by_id(store, sorted(set(ids.values())))}
    items = []
    for row in rows:
        values = {k: v for k, v in row.items() if not _is_fact_column(k)}
        evidence = [_evidence(facts[iri]) for iri in _fact_iris(row) if iri in facts]
        items.append({**values, "evidence": evidence})
    return {**describe(q), "items": items, "total": len(items), "limit": len(items), "offset": 0}


def _plan(name: str, params: dict[str, Any]) -> str:
    """The query that answers question ``name`` with these parameters (see :data:`STARTS_FROM`)."""
    param, variant = STARTS_FROM.get(name, ("", name))
    return variant if params.get(param) is not None else name


def _is_fact_column(name: str) -> bool:
    return name in ("fact", "facts") or name.endswith("Facts")


def _fact_iris(row: dict[str, Any]) -> list[str]:
    iris = [iri for name, value in row.items() if _is_fact_column(name) and value for iri in str(value).split()]
    return list(dict.fromkeys(iris))


def _evidence(fact: dict[str, Any]) -> dict[str, Any]:
    ev = fact["evidence"]
    return {
        "fact": fact["id"],
        "statement": fact["statement"],
        "quote": ev["quote"],
        "source": ev["source"],
        "cites": ev["cites"],
        "citations": ev["citations"],
        "url": ev["url"],
    }

"""Claims and conflicts in the API's JSON shape, read from the graph by the named queries.

A claim is one assertion (subject, kind, object, qualifiers) with every fact that bears on it; the build groups
them (``catkg.ingest.claims``). A claim is in conflict when some of its facts support it and others do not
support it or call it unclear.
"""

from __future__ import annotations

from typing import Any

from catkg.ontology import CLAIM, ENTITY
from catkg.queries.facts import NotFound, Page, Served, facts_by_id, kind_iri
from catkg.queries.run import Queryable, run


def _claims(store: Queryable, **params: str | None) -> list[dict[str, Any]]:
    return [_summary(row) for row in run(store, "claims", params)]


def list_claims(
    store: Queryable,
    *,
    entity: str | None = None,
    kind: str | None = None,
    conflicted: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """Claims by id, filtered by an entity (their subject or object), a kind and whether they are in conflict."""
    items = _claims(store, entity=ENTITY + entity if entity else None, kindClass=kind_iri(kind) if kind else None)
    if conflicted is not None:
        items = [c for c in items if c["conflicted"] == conflicted]
    return Page(items[offset : offset + limit], len(items), limit, offset)


def claims_by_id(store: Queryable, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Claim summaries for ``ids`` (ids that name no claim are left out)."""
    if not ids:
        return {}
    rows = run(store, "claims", many={"claim": [CLAIM + i for i in dict.fromkeys(ids)]})
    return {row["id"]: _summary(row) for row in rows}


def get_claim(store: Served, claim_id: str) -> dict[str, Any]:
    """One claim with every fact that supports or disputes it and the studies counted as its independent sources.

    :raises NotFound: when no claim has this id.
    """
    found = claims_by_id(store, [claim_id])
    if claim_id not in found:
        raise NotFound(f"unknown claim: {claim_id}")
    claim = found[claim_id]
    roles: dict[str, list[str]] = {"supports": [], "disputes": []}
    studies = []
    for row in run(store, "claim_facts", many={"claim": [CLAIM + claim_id]}):
        if row["study"]:
            studies.append(row["study"])
        else:
            roles[row["role"]].append(row["factId"])
    claim["studies"] = sorted(studies)
    claim["supporting"] = facts_by_id(store, sorted(roles["supports"]))
    claim["disputing"] = facts_by_id(store, sorted(roles["disputes"]))
    return claim


def list_conflicts(store: Served, *, limit: int = 50, offset: int = 0) -> Page:
    """Claims in conflict, each with the facts on either side (id, statement, direction, evidence level, quote)."""
    page = list_claims(store, conflicted=True, limit=limit, offset=offset)
    items = []
    for claim in page.items:
        full = get_claim(store, claim["id"])
        items.append(
            {**claim, "supporting": [_brief(f) for f in full["supporting"]], "disputing": [_brief(f) for f in full["disputing"]]}
        )
    return Page(items, page.total, limit, offset)


def _brief(fact: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": fact["id"],
        "statement": fact["statement"],
        "direction": fact["direction"],
        "evidence_level": fact["evidence_level"],
        "quote": fact["evidence"]["quote"],
        "url": f"/fact/{fact['id']}",
    }


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    subject = row["subjectLabel"] + (f" ({row['subjectQualifier']})" if row["subjectQualifier"] else "")
    obj = row["objectLabel"] + (f" ({row['objectQualifier']})" if row["objectQualifier"] else "")
    return {
        "id": row["id"],
        "iri": row["claim"],
        "label": f"{subject} — {row['kind'].replace('-', ' ')} — {obj}",
        "subject": {"id": row["subjectId"], "label": row["subjectLabel"]},
        "subject_qualifier": row["subjectQualifier"],
        "kind": row["kind"],
        "object": {"id": row["objectId"], "label": row["objectLabel"]},
        "object_qualifier": row["objectQualifier"],
        "independent_sources": row["sources"],
        "supporting_count": row["supporting"],
        "disputing_count": row["disputing"],
        "conflicted": bool(row["supporting"] and row["disputing"]),
        "url": f"/claim/{row['id']}",
    }


__all__ = ["claims_by_id", "get_claim", "list_claims", "list_conflicts"]

"""Facts in the JSON shape of API.md: found in the graph by the named queries, read from the fact documents.

The build stores each fact's JSON beside the graph (``fact_documents``), because reading one from the graph took
four queries and about a millisecond a fact. One function builds a fact (``_fact``), for the documents and for
the graph's own reading (``facts_from_graph``) that they are checked against, so the API, the pages and the CLI
show the same thing everywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson

from catkg.ingest.claims import Claim, claims_by_fact
from catkg.ingest.models import Entity, Fact, Source, Value
from catkg.ingest.validate import Span, Validated
from catkg.ontology import ENTITY, FACT, SOURCE
from catkg.ontology.load import entity_types, fact_kinds
from catkg.queries.index import open_index
from catkg.queries.run import Queryable, QueryError, run


class NotFound(QueryError):
    """An id that names nothing in the graph."""


class Served(Queryable, Protocol):
    """A built store (embedded or remote): its graph, and the generation directory its build steps wrote into."""

    @property
    def directory(self) -> Path: ...


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int

    def as_dict(self) -> dict[str, Any]:
        return {"items": self.items, "total": self.total, "limit": self.limit, "offset": self.offset}


def _class_of(slug: str, classes: dict[str, Any], what: str) -> str:
    """The ontology class a curator's slug names.

    :raises QueryError: naming the unknown slug and the known ones.
    """
    try:
        return str(classes[slug])
    except KeyError:
        raise QueryError(f"unknown {what} {slug!r}; known: {', '.join(sorted(classes))}") from None


def kind_iri(kind: str) -> str:
    """The class of a fact kind slug (``incidence`` -> ``cat:Incidence``)."""
    return _class_of(kind, fact_kinds(), "kind")


def type_iri(entity_type: str) -> str:
    """The class of an entity type slug (``drug-class`` -> ``cat:DrugClass``)."""
    return _class_of(entity_type, entity_types(), "type")


def fact_ids(
    store: Queryable,
    *,
    kind: str | None = None,
    entity: str | None = None,
    type: str | None = None,
    source: str | None = None,
    q: str | None = None,
) -> list[str]:
    """Ids of the facts that pass every given filter, in id order (``type``: the subject's or object's type)."""
    params = {
        "kind": kind_iri(kind) if kind else None,
        "entityType": type_iri(type) if type else None,
        "entity": ENTITY + entity if entity else None,
        "source": SOURCE + source if source else None,
        "q": q or None,
    }
    # With an entity, start from it: 'facts' would test every fact of the graph (benchmarks/RESULTS.md).
    return [row["id"] for row in run(store, "facts_about_entity" if entity else "facts", params)]


def list_facts(store: Served, *, limit: int = 50, offset: int = 0, **filters: str | None) -> Page:
    """One page of facts, with the total that passed the filters."""
    ids = fact_ids(store, **filters)
    return Page(facts_by_id(store, ids[offset : offset + limit]), len(ids), limit, offset)


def get_fact(store: Served, fact_id: str) -> dict[str, Any]:
    """One fact.

    :raises NotFound: when no fact has this id.
    """
    found = facts_by_id(store, [fact_id])
    if not found:
        raise NotFound(f"unknown fact: {fact_id}")
    return found[0]


def facts_by_id(store: Served, ids: list[str]) -> list[dict[str, Any]]:
    """Full facts for ``ids``, in the given order (ids that name no fact are left out).

    Read from the documents the build wrote beside the graph (``fact_documents``): one indexed lookup a fact,
    where the four named queries of ``facts_from_graph`` took about a millisecond a fact.

    :raises QueryError: when the store was built without documents (by an older catkg).
    """
    if not ids:
        return []
    db = open_index(store.directory)
    try:
        found = dict(
            db.execute("SELECT id, fact FROM documents WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),))
        )
    finally:
        db.close()
    return [orjson.loads(found[i]) for i in ids if i in found]


def fact_documents(validated: Validated) -> Iterator[dict[str, Any]]:
    """Every curated fact as ``facts_by_id`` returns it, built from the validated curation for the build to store.

    The graph stays the truth: the tests prove each document equal to what ``facts_from_graph`` reads from it.
    """
    cur = validated.curation
    entities = {e.record.id: e.record for e in cur.entities}
    sources = {s.record.id: s.record for s in cur.sources}
    claim_of = claims_by_fact(validated.claims)
    for item in cur.facts:
        yield _document(item.record, validated.spans[item.record.id], entities, sources, claim_of[item.record.id])


def _document(fact: Fact, span: Span, entities: dict[str, Entity], sources: dict[str, Source], claim: Claim) -> dict[str, Any]:
    """One fact in the row shape of the named queries, as ``ingest.to_rdf`` writes it into the graph (a type is
    the entity's most specific one, an xsd:decimal reads back as a float, a repeated marker or reference is one
    triple)."""
    subject, object_, source = entities[fact.subject], entities[fact.object], sources[span.source]
    row = {
        "fact": FACT + fact.id,
        "id": fact.id,
        "kind": fact.kind,
        "statement": fact.statement,
        "subjectId": subject.id,
        "subjectLabel": subject.label,
        "subjectType": subject.type,
        "predicate": fact.predicate,
        "objectId": object_.id,
        "objectLabel": object_.label,
        "objectType": object_.type,
        "studyDesign": fact.study_design,
        "direction": fact.direction,
        "population": fact.population,
        "comparedWith": fact.compared_with,
        "quote": fact.quote,
        "sourceId": source.id,
        "sourceTitle": source.title,
        "sourceFile": source.file,
        "start": span.start,
        "end": span.end,
        "occurrence": fact.occurrence,
        "attributedTo": fact.attributed_to,
        "evidenceLevel": fact.evidence_level,
        "subjectQualifier": fact.subject_qualifier,
        "objectQualifier": fact.object_qualifier,
        "noteKind": fact.source_note.kind if fact.source_note else None,
        "noteText": fact.source_note.note if fact.source_note else None,
        "sameStudyAs": fact.same_study_as,
        "claim": claim.id,
    }
    cites = [{"id": ref, "title": sources[ref].title} for ref in dict.fromkeys(fact.cites)]
    conflicts = list(claim.disputing if fact.direction == "supports" else claim.supporting)
    values = [_value(_value_row(v)) for v in fact.values]
    return _fact(row, values, list(dict.fromkeys(fact.citations)), cites, conflicts)


def _value_row(value: Value) -> dict[str, Any]:
    return {
        "value": float(value.value),
        "upper": None if value.upper is None else float(value.upper),
        "asWritten": value.as_written,
        "unit": value.unit,
        "measure": value.measure,
        "comparator": value.comparator,
        "cohortSize": value.cohort_size,
        "timePoint": value.time_point,
        "population": value.population,
        "interval": value.interval,
        "pValue": value.p_value,
    }


OPTIONAL_FIELDS = (
    "population",
    "comparedWith",
    "occurrence",
    "attributedTo",
    "sourceFile",
    "evidenceLevel",
    "subjectQualifier",
    "objectQualifier",
    "noteKind",
    "noteText",
    "sameStudyAs",
    "claim",
)
"""What fact_optional reads beside fact_details (None when a fact has none)."""


def facts_from_graph(store: Queryable, ids: list[str]) -> list[dict[str, Any]]:
    """Full facts for ``ids`` as the named queries read them from the graph, in the given order.

    The reference the stored documents are checked against, and how ``catkg diff`` reads a release, which may be
    a dump with no documents beside it.
    """
    iris = [FACT + i for i in ids]
    details = {row["fact"]: {**row, **dict.fromkeys(OPTIONAL_FIELDS)} for row in run(store, "fact_details", many={"fact": iris})}
    for row in run(store, "fact_optional", many={"fact": iris}):
        if row["fact"] in details:
            details[row["fact"]][row["field"]] = row["value"]
    values: dict[str, list[dict[str, Any]]] = {}
    for row in run(store, "fact_values", many={"fact": iris}):
        values.setdefault(row["fact"], []).append(_value(row))
    markers: dict[str, list[str]] = {}
    cites: dict[str, list[dict[str, str]]] = {}
    for row in run(store, "fact_citations", many={"fact": iris}):
        if row["marker"]:
            markers.setdefault(row["fact"], []).append(row["marker"])
        if row["reference"]:
            cites.setdefault(row["fact"], []).append({"id": row["referenceId"], "title": row["referenceTitle"]})
    conflicts: dict[str, list[str]] = {}
    for row in run(store, "fact_conflicts", many={"fact": iris}):
        conflicts.setdefault(row["fact"], []).append(row["otherId"])
    return [
        _fact(details[iri], values.get(iri, []), markers.get(iri, []), cites.get(iri, []), conflicts.get(iri, []))
        for iri in iris
        if iri in details
    ]


def _value(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "value": row["value"],
        "upper": row["upper"],
        "as_written": row["asWritten"],
        "unit": row["unit"],
        "measure": row["measure"],
        "comparator": row["comparator"],
        "cohort_size": row["cohortSize"],
        "time_point": row["timePoint"],
        "population": row["population"],
        "interval": row["interval"],
        "p_value": row["pValue"],
    }


def _entity(row: dict[str, Any], role: str) -> dict[str, str]:
    return {"id": row[role + "Id"], "label": row[role + "Label"], "type": row[role + "Type"]}


def _fact(
    row: dict[str, Any], values: list[dict[str, Any]], markers: list[str], cites: list[dict[str, str]], conflicts: list[str]
) -> dict[str, Any]:
    source_id, start, end = row["sourceId"], row["start"], row["end"]
    note = {"kind": row["noteKind"], "note": row["noteText"]} if row["noteKind"] else None
    return {
        "id": row["id"],
        "iri": row["fact"],
        "kind": row["kind"],
        "statement": row["statement"],
        "subject": _entity(row, "subject"),
        "predicate": row["predicate"],
        "object": _entity(row, "object"),
        "values": values,
        "study_design": row["studyDesign"],
        "direction": row["direction"],
        "population": row["population"],
        "compared_with": row["comparedWith"],
        "evidence_level": row["evidenceLevel"],
        "subject_qualifier": row["subjectQualifier"],
        "object_qualifier": row["objectQualifier"],
        "source_note": note,
        "claim": row["claim"],
        "conflicts_with": sorted(conflicts),
        "evidence": {
            "quote": row["quote"],
            "source": {"id": source_id, "title": row["sourceTitle"], "file": row["sourceFile"]},
            "start": start,
            "end": end,
            "occurrence": row["occurrence"],
            "citations": sorted(markers, key=_marker_order),
            "cites": sorted(cites, key=lambda c: c["id"]),
            "attributed_to": row["attributedTo"],
            "same_study_as": row["sameStudyAs"],
            "url": f"/source/{source_id}#c{start}-{end}",
        },
    }


def _marker_order(marker: str) -> tuple[int, str]:
    digits = "".join(ch if ch.isdigit() else " " for ch in marker).split()
    return (int(digits[0]) if digits else 0, marker)


__all__ = [
    "NotFound",
    "Page",
    "Served",
    "fact_documents",
    "facts_by_id",
    "facts_from_graph",
    "fact_ids",
    "get_fact",
    "kind_iri",
    "list_facts",
]

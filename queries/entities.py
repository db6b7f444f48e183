"""Entities and sources in the API's JSON shape, read through the named queries."""

from __future__ import annotations

from typing import Any

from catkg.ingest.xrefs import compact, vocabularies
from catkg.ontology import ENTITY, SOURCE
from catkg.queries.facts import NotFound, Page, Served, fact_ids, facts_by_id, type_iri
from catkg.queries.run import Queryable, run
from catkg.store.build import TEXTS


def list_entities(store: Queryable, *, type: str | None = None, q: str | None = None, limit: int = 50, offset: int = 0) -> Page:
    """Entities by id, filtered by type and name, each with its names and the number of facts naming it."""
    rows = run(store, "entities", {"type": type_iri(type) if type else None, "q": q or None})
    items = [_summary(row) for row in rows[offset : offset + limit]]
    _add_names(store, items)
    return Page(items, len(rows), limit, offset)


def get_entity(store: Served, entity_id: str, *, facts: bool = True) -> dict[str, Any]:
    """One entity with its names, broader and narrower entities, and the facts about it or narrower ones.

    :raises NotFound: when no entity has this id.
    """
    rows = run(store, "entities", {"entity": ENTITY + entity_id})
    if not rows:
        raise NotFound(f"unknown entity: {entity_id}")
    item = _summary(rows[0])
    _add_names(store, [item])
    item["broader"], item["narrower"] = [], []
    for link in run(store, "entity_links", many={"entity": [ENTITY + entity_id]}):
        item[link["relation"]].append({"id": link["otherId"], "label": link["otherLabel"]})
    item["xrefs"] = [_xref(row) for row in run(store, "entity_xrefs", many={"entity": [ENTITY + entity_id]})]
    if facts:
        item["facts"] = facts_by_id(store, fact_ids(store, entity=entity_id))
    return item


def _xref(row: dict[str, Any]) -> dict[str, Any]:
    """One verified xref: its CURIE, the term's IRI, the vocabulary, and whether it is the same concept ('exact'),
    a broader term ('broad') or related to it ('related': a gene alteration's gene)."""
    curie = compact(row["xref"]) or row["xref"]
    vocab = vocabularies().get(curie.partition(":")[0])
    relation = row["relation"].removesuffix("Match")
    return {"id": curie, "iri": row["xref"], "vocabulary": vocab.name if vocab else None, "relation": relation}


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "iri": row["entity"], "label": row["label"], "type": row["entityType"], "fact_count": row["facts"]}


def _add_names(store: Queryable, items: list[dict[str, Any]]) -> None:
    by_iri = {i["iri"]: i for i in items}
    for item in items:
        item.update(synonyms=[], abbreviations=[], definition=None)
    for row in run(store, "entity_names", many={"entity": list(by_iri)}):
        item = by_iri[row["entity"]]
        if row["synonym"]:
            item["synonyms"].append(row["synonym"])
        if row["abbreviation"]:
            item["abbreviations"].append(row["abbreviation"])
        if row["definition"]:
            item["definition"] = row["definition"]


def list_sources(store: Queryable, *, kind: str | None = None, limit: int = 50, offset: int = 0) -> Page:
    """Articles, then the references each cites in list order."""
    rows = [r for r in run(store, "sources", {}) if kind is None or r["kind"] == kind]
    return Page([_source(r) for r in rows[offset : offset + limit]], len(rows), limit, offset)


def get_source(store: Served, source_id: str, *, facts: bool = True) -> dict[str, Any]:
    """One source with the facts drawn from it (for a reference, the facts whose evidence cites it).

    :raises NotFound: when no source has this id.
    """
    rows = run(store, "sources", {"source": SOURCE + source_id})
    if not rows:
        raise NotFound(f"unknown source: {source_id}")
    item = _source(rows[0])
    if facts:
        item["facts"] = facts_by_id(store, fact_ids(store, source=source_id))
    if item["kind"] == "article":
        item["references"] = [_source(r) for r in run(store, "sources", {}) if r["citedIn"] == source_id]
    return item


def article_text(store: Served, article: dict[str, Any]) -> str:
    """The text of an article (a source of kind 'article'), as the serving generation's build validated it."""
    return (store.directory / TEXTS / article["file"]).read_text(encoding="utf-8")


def _source(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "iri": row["source"],
        "kind": row["kind"],
        "title": row["title"],
        "file": row["file"],
        "published": row["published"],
        "authors": row["authors"],
        "journal": row["journal"],
        "year": int(row["year"]) if row["year"] else None,
        "volume": row["volume"],
        "pages": row["pages"],
        "position": row["position"],
        "cited_in": row["citedIn"],
        "citation": row["citation"],
        "study_design": row["studyDesign"],
        "fact_count": row["facts"],
    }

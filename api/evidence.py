"""The evidence API for scripts: facts, entities, sources, search, questions, paths and stats.

JSON by default; ``?format=csv`` (or ``Accept: text/csv``) gives CSV with dotted columns, ``?format=jsonl``
JSON lines. Lists answer ``{"items", "total", "limit", "offset"}``. Every route is a thin layer over one
function of the queries room, so the pages and the CLI say the same.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from catkg.api.errors import ApiError, error_responses
from catkg.api.formats import respond
from catkg.ontology.load import entity_types, fact_kinds
from catkg.queries import questions as named
from catkg.queries.entities import get_entity, get_source, list_entities, list_sources
from catkg.queries.facts import get_fact, list_facts
from catkg.queries.search import search as search_facts
from catkg.queries.stats import stats as graph_stats
from catkg.queries.walks import paths as entity_paths

TWINS = {
    200: {
        "description": "JSON by default; CSV or JSON lines with format=csv|jsonl or Accept: text/csv",
        "content": {"text/csv": {}, "application/x-ndjson": {}},
    }
}
router = APIRouter(prefix="/api", tags=["evidence"], responses={**TWINS, **error_responses(404, 422)})

ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
FORMAT_DOC = "Response format: json (default), csv (dotted columns) or jsonl."

KindName = Literal[tuple(sorted(fact_kinds()))]  # type: ignore[valid-type]
TypeName = Literal[tuple(sorted(entity_types()))]  # type: ignore[valid-type]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size (1-1000).")]
Offset = Annotated[int, Query(ge=0, description="Items to skip.")]
Format = Annotated[str | None, Query(pattern="^(json|csv|jsonl)$", description=FORMAT_DOC)]


def only(*allowed: str):
    """A dependency that refuses query parameters a route does not know (a typo must not widen a filter)."""
    known = (*allowed, "format")

    def check(request: Request) -> None:
        unknown = sorted(set(request.query_params) - set(known))
        if unknown:
            raise ApiError(422, f"unknown parameter{'s' * (len(unknown) > 1)}: {', '.join(unknown)}; known: {', '.join(known)}")

    return Depends(check)


def _store(request: Request):
    return request.app.state.store


@router.get("/facts", summary="List facts", dependencies=[only("kind", "entity", "type", "source", "q", "limit", "offset")])
def facts(
    request: Request,
    kind: Annotated[
        KindName | None, Query(description="Fact kind, e.g. 'risk-factor' or 'incidence'.", examples=["incidence"])
    ] = None,
    entity: Annotated[
        str | None,
        Query(
            pattern=ID,
            description="Entity id; matches subject or object, narrower entities included.",
            examples=["venous-thromboembolism"],
        ),
    ] = None,
    type: Annotated[
        TypeName | None, Query(description="Entity type of the subject or the object, e.g. 'drug'.", examples=["drug"])
    ] = None,
    source: Annotated[
        str | None, Query(pattern=ID, description="Source id (article or cited reference).", examples=["lung-cancer-pe-review"])
    ] = None,
    q: Annotated[
        str | None, Query(min_length=1, max_length=200, description="Text in the statement or quote.", examples=["D-dimer"])
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Response:
    """Facts that pass every given filter, in id order, with their values and evidence."""
    page = list_facts(_store(request), kind=kind, entity=entity, type=type, source=source, q=q, limit=limit, offset=offset)
    return respond(request, page.as_dict())


@router.get("/facts/{fact_id}", summary="One fact", dependencies=[only()])
def fact(
    request: Request,
    fact_id: Annotated[str, Path(pattern=ID, description="Fact id.", examples=["yang-vte-incidence-after-surgery"])],
    format: Format = None,
) -> Response:
    """One fact with its values, its evidence (quote, offsets, citation markers) and its source."""
    return respond(request, get_fact(_store(request), fact_id), None)


@router.get("/entities", summary="List entities", dependencies=[only("type", "q", "limit", "offset")])
def entities(
    request: Request,
    type: Annotated[TypeName | None, Query(description="Entity type, e.g. 'drug' or 'complication'.", examples=["drug"])] = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="Text in the label, a synonym or an abbreviation.", examples=["PE"]),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Response:
    """Entities in id order, with their names and how many facts name them."""
    return respond(request, list_entities(_store(request), type=type, q=q, limit=limit, offset=offset).as_dict())


@router.get("/entities/{entity_id}", summary="One entity", dependencies=[only()])
def entity(
    request: Request,
    entity_id: Annotated[str, Path(pattern=ID, description="Entity id.", examples=["pulmonary-embolism"])],
    format: Format = None,
) -> Response:
    """One entity with its names, its broader and narrower entities, and the facts about it (narrower included).

    As CSV or JSON lines: its facts."""
    return respond(request, get_entity(_store(request), entity_id), "facts")


@router.get("/sources", summary="List sources", dependencies=[only("kind", "limit", "offset")])
def sources(
    request: Request,
    kind: Annotated[str | None, Query(pattern="^(article|reference)$", description="article or reference.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Response:
    """Articles, then the references of each in list order, with bibliographic fields and fact counts."""
    return respond(request, list_sources(_store(request), kind=kind, limit=limit, offset=offset).as_dict())


@router.get("/sources/{source_id}", summary="One source", dependencies=[only("text")])
def source(
    request: Request,
    source_id: Annotated[str, Path(pattern=ID, description="Source id.", examples=["lung-cancer-pe-review"])],
    text: Annotated[bool, Query(description="Include the article's full text.")] = True,
    format: Format = None,
) -> Response:
    """One source with the facts drawn from it; an article with its text and its cited references.

    As CSV or JSON lines: its facts."""
    item = get_source(_store(request), source_id)
    if item["kind"] == "article" and text:
        from catkg.queries.texts import article_text

        item["text"] = article_text(_store(request).directory, item["file"])
    return respond(request, item, "facts")


@router.get("/search", summary="Search facts", dependencies=[only("q", "kind", "type", "limit", "offset", "not")])
def search(
    request: Request,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=500,
            description="A question or words, in plain language; abbreviations and synonyms work (PE, DIC, EGFR-TKI).",
            examples=["D-dimer threshold to rule out PE"],
        ),
    ],
    kind: Annotated[KindName | None, Query(description="Only facts of this kind.")] = None,
    type: Annotated[TypeName | None, Query(description="Only facts whose subject or object is of this type.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size.")] = 20,
    offset: Offset = 0,
    not_: Annotated[
        list[Annotated[str, Query(max_length=200, pattern=r"^(entity|kind|measure|design|source|type):[A-Za-z0-9-]+$")]] | None,
        Query(
            alias="not",
            description="A reading of the question to leave out, as `interpreted.readings[].key` gives it "
            "(`entity:pulmonary-embolism`, `kind:mechanism`); its words are then searched as plain words. Repeatable.",
        ),
    ] = None,
    format: Format = None,
) -> Response:
    """Facts ranked for the question: read through the ontology (`interpreted`: entities, kinds, measures, designs,
    source kinds), the engine's best candidates by BM25 scored for how much of the question they cover, near-duplicates
    folded under one result (`more`, `folded`) and the first page spread over distinct answers."""
    page = search_facts(_store(request), q, limit=limit, offset=offset, kind=kind, type=type, exclude=not_ or ())
    return respond(request, page.as_dict())


@router.get("/questions", summary="List named questions", dependencies=[only()])
def questions(request: Request, format: Format = None) -> Response:
    """Named evidence questions: each a SPARQL query in queries/ with its parameters."""
    items = [named.describe(q) for q in named.questions()]
    return respond(request, {"items": items, "total": len(items), "limit": len(items), "offset": 0})


@router.get("/questions/{name}", summary="Answer a named question")
def question(
    request: Request,
    name: Annotated[str, Path(pattern=r"^[a-z0-9_]+$", description="Question name.", examples=["quantified_risk_factors"])],
) -> Response:
    """The answer rows of one question, each with the facts, quotes and sources behind it.

    The question's parameters are query parameters (see /api/questions), plus `format`."""
    params = {k: v for k, v in request.query_params.items() if k != "format"}
    return respond(request, named.answer(_store(request), name, params))


@router.get("/paths", summary="How two entities connect", dependencies=[only("from", "to", "limit", "hierarchy")])
def paths(
    request: Request,
    source: Annotated[str, Query(alias="from", pattern=ID, description="Entity id to start from.", examples=["osimertinib"])],
    target: Annotated[str, Query(alias="to", pattern=ID, description="Entity id to reach.", examples=["thrombocytopenia"])],
    limit: Annotated[int, Query(ge=1, le=20, description="At most this many paths.")] = 5,
    hierarchy: Annotated[bool, Query(description="Also walk broader/narrower links.")] = False,
    format: Format = None,
) -> Response:
    """Paths between two entities through facts, shortest first; each hop with its facts and quotes."""
    store = _store(request)
    return respond(request, entity_paths(store, store.directory, source, target, limit=limit, hierarchy=hierarchy), "paths")


@router.get("/stats", summary="What the graph holds", dependencies=[only()])
def stats(request: Request, format: Format = None) -> Response:
    """Counts of facts by kind and by source, entities by type; the build's version and time."""
    return respond(request, graph_stats(_store(request)), None)

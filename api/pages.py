"""Web pages for clinicians: search, an entity's evidence, a fact, the quoted sentence in its article.

Each page calls the same functions of the queries room as its JSON twin under ``/api/`` (linked from the
page as CSV and JSON downloads), so a page and its download always say the same. Pages work without
JavaScript; the HTML of ``/fact/{id}``, ``/entity/{id}`` and ``/source/{id}`` is registered with the
linked-data routes, which answer RDF or JSON to other clients at the same IRIs.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from catkg.api import cite, linked
from catkg.api.charts import neighbourhood, value_charts
from catkg.api.highlight import in_context, mark_up, passages
from catkg.api.html import query_string, render
from catkg.queries.claims import claims_by_id
from catkg.queries.entities import get_entity, get_source, list_entities, list_sources
from catkg.queries.facts import facts_by_id, get_fact, list_facts
from catkg.queries.questions import answer, describe, question, questions
from catkg.queries.run import QueryError
from catkg.queries.search import search
from catkg.queries.stats import stats
from catkg.queries.texts import article_text
from catkg.queries.walks import entity_graph, related

router = APIRouter(include_in_schema=False)

ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
PAGE = 20
ALL = 100_000
"""With an entity type, search filters the best this many hits (the API's largest page)."""

Offset = Annotated[int, Query(ge=0)]
Text = Annotated[str | None, Query(max_length=500)]
Slug = Annotated[str | None, Query(max_length=100)]
IdParam = Annotated[str | None, Query(pattern=ID)]


def _store(request: Request):
    return request.app.state.store


def _blank(value: str | None) -> str | None:
    """An empty form field means 'any'."""
    return value.strip() if value and value.strip() else None


def _article_text(store, source: dict[str, Any]) -> str:
    """The text the store was built from (a store built with ``--sources DIR`` keeps its own, queries/texts.py)."""
    return article_text(store.directory, source["file"])


def _filters(store) -> dict[str, list[dict[str, Any]]]:
    counts = stats(store)
    return {"kinds": counts["facts_by_kind"], "types": counts["entities_by_type"]}


ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" '
    'fill="#12324f"/><circle cx="16" cy="16" r="7" fill="#ffc94d"/></svg>'
)


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(ICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    store = _store(request)
    entities = list_entities(store, limit=ALL).items
    main = sorted(entities, key=lambda e: (-e["fact_count"], e["label"].lower()))[:15]
    return render(request, "home.html", stats=stats(store), main_entities=main, questions=[describe(q) for q in questions()])


FACET_NAMES = {
    "entity": "about",
    "kind": "kind of fact",
    "measure": "a value",
    "design": "study design",
    "source": "from a",
    "type": "about a",
}
"""How the search page names each facet of a reading ("kind of fact: mechanism")."""


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: Text = None,
    kind: Slug = None,
    type: Slug = None,
    offset: Offset = 0,
    not_: Annotated[list[Annotated[str, Query(max_length=200)]] | None, Query(alias="not")] = None,
) -> Response:
    store = _store(request)
    q, kind, type = _blank(q), _blank(kind), _blank(type)
    excluded = [n for n in dict.fromkeys(not_ or []) if n.strip()]
    result = None
    if q:
        result = search(store, q, limit=PAGE, offset=offset, kind=kind, type=type, exclude=excluded).as_dict()
    params = {"q": q, "kind": kind, "type": type, "not": excluded}
    twin = {**params, "limit": PAGE, "offset": offset}
    return render(
        request,
        "search.html",
        q=q or "",
        kind=kind,
        type=type,
        result=result,
        readings=_readings(store, result, params) if result else [],
        excluded=[
            {"key": key, "restore": query_string(params, **{"not": [k for k in excluded if k != key]})} for key in excluded
        ],
        params=params,
        twin=twin,
        page_size=PAGE,
        **_filters(store),
    )


def _readings(store: Any, result: dict[str, Any], params: dict[str, Any]) -> list[dict[str, Any]]:
    """How the question was read, each reading with a link to the same search without it."""
    out = []
    for reading in result["interpreted"]["readings"]:
        label, link = reading.get("label", reading["value"]), None
        if reading["facet"] == "entity":
            try:
                label, link = get_entity(store, reading["value"], facts=False)["label"], f"/entity/{reading['value']}"
            except QueryError:
                label = reading["text"]
        remove = query_string(params, **{"not": [*params["not"], reading["key"]]})
        out.append({**reading, "label": label, "link": link, "facet_name": FACET_NAMES[reading["facet"]], "remove": remove})
    return out


@router.get("/facts", response_class=HTMLResponse)
def facts_page(
    request: Request, kind: Slug = None, entity: IdParam = None, source: IdParam = None, q: Text = None, offset: Offset = 0
) -> Response:
    store = _store(request)
    params = {"kind": _blank(kind), "entity": entity, "source": source, "q": _blank(q)}
    page = list_facts(store, limit=PAGE, offset=offset, **params)
    return render(request, "facts.html", page=page, params=params, page_size=PAGE, **_filters(store))


@router.get("/entities", response_class=HTMLResponse)
def entities_page(request: Request, type: Slug = None, q: Text = None, offset: Offset = 0) -> Response:
    store = _store(request)
    params = {"type": _blank(type), "q": _blank(q)}
    page = list_entities(store, limit=50, offset=offset, **params)
    return render(request, "entities.html", page=page, params=params, page_size=50, **_filters(store))


@router.get("/sources", response_class=HTMLResponse)
def sources_page(
    request: Request, kind: Annotated[str | None, Query(pattern="^(article|reference|)$")] = None, offset: Offset = 0
) -> Response:
    store = _store(request)
    params = {"kind": _blank(kind)}
    page = list_sources(store, limit=50, offset=offset, **params)
    articles = {s["id"]: s["title"] for s in list_sources(store, kind="article", limit=ALL).items}
    return render(request, "sources.html", page=page, params=params, page_size=50, articles=articles)


def entity_page(request: Request, entity_id: str) -> Response:
    store = _store(request)
    entity = get_entity(store, entity_id)
    graph = entity_graph(store, store.directory)
    by_id = {f["id"]: f for f in entity["facts"]}
    near = related(store, store.directory, entity_id, limit=ALL)
    for other in near:
        other["fact_list"] = [by_id[f] for f in graph.edges[entity_id, other["id"]]["facts"] if f in by_id]
    # One card a claim, however many sentences state it: its facts are listed inside it.
    claims = claims_by_id(store, [f["claim"] for f in entity["facts"]])
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for fact in entity["facts"]:
        members[fact["claim"]].append(fact)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for claim_id, facts in members.items():
        claim = claims.get(claim_id) or {"id": claim_id, "kind": facts[0]["kind"]}
        groups[claim["kind"]].append({**claim, "facts": facts})
    ordered = sorted(groups.items(), key=lambda g: (-len(g[1]), g[0]))
    return render(request, "entity.html", entity=entity, groups=ordered, related=near, picture=neighbourhood(graph, entity_id))


def fact_page(request: Request, fact_id: str) -> Response:
    store = _store(request)
    fact = get_fact(store, fact_id)
    sources = {s["id"]: s for s in list_sources(store, limit=ALL).items}
    ev = fact["evidence"]
    source = sources[ev["source"]["id"]]
    context = in_context(_article_text(store, source), ev["start"], ev["end"]) if source.get("file") else None
    cited = [sources[c["id"]] for c in ev["cites"] if c["id"] in sources]
    conflicting = {f["id"]: f["statement"] for f in facts_by_id(store, fact["conflicts_with"])}
    return render(
        request,
        "fact.html",
        fact=fact,
        claim=claims_by_id(store, [fact["claim"]]).get(fact["claim"]),
        conflicting=conflicting,
        source=source,
        context=context,
        charts=value_charts(fact),
        citations=[(s, cite.reference_text(s)) for s in [source, *cited]],
    )


def source_page(request: Request, source_id: str) -> Response:
    store = _store(request)
    source = get_source(store, source_id)
    text, marked, article = None, [], None
    if source["kind"] == "article" and source.get("file"):
        raw = _article_text(store, source)
        marked = passages(source["facts"], len(raw))
        text = mark_up(raw, marked)
    elif source.get("cited_in"):
        article = next((s for s in list_sources(store, kind="article", limit=ALL).items if s["id"] == source["cited_in"]), None)
    return render(
        request, "source.html", source=source, text=text, passages=marked, article=article, reference=cite.reference_text(source)
    )


def _varies(page):
    """The IRIs answer other representations to other clients, so caches must key on Accept."""

    def render_page(request: Request, resource_id: str) -> Response:
        response = page(request, resource_id)
        response.headers["Vary"] = "Accept"
        return response

    return render_page


linked.PAGES.update(fact=_varies(fact_page), entity=_varies(entity_page), source=_varies(source_page))


def _citation(request: Request, source_id: str, kind: str) -> Response:
    source = get_source(_store(request), source_id)
    body, media = (
        (cite.ris(source), "application/x-research-info-systems")
        if kind == "ris"
        else (cite.bibtex(source), "application/x-bibtex")
    )
    return Response(
        body, media_type=f"{media}; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{source_id}.{kind}"'}
    )


@router.get("/source/{source_id}/cite.ris")
def cite_ris(request: Request, source_id: Annotated[str, Path(pattern=ID)]) -> Response:
    return _citation(request, source_id, "ris")


@router.get("/source/{source_id}/cite.bib")
def cite_bib(request: Request, source_id: Annotated[str, Path(pattern=ID)]) -> Response:
    return _citation(request, source_id, "bib")


@router.get("/questions", response_class=HTMLResponse)
def questions_page(request: Request) -> Response:
    return render(request, "questions.html", questions=[describe(q) for q in questions()])


@router.get("/questions/{name}", response_class=HTMLResponse)
def question_page(request: Request, name: Annotated[str, Path(pattern=r"^[a-z0-9_]+$")]) -> Response:
    store = _store(request)
    asked = describe(question(name))
    params = {k: v.strip() for k, v in request.query_params.items() if v.strip()}
    options = _options(store, asked["parameters"])
    missing = [p["name"] for p in asked["parameters"] if not p["optional"] and p["name"] not in params]
    result, error = None, None
    if not missing:  # a question that needs a choice waits for it instead of answering with an error
        try:
            result = answer(store, name, params)
        except QueryError as err:
            error = str(err)
    columns = [c for c in (result["items"][0] if result and result["items"] else {}) if c != "evidence"]
    return render(
        request,
        "question.html",
        status=422 if error else 200,
        question=asked,
        params=params,
        options=options,
        result=result,
        error=error,
        columns=columns,
        missing=missing,
    )


def _options(store, parameters: list[dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    """Choices for the question form: every entity, fact kind or source by name; free text otherwise."""
    options: dict[str, list[tuple[str, str]]] = {}
    for p in parameters:
        if p["type"] == "entity":
            entities = sorted(list_entities(store, limit=ALL).items, key=lambda e: e["label"].lower())
            options[p["name"]] = [(e["id"], e["label"]) for e in entities]
        elif p["type"] == "kind":
            options[p["name"]] = [(k["id"], k["label"]) for k in stats(store)["facts_by_kind"]]
        elif p["type"] == "source":
            options[p["name"]] = [(s["id"], s["title"]) for s in list_sources(store, limit=ALL).items]
    return options

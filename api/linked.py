"""Linked data: every catkg IRI under the base resolves here, in the representation the client asks for.

``/fact/{id}``, ``/entity/{id}`` and ``/source/{id}`` answer RDF (Turtle, JSON-LD, N-Triples, RDF/XML) with
the resource's description, the API's JSON for ``application/json``, and the page for a browser.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response
from pyoxigraph import RdfFormat

from catkg.api.errors import ApiError, error_responses
from catkg.api.negotiate import best_match
from catkg.ontology import ENTITY, FACT, SOURCE
from catkg.queries.entities import get_entity, get_source
from catkg.queries.facts import get_fact
from catkg.queries.run import run

RDF_FORMATS = {
    "text/turtle": RdfFormat.TURTLE,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
}
REPRESENTATIONS = {"content": {"text/html": {}, **{media: {} for media in RDF_FORMATS}}}
router = APIRouter(
    tags=["linked data"],
    responses={
        200: {"description": "The resource: a page, the API's JSON, or RDF, chosen by Accept", **REPRESENTATIONS},
        **{
            status: {
                **spec,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}, "text/html": {}},
            }
            for status, spec in error_responses(404, 406, 422).items()
        },
    },
)

ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

PAGES: dict[str, Callable[[Request, str], Response]] = {}
"""HTML renderers by resource kind ('fact', 'entity', 'source'), registered by the pages module."""


def represent(
    request: Request, kind: str, resource_id: str, base: str, as_json: Callable[[Any, str], dict[str, Any]]
) -> Response:
    offers = (["text/html"] if kind in PAGES else []) + ["application/json", *RDF_FORMATS]
    chosen = best_match(request.headers.get("accept"), offers)
    if chosen is None:
        raise ApiError(406, f"cannot answer {request.headers.get('accept')!r}; available: {', '.join(offers)}")
    store = request.app.state.store
    if chosen == "text/html":
        return PAGES[kind](request, resource_id)
    body = as_json(store, resource_id)  # raises NotFound for an unknown id, in every representation
    if chosen == "application/json":
        return JSONResponse(body, headers={"Vary": "Accept"})
    triples = run(store, "describe", {"resource": base + resource_id})
    media = chosen
    return Response(triples.serialize(format=RDF_FORMATS[chosen]), media_type=media, headers={"Vary": "Accept"})


@router.get("/fact/{fact_id}", summary="A fact's IRI (content negotiation)")
def fact(
    request: Request,
    fact_id: Annotated[
        str,
        Path(pattern=ID, description="Fact id, the last segment of the fact's IRI.", examples=["d-dimer-below-0-5-rules-out-pe"]),
    ],
) -> Response:
    """The fact at https://w3id.org/catkg/fact/{id}: a page for a browser, the API's JSON, or RDF (Turtle, JSON-LD,
    N-Triples, RDF/XML) with its measurements, evidence and selectors, chosen by Accept."""
    return represent(request, "fact", fact_id, FACT, get_fact)


@router.get("/entity/{entity_id}", summary="An entity's IRI (content negotiation)")
def entity(
    request: Request,
    entity_id: Annotated[
        str, Path(pattern=ID, description="Entity id, the last segment of the entity's IRI.", examples=["pulmonary-embolism"])
    ],
) -> Response:
    """The entity at https://w3id.org/catkg/entity/{id}: a page, the API's JSON or RDF, chosen by Accept."""
    return represent(request, "entity", entity_id, ENTITY, lambda store, i: get_entity(store, i, facts=False))


@router.get("/source/{source_id}", summary="A source's IRI (content negotiation)")
def source(
    request: Request,
    source_id: Annotated[
        str, Path(pattern=ID, description="Source id, the last segment of the source's IRI.", examples=["lung-cancer-pe-review"])
    ],
) -> Response:
    """The article or cited reference at https://w3id.org/catkg/source/{id}: a page (an article's text with its
    quotes marked), the API's JSON or RDF, chosen by Accept."""
    return represent(request, "source", source_id, SOURCE, get_source)

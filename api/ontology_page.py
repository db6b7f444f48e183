"""The ontology at its own IRI (``/ontology``): a page for people, Turtle for programs; and the KGX dumps.

The page lists the classes (the entity hierarchy, with the classes the reasoner infers) and the properties of
``catkg.ttl`` with their definitions, Biolink names and counts in the served store: the same content as
``docs/ontology.md`` (:mod:`catkg.ontology.doc`). ``/dumps/catkg-kgx-{nodes,edges}.tsv`` serve the KGX export.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from catkg.api.errors import ApiError, error_responses
from catkg.api.html import render
from catkg.api.negotiate import best_match
from catkg.ontology.doc import header, terms, tree
from catkg.ontology.load import ontology_path
from catkg.queries.kgx import EDGE_COLUMNS, EDGES, NODE_COLUMNS, NODES, kgx_edges, kgx_nodes, tsv
from catkg.queries.ontology import term_counts

router = APIRouter()

TURTLE = "text/turtle"
TSV = "text/tab-separated-values"


@router.get("/ontology", include_in_schema=False)
def ontology(request: Request) -> Response:
    """The ontology: HTML for a browser, the Turtle file for ``Accept: text/turtle``."""
    chosen = best_match(request.headers.get("accept"), ["text/html", TURTLE, "application/x-turtle"])
    if chosen is None:
        raise ApiError(406, "the ontology is served as text/html or text/turtle")
    if chosen != "text/html":
        return FileResponse(ontology_path(), media_type=TURTLE + "; charset=utf-8")
    all_terms = terms()
    return render(
        request,
        "ontology.html",
        head=header(),
        counts=term_counts(request.app.state.store),
        entity_tree=tree("cat:Entity", all_terms),
        fact_tree=tree("cat:Fact", all_terms),
        others=[
            t
            for t in all_terms
            if t.kind == "class" and t.name in ("cat:Entity", "cat:Fact", "cat:Measurement", "cat:Evidence", "cat:Source")
        ],
        properties=[t for t in all_terms if t.kind != "class"],
        reasoning=request.app.state.store.info.get("reasoning"),
    )


def _tsv(body: str, name: str) -> Response:
    return Response(body, media_type=TSV + "; charset=utf-8", headers={"Content-Disposition": f'inline; filename="{name}"'})


KGX_RESPONSES = {200: {"description": "KGX TSV, one line per record", "content": {TSV: {}}}, **error_responses(503)}


@router.get("/dumps/catkg-kgx-nodes.tsv", tags=["sparql"], summary="The entities as KGX nodes", responses=KGX_RESPONSES)
def kgx_nodes_file(request: Request) -> Response:
    """Every entity as a node of a KGX graph (TSV): id (CATKG:slug), Biolink category, name, synonyms,
    definition, IRI. Written by `catkg kgx` too; validated with the kgx package in the tests."""
    return _tsv(tsv(NODE_COLUMNS, kgx_nodes(request.app.state.store)), NODES)


@router.get("/dumps/catkg-kgx-edges.tsv", tags=["sparql"], summary="The facts as KGX edges", responses=KGX_RESPONSES)
def kgx_edges_file(request: Request) -> Response:
    """Every fact as an edge of a KGX graph (TSV): subject, Biolink predicate (from the fact's kind), object,
    knowledge level, agent type, negated when the source does not support it, and the fact's statement, quote,
    source and offsets."""
    return _tsv(tsv(EDGE_COLUMNS, kgx_edges(request.app.state.store)), EDGES)

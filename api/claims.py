"""Claims and conflicts: ``/api/claims``, ``/api/claims/{id}``, ``/api/conflicts`` and their pages.

A claim is one assertion with every fact that bears on it (``catkg.queries.claims``); its page shows the facts
that support it and those that dispute it, and how many independent studies stand behind them. The pages call
the same functions as the API routes beside them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from catkg.api import linked
from catkg.api.errors import error_responses
from catkg.api.evidence import ID, TWINS, Format, KindName, Limit, Offset, only
from catkg.api.formats import chosen_format, respond
from catkg.api.html import render
from catkg.ontology import CLAIM
from catkg.queries.claims import get_claim, list_claims, list_conflicts

CLAIM_ID = r"^[a-z0-9]+(?:[.-]{1,2}[a-z0-9]+)*$"
"""A claim id: entity slugs, a fact kind and qualifiers joined by '--' and '.' (ingest/claims.py claim_id)."""

router = APIRouter(prefix="/api", tags=["evidence"], responses={**TWINS, **error_responses(404, 422)})
pages = APIRouter(include_in_schema=False)

ClaimId = Annotated[
    str,
    Path(
        pattern=CLAIM_ID,
        max_length=400,
        description="Claim id.",
        examples=["immunotherapy--risk-factor--pulmonary-embolism"],
    ),
]


@router.get("/claims", summary="List claims", dependencies=[only("entity", "kind", "conflicted", "limit", "offset")])
def claims(
    request: Request,
    entity: Annotated[
        str | None, Query(pattern=ID, description="Entity id: the claim's subject or object.", examples=["immunotherapy"])
    ] = None,
    kind: Annotated[KindName | None, Query(description="Kind of claim (a fact kind), e.g. 'risk-factor'.")] = None,
    conflicted: Annotated[bool | None, Query(description="Only claims in conflict (true) or not (false).")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Response:
    """Claims in id order: subject, kind, object, qualifiers, independent sources, supporting and disputing counts."""
    page = list_claims(request.app.state.store, entity=entity, kind=kind, conflicted=conflicted, limit=limit, offset=offset)
    return respond(request, page.as_dict())


@router.get("/claims/{claim_id}", summary="One claim", dependencies=[only()])
def claim(request: Request, claim_id: ClaimId, format: Format = None) -> Response:
    """One claim with every supporting and disputing fact and the studies counted as its independent sources.

    As CSV or JSON lines: its supporting facts, then its disputing ones."""
    item = get_claim(request.app.state.store, claim_id)
    if chosen_format(request) == "json":
        return respond(request, item, None)
    return respond(request, {"facts": item["supporting"] + item["disputing"]}, "facts")


@router.get("/conflicts", summary="List conflicts", dependencies=[only("limit", "offset")])
def conflicts(request: Request, limit: Limit = 50, offset: Offset = 0, format: Format = None) -> Response:
    """Claims whose facts disagree (some support it, others do not or call it unclear), each with both sides."""
    return respond(request, list_conflicts(request.app.state.store, limit=limit, offset=offset).as_dict())


def claim_page(request: Request, claim_id: str) -> Response:
    response = render(request, "claim.html", claim=get_claim(request.app.state.store, claim_id))
    response.headers["Vary"] = "Accept"
    return response


linked.PAGES["claim"] = claim_page


@pages.get("/claim/{claim_id}")
def claim_iri(request: Request, claim_id: Annotated[str, Path(pattern=CLAIM_ID, max_length=400)]) -> Response:
    """The claim at https://w3id.org/catkg/claim/{id}: its page for a browser, the API's JSON or RDF by Accept."""
    return linked.represent(request, "claim", claim_id, CLAIM, get_claim)


@pages.get("/conflicts", response_class=HTMLResponse)
def conflicts_page(request: Request) -> Response:
    page = list_conflicts(request.app.state.store, limit=1000)
    return render(request, "conflicts.html", page=page)

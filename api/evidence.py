"""The evidence API for scripts: facts as JSON, in the shape API.md fixes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from catkg.api.errors import ApiError
from catkg.queries.facts import get_fact, list_facts

router = APIRouter(prefix="/api", tags=["evidence"])

ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def only(*allowed: str):
    """A dependency that refuses query parameters a route does not know (a typo must not widen a filter)."""

    def check(request: Request) -> None:
        unknown = sorted(set(request.query_params) - set(allowed))
        if unknown:
            raise ApiError(422, f"unknown parameter{'s' * (len(unknown) > 1)}: {', '.join(unknown)}; "
                                f"known: {', '.join(allowed)}")

    return Depends(check)


@router.get("/facts", summary="List facts", dependencies=[only("kind", "entity", "source", "q", "limit", "offset")])
def facts(
    request: Request,
    kind: Annotated[str | None, Query(description="Fact kind, e.g. 'risk-factor' or 'incidence'.",
                                      examples=["incidence"])] = None,
    entity: Annotated[str | None, Query(pattern=ID, description="Entity id; matches subject or object, "
                                        "narrower entities included.", examples=["venous-thromboembolism"])] = None,
    source: Annotated[str | None, Query(pattern=ID, description="Source id (article or cited reference).")] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200, description="Text in the statement or quote.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size.")] = 50,
    offset: Annotated[int, Query(ge=0, description="Items to skip.")] = 0,
) -> dict[str, Any]:
    """Facts that pass every given filter, with their evidence, one page at a time."""
    page = list_facts(request.app.state.store, kind=kind, entity=entity, source=source, q=q, limit=limit, offset=offset)
    return page.as_dict()


@router.get("/facts/{fact_id}", summary="One fact", dependencies=[only()])
def fact(request: Request, fact_id: Annotated[str, Path(pattern=ID, description="Fact id.")]) -> dict[str, Any]:
    """One fact with its values, its evidence and its source."""
    return get_fact(request.app.state.store, fact_id)

"""Curation completeness: ``/api/completeness``, ``/api/completeness/{id}`` and their pages.

A curator adding an article needs to know what is left to read; a clinician, whether an article was read whole.
The counts are the build's coverage ledger (``catkg.queries.completeness``); the pages call the same functions as
the API routes beside them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from catkg.api.errors import error_responses
from catkg.api.evidence import ID, TWINS, Format, Limit, Offset, only
from catkg.api.formats import respond
from catkg.api.html import render
from catkg.queries.completeness import get_completeness, list_completeness

router = APIRouter(prefix="/api", tags=["evidence"], responses={**TWINS, **error_responses(404, 422)})
pages = APIRouter(include_in_schema=False)

ArticleId = Annotated[str, Path(pattern=ID, description="Article id.", examples=["lung-cancer-pe-review"])]


@router.get("/completeness", summary="Curation completeness", dependencies=[only("limit", "offset")])
def completeness(request: Request, limit: Limit = 50, offset: Offset = 0, format: Format = None) -> Response:
    """Every article: its sentences, how many facts cover, how many a curator skipped with a reason, how many are
    not yet read, and the share read (covered or skipped)."""
    return respond(request, list_completeness(request.app.state.store, limit=limit, offset=offset).as_dict())


@router.get("/completeness/{article_id}", summary="One article's completeness", dependencies=[only()])
def article_completeness(request: Request, article_id: ArticleId, format: Format = None) -> Response:
    """One article's counts with every sentence not yet read (its line and text). As CSV or JSON lines: those
    sentences."""
    return respond(request, get_completeness(request.app.state.store, article_id), "unread")


@pages.get("/completeness", response_class=HTMLResponse)
def completeness_page(request: Request) -> Response:
    return render(request, "completeness.html", page=list_completeness(request.app.state.store, limit=1000), article=None)


@pages.get("/completeness/{article_id}", response_class=HTMLResponse)
def article_completeness_page(request: Request, article_id: ArticleId) -> Response:
    article = get_completeness(request.app.state.store, article_id)
    return render(request, "completeness.html", page=None, article=article)

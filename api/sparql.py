"""The SPARQL 1.1 Protocol endpoint (query operation only): read-only, no outbound requests.

SELECT and ASK answer SPARQL JSON; CONSTRUCT and DESCRIBE answer Turtle. The store is opened read-only, so no
update can reach it; update requests and SERVICE are refused before the engine sees them.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat

from catkg.api.errors import ApiError
from catkg.store.embedded import EmbeddedStore

router = APIRouter()

UPDATE = re.compile(r"^\s*(?:(?:PREFIX|BASE)\b[^\n]*\n\s*)*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
                    re.IGNORECASE)
SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


READ_ONLY = "this endpoint is read-only: SPARQL updates are refused"


def _query_text(request: Request, body: bytes) -> str:
    """The one query of a request, from the URL, a form body or a direct POST body (SPARQL 1.1 Protocol 2.1)."""
    params = request.query_params.getlist("query")
    updates = "update" in request.query_params
    if request.method == "POST":
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if ctype == "application/sparql-query":
                params.append(body.decode("utf-8"))
            elif ctype == "application/x-www-form-urlencoded":
                form = parse_qsl(body.decode("ascii"), keep_blank_values=True, errors="strict")
                params += [value for key, value in form if key == "query"]
                updates = updates or any(key == "update" for key, _ in form)
            elif ctype == "application/sparql-update":
                updates = True
            else:
                raise ApiError(415, f"unsupported request body type {ctype!r}; send application/sparql-query "
                                    "or application/x-www-form-urlencoded")
        except UnicodeDecodeError as err:
            raise ApiError(400, f"the request body is not valid UTF-8: {err}") from err
    if updates:
        raise ApiError(400, READ_ONLY)
    if len(params) != 1:
        raise ApiError(400, "give exactly one 'query' parameter" if params else "missing 'query' parameter")
    return params[0]


async def _run(request: Request, text: str) -> Response:
    if UPDATE.match(text):
        raise ApiError(400, READ_ONLY)
    if SERVICE.search(text):
        raise ApiError(400, "SERVICE is refused: this endpoint makes no outbound requests")
    store: EmbeddedStore = request.app.state.store
    try:
        result = store.query(text)
    except SyntaxError as err:
        raise ApiError(400, f"SPARQL syntax error: {err}") from err
    if isinstance(result, (QuerySolutions, QueryBoolean)):
        return Response(result.serialize(format=QueryResultsFormat.JSON), media_type="application/sparql-results+json")
    return Response(result.serialize(format=RdfFormat.TURTLE), media_type="text/turtle")


@router.get("/sparql", summary="SPARQL 1.1 query (GET)", tags=["sparql"])
async def sparql_get(request: Request) -> Response:
    return await _run(request, _query_text(request, b""))


@router.post("/sparql", summary="SPARQL 1.1 query (POST form or application/sparql-query)", tags=["sparql"])
async def sparql_post(request: Request) -> Response:
    return await _run(request, _query_text(request, await request.body()))

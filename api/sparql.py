"""The SPARQL 1.1 Protocol endpoint (query operation only): read-only, bounded, no outbound requests.

Every request goes the same way: parse the protocol parameters from the raw bytes (strict UTF-8), screen the query
text (:mod:`catkg.store.guard`: updates, SERVICE and deep nesting refused), negotiate the result format, evaluate in
a worker process under the time and size limits (:func:`catkg.store.query.run_query`), and only then answer: the
status is decided before the first byte; a small result is answered from memory, a spooled one streams from disk.

``GET /sparql`` without a query answers a browser with the query editor (:mod:`catkg.api.editor`) and any other
client with the SPARQL 1.1 Service Description (:mod:`catkg.api.descriptions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import parse_qsl

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response, StreamingResponse
from pyoxigraph import NamedNode
from starlette.types import ASGIApp, Receive, Scope, Send

from catkg.api.errors import ApiError, error_response, error_responses
from catkg.api.negotiate import best_match
from catkg.store.bounded import (
    BoundedError,
    Limits,
    NotAcceptable,
    PoolBusy,
    QueryTimeout,
    Result,
    ResultTooLarge,
    WorkerCrashed,
    WorkerPool,
)
from catkg.store.embedded import StoreError
from catkg.store.formats import kind_of, media_types
from catkg.store.guard import MAX_LENGTH, RefusedQuery, Screened, screen
from catkg.store.query import evaluate_query

MAX_REQUEST = 256 * 1024
"""Largest request body (and query), in bytes."""

RESULTS_MEDIA = media_types("results")
GRAPH_MEDIA = media_types("graph")
RESULTS_OFFERS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
GRAPH_OFFERS = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/n-quads": "nquads",
    "application/x-turtle": "turtle",
    "application/turtle": "turtle",
    "text/n3": "turtle",
    "text/rdf+n3": "turtle",
    "application/rdf+n3": "turtle",
    "application/json": "jsonld",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
    "text/plain": "ntriples",
    "application/x-json+ld": "jsonld",
}
HTML_OFFERS = ("text/html", "application/xhtml+xml")
"""Offered last, so only a client that names HTML (a browser) gets it; ``*/*`` gets the data."""
FORMAT_PARAM: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"),
    "xml": ("xml", "rdfxml"),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "turtle": (None, "turtle"),
    "ttl": (None, "turtle"),
    "n3": (None, "turtle"),
    "ntriples": (None, "ntriples"),
    "nt": (None, "ntriples"),
    "nquads": (None, "nquads"),
    "nq": (None, "nquads"),
    "jsonld": (None, "jsonld"),
    "json-ld": (None, "jsonld"),
    "rdfxml": (None, "rdfxml"),
    "rdf": (None, "rdfxml"),
    "rdf+xml": (None, "rdfxml"),
    "html": ("html", "html"),
}
"""Values of the ``format`` parameter -> (format for SELECT/ASK, format for CONSTRUCT/DESCRIBE); like ``Accept``,
'json' and 'xml' depend on the query form (SPARQLWrapper sends format=xml for RDF/XML). Media types work too."""

READ_ONLY = "this endpoint is read-only: SPARQL updates are refused"

router = APIRouter(tags=["sparql"])


@dataclass(frozen=True)
class Protocol:
    """One protocol request, parsed: the query and the RDF dataset it names, and the other parameters."""

    query: str | None
    default_graph: list[str] | None
    named_graphs: list[str] | None
    params: dict[str, str]


@dataclass(frozen=True)
class Choice:
    """The negotiated formats: one for SELECT/ASK results, one for CONSTRUCT/DESCRIBE graphs ('html' for a page)."""

    results: str | None
    graph: str | None

    def for_form(self, form: str | None) -> str | None:
        return self.graph if kind_of(form) == "graph" else self.results


# ------------------------------------------------------------------------------------------------ parsing


def parse_pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    """``name=value`` pairs of a URL query string or a form body, percent-decoded as strict UTF-8.

    Starlette's ``request.query_params`` replaces invalid UTF-8 with U+FFFD; a query must never be silently altered.
    """
    try:
        text = raw.decode("utf-8")
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=200)
    except UnicodeDecodeError as err:
        raise ApiError(
            400,
            f"{where} is not valid UTF-8 ({err.reason} at byte {err.start} of "
            f"{'a percent-decoded parameter' if err.object != raw else 'the raw bytes'})",
        ) from None
    except ValueError as err:
        raise ApiError(400, f"{where}: {err}") from None


async def read_body(request: Request) -> bytes:
    """The request body, refused with 413 past :data:`MAX_REQUEST` bytes without reading it all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_REQUEST:
        raise ApiError(413, f"the request body is {declared} bytes; the limit is {MAX_REQUEST}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_REQUEST:
            raise ApiError(413, f"the request body is larger than the limit of {MAX_REQUEST} bytes")
    return bytes(body)


def _media_type(request: Request) -> tuple[str, str | None]:
    fields = [f.strip() for f in request.headers.get("content-type", "").split(";")]
    charset = next((f.partition("=")[2].strip('"').lower() for f in fields[1:] if f.lower().startswith("charset=")), None)
    return fields[0].lower(), charset


async def parse_request(request: Request) -> Protocol:
    """The protocol parameters from the URL and, for POST, the body (SPARQL 1.1 Protocol 2.1.1-2.1.3).

    :raises ApiError: 400 for a missing or repeated query, an update, invalid UTF-8 or a bad graph IRI;
        413 for a body that is too large; 415 for a body of another media type.
    """
    raw_query_string: bytes = request.scope.get("query_string", b"")
    if len(raw_query_string) > 3 * MAX_REQUEST:
        raise ApiError(413, f"the URL is longer than the limit; POST a query longer than {MAX_REQUEST} bytes")
    pairs = parse_pairs(raw_query_string, "the URL's query string")
    if request.method == "POST":
        media, charset = _media_type(request)
        body = await read_body(request)
        if media == "application/x-www-form-urlencoded":
            pairs += parse_pairs(body, "the form body")
        elif media == "application/sparql-query":
            if charset not in (None, "utf-8", "utf8"):
                raise ApiError(415, f"a query body must be UTF-8, not {charset!r}")
            try:
                pairs.append(("query", body.decode("utf-8")))
            except UnicodeDecodeError as err:
                raise ApiError(400, f"the query body is not valid UTF-8 ({err.reason} at byte {err.start})") from None
        elif media == "application/sparql-update":
            raise ApiError(400, READ_ONLY)
        elif media or body:
            raise ApiError(
                415,
                f"unsupported request body type {media or '(none)'!r}; send "
                "application/sparql-query or application/x-www-form-urlencoded",
            )
    names = [name for name, _ in pairs]
    if "update" in names:
        raise ApiError(400, READ_ONLY)
    queries = [value for name, value in pairs if name == "query"]
    if len(queries) > 1:
        raise ApiError(400, f"give exactly one 'query' parameter, not {len(queries)}")
    default = [_graph_iri(v) for n, v in pairs if n == "default-graph-uri"]
    named = [_graph_iri(v) for n, v in pairs if n == "named-graph-uri"]
    dataset_given = bool(default or named)
    return Protocol(
        query=queries[0] if queries else None,
        default_graph=default if dataset_given else None,
        named_graphs=named if dataset_given else None,
        params={n: v for n, v in pairs if n not in ("query", "default-graph-uri", "named-graph-uri")},
    )


def _graph_iri(value: str) -> str:
    try:
        return NamedNode(value).value
    except ValueError as err:
        raise ApiError(400, f"not a graph IRI: {value!r} ({err})") from None


# ------------------------------------------------------------------------------------------------ negotiation


def negotiate(request: Request, params: dict[str, str]) -> Choice:
    """The formats to answer in, from the ``format`` parameter or else ``Accept`` (q-values honoured).

    :raises ApiError: 400 for an unknown ``format``.
    """
    requested = params.get("format")
    if requested is not None:
        key = requested.strip().lower()
        # A media type, or a list of them as SPARQLWrapper sends (format=application/ld+json,application/x-json+ld),
        # reads like an Accept header.
        pair = FORMAT_PARAM.get(key) or ((_offer(key, "results"), _offer(key, "graph")) if "/" in key else (None, None))
        if pair == (None, None):
            raise ApiError(400, f"unknown format {requested!r}; known: {', '.join(FORMAT_PARAM)} or a media type")
        return Choice(*pair)
    accept = request.headers.get("accept")
    return Choice(_offer(accept, "results"), _offer(accept, "graph"))


@lru_cache(maxsize=256)
def _offer(accept: str | None, kind: Literal["results", "graph"]) -> str | None:
    """The format of one kind an Accept header (or a ``format`` media type) asks for. Remembered: clients send the
    same few headers, and reading one against every offer cost a short query more than screening it did."""
    offers = GRAPH_OFFERS if kind == "graph" else RESULTS_OFFERS
    chosen = best_match(accept, [*offers, *HTML_OFFERS])
    return "html" if chosen in HTML_OFFERS else offers.get(chosen) if chosen else None


def _not_acceptable(request: Request, form: str | None) -> ApiError:
    offers = GRAPH_MEDIA if kind_of(form) == "graph" else RESULTS_MEDIA
    return ApiError(
        406,
        f"cannot answer {request.headers.get('accept') or '(no Accept)'!r} for this "
        f"{(form or 'query').upper()} query; available: "
        f"{', '.join(m.split(';')[0] for m in offers.values())}, or format="
        f"{'|'.join(offers)}",
    )


# ------------------------------------------------------------------------------------------------ evaluation


def start_pool(app: FastAPI, *, timeout: float | None = None, max_bytes: int | None = None, workers: int | None = None) -> None:
    """Give ``app`` the SPARQL worker pool (limits from the arguments, else the environment), closed at shutdown."""
    app.state.sparql_pool = WorkerPool(Limits.from_env(timeout=timeout, max_bytes=max_bytes, workers=workers))
    app.router.on_shutdown.append(app.state.sparql_pool.close)


def pool(request: Request) -> WorkerPool:
    return request.app.state.sparql_pool


async def evaluate(
    request: Request, screened: Screened, protocol: Protocol, choice: Choice, max_bytes: int | None = None
) -> Result:
    """Run a screened query under the limits (:func:`catkg.store.query.evaluate_query`); its result, or an ApiError with
    the status to answer.

    A page (``html``) reads SPARQL JSON or N-Triples from the worker and renders them itself.
    """
    try:
        return await evaluate_query(
            request.app.state.store,
            screened,
            pool(request),
            results_format="json" if choice.results == "html" else choice.results,
            graph_format="ntriples" if choice.graph == "html" else choice.graph,
            default_graph=protocol.default_graph,
            named_graphs=protocol.named_graphs,
            max_bytes=max_bytes,
        )
    except StoreError as err:
        raise ApiError(503, f"the store is unavailable: {err}") from err
    except SyntaxError as err:
        raise ApiError(400, f"SPARQL syntax error: {err}") from None
    except NotAcceptable as err:
        raise _not_acceptable(request, err.form) from None
    except (QueryTimeout, PoolBusy) as err:
        raise ApiError(503, str(err)) from None
    except ResultTooLarge as err:
        raise ApiError(507, str(err)) from None
    except WorkerCrashed as err:
        raise ApiError(500, str(err)) from None
    except BoundedError as err:
        raise ApiError(500, str(err)) from None


def check(text: str) -> Screened:
    """Screen a query text for the protocol: refusals become 400, an overlong query 413."""
    try:
        return screen(text, max_length=MAX_LENGTH)
    except RefusedQuery as err:
        raise ApiError(413 if err.reason == "length" else 400, err.message) from None


def stream(result: Result) -> Response:
    """Answer a result: a small one from memory, a spooled one streamed from its file (unlinked once open, so it
    goes away however the response ends)."""
    headers = {"Content-Length": str(result.size), "Vary": "Accept"}
    if result.body is not None:
        return Response(result.body, media_type=result.media_type, headers={"Vary": "Accept"})
    return StreamingResponse(result.chunks(), media_type=result.media_type, headers=headers)


async def answer(request: Request, protocol: Protocol) -> Response:
    """Answer one protocol request that has a query."""
    from catkg.api import editor

    assert protocol.query is not None
    choice = negotiate(request, protocol.params)
    if choice.results == "html" and choice.graph == "html":
        return await editor.page(request, protocol)
    screened = check(protocol.query)
    if choice.for_form(screened.form) is None:
        raise _not_acceptable(request, screened.form)
    result = await evaluate(request, screened, protocol, choice)
    if choice.for_form(result.form) == "html":
        result.discard()
        return await editor.page(request, protocol)
    return stream(result)


# ------------------------------------------------------------------------------------------------ routes

PROTOCOL_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The query's result, in the negotiated format",
        "content": {m.split(";")[0]: {} for m in [*RESULTS_MEDIA.values(), *GRAPH_MEDIA.values(), "text/html"]},
    },
    **error_responses(400, 406, 413, 415, 500, 503, 507),
}


async def respond(request: Request) -> Response:
    """Answer ``GET`` or ``POST /sparql``; both routes and :class:`FirstOnSparql` answer through here."""
    from catkg.api import descriptions, editor

    protocol = await parse_request(request)
    if protocol.query is not None:
        return await answer(request, protocol)
    if request.method == "GET" and protocol.default_graph is None and set(protocol.params) <= {"format"}:
        choice = negotiate(request, protocol.params)
        if choice.graph == "html":
            return await editor.page(request, protocol)
        if choice.graph is not None:
            return descriptions.service_description(request, choice.graph)
    raise ApiError(400, "missing 'query' parameter")


@router.get(
    "/sparql",
    summary="SPARQL 1.1 query (GET); without a query: the editor or the service description",
    responses=PROTOCOL_RESPONSES,
)
async def sparql_get(request: Request) -> Response:
    """`query` (once), `default-graph-uri` and `named-graph-uri` (any number), and `format` (json, xml, csv, tsv,
    turtle, ntriples, nquads, jsonld, rdfxml, html) or `Accept`. Without `query`: a browser gets the query editor,
    other clients the SPARQL 1.1 Service Description (Turtle by default)."""
    return await respond(request)


@router.post("/sparql", summary="SPARQL 1.1 query (POST form-encoded or application/sparql-query)", responses=PROTOCOL_RESPONSES)
async def sparql_post(request: Request) -> Response:
    """The query in a form body (`query=`) or as the whole body (`Content-Type: application/sparql-query`, with
    `default-graph-uri` and `named-graph-uri` in the URL). Updates are refused."""
    return await respond(request)


class FirstOnSparql:
    """ASGI middleware: ``GET`` and ``POST /sparql`` answered by :func:`respond` before FastAPI's routing.

    Short queries are the endpoint's busiest traffic, and the router, the dependency solving and the exception
    middleware under it cost more CPU per request than a worker takes to evaluate one (measured in
    benchmarks/RESULTS.md). It sits inside the CORS and security-header middleware, so every response keeps those
    headers; its errors are the API's one JSON error shape, as the exception handlers give (``/sparql`` never
    answers an HTML error page). Other methods (HEAD) and paths go on to the app; the two routes stay, for the
    OpenAPI description, and answer the same way.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/sparql" or scope["method"] not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive, send)
        try:
            response = await respond(request)
        except ApiError as err:
            response = error_response(err.status, err.message)
        await response(scope, receive, send)


__all__ = [
    "GRAPH_MEDIA",
    "RESULTS_MEDIA",
    "Choice",
    "FirstOnSparql",
    "Protocol",
    "answer",
    "check",
    "evaluate",
    "negotiate",
    "parse_request",
    "respond",
    "router",
    "start_pool",
    "stream",
]

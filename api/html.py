"""What every HTML page shares: the Jinja2 templates (autoescaped), security headers, and error pages.

Browsers get an HTML error page (404 for an unknown id) where scripts keep the API's one JSON error shape:
the page routes always answer HTML; the linked-data IRIs (``/fact/x``...) answer HTML when the client
prefers it; every other route keeps its JSON errors.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catkg.api.cite import authors
from catkg.api.errors import ApiError
from catkg.api.negotiate import best_match
from catkg.ontology import BASE
from catkg.queries.facts import NotFound
from catkg.queries.run import QueryError

HERE = Path(__file__).parent
STATIC = HERE / "static"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin"}
NO_CSP: tuple[str, ...] = ()
"""Paths whose HTML gets no CSP (none: /docs is served from vendored Swagger UI with its own policy)."""

DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
"""Swagger UI sets style attributes and shows data: icons; it still runs no inline script and loads nothing
from another host."""

DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>catkg API documentation</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/js/docs.js"></script></body></html>
"""


def docs_page() -> HTMLResponse:
    """The OpenAPI documentation, from the vendored Swagger UI."""
    return HTMLResponse(DOCS_PAGE, headers={"Content-Security-Policy": DOCS_CSP})


PAGE_PATHS = ("/", "/search", "/facts", "/entities", "/sources", "/questions")
LINKED = ("/fact/", "/entity/", "/source/")
NOT_PAGES = ("/api/", "/sparql", "/dumps", "/.well-known", "/docs", "/redoc", "/openapi", "/healthz", "/static")


def words(name: str) -> str:
    """A slug or a camelCase column name as words: 'risk-factor' -> 'risk factor', 'outcomeLabel' -> 'outcome label'."""
    spaced = "".join(" " + ch.lower() if ch.isupper() and i else ch for i, ch in enumerate(name))
    return spaced.replace("-", " ").replace("_", " ").strip()


def sentence(text: str) -> str:
    """The first letter in capitals, the rest untouched (Jinja's ``capitalize`` lowercases 'DIC')."""
    return text[:1].upper() + text[1:]


def local_link(value: Any) -> str | None:
    """The page of a catkg IRI (``https://w3id.org/catkg/entity/x`` -> ``/entity/x``), else None."""
    if isinstance(value, str) and value.startswith(BASE):
        path = value[len(BASE) :]
        if path.startswith(("fact/", "entity/", "source/")) and "/" not in path.split("/", 1)[1]:
            return "/" + path
    return None


def query_string(params: dict[str, Any], **changes: Any) -> str:
    """``?a=1&b=2`` from ``params`` with ``changes`` applied; empty and None values left out."""
    merged = {**params, **changes}
    kept = {k: v for k, v in merged.items() if v is not None and v != ""}
    return "?" + urlencode(kept, doseq=True) if kept else ""


templates = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True
)
templates.filters.update(
    words=words, local_link=local_link, sentence=sentence, authors=lambda value: ", ".join(authors({"authors": value}))
)
templates.globals.update(query_string=query_string)


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page from ``template`` (autoescaped; every value shown is escaped unless it is built as Markup)."""
    body = templates.get_template(template).render(request=request, path=request.url.path, **context)
    return HTMLResponse(body, status_code=status)


class SecurityHeaders:
    """ASGI middleware: nosniff and a referrer policy on every response, and a CSP on HTML ones.

    Written against the raw ASGI ``send`` so streamed responses (large SPARQL results) pass through untouched.
    A response that sets its own Content-Security-Policy keeps it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.encode() not in names:
                        headers.append((name.encode(), value.encode()))
                content_type = dict(headers).get(b"content-type", b"")
                if (
                    content_type.startswith(b"text/html")
                    and b"content-security-policy" not in names
                    and not path.startswith(NO_CSP)
                ):
                    headers.append((b"content-security-policy", CSP.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def wants_html(request: Request) -> bool:
    """Whether an error on this request should be answered as an HTML page."""
    path = request.url.path
    if path in PAGE_PATHS or path.startswith("/questions/"):
        return True
    if path.startswith(NOT_PAGES):
        return False
    offers = ["text/html", "application/json"] if path.startswith(LINKED) else ["application/json", "text/html"]
    return best_match(request.headers.get("accept"), offers) == "text/html"


TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    422: "Check the request",
    500: "Server error",
}


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status=status, status_code=status, title=TITLES.get(status, "Error"), message=message)


def _message(err: Exception) -> tuple[int, str]:
    if isinstance(err, NotFound):
        return 404, str(err)
    if isinstance(err, ApiError):
        return err.status, err.message
    if isinstance(err, QueryError):
        return 422, str(err)
    if isinstance(err, RequestValidationError):
        fields = [".".join(str(p) for p in e["loc"] if p not in ("query", "path", "body")) for e in err.errors()]
        return 422, "; ".join(f"{f}: {e['msg']}" for f, e in zip(fields, err.errors(), strict=True))
    if isinstance(err, StarletteHTTPException):
        return err.status_code, "There is no page at this address." if err.status_code == 404 else str(err.detail)
    return 500, "Something went wrong."


def install(
    app: FastAPI,
    kinds: Iterable[type[Exception]] = (NotFound, QueryError, ApiError, RequestValidationError, StarletteHTTPException),
) -> None:
    """Answer errors with an HTML page where :func:`wants_html`; otherwise call the handler installed before."""
    for kind in kinds:
        original = app.exception_handlers.get(kind)
        if original is None:
            continue
        app.add_exception_handler(kind, _html_or(original))


def _html_or(original: Callable[..., Any]) -> Callable[..., Any]:
    async def handler(request: Request, err: Exception) -> Response:
        if wants_html(request):
            return error_page(request, *_message(err))
        result = original(request, err)
        return await result if inspect.isawaitable(result) else result

    return handler

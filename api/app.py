"""The FastAPI application: one factory that takes a store, so tests and the CLI serve the same app."""

from __future__ import annotations

import os
from importlib.metadata import version
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.cors import CORSMiddleware

from catkg.api import (
    claims,
    completeness,
    descriptions,
    dumps,
    editor,
    errors,
    evidence,
    html,
    linked,
    ontology_page,
    pages,
    sparql,
)
from catkg.store.embedded import EmbeddedStore
from catkg.store.remote import RemoteStore

DESCRIPTION = """Cited evidence on lung cancer and thrombosis. Every fact carries its source and the verbatim
sentence it was read from. `/sparql` is a read-only SPARQL 1.1 endpoint; `/api/` serves the evidence as JSON."""


def create_app(
    store: EmbeddedStore | RemoteStore | Path | str, *, sparql_timeout: float | None = None, sparql_max_bytes: int | None = None
) -> FastAPI:
    """An app serving ``store`` (an open embedded or remote store, or the path of an embedded one).

    ``sparql_timeout`` (seconds) and ``sparql_max_bytes`` bound every SPARQL query; by default they come from
    ``CATKG_SPARQL_TIMEOUT`` and ``CATKG_SPARQL_MAX_BYTES``, else 10 s and 100 MB (see ``catkg.store.bounded``).
    """
    # /docs is served from the vendored Swagger UI (html.docs_page): FastAPI's own loads it from a CDN.
    app = FastAPI(title="catkg", version=version("catkg"), description=DESCRIPTION, docs_url=None, redoc_url=None)
    app.state.store = store if isinstance(store, (EmbeddedStore, RemoteStore)) else EmbeddedStore(Path(store))
    errors.install(app)
    sparql.start_pool(app, timeout=sparql_timeout, max_bytes=sparql_max_bytes)
    app.include_router(sparql.router)
    app.include_router(editor.router)  # GET /sparql for a browser, /api/queries
    app.include_router(descriptions.router)  # the Service Description and /.well-known/void
    app.include_router(dumps.router)
    app.include_router(evidence.router)
    app.include_router(claims.router)  # /api/claims, /api/conflicts
    app.include_router(completeness.router)  # /api/completeness
    app.include_router(linked.router)
    app.include_router(pages.router)
    app.include_router(claims.pages)  # /claim/{id}, /conflicts
    app.include_router(completeness.pages)  # /completeness
    app.include_router(ontology_page.router)  # /ontology (HTML or Turtle), the KGX dumps
    app.add_api_route("/docs", html.docs_page, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=html.STATIC), name="static")
    html.install(app)  # after errors.install: browsers get HTML error pages, scripts the JSON shape
    app.add_middleware(sparql.FirstOnSparql)  # innermost: /sparql skips the routing, keeps the headers below
    app.add_middleware(html.SecurityHeaders)
    # Read-only open data: any origin may query /sparql and /api/ from a browser (and read the dumps and VoID).
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST"],
        allow_headers=["*"],
        expose_headers=["Content-Length", "Content-Type"],
    )

    @app.get("/healthz", tags=["service"], summary="Health check")
    def healthz(request: Request) -> JSONResponse:
        """200 when the store answers a query, 503 otherwise."""
        try:
            store = request.app.state.store
            bool(store.query("ASK { ?s ?p ?o }"))
            return JSONResponse(
                {"status": "ok", "version": store.info.get("version"), "data_version": store.info.get("data_version")}
            )
        except Exception as err:  # any failure of the store is what this route reports
            return JSONResponse({"status": "unavailable", "error": str(err)}, status_code=503)

    return app


SERVE_WORKERS = "CATKG_SERVE_WORKERS"
"""Server processes of ``catkg serve`` (default 1); each has its own SPARQL worker pool. The default is 1 by
measurement: on a 2-core machine two processes were not consistently faster and held twice the memory
(benchmarks/RESULTS.md, issue 16)."""


def serve_workers() -> int:
    """How many server processes ``catkg serve`` starts, from ``CATKG_SERVE_WORKERS``.

    :raises ValueError: naming the variable when its value is not a whole number of at least 1.
    """
    raw = os.environ.get(SERVE_WORKERS, "").strip() or "1"
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{SERVE_WORKERS}={raw!r} is not a number of processes (1 or more)")
    return int(raw)


def from_environment() -> FastAPI:
    """The app of each server process when ``catkg serve`` starts several: the store named by ``CATKG_STORE``
    (and ``CATKG_STORE_URL``), which ``serve`` sets for them."""
    path = Path(os.environ.get("CATKG_STORE") or "data/store")
    url = os.environ.get("CATKG_STORE_URL")
    return create_app(RemoteStore(url, path) if url else EmbeddedStore(path))

"""``/sparql`` answered before FastAPI's routing (:class:`catkg.api.sparql.FirstOnSparql`) answers exactly as the
routes do: the same status, headers and body, for results, every kind of error, the editor and the description."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from catkg.api.app import create_app
from catkg.api.sparql import FirstOnSparql
from catkg.store.embedded import EmbeddedStore

SELECT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 5"
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
REQUESTS = [
    ("GET", {"params": {"query": SELECT}}),
    ("GET", {"params": {"query": SELECT}, "headers": {"Accept": "text/csv"}}),
    ("GET", {"params": {"query": SELECT, "format": "tsv"}}),
    ("GET", {"params": {"query": "CONSTRUCT WHERE { ?s a ?c } LIMIT 3"}, "headers": {"Accept": "application/n-triples"}}),
    ("GET", {"params": {"query": "ASK { ?s ?p ?o }"}, "headers": {"Origin": "https://example.org"}}),
    ("POST", {"content": SELECT, "headers": {"Content-Type": "application/sparql-query"}}),
    ("POST", {"data": {"query": SELECT}}),
    ("GET", {"params": {"query": "SELEC"}}),  # 400, syntax
    ("GET", {"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}),  # 406
    ("GET", {"params": {"query": "ASK {}", "format": "pdf"}}),  # 400, unknown format
    ("GET", {"params": {"query": "SELECT * { SERVICE <http://example.org/> { ?s ?p ?o } }"}}),  # 400, refused
    ("POST", {"content": "INSERT DATA { <a:b> <a:c> <a:d> }", "headers": {"Content-Type": "application/sparql-update"}}),
    ("POST", {"content": "x", "headers": {"Content-Type": "text/plain"}}),  # 415
    ("POST", {"content": "q" * (300 * 1024), "headers": {"Content-Type": "application/sparql-query"}}),  # 413
    ("GET", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}),  # 400, twice
    ("POST", {"data": {"format": "json"}}),  # 400, no query
    ("GET", {}),  # the service description
    ("GET", {"headers": HTML}),  # the editor
    ("GET", {"params": {"query": SELECT, "format": "html"}}),  # the editor with the result
]


@pytest.fixture(scope="module")
def clients(store: EmbeddedStore) -> Iterator[tuple[TestClient, TestClient]]:
    """The app as served, and the same app with ``FirstOnSparql`` taken out (every request through the routes)."""
    routed = create_app(store)
    routed.user_middleware = [m for m in routed.user_middleware if m.cls is not FirstOnSparql]
    assert len(routed.user_middleware) == len(create_app(store).user_middleware) - 1
    with TestClient(create_app(store)) as first, TestClient(routed) as through_routes:
        yield first, through_routes


@pytest.mark.parametrize(("method", "kwargs"), REQUESTS, ids=range(len(REQUESTS)))
def test_first_answers_as_the_routes_do(clients: tuple[TestClient, TestClient], method: str, kwargs: dict) -> None:
    first, through_routes = clients
    ours = first.request(method, "/sparql", **kwargs)
    theirs = through_routes.request(method, "/sparql", **kwargs)
    assert ours.status_code == theirs.status_code
    for response in (ours, theirs):
        assert int(response.headers["content-length"]) == len(response.content)
    assert {**ours.headers, "content-length": ""} == {**theirs.headers, "content-length": ""}
    assert unlabelled(ours.content) == unlabelled(theirs.content)


def unlabelled(body: bytes) -> bytes:
    """The body with what differs between two runs made alike: blank node labels (fresh in every service
    description) and the seconds a query took (on the editor's page)."""
    return re.sub(rb" in \d+\.\d{3} s", b" in 0 s", re.sub(rb"_:[0-9a-f]+", b"_:b", body))


def test_first_is_on_the_path_of_sparql_only(store: EmbeddedStore) -> None:
    """It answers GET and POST /sparql itself; everything else reaches FastAPI's router (which names the route's
    endpoint in the request's scope)."""
    seen: dict[str, str | None] = {}
    app = create_app(store)
    app.add_middleware(_Spy, seen=seen)
    with TestClient(app) as client:
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        assert client.post("/sparql", data={"query": "ASK {}"}).status_code == 200
        client.head("/sparql")
        assert client.get("/healthz").status_code == 200
    assert seen == {"GET /sparql": None, "POST /sparql": None, "HEAD /sparql": "sparql_get", "GET /healthz": "healthz"}


class _Spy:
    """Outermost middleware: which endpoint, if any, the router chose for each request."""

    def __init__(self, app, seen: dict) -> None:
        self.app, self.seen = app, seen

    async def __call__(self, scope, receive, send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            endpoint = scope.get("endpoint")
            self.seen[f"{scope['method']} {scope['path']}"] = getattr(endpoint, "__name__", None)

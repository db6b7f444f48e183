"""The SPARQL query editor for browsers, and the example queries it offers (``/api/queries``).

The page works without JavaScript: its form is a plain ``GET /sparql?query=...&format=html`` that answers this page
with the result as a table. With JavaScript (``static/js/sparql.js``, no inline script: the CSP forbids it), the
form runs the query with ``fetch`` as SPARQL JSON, draws the table, and keeps the query in the page's URL so a link
shares it. The examples are the ``.rq`` files of the queries room tagged ``example``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response
from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QueryResultsFormat, RdfFormat, parse, parse_query_results
from starlette.concurrency import run_in_threadpool

from catkg.api import sparql
from catkg.api.errors import ApiError, error_responses
from catkg.api.formats import respond
from catkg.api.html import local_link, render
from catkg.queries import questions
from catkg.queries.run import NamedQuery, named_queries
from catkg.store.bounded import Result
from catkg.store.formats import FORMATS, kind_of, media_types

TAG = "example"
HTML_MAX_BYTES = 8 * 1024 * 1024
"""Largest result the page renders (SPARQL JSON or N-Triples); larger ones are for format=csv and friends."""
HTML_ROWS = 1000
"""Rows a page shows; the count says how many there were."""
XSD = "http://www.w3.org/2001/XMLSchema#"

router = APIRouter()


def examples() -> list[NamedQuery]:
    """The example queries, in file-name order."""
    return [q for q in named_queries().values() if TAG in q.tags]


def describe(q: NamedQuery) -> dict[str, Any]:
    """A named query as ``/api/queries`` lists it: what a question says of itself, and its tags."""
    return {**questions.describe(q), "tags": list(q.tags), "editor": "/sparql?" + urlencode({"query": q.text})}


@router.get(
    "/api/queries", tags=["sparql"], summary="The named SPARQL queries (the editor's examples)", responses=error_responses(422)
)
def list_queries(
    request: Request,
    tag: Annotated[
        str | None,
        Query(description="Only queries with this tag: 'example' (the editor's examples), 'question'.", examples=["example"]),
    ] = None,
) -> Response:
    """Every `.rq` file in `queries/`: name, title, description, parameters, tags (`tag=example` for the editor's
    examples) and a link that opens it in the editor."""
    unknown = sorted(set(request.query_params) - {"tag", "format"})
    if unknown:
        raise ApiError(422, f"unknown parameter: {', '.join(unknown)}; known: tag, format")
    items = [describe(q) for q in named_queries().values() if tag is None or tag in q.tags]
    return respond(request, {"items": items, "total": len(items), "limit": len(items), "offset": 0})


@router.get(
    "/api/queries/{name}", tags=["sparql"], summary="One named SPARQL query, with its text", responses=error_responses(404)
)
def get_query(
    name: Annotated[
        str,
        PathParam(pattern=r"^[a-z0-9_]+$", description="The query's name (its file name).", examples=["vte_after_lung_surgery"]),
    ],
) -> dict:
    """The query's header fields and its SPARQL text (`text`), as run by `catkg query --name`."""
    found = named_queries().get(name)
    if found is None:
        raise ApiError(404, f"unknown query: {name}")
    return {**describe(found), "text": found.text}


@dataclass
class Cell:
    text: str
    note: str = ""
    link: str | None = None


@dataclass
class Table:
    """A result as a page shows it: columns and at most HTML_ROWS rows, or a boolean."""

    form: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[Cell | None]] = field(default_factory=list)
    total: int = 0
    boolean: bool | None = None
    seconds: float = 0.0


def cell(term: Any) -> Cell | None:
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return Cell(term.value, link=local_link(term.value))
    if isinstance(term, BlankNode):
        return Cell(f"_:{term.value}")
    if isinstance(term, Literal):
        if term.language:
            return Cell(term.value, note=f"@{term.language}")
        datatype = term.datatype.value
        return Cell(term.value, note="" if datatype == XSD + "string" else datatype.replace(XSD, "xsd:"))
    return Cell(str(term))  # an RDF-star triple


def read_table(result: Result) -> Table:
    """The result (SPARQL JSON, or N-Triples for a graph) as a table; a spooled result's file is removed."""
    table = Table(result.form, seconds=result.seconds)
    data = result.read()
    if result.form == "triples":
        table.columns = ["subject", "predicate", "object"]
        rows: Any = ((t.subject, t.predicate, t.object) for t in parse(data, format=RdfFormat.N_TRIPLES))
    else:
        parsed = parse_query_results(data, format=QueryResultsFormat.JSON)
        if isinstance(parsed, QueryBoolean):
            table.boolean = bool(parsed)
            return table
        table.columns = [v.value for v in parsed.variables]
        rows = ([solution[c] for c in table.columns] for solution in parsed)
    for row in rows:
        table.total += 1
        if table.total <= HTML_ROWS:
            table.rows.append([cell(term) for term in row])
    return table


def downloads(query: str, form: str | None) -> list[tuple[str, str]]:
    return [(FORMATS[n].label, "/sparql?" + urlencode({"query": query, "format": n})) for n in media_types(kind_of(form))]


async def page(request: Request, protocol: sparql.Protocol) -> HTMLResponse:
    """The editor, with the query's result (or its error) when the request has a query."""
    shown = examples()
    context: dict[str, Any] = {
        "query": protocol.query
        if protocol.query is not None
        else (shown[0].text if shown else "SELECT * WHERE { ?s ?p ?o } LIMIT 10"),
        "examples": [describe(q) for q in shown],
        "table": None,
        "error": None,
        "downloads": [],
        "limits": sparql.pool(request).limits,
    }
    status = 200
    if protocol.query is not None:
        try:
            screened = sparql.check(protocol.query)
            context["downloads"] = downloads(protocol.query, screened.form)
            result = await sparql.evaluate(request, screened, protocol, sparql.Choice("html", "html"), max_bytes=HTML_MAX_BYTES)
            context["table"] = await run_in_threadpool(read_table, result)
        except ApiError as err:
            status, context["error"] = err.status, err.message
            if err.status == 507:
                context["error"] += " (a page shows at most 8 MB: use one of the downloads below)"
    return render(request, "sparql.html", status=status, **context)

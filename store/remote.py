"""The remote backend: any SPARQL 1.1 store (Oxigraph server, Virtuoso, Fuseki, QLever, Neptune) over HTTP.

Reading: :class:`RemoteStore` sends each query with the SPARQL 1.1 Protocol (``POST``, form-encoded: the one
form every store accepts; Virtuoso 7.2 never answers a POSTed ``application/sparql-query`` body), under a time
limit, reads the answer chunk by chunk (stopping as soon as it passes a size limit, when one is given), and
parses it into the same pyoxigraph result objects the embedded store returns (``QuerySolutions``,
``QueryBoolean``, ``QueryTriples``), so the queries room works unchanged. The default graph
of every query is catkg's graphs (ontology, facts, inferred, meta), named with ``default-graph-uri`` and
``named-graph-uri``: the same union the embedded store queries, whatever else the remote store holds and whatever
its own default graph is.

The search index and the build record stay local: ``index_dir`` is a link to a generation directory (made by
``catkg build --store-url``) holding ``search.sqlite`` and ``build.json``, exactly as for the embedded store, only
without ``oxigraph/``.

Writing (:func:`stage`, then :meth:`Staged.switch`): a build computes everything locally (in memory), then PUTs
each graph with the SPARQL 1.1 Graph Store HTTP Protocol into a *staging* graph named after the generation
(``<graph IRI>?generation=<id>``), reads the staged graphs back and checks their counts, and only then moves
them over the live graphs with one SPARQL Update request (``MOVE <staged> TO <live>`` for each graph). A build
that fails before the switch drops its staging graphs and leaves the live graphs untouched. The switch is atomic
where the store runs one update request in one transaction (Oxigraph does); on other stores it is one request
of four MOVEs, each atomic, but a reader may see the graphs switch one after another.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from pyoxigraph import NamedNode, QueryResultsFormat, QuerySolutions, RdfFormat, Store

from catkg.ingest.to_rdf import DATA_GRAPH, INFERRED_GRAPH, META_GRAPH, ONTOLOGY_GRAPH
from catkg.store.embedded import StoreError

GRAPHS: tuple[NamedNode, ...] = (ONTOLOGY_GRAPH, DATA_GRAPH, INFERRED_GRAPH, META_GRAPH)
"""catkg's graphs: their union is the default graph of every query."""

STAGING = "?generation="
"""What a staging graph's IRI adds to the live graph's IRI, before the generation id."""

RESULTS_TYPES = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
}
GRAPH_TYPES = {
    "application/n-triples": RdfFormat.N_TRIPLES,
    "text/turtle": RdfFormat.TURTLE,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "text/plain": RdfFormat.N_TRIPLES,
}
ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, application/n-triples, "
    "text/turtle;q=0.9, application/rdf+xml;q=0.8"
)

GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8"
"""For CONSTRUCT and DESCRIBE: Virtuoso answers them as SPARQL results (?s ?p ?o) when those are acceptable."""
VIRTUOSO_ASK = "__ASK_RETVAL"

DEFAULT_TIMEOUT = 60.0
"""Seconds one request to the remote store may take (``CATKG_STORE_TIMEOUT``)."""


class RemoteTimeout(StoreError):
    """The remote store did not answer within the time limit."""


class AnswerTooLarge(StoreError):
    """The remote store's answer passed the size limit of the query; it was not read any further."""


@dataclass(frozen=True)
class Endpoints:
    """The three URLs of a remote store: SPARQL query, SPARQL update, Graph Store Protocol."""

    query: str
    update: str
    graph_store: str

    @classmethod
    def of(cls, url: str) -> Endpoints:
        """The endpoints of the store whose query endpoint is ``url``.

        Oxigraph's ``.../query`` gives ``.../update`` and ``.../store``; Virtuoso's ``.../sparql`` gives
        ``.../sparql`` and ``.../sparql-graph-crud``; ``CATKG_STORE_UPDATE_URL`` and ``CATKG_STORE_GRAPH_URL``
        override either (Fuseki: ``/ds/update``, ``/ds/data``).
        """
        url = url.rstrip("/")
        if url.endswith("/query"):
            update, graph_store = url[: -len("query")] + "update", url[: -len("query")] + "store"
        elif url.endswith("/sparql"):
            update, graph_store = url, url + "-graph-crud"
        else:
            update, graph_store = url, url
        return cls(
            url, os.environ.get("CATKG_STORE_UPDATE_URL") or update, os.environ.get("CATKG_STORE_GRAPH_URL") or graph_store
        )


def _form(sparql: str) -> str | None:
    """The query form ('select', 'ask', 'construct', 'describe'), read by the guard's lexer; None if unknown."""
    from catkg.store.guard import RefusedQuery, screen

    try:
        return screen(sparql, max_length=max(len(sparql), 1)).form
    except RefusedQuery:
        return None


def _timeout() -> float:
    raw = os.environ.get("CATKG_STORE_TIMEOUT", "").strip()
    try:
        return float(raw) if raw else DEFAULT_TIMEOUT
    except ValueError:
        raise StoreError(f"CATKG_STORE_TIMEOUT={raw!r} is not a number of seconds") from None


class Client:
    """SPARQL 1.1 Protocol and Graph Store Protocol requests to one remote store, parsed into pyoxigraph results."""

    def __init__(self, url: str, *, timeout: float | None = None):
        import httpx

        self.endpoints = Endpoints.of(url)
        self.timeout = _timeout() if timeout is None else timeout
        self._http = httpx.Client(timeout=self.timeout, headers={"User-Agent": "catkg"})

    @contextmanager
    def _stream(
        self, method: str, url: str, timeout: float | None = None, refused_as_syntax: bool = False, **kwargs: Any
    ) -> Iterator[Any]:
        """One request whose successful answer the caller reads (``iter_bytes``); failures, also while the answer
        is read, as catkg's errors.

        :raises SyntaxError: for a 400 when ``refused_as_syntax``. :raises RemoteTimeout, StoreError: otherwise.
        """
        import httpx

        limit = self.timeout if timeout is None else timeout
        try:
            with self._http.stream(method, url, timeout=limit, **kwargs) as response:
                if response.status_code >= 300:
                    text = _head(response, 2000).decode("utf-8", "replace").strip()
                    if response.status_code == 400 and refused_as_syntax:
                        raise SyntaxError(text or "the remote store refused the query (400)")
                    raise StoreError(f"the remote store at {url} answered {response.status_code}: {text[:500]}")
                yield response
        except httpx.TimeoutException as err:
            raise RemoteTimeout(f"the remote store at {url} did not answer within {limit:g} s") from err
        except httpx.HTTPError as err:
            raise StoreError(f"cannot reach the remote store at {url}: {err}") from err

    def _send(self, method: str, url: str, **kwargs: Any) -> bytes:
        """One request; its whole answer."""
        with self._stream(method, url, **kwargs) as response:
            return response.read()

    def query(
        self,
        sparql: str,
        *,
        default_graph: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
        timeout: float | None = None,
        max_bytes: int | None = None,
    ) -> Any:
        """Run one query; a pyoxigraph ``QuerySolutions``, ``QueryBoolean`` or ``QueryTriples``.

        :param max_bytes: the most of the answer to read: reading stops at the first chunk past it.
        :raises SyntaxError: when the remote store refuses the query (400).
        :raises AnswerTooLarge: when the answer passes ``max_bytes``.
        :raises RemoteTimeout, StoreError: when it does not answer in time, cannot be reached, or fails.
        """
        form = [("query", sparql)]
        form += [("default-graph-uri", g) for g in default_graph or ()]
        form += [("named-graph-uri", g) for g in named_graphs or ()]
        # Form-encoded POST: every store supports it (Virtuoso 7.2 hangs on a POSTed application/sparql-query body).
        accept = GRAPH_ACCEPT if _form(sparql) in ("construct", "describe") else ACCEPT
        with self._stream(
            "POST",
            self.endpoints.query,
            timeout,
            True,
            content=urlencode(form).encode("ascii"),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
        ) as response:
            media = response.headers.get("content-type", "").split(";")[0].strip().lower()
            body = _read(response, max_bytes)
        return _parse(body, media)

    def update(self, sparql: str) -> None:
        self._send(
            "POST",
            self.endpoints.update,
            content=urlencode([("update", sparql)]).encode("ascii"),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        self._send(
            "PUT",
            self.endpoints.graph_store,
            params={"graph": graph},
            content=ntriples,
            headers={"Content-Type": "application/n-triples"},
        )

    def get_graph(self, graph: str) -> bytes:
        """One graph as N-Triples (Graph Store Protocol GET)."""
        return self._send("GET", self.endpoints.graph_store, params={"graph": graph}, headers={"Accept": "application/n-triples"})

    def graphs(self) -> list[str]:
        """Every named graph of the remote store whose IRI is one of catkg's (live or staging)."""
        prefix = ONTOLOGY_GRAPH.value.rsplit("/", 1)[0] + "/"
        result = self.query(f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{prefix}")) }}')
        return sorted(s["g"].value for s in result)

    def close(self) -> None:
        self._http.close()


def _head(response: Any, size: int) -> bytes:
    """At most the first ``size`` bytes of an answer (an error message: never the whole of a large body)."""
    head = bytearray()
    for chunk in response.iter_bytes():
        head += chunk
        if len(head) >= size:
            break
    return bytes(head[:size])


def _read(response: Any, max_bytes: int | None) -> bytes:
    """The whole answer, read chunk by chunk so that an oversized one is refused before it is all in memory.

    :raises AnswerTooLarge: at the first chunk past ``max_bytes``.
    """
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if max_bytes is not None and len(body) > max_bytes:
            raise AnswerTooLarge(f"the remote store's answer is larger than {max_bytes} bytes")
    return bytes(body)


def _parse(body: bytes, media: str) -> Any:
    """An answer as the pyoxigraph result the embedded store would give."""
    from pyoxigraph import parse_query_results

    if media in RESULTS_TYPES:
        result = parse_query_results(body, format=RESULTS_TYPES[media])
        if isinstance(result, QuerySolutions) and [v.value for v in result.variables] == [VIRTUOSO_ASK]:
            # Virtuoso 7.2 answers ASK with one solution binding ?__ASK_RETVAL to 1 or 0.
            row = next(iter(result), None)
            true = row is not None and row[0] is not None and row[0].value not in ("0", "false")
            return Store().query("ASK {}" if true else "ASK { FILTER(false) }")
        return result
    if media in GRAPH_TYPES:
        # Through an in-memory store, so a CONSTRUCT answer is a real QueryTriples, as the embedded store gives.
        graph = Store()
        graph.load(body, format=GRAPH_TYPES[media])
        return graph.query("CONSTRUCT WHERE { ?s ?p ?o }")
    raise StoreError(f"the remote store answered in an unexpected format {media!r}")


class View:
    """Queries over a set of graphs of a remote store, with catkg's default: the union of those graphs."""

    def __init__(self, client: Client, graphs: Iterable[str]):
        self.client = client
        self.graphs = list(graphs)

    def query(self, sparql: str, **options: Any) -> Any:
        """Like :meth:`catkg.store.embedded.Snapshot.query`: ``default_graph`` and ``named_graphs`` (IRIs or
        NamedNodes) name the dataset; without them it is the union of the view's graphs, unless
        ``use_default_graph_as_union=False`` leaves the query's own FROM clauses to decide; ``timeout`` and
        ``max_bytes`` bound the request (see :meth:`Client.query`)."""
        unknown = set(options) - {"default_graph", "named_graphs", "use_default_graph_as_union", "timeout", "max_bytes"}
        if unknown:
            raise TypeError(f"unsupported query options for a remote store: {', '.join(sorted(unknown))}")
        default, named = options.get("default_graph"), options.get("named_graphs")
        if default is None and named is None and options.get("use_default_graph_as_union", True):
            default = named = self.graphs
        return self.client.query(
            sparql,
            default_graph=_iris(default),
            named_graphs=_iris(named),
            timeout=options.get("timeout"),
            max_bytes=options.get("max_bytes"),
        )


def _iris(graphs: Any) -> list[str] | None:
    if graphs is None:
        return None
    if isinstance(graphs, (str, NamedNode)):
        graphs = [graphs]
    return [g.value if isinstance(g, NamedNode) else str(g) for g in graphs]


@dataclass(frozen=True)
class IndexGeneration:
    """The local half of a remote store's generation: its directory (search index) and build record."""

    directory: Path
    info: dict[str, Any]
    client: Client

    @property
    def oxigraph(self) -> Store:
        """catkg's graphs copied from the remote store into memory (for the dumps, which are written once per
        build): each graph fetched with the Graph Store Protocol."""
        copy = Store()
        for graph in GRAPHS:
            copy.load(self.client.get_graph(graph.value), format=RdfFormat.N_TRIPLES, to_graph=graph)
        return copy


class RemoteStore(View):
    """Read access to catkg's graphs in a remote SPARQL 1.1 store, with the local search index of that build.

    ``index_dir`` is the link ``catkg build --store-url`` made (like an embedded store's path); it is followed
    on every use, so a rebuild is picked up without a restart.
    """

    def __init__(self, url: str, index_dir: Path | str, *, timeout: float | None = None):
        super().__init__(Client(url, timeout=timeout), [g.value for g in GRAPHS])
        self.url = url
        self.path = Path(index_dir)
        self.generation()

    def generation(self) -> IndexGeneration:
        """The index generation the link points at.

        :raises StoreError: when there is none (run ``catkg build --store-url``).
        """
        if not self.path.is_symlink():
            raise StoreError(
                f"no search index for the remote store at {self.path}; run "
                f"'catkg build --store {self.path} --store-url {self.url}' (or copy the index of "
                "the replica that built it)"
            )
        directory = self.path.resolve()
        try:
            info = json.loads((directory / "build.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise StoreError(f"cannot read the build record of {self.path} (-> {directory}): {err}") from err
        return IndexGeneration(directory, info, self.client)

    @property
    def info(self) -> dict[str, Any]:
        return self.generation().info

    @property
    def directory(self) -> Path:
        return self.generation().directory

    def close(self) -> None:
        self.client.close()


# ------------------------------------------------------------------------------------------------ writing


@dataclass
class Staged:
    """A generation's graphs, written to staging graphs of the remote store and checked; not yet live."""

    client: Client
    generation: str
    done: bool = False
    seconds: float = 0.0

    def staging(self, graph: str) -> str:
        return graph + STAGING + self.generation

    @property
    def view(self) -> View:
        """The staged graphs, queried as the live ones will be (their union as the default graph)."""
        return View(self.client, [self.staging(g.value) for g in GRAPHS])

    def switch(self) -> None:
        """Move every staged graph over its live graph in one update request."""
        self.client.update(" ;\n".join(f"MOVE SILENT <{self.staging(g.value)}> TO <{g.value}>" for g in GRAPHS))
        self.done = True
        self.client.close()

    def drop(self) -> None:
        """Remove the staging graphs (after a failure); the live graphs are untouched."""
        try:
            self.client.update(" ;\n".join(f"DROP SILENT GRAPH <{self.staging(g.value)}>" for g in GRAPHS))
        except StoreError:
            pass  # costs space on the remote store, not data; the next build removes them
        finally:
            self.client.close()


def stage(url: str, store: Store, generation: str) -> Staged:
    """Write every graph of ``store`` to staging graphs of the remote store at ``url`` and check them.

    Staging graphs a killed build left are dropped first.

    :raises StoreError: when the remote store cannot be written, or reads back other than what was written.
    """
    client = Client(url)
    staged = Staged(client, generation)
    try:
        leftovers = [g for g in client.graphs() if STAGING in g]
        if leftovers:
            client.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in leftovers))
        started = time.perf_counter()
        for graph in GRAPHS:
            client.put_graph(staged.staging(graph.value), store.dump(format=RdfFormat.N_TRIPLES, from_graph=graph))
        expected = {staged.staging(g.value): sum(1 for _ in store.quads_for_pattern(None, None, None, g)) for g in GRAPHS}
        rows = client.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", named_graphs=list(expected))
        found = {**{g: 0 for g in expected}, **{s["g"].value: int(s["n"].value) for s in rows}}
        if found != expected:
            raise StoreError(
                f"the remote store at {url} holds other than what this build wrote: triples per graph {found}, written {expected}"
            )
        staged.seconds = round(time.perf_counter() - started, 3)
    except BaseException:
        staged.drop()
        raise
    return staged


# ------------------------------------------------------------------------------------------------ the endpoint


def run_bounded(
    store: View,
    query: str,
    *,
    spool: Path,
    timeout: float,
    max_bytes: int,
    results_format: str | None = "json",
    graph_format: str | None = "turtle",
    default_graph: list[str] | None = None,
    named_graphs: list[str] | None = None,
    dataset: bool = False,
    inline_bytes: int = 0,
) -> Any:
    """What :meth:`catkg.store.bounded.WorkerPool.run` does for the embedded store, for a remote one: forward the
    (already screened) query under the time limit, and serialize its result into a spool file under the size
    limit, in the same formats and with the same errors (a result up to ``inline_bytes`` stays in memory); the
    remote store evaluates it, so no worker is needed.
    The remote store's answer counts against the size limit too, and is not read past it.

    :raises SyntaxError, QueryTimeout, ResultTooLarge, NotAcceptable, QueryFailed: as the pool does.
    :raises StoreError: when the remote store cannot be reached or fails.
    """
    import uuid

    from catkg.store.bounded import QueryTimeout, outcome
    from catkg.store.protocol import Job, Reply
    from catkg.store.worker import execute

    class Bounded:
        @staticmethod
        def query(text: str, **options: Any) -> Any:
            if not options:  # the query names its own dataset (FROM): no union default graph
                options["use_default_graph_as_union"] = False
            return store.query(text, timeout=timeout, max_bytes=max_bytes, **options)

    path = spool / uuid.uuid4().hex
    job = Job("", query, results_format, graph_format, default_graph, named_graphs, dataset, str(path), max_bytes, inline_bytes)
    body = None
    try:
        reply, body = execute(Bounded, job)
    except AnswerTooLarge:
        reply = Reply("too-large")  # answered as the pool answers an oversized result (507)
    except RemoteTimeout as err:
        path.unlink(missing_ok=True)
        raise QueryTimeout(
            f"the query ran out of time: the limit is {timeout:g} s; narrow it (a LIMIT, a more selective pattern) and try again"
        ) from err
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return outcome(reply, body, path, max_bytes)


__all__ = [
    "GRAPHS",
    "AnswerTooLarge",
    "Client",
    "Endpoints",
    "RemoteStore",
    "RemoteTimeout",
    "Staged",
    "View",
    "run_bounded",
    "stage",
]

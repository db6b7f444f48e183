"""One way to run a screened SPARQL query under the endpoint's limits, on whichever store holds the graph.

The ``/sparql`` endpoint awaits :func:`evaluate_query` on its event loop, and the CLI's ``query`` calls its
blocking form :func:`run_query`: on the embedded store the query is evaluated in a killable worker
(:class:`~catkg.store.bounded.WorkerPool`), on a remote store it is forwarded under the same time and size limits
(:func:`~catkg.store.remote.run_bounded`); either way the answer is a :class:`~catkg.store.bounded.Result` in a
format of :data:`~catkg.store.formats.FORMATS`, or one of the :class:`~catkg.store.bounded.BoundedError` s.
"""

from __future__ import annotations

import asyncio
from typing import Any

from catkg.store.bounded import Result, WorkerPool, blocking
from catkg.store.embedded import EmbeddedStore
from catkg.store.guard import Screened
from catkg.store.remote import RemoteStore, run_bounded


async def evaluate_query(
    store: EmbeddedStore | RemoteStore,
    screened: Screened,
    pool: WorkerPool,
    *,
    results_format: str | None,
    graph_format: str | None,
    default_graph: list[str] | None = None,
    named_graphs: list[str] | None = None,
    max_bytes: int | None = None,
) -> Result:
    """Evaluate ``screened`` (already past :func:`catkg.store.guard.screen`) on ``store`` within ``pool``'s limits.

    ``results_format`` serializes SELECT/ASK results and ``graph_format`` CONSTRUCT/DESCRIBE results (names of
    :data:`~catkg.store.formats.FORMATS`; None: not acceptable). Without ``default_graph`` the default graph is the
    union of catkg's graphs, unless the query names its own dataset. On the embedded store it waits for the worker
    on the running loop; a remote store's blocking client runs in a thread.

    :raises SyntaxError: with the parser's message.
    :raises QueryTimeout, ResultTooLarge, WorkerCrashed, PoolBusy, QueryFailed, NotAcceptable: see each.
    :raises StoreError: when the store cannot be read.
    """
    if isinstance(store, RemoteStore):
        limits = pool.limits
        limit = limits.max_bytes if max_bytes is None else max_bytes
        return await asyncio.to_thread(
            run_bounded,
            store,
            screened.text,
            spool=pool.spool,
            timeout=limits.timeout,
            max_bytes=limit,
            results_format=results_format,
            graph_format=graph_format,
            default_graph=default_graph,
            named_graphs=named_graphs,
            dataset=screened.dataset,
            inline_bytes=min(limits.inline_bytes, limit),
        )
    return await pool.evaluate(
        store.directory / "oxigraph",
        screened.text,
        results_format=results_format,
        graph_format=graph_format,
        default_graph=default_graph,
        named_graphs=named_graphs,
        dataset=screened.dataset,
        max_bytes=max_bytes,
    )


def run_query(store: EmbeddedStore | RemoteStore, screened: Screened, pool: WorkerPool, **options: Any) -> Result:
    """:func:`evaluate_query`, blocking: for a caller without an event loop (the CLI)."""
    return blocking(evaluate_query(store, screened, pool, **options))


__all__ = ["evaluate_query", "run_query"]

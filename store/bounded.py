"""Queries under limits (time, result size, memory), evaluated in worker processes that can be killed.

pyoxigraph cannot interrupt a running query (oxigraph issue #1926), so a query that never ends would hold a
server thread and a core forever. Here each query runs in one of a few worker processes that open the store
read-only (``Store.read_only``); the server waits for the answer until the time limit and then kills the worker
and starts another. The worker serializes the result into a spool file, and only when the whole result is written
(and within the size limit) does the caller learn the status: a query that runs out of time never becomes a 200
with a truncated body. The caller then streams the file.

A worker also guards the server against what the engine does with hostile input: its queries run on a thread with a
large stack (Oxigraph's parser and evaluator recurse), under an address-space limit, and, where the kernel allows
an unprivileged user namespace, in a network namespace of its own, so even a SERVICE clause that got past the lexer
(:mod:`catkg.store.guard`) has no network to reach. A worker that crashes costs one query a 5xx, never the server.

The worker follows store rebuilds: every job names the generation directory to read, and a worker reopens when it
changes.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, BinaryIO

RESULTS_FORMATS = ("json", "xml", "csv", "tsv")
"""SPARQL results formats (SELECT, ASK), by name: pyoxigraph's ``QueryResultsFormat`` members."""
GRAPH_FORMATS = ("turtle", "ntriples", "nquads", "jsonld", "rdfxml")
"""RDF formats (CONSTRUCT, DESCRIBE), by name: pyoxigraph's ``RdfFormat`` members."""

STACK_SIZE = 512 * 1024 * 1024
"""Stack of the thread that evaluates queries: every query within the length limit then fits (measured: 60000
nested parentheses need about 130 MB; the default 8 MB overflows at about 5000). Only touched pages are used."""

GIB = 1024 * 1024 * 1024


class BoundedError(Exception):
    """A query did not produce a result; the subclass says why and the message says it to a person."""


class QueryTimeout(BoundedError):
    """The query ran out of time; its worker was killed."""


class ResultTooLarge(BoundedError):
    """The serialized result is larger than the size limit."""


class WorkerCrashed(BoundedError):
    """The worker evaluating the query died (a crash of the engine, or out of memory)."""


class PoolBusy(BoundedError):
    """Every worker stayed busy for as long as the time limit."""


class QueryFailed(BoundedError):
    """The engine reported an error other than a syntax error."""


class NotAcceptable(BoundedError):
    """The query's result is of a form (``form``) for which no acceptable format was given."""

    def __init__(self, form: str):
        super().__init__(f"no acceptable format for the result of this query ({form})")
        self.form = form


@dataclass(frozen=True)
class Limits:
    """The bounds of every query. ``from_env`` reads ``CATKG_SPARQL_TIMEOUT`` (seconds), ``CATKG_SPARQL_MAX_BYTES``,
    ``CATKG_SPARQL_WORKERS``, ``CATKG_SPARQL_MAX_MEMORY`` (bytes of address space per worker, 0 for none) and
    ``CATKG_SPARQL_ISOLATE`` (0 to leave workers on the host's network)."""

    timeout: float = 10.0
    max_bytes: int = 100 * 1024 * 1024
    workers: int = 2
    memory: int = 4 * GIB
    isolate: bool = True

    ENV = {
        "timeout": "CATKG_SPARQL_TIMEOUT",
        "max_bytes": "CATKG_SPARQL_MAX_BYTES",
        "workers": "CATKG_SPARQL_WORKERS",
        "memory": "CATKG_SPARQL_MAX_MEMORY",
        "isolate": "CATKG_SPARQL_ISOLATE",
    }

    @classmethod
    def from_env(cls, **overrides: Any) -> Limits:
        """Defaults, then the environment, then ``overrides`` (those that are not None).

        :raises ValueError: naming the variable whose value is not a valid number.
        """
        values: dict[str, Any] = {}
        for spec in fields(cls):
            raw = os.environ.get(cls.ENV[spec.name])
            if raw is not None and raw.strip():
                try:
                    values[spec.name] = (
                        raw.strip() not in ("0", "false", "no")
                        if spec.type == "bool"
                        else (float(raw) if spec.type == "float" else int(raw))
                    )
                except ValueError:
                    raise ValueError(f"{cls.ENV[spec.name]}={raw!r} is not a valid {spec.type}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        limits = cls(**values)
        if limits.timeout <= 0 or limits.workers < 1 or limits.max_bytes < 1:
            raise ValueError(f"the SPARQL limits must be positive: {limits}")
        return limits


@dataclass(frozen=True)
class Result:
    """A serialized result in a spool file, which the caller now owns (and removes)."""

    path: Path
    form: str
    """'solutions' (SELECT), 'boolean' (ASK) or 'triples' (CONSTRUCT, DESCRIBE)."""
    format: str
    size: int
    seconds: float


@dataclass(eq=False)
class _Worker:
    proc: subprocess.Popen
    started: float = field(default_factory=time.monotonic)

    def call(self, job: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one job and wait for its reply; kill the worker when it runs out of time or dies."""
        deadline = time.monotonic() + timeout
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(json.dumps(job).encode() + b"\n")
            self.proc.stdin.flush()
        except OSError:
            raise WorkerCrashed(self._death()) from None
        poller = select.poll()
        poller.register(self.proc.stdout, select.POLLIN | select.POLLHUP | select.POLLERR)
        while not poller.poll(max(0.0, deadline - time.monotonic()) * 1000):
            if time.monotonic() >= deadline:
                self.kill()
                raise QueryTimeout(
                    f"the query ran out of time: the limit is {timeout:g} s; "
                    "narrow it (a LIMIT, a more selective pattern) and try again"
                )
        line = self.proc.stdout.readline()
        if not line:
            raise WorkerCrashed(self._death())
        return json.loads(line)

    def _death(self) -> str:
        self.kill()
        code = self.proc.returncode
        how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit status {code}"
        return (
            f"the query stopped the process evaluating it ({how}): it needed more memory or stack than a query "
            "may use, or it hit a fault of the engine; the server is fine, try a smaller query"
        )

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - a SIGKILLed process that does not go away
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass


class WorkerPool:
    """Up to ``limits.workers`` worker processes, started when first needed and replaced when killed.

    ``run`` is blocking and thread-safe: call it from a thread (the HTTP layer uses Starlette's thread pool).
    """

    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits.from_env()
        self.spool = Path(tempfile.mkdtemp(prefix="catkg-sparql-"))
        self.isolated: bool | None = None
        """Whether the last worker that answered had no network (None before the first answer)."""
        self._slots = threading.BoundedSemaphore(self.limits.workers)
        self._idle: deque[_Worker] = deque()
        """Warm workers at the right end; replacements join at the left, so a warm one answers first."""
        self._lock = threading.Lock()
        self._workers: set[_Worker] = set()
        self._closed = False

    def _spawn(self) -> _Worker:
        config = {"memory": self.limits.memory, "isolate": self.limits.isolate}
        proc = subprocess.Popen(
            [sys.executable, "-m", "catkg.store.bounded", json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            close_fds=True,
        )
        worker = _Worker(proc)
        with self._lock:
            self._workers.add(worker)
        return worker

    def _acquire(self, wait: float) -> _Worker:
        if self._closed:
            raise PoolBusy("the query service is shutting down")
        if not self._slots.acquire(timeout=wait):
            raise PoolBusy(f"all {self.limits.workers} query workers stayed busy for {wait:g} s; try again shortly")
        with self._lock:
            warm = self._idle.pop() if self._idle else None
        return warm or self._spawn()

    def _release(self, worker: _Worker, alive: bool) -> None:
        if not alive:
            with self._lock:
                self._workers.discard(worker)
            if not self._closed:
                replacement = self._spawn()  # it starts now, not when the next query arrives
                with self._lock:
                    self._idle.appendleft(replacement)
        elif self._closed:
            worker.kill()
        else:
            with self._lock:
                self._idle.append(worker)
        self._slots.release()

    def run(
        self,
        directory: Path,
        query: str,
        *,
        results_format: str | None = "json",
        graph_format: str | None = "turtle",
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        dataset: bool = False,
        max_bytes: int | None = None,
        timeout: float | None = None,
    ) -> Result:
        """Evaluate ``query`` on the pyoxigraph store in ``directory`` and spool its serialized result.

        Without ``default_graph`` the default graph is the union of all graphs, unless the query names its own
        dataset (``dataset``: FROM / FROM NAMED). ``results_format`` serializes SELECT/ASK results,
        ``graph_format`` CONSTRUCT/DESCRIBE results (None: not acceptable).

        :raises SyntaxError: with the parser's message.
        :raises QueryTimeout, ResultTooLarge, WorkerCrashed, PoolBusy, QueryFailed, NotAcceptable: see each.
        """
        timeout = self.limits.timeout if timeout is None else timeout
        limit = self.limits.max_bytes if max_bytes is None else max_bytes
        path = self.spool / uuid.uuid4().hex
        job = {
            "directory": str(directory),
            "query": query,
            "results_format": results_format,
            "graph_format": graph_format,
            "default_graph": default_graph,
            "named_graphs": named_graphs,
            "dataset": dataset,
            "output": str(path),
            "max_bytes": limit,
        }
        worker = self._acquire(timeout)
        alive = False
        try:
            reply = worker.call(job, timeout)
            alive = True
        finally:
            self._release(worker, alive)
            if not alive:
                path.unlink(missing_ok=True)
        self.isolated = reply.get("isolated")
        return outcome(reply, path, limit)

    def close(self) -> None:
        """Stop every worker and remove the spool."""
        self._closed = True
        with self._lock:
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            worker.kill()
        shutil.rmtree(self.spool, ignore_errors=True)

    def __del__(self) -> None:
        if not getattr(self, "_closed", True):
            self.close()


def outcome(reply: dict[str, Any], path: Path, limit: int) -> Result:
    """The result a job's reply announces (its spool file at ``path``), or the error it reports.

    :raises SyntaxError, ResultTooLarge, NotAcceptable, QueryFailed: as the reply says; the spool file is removed.
    """
    status = reply["status"]
    if status == "ok":
        return Result(path, reply["form"], reply["format"], reply["size"], reply["seconds"])
    path.unlink(missing_ok=True)
    if status == "syntax":
        raise SyntaxError(reply["message"])
    if status == "too-large":
        raise ResultTooLarge(f"the result is larger than the limit of {_size(limit)}; add a LIMIT or narrow the query")
    if status == "not-acceptable":
        raise NotAcceptable(reply["form"])
    raise QueryFailed(reply["message"])


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n} bytes"


# ---------------------------------------------------------------------------------------------------- the worker


class _Capped:
    """A binary file that refuses to grow past ``limit`` bytes (pyoxigraph writes through ``write``)."""

    def __init__(self, file: BinaryIO, limit: int):
        self.file, self.limit, self.size, self.over = file, limit, 0, False

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            self.over = True
            raise OSError("result size limit reached")
        return self.file.write(data)

    def flush(self) -> None:
        self.file.flush()


def _execute(store: Any, job: dict[str, Any]) -> dict[str, Any]:
    """Evaluate one job in the worker: the reply says the status, and for 'ok' the form and size of the spool."""
    from pyoxigraph import NamedNode, QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat

    started = time.perf_counter()
    options: dict[str, Any] = {}
    if job["default_graph"] is not None:
        options["default_graph"] = [NamedNode(g) for g in job["default_graph"]]
    elif not job["dataset"]:
        options["use_default_graph_as_union"] = True
    if job["named_graphs"] is not None:
        options["named_graphs"] = [NamedNode(g) for g in job["named_graphs"]]
    try:
        result = store.query(job["query"], **options)
    except SyntaxError as err:
        return {"status": "syntax", "message": str(err)}
    except (OSError, ValueError, RuntimeError, TypeError) as err:
        return {"status": "error", "message": f"the query failed: {err}"}
    if isinstance(result, (QuerySolutions, QueryBoolean)):
        form = "solutions" if isinstance(result, QuerySolutions) else "boolean"
        name = job["results_format"]
        fmt = getattr(QueryResultsFormat, name.upper()) if name else None
    else:
        form, name = "triples", job["graph_format"]
        fmt = (
            {
                "turtle": RdfFormat.TURTLE,
                "ntriples": RdfFormat.N_TRIPLES,
                "nquads": RdfFormat.N_QUADS,
                "jsonld": RdfFormat.JSON_LD,
                "rdfxml": RdfFormat.RDF_XML,
            }.get(name)
            if name
            else None
        )
    if fmt is None:
        return {"status": "not-acceptable", "form": form}
    with open(job["output"], "wb") as file:
        capped = _Capped(file, job["max_bytes"])
        try:
            result.serialize(capped, format=fmt)
        except (OSError, ValueError, RuntimeError) as err:
            if capped.over:
                return {"status": "too-large"}
            return {"status": "error", "message": f"the query failed: {err}"}
    return {"status": "ok", "form": form, "format": name, "size": capped.size, "seconds": round(time.perf_counter() - started, 6)}


def _isolate() -> bool:
    """Move this process into a user and network namespace of its own: no interface but a down loopback.

    Needs a single-threaded process and a kernel that allows unprivileged user namespaces; False where not.
    The user namespace maps our own uid and gid onto themselves, so files read and written keep their owner.
    """
    clone_newuser, clone_newnet = 0x10000000, 0x40000000
    uid, gid = os.getuid(), os.getgid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(clone_newuser | clone_newnet) != 0:
            return False
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
        return True
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    """Exit when the server that started this worker is gone (even while a query runs)."""
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(1)


def _serve(jobs: BinaryIO, replies: BinaryIO, isolated: bool) -> None:
    from pyoxigraph import Store

    store, opened = None, None
    for line in jobs:
        job = json.loads(line)
        store_dir = str(Path(job["directory"]))
        try:
            if store_dir != opened:
                store, opened = None, None
                store, opened = Store.read_only(store_dir), store_dir
            reply = _execute(store, job)
        except (OSError, ValueError, RuntimeError) as err:
            reply = {"status": "error", "message": f"cannot read the store: {err}"}
        reply["isolated"] = isolated
        replies.write(json.dumps(reply).encode() + b"\n")
        replies.flush()


def worker_main(config: dict[str, Any]) -> None:
    """The worker process: jobs as JSON lines on stdin, one reply line each on a private copy of stdout."""
    replies = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # anything else printed goes to stderr, never into the replies
    parent = os.getppid()
    isolated = _isolate() if config.get("isolate", True) else False  # before any thread starts
    if config.get("memory"):
        resource.setrlimit(resource.RLIMIT_AS, (config["memory"], config["memory"]))
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    threading.stack_size(STACK_SIZE)
    worker = threading.Thread(target=_serve, args=(sys.stdin.buffer, replies, isolated), name="catkg-query")
    worker.start()
    worker.join()


if __name__ == "__main__":
    worker_main(json.loads(sys.argv[1]) if len(sys.argv) > 1 else {})

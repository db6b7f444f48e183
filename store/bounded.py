"""Queries under limits (time, result size, memory), evaluated in worker processes that can be killed.

pyoxigraph cannot interrupt a running query (oxigraph issue #1926), so a query that never ends would hold a
server thread and a core forever. Here each query runs in one of a few worker processes (:mod:`catkg.store.worker`)
that open the store read-only (``Store.read_only``); the server waits for the answer until the time limit and then
kills the worker and starts another. The worker serializes the whole result (within the size limit) before it
replies, and only then does the caller learn the status: a query that runs out of time never becomes a 200 with a
truncated body. A small result (up to ``Limits.inline_bytes``) comes back through the worker's pipe, right after
its reply, and is answered from memory; a larger one is written to a spool file, which the caller then streams.
What the two sides say is in :mod:`catkg.store.protocol`.

A worker also guards the server against what the engine does with hostile input: its queries run on a thread with a
large stack (Oxigraph's parser and evaluator recurse), under an address-space limit, and, where the kernel allows
an unprivileged user namespace, in a network namespace of its own, so even a SERVICE clause that got past the lexer
(:mod:`catkg.store.guard`) has no network to reach. A worker that crashes costs one query a 5xx, never the server.

The worker follows store rebuilds: every job names the generation directory to read, and a worker reopens when it
changes.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from catkg.store.formats import FORMATS
from catkg.store.protocol import PIPE_SIZE, Job, Reply

GIB = 1024 * 1024 * 1024
T = TypeVar("T")
INLINE_BYTES = 256 * 1024
"""Largest result answered from memory rather than through a spool file (see ``Limits.inline_bytes``)."""
CACHE_BYTES = 32 * 1024 * 1024
"""Bytes of small results a pool keeps to answer a repeated query without a worker (``Limits.cache_bytes``)."""
UNREPEATABLE = re.compile(r"\b(?:RAND|NOW|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)
"""Calls whose value changes from one evaluation to the next: a query with one (or with these words anywhere, say
in a string: caching less is safe) is always evaluated."""


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
    ``CATKG_SPARQL_ISOLATE`` (0 to leave workers on the host's network); ``inline_bytes`` is the largest result
    answered from memory (0: every result through a spool file); ``cache_bytes`` (``CATKG_SPARQL_CACHE_BYTES``) bounds
    the results kept to answer the same query again (0: none, see :class:`ResultCache`)."""

    timeout: float = 10.0
    max_bytes: int = 100 * 1024 * 1024
    workers: int = 2
    memory: int = 4 * GIB
    isolate: bool = True
    inline_bytes: int = INLINE_BYTES
    cache_bytes: int = CACHE_BYTES

    ENV = {
        "timeout": "CATKG_SPARQL_TIMEOUT",
        "max_bytes": "CATKG_SPARQL_MAX_BYTES",
        "workers": "CATKG_SPARQL_WORKERS",
        "memory": "CATKG_SPARQL_MAX_MEMORY",
        "isolate": "CATKG_SPARQL_ISOLATE",
        "inline_bytes": "CATKG_SPARQL_INLINE_BYTES",
        "cache_bytes": "CATKG_SPARQL_CACHE_BYTES",
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
        if limits.timeout <= 0 or limits.workers < 1 or limits.max_bytes < 1 or min(limits.inline_bytes, limits.cache_bytes) < 0:
            raise ValueError(f"the SPARQL limits must be positive: {limits}")
        return limits


@dataclass(frozen=True)
class Result:
    """A serialized result: in memory (``body``) when small, else in a spool file (``path``) the caller now owns.

    ``read``, ``chunks`` or ``discard`` it once; each removes the spool file.
    """

    form: str
    """'solutions' (SELECT), 'boolean' (ASK) or 'triples' (CONSTRUCT, DESCRIBE)."""
    format: str
    size: int
    seconds: float
    body: bytes | None = None
    path: Path | None = None

    @property
    def media_type(self) -> str:
        return FORMATS[self.format].media_type

    def read(self) -> bytes:
        if self.body is not None:
            return self.body
        assert self.path is not None
        try:
            return self.path.read_bytes()
        finally:
            self.path.unlink(missing_ok=True)

    def chunks(self, size: int = 64 * 1024) -> Iterator[bytes]:
        """The result in pieces. A spool file is opened and unlinked at once, so it goes however reading ends."""
        if self.body is not None:
            return iter((self.body,))
        assert self.path is not None
        file = open(self.path, "rb")  # noqa: SIM115 - closed by the generator
        self.path.unlink()

        def pieces() -> Iterator[bytes]:
            with file:
                while chunk := file.read(size):
                    yield chunk

        return pieces()

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)


CacheKey = tuple[str, str, str | None, str | None, tuple[str, ...] | None, tuple[str, ...] | None, bool]


class ResultCache:
    """Small results by everything that decides them (generation directory, query text, formats, dataset), least
    recently used first out past ``capacity`` bytes.

    A generation never changes once built, so a query without :data:`UNREPEATABLE` calls has one answer in it; a
    rebuild is a new directory, hence new keys. Researchers and pages send the same short queries again and again,
    and a worker round trip costs a short query more CPU than the rest of its request (benchmarks/RESULTS.md).
    Only results that travelled inline (within ``Limits.inline_bytes``) are kept.
    """

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.size = 0
        self._entries: OrderedDict[CacheKey, tuple[Reply, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(job: Job) -> CacheKey | None:
        """The key of a job's result, or None when the query may answer differently each time."""
        if UNREPEATABLE.search(job.query):
            return None
        graphs = tuple(job.default_graph) if job.default_graph is not None else None
        named = tuple(job.named_graphs) if job.named_graphs is not None else None
        return (job.directory, job.query, job.results_format, job.graph_format, graphs, named, job.dataset)

    def get(self, key: CacheKey) -> tuple[Reply, bytes] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: CacheKey, reply: Reply, body: bytes) -> None:
        cost = len(body) + len(key[1]) + 200  # the key's text, and about what the tuple and reply hold
        if cost > self.capacity:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (reply, body)
            self.size += cost
            while self.size > self.capacity:
                old_key, (_, old_body) = self._entries.popitem(last=False)
                self.size -= len(old_body) + len(old_key[1]) + 200

    def __len__(self) -> int:
        return len(self._entries)


class _Reading:
    """What a worker has sent so far for one job: its reply line, then (``inline``) the result's bytes."""

    __slots__ = ("data", "reply")

    def __init__(self) -> None:
        self.data = bytearray()
        self.reply: Reply | None = None

    def feed(self, chunk: bytes | memoryview) -> tuple[Reply, bytes | None] | None:
        """Take the next bytes read; the reply (and inline result) once complete, else None."""
        self.data += chunk
        if self.reply is None:
            end = self.data.find(b"\n")
            if end < 0:
                return None
            self.reply = Reply.decode(bytes(self.data[:end]))
            del self.data[: end + 1]
            if not self.reply.inline:
                return self.reply, None
        return (self.reply, bytes(self.data)) if len(self.data) >= self.reply.size else None


@dataclass(eq=False)
class _Worker:
    proc: subprocess.Popen
    started: float = field(default_factory=time.monotonic)
    buffer: bytearray = field(default_factory=lambda: bytearray(PIPE_SIZE))
    """Reads land here: a fresh 1 MiB ``os.read`` buffer costs an mmap a reply (8 us against 0.7 us, measured)."""

    async def call(self, job: Job, timeout: float) -> tuple[Reply, bytes | None]:
        """Send one job and wait for its reply (and inline result) on the running event loop, without a thread;
        kill the worker when it runs out of time, dies, or the caller is cancelled (its answer would otherwise be
        read as the next job's)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            # The worker is idle and reading: the write ends as soon as it has read the job.
            self.proc.stdin.write(job.encode())
        except OSError:
            raise WorkerCrashed(self._death()) from None
        loop = asyncio.get_running_loop()
        fd, buffer, reading = self.proc.stdout.fileno(), self.buffer, _Reading()
        done: asyncio.Future[tuple[Reply, bytes | None] | None] = loop.create_future()

        def readable() -> None:
            try:
                n = os.readv(fd, [buffer])
                got = reading.feed(memoryview(buffer)[:n]) if n else None
            except (OSError, ValueError) as err:  # a broken pipe, or a reply that is not one
                done.set_exception(WorkerCrashed(f"the query worker sent no valid answer ({err})"))
                loop.remove_reader(fd)
                return
            if not n or got is not None:
                loop.remove_reader(fd)
                done.set_result(got)

        def out_of_time() -> None:
            if not done.done():
                loop.remove_reader(fd)
                done.set_exception(
                    QueryTimeout(
                        f"the query ran out of time: the limit is {timeout:g} s; "
                        "narrow it (a LIMIT, a more selective pattern) and try again"
                    )
                )

        loop.add_reader(fd, readable)
        timer = loop.call_later(timeout, out_of_time)  # cheaper than wait_for, which wraps the future in another
        try:
            got = await done
        except BaseException:  # out of time, cancelled, or the worker's answer was broken
            loop.remove_reader(fd)
            self.kill()
            raise
        finally:
            timer.cancel()
        if got is None:
            raise WorkerCrashed(self._death())
        return got

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

    ``evaluate`` runs on an event loop (the HTTP layer's: a query costs no thread hop); ``run`` is its blocking
    form, for the CLI and tests. Both are safe from several threads and loops at once: a free worker is handed to
    the longest waiter, on whichever loop it waits.
    """

    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits.from_env()
        self.spool = Path(tempfile.mkdtemp(prefix="catkg-sparql-"))
        self.isolated: bool | None = None
        """Whether the last worker that answered had no network (None before the first answer)."""
        self._free = self.limits.workers
        self._jobs = itertools.count()
        self.cache = ResultCache(self.limits.cache_bytes) if self.limits.cache_bytes else None
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = deque()
        self._idle: deque[_Worker] = deque()
        """Warm workers at the right end; replacements join at the left, so a warm one answers first."""
        self._lock = threading.Lock()
        self._workers: set[_Worker] = set()
        self._closed = False

    def _spawn(self) -> _Worker:
        config = {"memory": self.limits.memory, "isolate": self.limits.isolate}
        proc = subprocess.Popen(
            [sys.executable, "-m", "catkg.store.worker", json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            close_fds=True,
            bufsize=0,  # replies are read from the descriptor, under the time limit
        )
        worker = _Worker(proc)
        with self._lock:
            self._workers.add(worker)
        return worker

    async def _acquire(self, wait: float) -> _Worker:
        if self._closed:
            raise PoolBusy("the query service is shutting down")
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._free:
                self._free -= 1
                waiter = None
            else:
                waiter = loop.create_future()
                self._waiters.append((loop, waiter))
        if waiter is not None:
            try:
                await asyncio.wait_for(waiter, wait)  # resolved by _hand: the slot is this caller's
            except BaseException as err:
                with self._lock:
                    if (loop, waiter) in self._waiters:
                        self._waiters.remove((loop, waiter))
                if isinstance(err, TimeoutError):
                    raise PoolBusy(
                        f"all {self.limits.workers} query workers stayed busy for {wait:g} s; try again shortly"
                    ) from None
                raise
            if self._closed:
                self._give_back()
                raise PoolBusy("the query service is shutting down")
        with self._lock:
            warm = self._idle.pop() if self._idle else None
        return warm or self._spawn()

    def _give_back(self) -> None:
        """A slot is free: hand it to the longest waiter, on its own loop, or keep it."""
        try:
            here = asyncio.get_running_loop()
        except RuntimeError:
            here = None
        with self._lock:
            while self._waiters:
                loop, waiter = self._waiters.popleft()
                if loop is here:
                    break
                try:
                    loop.call_soon_threadsafe(self._hand, waiter)
                    return
                except RuntimeError:  # its loop has closed: nobody waits there any more
                    continue
            else:
                self._free += 1
                return
        self._hand(waiter)  # on this loop: at once, not an iteration later (a worker idles until it has a job)

    def _hand(self, waiter: asyncio.Future[None]) -> None:
        if waiter.done():  # it stopped waiting (timed out, cancelled) before the slot reached it
            self._give_back()
        else:
            waiter.set_result(None)

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
        self._give_back()

    async def evaluate(
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
        """Evaluate ``query`` on the pyoxigraph store in ``directory``: its serialized result, in memory when it is
        at most ``limits.inline_bytes``, else in a spool file.

        Without ``default_graph`` the default graph is the union of all graphs, unless the query names its own
        dataset (``dataset``: FROM / FROM NAMED). ``results_format`` serializes SELECT/ASK results,
        ``graph_format`` CONSTRUCT/DESCRIBE results (None: not acceptable).

        :raises SyntaxError: with the parser's message.
        :raises QueryTimeout, ResultTooLarge, WorkerCrashed, PoolBusy, QueryFailed, NotAcceptable: see each.
        """
        timeout = self.limits.timeout if timeout is None else timeout
        limit = self.limits.max_bytes if max_bytes is None else max_bytes
        path = self.spool / str(next(self._jobs))  # the spool directory is this pool's own
        job = Job(
            str(directory),
            query,
            results_format,
            graph_format,
            default_graph,
            named_graphs,
            dataset,
            str(path),
            limit,
            min(self.limits.inline_bytes, limit),
        )
        cache = self.cache
        key = cache.key(job) if cache is not None else None
        if cache is not None and key is not None and (kept := cache.get(key)) is not None and kept[0].size <= limit:
            return outcome(kept[0], kept[1], path, limit)  # answered without a worker
        worker = await self._acquire(timeout)
        alive = False
        try:
            reply, body = await worker.call(job, timeout)
            alive = True
        finally:
            self._release(worker, alive)
            if not alive:
                path.unlink(missing_ok=True)
        self.isolated = reply.isolated
        if cache is not None and key is not None and reply.status == "ok" and reply.inline and body is not None:
            cache.put(key, reply, body)
        return outcome(reply, body, path, limit)

    def run(self, directory: Path, query: str, **options: Any) -> Result:
        """:meth:`evaluate`, blocking: for a caller that is not a coroutine (the CLI, a thread)."""
        return blocking(self.evaluate(directory, query, **options))

    def close(self) -> None:
        """Stop every worker and remove the spool."""
        self._closed = True
        with self._lock:
            workers = list(self._workers)
            self._workers.clear()
            waiting = list(self._waiters)
            self._waiters.clear()
        for loop, waiter in waiting:  # each wakes, sees the pool closed and answers PoolBusy
            try:
                loop.call_soon_threadsafe(self._hand, waiter)
            except RuntimeError:
                pass
        for worker in workers:
            worker.kill()
        shutil.rmtree(self.spool, ignore_errors=True)

    def __del__(self) -> None:
        if not getattr(self, "_closed", True):
            self.close()


def blocking(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` to its end and return its value, from code that is not a coroutine: on a loop of its own, or,
    when this thread already runs a loop (synchronous code called under an async framework), on a thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="catkg-blocking") as thread:
        return thread.submit(asyncio.run, work).result()


def outcome(reply: Reply, body: bytes | None, path: Path, limit: int) -> Result:
    """The result a job's reply announces (``body``, or its spool file at ``path``), or the error it reports.

    :raises SyntaxError, ResultTooLarge, NotAcceptable, QueryFailed: as the reply says; the spool file is removed.
    """
    if reply.status == "ok":
        assert reply.form is not None and reply.format is not None
        if reply.inline:
            return Result(reply.form, reply.format, reply.size, reply.seconds, body=body or b"")
        return Result(reply.form, reply.format, reply.size, reply.seconds, path=path)
    path.unlink(missing_ok=True)
    if reply.status == "syntax":
        raise SyntaxError(reply.message)
    if reply.status == "too-large":
        raise ResultTooLarge(f"the result is larger than the limit of {_size(limit)}; add a LIMIT or narrow the query")
    if reply.status == "not-acceptable":
        raise NotAcceptable(reply.form or "query")
    raise QueryFailed(reply.message)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n} bytes"

"""The query worker process: evaluates :class:`~catkg.store.protocol.Job` s, one at a time, on a read-only store.

Started by :class:`catkg.store.bounded.WorkerPool` as ``python -m catkg.store.worker CONFIG``. Before anything else
it leaves the host's network where the kernel allows it (a user and network namespace of its own), limits its
address space, and then evaluates on a thread with a large stack (Oxigraph's parser and evaluator recurse). It exits
when the server that started it is gone, even in the middle of a query.

A result up to the job's ``inline_bytes`` is kept in memory and written to the pipe right after the reply line; a
larger one goes to the job's spool file. Either way it is serialized in full, within ``max_bytes``, before the reply.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import os
import resource
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

from catkg.store.formats import FORMATS
from catkg.store.protocol import PIPE_SIZE, Form, Job, Reply

STACK_SIZE = 512 * 1024 * 1024
"""Stack of the thread that evaluates queries: every query within the length limit then fits (measured: 60000
nested parentheses need about 130 MB; the default 8 MB overflows at about 5000). Only touched pages are used."""


class _Sink:
    """Where pyoxigraph writes a result (through ``write``): memory up to ``inline`` bytes, then the spool file
    ``output`` (what was in memory first); refuses to grow past ``limit`` bytes."""

    def __init__(self, output: str, inline: int, limit: int):
        self.output, self.inline, self.limit = output, inline, limit
        self.buffer = bytearray()
        self.file: BinaryIO | None = None
        self.size, self.over = 0, False

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            self.over = True
            raise OSError("result size limit reached")
        if self.file is None:
            if self.size <= self.inline:
                self.buffer += data
                return len(data)
            self.file = open(self.output, "wb")  # noqa: SIM115 - closed by close()
            self.file.write(self.buffer)
            self.buffer = bytearray()
        return self.file.write(data)

    def flush(self) -> None:
        if self.file is not None:
            self.file.flush()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def execute(store: Any, job: Job) -> tuple[Reply, bytes | None]:
    """Evaluate one job: the reply, and the result's bytes when it is small enough to travel inline.

    ``store`` is anything with pyoxigraph's ``Store.query`` (the remote store's bounded view too).
    """
    from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions

    started = time.perf_counter()
    options: dict[str, Any] = {}
    if job.default_graph is not None:
        options["default_graph"] = [NamedNode(g) for g in job.default_graph]
    elif not job.dataset:
        options["use_default_graph_as_union"] = True
    if job.named_graphs is not None:
        options["named_graphs"] = [NamedNode(g) for g in job.named_graphs]
    try:
        result = store.query(job.query, **options)
    except SyntaxError as err:
        return Reply("syntax", message=str(err)), None
    except (OSError, ValueError, RuntimeError, TypeError) as err:
        return Reply("error", message=f"the query failed: {err}"), None
    form: Form
    if isinstance(result, (QuerySolutions, QueryBoolean)):
        form, name = ("solutions" if isinstance(result, QuerySolutions) else "boolean"), job.results_format
    else:
        form, name = "triples", job.graph_format
    if name is None:
        return Reply("not-acceptable", form=form), None
    sink = _Sink(job.output, job.inline_bytes, job.max_bytes)
    try:
        result.serialize(sink, format=FORMATS[name].engine())
    except (OSError, ValueError, RuntimeError) as err:
        if sink.over:
            return Reply("too-large"), None
        return Reply("error", message=f"the query failed: {err}"), None
    finally:
        sink.close()
    inline = sink.file is None
    reply = Reply("ok", form, name, sink.size, round(time.perf_counter() - started, 6), inline=inline)
    return reply, bytes(sink.buffer) if inline else None


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
        job = Job.decode(line)
        body = None
        try:
            if job.directory != opened:
                store, opened = None, None
                store, opened = Store.read_only(job.directory), job.directory
            reply, body = execute(store, job)
        except (OSError, ValueError, RuntimeError) as err:
            reply = Reply("error", message=f"cannot read the store: {err}")
        replies.write(replace(reply, isolated=isolated).encode())
        if body:
            replies.write(body)
        replies.flush()


def worker_main(config: dict[str, Any]) -> None:
    """The worker process: jobs as JSON lines on stdin, replies on a private copy of stdout."""
    replies = os.fdopen(os.dup(1), "wb", buffering=PIPE_SIZE)
    try:
        fcntl.fcntl(replies.fileno(), fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except OSError:  # over the system's pipe-max-size, or not a pipe: larger results take a few writes
        pass
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

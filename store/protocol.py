"""What the server and a query worker say to each other (:mod:`catkg.store.bounded`, :mod:`catkg.store.worker`).

The server writes one :class:`Job` a line (JSON) to the worker's stdin; the worker answers with one :class:`Reply`
a line on its stdout, followed, when the reply is ``inline``, by exactly ``size`` bytes of the serialized result.
A result larger than the job's ``inline_bytes`` goes to the spool file ``output`` instead, which the reply announces;
either way the reply comes only once the whole result is serialized within ``max_bytes``, so the caller decides
the status before the first byte is sent.

>>> job = Job("/store", "ASK {}", "json", None, None, None, False, "/spool/1", 100, 10)
>>> Job.decode(job.encode()) == job
True
>>> Reply.decode(Reply("ok", "boolean", "json", 4, 0.001, inline=True).encode()).inline
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

PIPE_SIZE = 1024 * 1024
"""Capacity the worker asks for its reply pipe (Linux's default ``pipe-max-size``): an inline result is one write."""

Status = Literal["ok", "syntax", "too-large", "not-acceptable", "error"]
Form = Literal["solutions", "boolean", "triples"]


@dataclass(frozen=True)
class Job:
    """One query for a worker: where the store is, what to evaluate on which dataset, and how to answer."""

    directory: str
    """The pyoxigraph store to read (a generation's ``oxigraph/``); a worker reopens when it changes."""
    query: str
    results_format: str | None
    """Name (in :data:`catkg.store.formats.FORMATS`) for SELECT/ASK results; None: not acceptable."""
    graph_format: str | None
    """Name for CONSTRUCT/DESCRIBE results; None: not acceptable."""
    default_graph: list[str] | None
    named_graphs: list[str] | None
    dataset: bool
    """The query names its own dataset (FROM / FROM NAMED): no union default graph."""
    output: str
    """The spool file a result larger than ``inline_bytes`` is written to."""
    max_bytes: int
    inline_bytes: int = 0
    """Results up to this size come back through the pipe, after the reply, instead of through ``output``."""

    def encode(self) -> bytes:
        return json.dumps(self.__dict__).encode() + b"\n"  # its fields are plain values: 4x faster than asdict

    @classmethod
    def decode(cls, line: bytes) -> Job:
        return cls(**json.loads(line))


@dataclass(frozen=True)
class Reply:
    """A worker's answer to one job."""

    status: Status
    form: Form | None = None
    """For 'ok' and 'not-acceptable': the form of the result."""
    format: str | None = None
    size: int = 0
    """Bytes of the serialized result."""
    seconds: float = 0.0
    message: str = ""
    """For 'syntax' and 'error': what the engine said."""
    inline: bool = False
    """The ``size`` bytes of the result follow this line on the pipe (else they are in the job's ``output``)."""
    isolated: bool | None = None
    """Whether the worker runs without a network."""

    def encode(self) -> bytes:
        return json.dumps(self.__dict__).encode() + b"\n"  # its fields are plain values: 4x faster than asdict

    @classmethod
    def decode(cls, line: bytes) -> Reply:
        return cls(**json.loads(line))


__all__ = ["PIPE_SIZE", "Form", "Job", "Reply", "Status"]

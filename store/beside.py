"""The build's extra steps (the search index), run in a process forked from the build, beside the load.

The steps are made from the validated curation alone, and most of their work is Python's, as is most of the
parts' keys and of the load's writer: in one process they would take turns on the GIL. A forked child has the
curation as the build holds it (copy-on-write: the build froze it out of the collector's reach, so the child's
collector does not touch its pages) and writes into the new generation's directory while the parent loads and
checks the store, one core each. The parent waits for it before the generation is swapped in; a child that fails
fails the build with its error, and a build that fails, or is killed, takes the child with it.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Callable, Iterable
from multiprocessing.connection import Connection
from pathlib import Path

from catkg.ingest.validate import Validated

Step = Callable[[Path, Validated], None]
"""An extra build step: gets the new generation's directory and the validated curation, writes files there."""

PR_SET_PDEATHSIG = 1
"""prctl(2): the signal a process gets when its parent dies (Linux)."""


class Beside:
    """Steps running in a forked child; :meth:`result` waits for them, :meth:`stop` ends them."""

    def __init__(self, steps: Iterable[Step], directory: Path, validated: Validated):
        self._steps = list(steps)
        self._process: multiprocessing.process.BaseProcess | None = None
        if not self._steps:
            return
        self._reader, writer = multiprocessing.Pipe(duplex=False)
        context = multiprocessing.get_context("fork")  # the curation is handed over by fork, never pickled
        self._process = context.Process(
            target=_run, args=(self._steps, directory, validated, writer, os.getpid()), name="catkg-steps", daemon=True
        )
        self._process.start()
        writer.close()

    @property
    def names(self) -> str:
        return ", ".join(getattr(step, "__name__", "a build step") for step in self._steps)

    def result(self) -> float:
        """Wait for the steps to finish; their seconds. Raises what a step raised (or says how the child ended)."""
        if self._process is None:
            return 0.0
        try:
            outcome = self._reader.recv()
        except EOFError:
            outcome = None
        self._process.join()
        self._reader.close()
        code = self._process.exitcode
        self._process = None
        if isinstance(outcome, BaseException):
            raise outcome
        if outcome is None:
            raise RuntimeError(f"the build steps ({self.names}) ended with exit code {code} before finishing")
        return float(outcome)

    def stop(self) -> None:
        """End the child if it still runs (a build that failed does not wait for its steps)."""
        if self._process is not None:
            self._process.kill()
            self._process.join()
            self._reader.close()
            self._process = None


def _run(steps: list[Step], directory: Path, validated: Validated, report: Connection, parent: int) -> None:
    """The child: die with the build (a killed build leaves no writer behind), run the steps, report."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build died before the line above took effect
        os._exit(1)
    started = time.perf_counter()
    try:
        for step in steps:
            step(directory, validated)
        outcome: object = time.perf_counter() - started
    except BaseException as err:  # reported to the build, which raises it
        outcome = err
    try:
        report.send(outcome)
    except Exception:  # an error that does not pickle: its text, with where it came from
        report.send(RuntimeError("".join(traceback.format_exception(outcome)).strip()))  # type: ignore[arg-type]
    report.close()


__all__ = ["Beside", "Step"]

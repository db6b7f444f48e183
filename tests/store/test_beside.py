"""Build steps run in a forked process beside the store: their errors fail the build, and they die with it."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from catkg.ingest.validate import Validated
from catkg.store.build import build
from catkg.store.embedded import StoreError, generations_dir


def generations(path: Path) -> set[Path]:
    return {p for p in generations_dir(path).iterdir() if p.is_dir()}


def test_a_step_runs_in_another_process_with_the_whole_curation(tmp_path: Path) -> None:
    def step(directory: Path, validated: Validated) -> None:
        seen = {"pid": os.getpid(), "facts": len(validated.curation.facts), "spans": len(validated.spans)}
        (directory / "seen.json").write_text(json.dumps(seen), encoding="utf-8")

    result = build(tmp_path / "store", steps=[step])
    seen = json.loads((result.directory / "seen.json").read_text(encoding="utf-8"))
    assert seen["pid"] != os.getpid()
    assert seen["facts"] == seen["spans"] == result.info["counts"]["facts"] > 0
    assert result.info["steps_seconds"] >= 0
    assert multiprocessing.active_children() == []


class Unpicklable(Exception):
    def __init__(self, message: str, handle: object):
        super().__init__(message)
        self.handle = handle

    def __reduce__(self):
        raise TypeError("not picklable")


def test_an_error_that_does_not_pickle_fails_the_build_with_its_text(tmp_path: Path) -> None:
    path = tmp_path / "store"
    first = build(path).directory

    def step(directory: Path, validated: Validated) -> None:
        raise Unpicklable("the index could not be written", handle=lambda: None)

    with pytest.raises(RuntimeError, match="Unpicklable: the index could not be written"):
        build(path, steps=[step])
    assert path.resolve() == first and generations(path) == {first}


def test_a_step_process_that_dies_fails_the_build(tmp_path: Path) -> None:
    path = tmp_path / "store"
    first = build(path).directory

    def step(directory: Path, validated: Validated) -> None:
        os._exit(3)

    with pytest.raises(RuntimeError, match="build_step.*exit code 3 before finishing"):
        build(path, steps=[_named(step, "build_step")])
    assert path.resolve() == first and generations(path) == {first}


def _named(step, name: str):
    step.__name__ = name
    return step


def test_a_failing_store_stops_the_steps_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import catkg.store.build as building

    path = tmp_path / "store"
    first = build(path).directory

    def slow(directory: Path, validated: Validated) -> None:
        time.sleep(120)

    def broken(*args: object) -> dict[str, int]:
        raise StoreError("the counts could not be read")

    monkeypatch.setattr(building, "_check_counts", broken)
    started = time.monotonic()
    with pytest.raises(StoreError, match="the counts could not be read"):
        build(path, steps=[slow])
    assert time.monotonic() - started < 60, "the build did not wait for its steps"
    assert multiprocessing.active_children() == []
    assert path.resolve() == first and generations(path) == {first}


BUILD_WITH_A_SLOW_STEP = """
import os, sys, time
from pathlib import Path
from catkg.store.build import build

def slow(directory, validated):
    Path(sys.argv[2]).write_text(str(os.getpid()))
    time.sleep(300)

build(Path(sys.argv[1]), steps=[slow])
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie has died; only its parent's wait is missing


def test_a_killed_build_takes_its_steps_with_it(tmp_path: Path) -> None:
    marker = tmp_path / "step.pid"
    build_process = subprocess.Popen([sys.executable, "-c", BUILD_WITH_A_SLOW_STEP, str(tmp_path / "store"), str(marker)])
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() or not marker.read_text():
            assert build_process.poll() is None, "the build ended before its step started"
            assert time.monotonic() < deadline, "the step never started"
            time.sleep(0.1)
        step = int(marker.read_text())
        assert alive(step)
        build_process.send_signal(signal.SIGKILL)
        build_process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while alive(step) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(step), "the step's process outlived the build"
    finally:
        build_process.kill()
        build_process.wait()

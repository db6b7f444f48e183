"""Faults during a build or at start: the previous store keeps serving, and every error says what to do."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from catkg.queries.steps import build_graph
from catkg.store.build import build
from catkg.store.embedded import EmbeddedStore, StoreError, generations_dir

KILLS = 8


def facts_in(path: Path) -> int:
    store = EmbeddedStore(path)
    query = "SELECT (COUNT(?f) AS ?n) WHERE { ?f a <https://w3id.org/catkg/ontology#Fact> }"
    return int(next(iter(store.query(query)))[0].value)


def test_build_killed_at_random_points_leaves_the_previous_store(tmp_path: Path) -> None:
    path = tmp_path / "store"
    build_graph(path)
    expected = facts_in(path)
    rng = random.Random(20261124)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "catkg.api.cli", "build", "--store", str(path)], check=True, timeout=120)
    duration = time.monotonic() - started
    for _ in range(KILLS):
        proc = subprocess.Popen([sys.executable, "-m", "catkg.api.cli", "build", "--store", str(path)])
        time.sleep(rng.uniform(0, duration))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # Whether the kill came before or after the swap, the link names a complete generation.
        assert facts_in(path) == expected
    build_graph(path)
    leftovers = [d for d in generations_dir(path).iterdir() if d.is_dir()]
    assert len(leftovers) <= 2, "a later build clears what killed builds left behind"
    assert facts_in(path) == expected


@pytest.fixture
def tiny_disk(tmp_path: Path):
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill up (needs root): {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_full_disk_is_a_clear_error_and_keeps_the_old_store(tiny_disk: Path) -> None:
    path = tiny_disk / "store"
    with pytest.raises(StoreError, match="No space left on device|cannot write the store"):
        build(path)
    assert not path.exists(), "no link to a half-written store"
    assert [d for d in generations_dir(path).iterdir() if d.is_dir()] == [], "the failed generation is removed"


def test_corrupted_store_is_detected_at_start_with_how_to_rebuild(tmp_path: Path) -> None:
    path = tmp_path / "store"
    directory = build(path).directory
    for sst in (directory / "oxigraph").glob("*.sst"):
        sst.write_bytes(sst.read_bytes()[:40])
    with pytest.raises(StoreError, match="rebuild it with 'catkg build'"):
        EmbeddedStore(path)
    result = subprocess.run(
        [sys.executable, "-m", "catkg.api.cli", "serve", "--store", str(path), "--port", "9"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "rebuild it with 'catkg build'" in result.stderr
    build(path)
    assert facts_in(path) > 0, "a rebuild over a damaged store serves again"


def test_server_restarts_cleanly_on_the_same_store(tmp_path: Path) -> None:
    import httpx
    from conftest import free_port, start_server

    path = tmp_path / "store"
    build_graph(path)
    for _ in range(2):
        port = free_port()
        proc = start_server(path, port)
        try:
            assert httpx.get(f"http://127.0.0.1:{port}/api/facts?limit=1").json()["total"] > 0
        finally:
            proc.send_signal(signal.SIGKILL if _ else signal.SIGTERM)
            proc.wait(timeout=10)


def test_stale_build_link_from_a_killed_swap_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "store"
    build(path)
    stale = path.parent / f".{path.name}.99999.link"
    os.symlink("nowhere", stale)
    build(path)
    assert facts_in(path) > 0
    assert not stale.is_symlink(), "a later build removes links left by a killed swap"

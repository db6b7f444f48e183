"""Shared fixtures: a real store built on disk from the real curated data, and a real server on loopback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from catkg.queries.steps import build_graph
from catkg.store.embedded import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built once per test run from the project's curated data."""
    path = tmp_path_factory.mktemp("store") / "store"
    build_graph(path)
    return path


SYNTHETIC_FACTS = 500


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    """A store built once per test run from ``SYNTHETIC_FACTS`` synthetic facts shaped like the curated ones
    (``benchmarks/synth.py``): data the curators did not write, to check what must hold for any data."""
    out = tmp_path_factory.mktemp("synthetic")
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "synth.py"), str(out), "--facts", str(SYNTHETIC_FACTS)],
        check=True,
        capture_output=True,
    )
    build_graph(out / "store", curated=out / "curated", sources=out / "sources")
    return EmbeddedStore(out / "store")


@pytest.fixture
def curation(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the project's curated folder and source texts, (curated, sources): what the commands that change
    the curation (`catkg source add`, `ground --write`) are tried on."""
    from catkg.ingest.validate import curated_root, sources_root

    root = tmp_path / "ingest"
    shutil.copytree(curated_root(), root / "curated")
    shutil.copytree(sources_root(), root / "sources")
    return root / "curated", root / "sources"


def snapshot(*folders: Path) -> dict[str, bytes]:
    """Every file under the folders (hidden ones too), by path: what 'unchanged' is checked against."""
    return {str(p): p.read_bytes() for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def store(store_path: Path) -> EmbeddedStore:
    return EmbeddedStore(store_path)


@pytest.fixture(scope="session")
def client(store: EmbeddedStore):
    """The app in process (FastAPI's TestClient), on the session's store."""
    from fastapi.testclient import TestClient

    from catkg.api.app import create_app

    with TestClient(create_app(store)) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(store: Path, port: int, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start ``catkg serve`` for real and wait until /healthz answers."""
    env = {**os.environ, **(extra_env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "catkg.api.cli", "serve", "--store", str(store), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"catkg serve exited: {proc.stderr.read().decode()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("catkg serve did not answer within 60 s")


@pytest.fixture(scope="session")
def server(store_path: Path) -> Iterator[str]:
    """Base URL of a real ``catkg serve`` on a free loopback port, stopped after the run."""
    port = free_port()
    proc = start_server(store_path, port)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


# One headless Chromium per test run for the browser tests: Debian's /usr/bin/chromium driven by Playwright.
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
SHOTS = ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Chromium (skipped, saying why, when Chromium or Playwright is missing)."""
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's Chromium is not installed at /usr/bin/chromium (`make test` installs it: apt-get install -y chromium)"
        )
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency (.[test])")
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()

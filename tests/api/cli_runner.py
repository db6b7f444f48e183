"""The ``catkg`` command run for real, as a subprocess, for the CLI tests of this folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def catkg(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``catkg ARGS`` with this interpreter; ``env`` is added to the current environment."""
    return subprocess.run(
        [sys.executable, "-m", "catkg.api.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env={**os.environ, **(env or {})},
    )

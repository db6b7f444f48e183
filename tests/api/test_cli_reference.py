"""The README's CLI reference is the one the commands themselves declare (scripts/cli_reference.py writes it)."""

from __future__ import annotations

import runpy
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "cli_reference.py"


def test_readme_cli_reference_matches_the_commands() -> None:
    script = runpy.run_path(str(SCRIPT))
    readme = script["README"].read_text(encoding="utf-8")
    assert script["rewritten"](readme) == readme, "the README's CLI reference is stale: run python scripts/cli_reference.py"


def test_every_command_and_option_is_in_the_reference() -> None:
    reference = runpy.run_path(str(SCRIPT))["reference"]()
    for line in ("catkg query [FILE] [--name NAME]", "catkg kgx --output OUTPUT", "[--format table|json|jsonl|csv]"):
        assert line in reference

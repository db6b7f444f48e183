"""Write the README's CLI reference from the ``catkg`` command itself, so the two cannot drift.

``python scripts/cli_reference.py`` rewrites the block between the ``cli-reference`` markers of README.md;
``tests/api/test_cli_reference.py`` fails when the README differs from what this prints. Every command gets its
synopsis (arguments and options with their choices) and the first line of its help; ``--store`` and
``--store-url``, which every command that reads the graph takes, are described once below the block. A sub-app's
commands are listed by their full name (``catkg source add``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from catkg.api.cli import app

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN, END = "<!-- cli-reference: begin (scripts/cli_reference.py) -->", "<!-- cli-reference: end -->"
SHARED = {"store", "store_url", "help"}


def synopsis(name: str, command: Any) -> str:
    """One command's usage line (typer vendors its own click, so its objects are read by their attributes)."""
    ctx = command.make_context(name, [], resilient_parsing=True)
    parts = [f"catkg {name}"]
    for param in command.params:
        if param.name in SHARED:
            continue
        if param.param_type_name == "argument":
            metavar = param.metavar or param.name.upper()
            parts.append(metavar if param.required else f"[{metavar}]")
            continue
        flag = max(param.opts, key=len)
        shown = param.display_type(ctx).strip("<>")
        value = "" if getattr(param, "is_flag", False) else shown if "|" in shown else param.name.upper()
        repeat = " ..." if param.multiple else ""
        written = f"{flag}{' ' + value if value else ''}{repeat}"
        parts.append(written if param.required else f"[{written}]")
    return " ".join(parts)


def commands(named: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Every command by its full name; a sub-app's commands (``source add``) under the sub-app's name."""
    found = []
    for name, command in named.items():
        if getattr(command, "commands", None):
            found += commands(command.commands, f"{prefix}{name} ")
        else:
            found.append((f"{prefix}{name}", command))
    return found


def reference() -> str:
    """The CLI reference as it goes into the README, in a fenced block."""
    group = typer.main.get_command(app)
    lines = ["```"]
    for name, command in commands(group.commands):
        lines.append(synopsis(name, command))
        lines.append(f"    {(command.help or '').strip().splitlines()[0]}")
    lines.append("```")
    return "\n".join(lines)


def rewritten(text: str) -> str:
    """``text`` (the README) with its reference block replaced by the current one."""
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{reference()}\n{END}{tail}"


if __name__ == "__main__":
    README.write_text(rewritten(README.read_text(encoding="utf-8")), encoding="utf-8")
    sys.stderr.write(f"wrote the CLI reference into {README}\n")

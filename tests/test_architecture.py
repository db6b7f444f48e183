"""The rooms import only from rooms before them: ontology -> ingest -> store -> queries -> api."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROOMS = ["ontology", "ingest", "store", "queries", "api"]


def imported_rooms(path: Path) -> set[str]:
    rooms = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else ([node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
        )
        for name in names:
            parts = name.split(".")
            if parts[0] == "catkg" and len(parts) > 1:
                rooms.add(parts[1])
    return rooms


@pytest.mark.parametrize("room", ROOMS)
def test_room_imports_only_earlier_rooms(room: str) -> None:
    allowed = set(ROOMS[: ROOMS.index(room) + 1])
    for path in sorted((ROOT / room).rglob("*.py")):
        wrong = imported_rooms(path) - allowed
        assert not wrong, f"{path.relative_to(ROOT)} imports from later room(s) {sorted(wrong)}"

"""The parts a generation's data graph was written from, by key, with the subjects of each part's triples.

A build on a built store compares its parts' keys (:class:`catkg.ingest.to_rdf.Part`) with the serving
generation's: a part whose key is there is already in that generation's store, exactly; one whose key is gone
is removed from a copy of it by its subjects (no other part has a triple about them), and only the new parts
are written. SQLite, so that a build reads the subjects of the few parts that went, not of every part.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

PARTS = "parts.sqlite"
"""In a generation: its data graph's parts (key, section, subjects) and the key of the writer that made them."""


class Parts:
    """A generation's record of parts, opened read-only, or written once by the build of that generation."""

    def __init__(self, connection: sqlite3.Connection):
        self._db = connection

    @classmethod
    def create(cls, directory: Path, copy_of: Parts | None = None) -> Parts:
        """A new record in ``directory``: empty, or holding what ``copy_of`` holds (then changed part by part).
        It is written in one transaction that :meth:`close` commits; the build's writer thread adds to it."""
        if copy_of is not None:
            target = sqlite3.connect(directory / PARTS)
            copy_of._db.backup(target)
            target.close()
        db = sqlite3.connect(directory / PARTS, isolation_level=None, check_same_thread=False)
        db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;"
            "CREATE TABLE IF NOT EXISTS part (key TEXT PRIMARY KEY, section TEXT NOT NULL, subjects TEXT NOT NULL) "
            "WITHOUT ROWID; CREATE TABLE IF NOT EXISTS about (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
        )
        return cls(db)

    @classmethod
    def open(cls, directory: Path) -> Parts | None:
        """The record of ``directory``'s parts; None when there is none or it cannot be read (then the build is
        full: a record that cannot be read costs time, never correctness)."""
        path = directory / PARTS
        if not path.is_file():
            return None
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            db.execute("SELECT count(*) FROM part").fetchone()
        except sqlite3.Error:
            return None
        return cls(db)

    def add(self, key: str, section: str, subjects: Iterable[str]) -> None:
        self._db.execute("INSERT INTO part VALUES (?, ?, ?)", (key, section, "\n".join(subjects)))

    def remove(self, keys: Iterable[str]) -> None:
        self._db.executemany("DELETE FROM part WHERE key = ?", ((key,) for key in keys))

    def set(self, name: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO about VALUES (?, ?)", (name, value))

    def get(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM about WHERE name = ?", (name,)).fetchone()
        return None if row is None else row[0]

    def keys(self) -> set[str]:
        return {key for (key,) in self._db.execute("SELECT key FROM part")}

    def rows(self, keys: Iterable[str]) -> list[tuple[str, str, list[str]]]:
        """(key, section, subjects) of each of ``keys`` that is recorded."""
        found = []
        for key in keys:
            row = self._db.execute("SELECT section, subjects FROM part WHERE key = ?", (key,)).fetchone()
            if row:
                found.append((key, row[0], row[1].split("\n") if row[1] else []))
        return found

    def close(self, commit: bool = False) -> None:
        if commit:
            self._db.execute("COMMIT")
        self._db.close()


__all__ = ["PARTS", "Parts"]

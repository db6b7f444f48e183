"""The plain data of curated YAML files, kept by content hash, so a build does not parse an unchanged file again.

Parsing is most of reading the curated data (10k facts: 3.3 s of 4.4 s; the records' models took 0.35 s and a
cached file loads in a thirtieth of its parse time, measured). Only the parse is kept: what a file's bytes give
the strict YAML reader of :mod:`catkg.ingest.load`. The records are still built and every check still runs on
every build, so a new rule or a changed model applies to cached files too. The key is a hash of the file's bytes
and of the reader's own source, so an edited file, or a changed reader, is parsed again.

The cache is a directory of pickles written by this module only, beside the store (``catkg build`` keeps it in
``<store>.cache/parsed``); whoever can write there can write the store itself.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from catkg.ingest import load

Loaded = tuple[Any, list[load.Problem]]


@cache
def _reader_key() -> bytes:
    return hashlib.sha256(Path(load.__file__).read_bytes()).digest()


class ParsedCache:
    """Plain data of YAML files that parsed without a problem, one pickle a file, named by its key."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._new: dict[str, Any] = {}
        self._used: set[str] = set()

    def key(self, path: Path) -> str:
        return hashlib.sha256(_reader_key() + path.read_bytes()).hexdigest()

    def load_all(
        self, paths: list[Path], displays: list[str], parse: Callable[[list[Path], list[str]], Iterator[Loaded]]
    ) -> Iterator[Loaded]:
        """What ``parse`` gives for each file, in order: from the cache when a file is unchanged, else parsed
        (the misses together, so ``parse`` can share them out). Nothing is written until :meth:`commit`."""
        keys = [self.key(path) for path in paths]
        found: dict[int, Loaded] = {}
        for i, key in enumerate(keys):
            try:
                found[i] = (pickle.loads((self.directory / key).read_bytes()), [])
            except Exception:  # not cached, or unreadable however it is: parsed again
                continue
        missing = [i for i in range(len(paths)) if i not in found]
        parsed = parse([paths[i] for i in missing], [displays[i] for i in missing])
        for i, loaded in zip(missing, parsed, strict=True):
            found[i] = loaded
            if loaded[0] is not None and not loaded[1]:
                self._new[keys[i]] = loaded[0]
        self._used = set(keys)
        return iter([found[i] for i in range(len(paths))])

    def commit(self) -> None:
        """Keep the files parsed by the last ``load_all`` and forget those no file has now: called once the build
        that read them succeeded, so a failed build leaves the cache as it was. A cache that cannot be written
        costs the next build a parse, nothing else."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            for key, data in self._new.items():
                partial = self.directory / f".{key}.{os.getpid()}"
                partial.write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
                os.replace(partial, self.directory / key)
            for entry in list(self.directory.iterdir()):
                if entry.name not in self._used:
                    entry.unlink(missing_ok=True)
        except OSError:
            pass
        self._new.clear()


__all__ = ["ParsedCache"]

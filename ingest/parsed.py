"""The records of curated YAML files, kept by content hash, so a build does not read an unchanged file again.

Reading a file is parsing its YAML and making its records (pydantic models); at 100k synthetic facts the two
took 0.5 s and 3.2 s of CPU, where unpickling the records of every file takes 0.75 s (measured). So what is kept
is what :func:`catkg.ingest.load.file_records` gives for a file that has no problem: its records, exactly. The
checks of :mod:`catkg.ingest.validate` still run on every record of every build, so a new rule applies to cached
files too. The key is a hash of the file's bytes and of what makes records of them: the reader's and the models'
source and the versions of pydantic and PyYAML. An edited file, or a changed reader or model, is read again.

Beside a file's records, the cache keeps what the checks of each fact on its own found for that file (the spans of
its quotes: :meth:`ParsedCache.checked`), under a key that adds what those checks read besides the records (the
code, the entities' ids, the sources, the article texts). Checks across records (duplicates, copies, one study's
facts) still run over every record.

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

import pydantic
import yaml

from catkg.ingest import load, models

Loaded = tuple[Any, list[load.Problem]]
"""What a file read gives: what is kept of it, and its problems (a file with any is not kept)."""


@cache
def _reader_key() -> bytes:
    versions = f"pydantic {pydantic.VERSION} pyyaml {yaml.__version__}".encode()
    made_by = Path(load.__file__).read_bytes() + Path(models.__file__).read_bytes() + versions
    return hashlib.sha256(made_by).digest()


class ParsedCache:
    """The records of curated files read without a problem, and the spans their facts' checks found, one pickle
    each, named by its key."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._new: dict[str, Any] = {}
        self._used: set[str] = set()
        self._file_keys: dict[str, str] = {}

    def key(self, path: Path) -> str:
        return hashlib.sha256(_reader_key() + path.read_bytes()).hexdigest()

    def load_all(
        self, paths: list[Path], displays: list[str], parse: Callable[[list[Path], list[str]], Iterator[Loaded]]
    ) -> Iterator[Loaded]:
        """What ``parse`` gives for each file, in order: from the cache when a file is unchanged, else read
        (the misses together, so ``parse`` can share them out). Nothing is written until :meth:`commit`."""
        keys = [self.key(path) for path in paths]
        self._file_keys = dict(zip(displays, keys, strict=True))
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
            if not loaded[1]:
                self._new[keys[i]] = loaded[0]
        self._used = set(keys)
        return iter([found[i] for i in range(len(paths))])

    def checked(self, display: str, context: bytes) -> Any | None:
        """What :meth:`keep_checked` kept for the file ``display`` (as read by the last ``load_all``) under
        ``context``, or None."""
        key = self._checked_key(display, context)
        if key is None:
            return None
        self._used.add(key)
        try:
            return pickle.loads((self.directory / key).read_bytes())
        except Exception:  # not kept, or unreadable however it is: checked again
            return None

    def keep_checked(self, display: str, context: bytes, value: Any) -> None:
        """Keep ``value``, what checking the file ``display`` found under ``context``, from :meth:`commit` on."""
        key = self._checked_key(display, context)
        if key is not None:
            self._new[key] = value
            self._used.add(key)

    def _checked_key(self, display: str, context: bytes) -> str | None:
        file_key = self._file_keys.get(display)
        return None if file_key is None else hashlib.sha256(b"checked\0" + file_key.encode() + context).hexdigest()

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

"""Read curated YAML into records, with the line of every field so errors can send a curator to it.

Every ``*.yaml`` under the curated folder is read, but drafts (``*.draft.yaml``, written by ``catkg source draft``
for a curator to review) never are; each holds a mapping whose keys are among ``sources``,
``entities``, ``facts`` and ``skips``, each a list of records. Problems are collected, never raised one at a
time: a curator fixes a whole file in one pass.

Lines are needed only to report a problem, and composing every node with its position cost 2.4x as much as
loading the data (benchmarks/RESULTS.md), so a file is first loaded without them (``_StrictLoader``) and composed
again with positions only when one of its records is reported (``FileLines``). Anything the slow reader has
words for (a duplicate key, a key that is not a string, a syntax error) sends the whole file to the slow reader.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from catkg.ingest.models import Entity, Fact, Skip, Source

if TYPE_CHECKING:
    from catkg.ingest.parsed import ParsedCache

R = TypeVar("R", bound=BaseModel)
Path_ = tuple[str | int, ...]

MAX_FILE_BYTES = 16 * 2**20
"""Curated files are a few hundred kilobytes; a larger one is a mistake, refused before it is parsed."""

DRAFT_SUFFIX = ".draft.yaml"
"""Candidate facts a curator has not reviewed: beside the curation, never part of it (nor of its data version)."""


def curated_files(root: Path) -> list[Path]:
    """The curated YAML files under ``root``, in reading order: every ``*.yaml`` but the drafts."""
    return sorted(p for p in root.rglob("*.yaml") if not p.name.endswith(DRAFT_SUFFIX))


SECTIONS: dict[str, type[BaseModel]] = {"sources": Source, "entities": Entity, "facts": Fact, "skips": Skip}


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the curated input, located as precisely as the input allows."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class CurationError(Exception):
    """The curated input has problems; ``problems`` lists all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        count = len(self.problems)
        super().__init__(
            f"{count} problem{'s' * (count != 1)} in the curated data:\n" + "\n".join(f"  {p}" for p in self.problems)
        )


class FileLines:
    """The line of every path of one curated file, composed when first asked for."""

    def __init__(self, path: Path, display: str):
        self.path, self.display = path, display

    @cached_property
    def lines(self) -> dict[Path_, int]:
        return read_yaml(self.path, self.display)[1]

    def of(self, path: Path_) -> int:
        """The line of ``path`` or of the nearest path above it that has one (0 when none has)."""
        return next((self.lines[path[:n]] for n in range(len(path), 0, -1) if path[:n] in self.lines), 0)


@dataclass(frozen=True)
class Located(Generic[R]):
    """A record with where it was read: its file, and the lines of the record and its fields (``source``)."""

    record: R
    file: str
    index: int
    section: str
    source: FileLines

    @property
    def line(self) -> int:
        return self.source.of((self.section, self.index))

    def where(self, field_name: str = "") -> tuple[str, int, str]:
        """File, line and dotted field name of a field of this record (or the record itself)."""
        path = tuple(int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", field_name))
        line = self.source.of((self.section, self.index, *path))
        name = f"{self.section}[{self.index}]" + (f".{field_name}" if field_name else "")
        return self.file, line, name

    def problem(self, field_name: str, message: str) -> Problem:
        return Problem(*self.where(field_name), message)


@dataclass
class Curation:
    """Everything curated, in reading order."""

    sources: list[Located[Source]] = field(default_factory=list)
    entities: list[Located[Entity]] = field(default_factory=list)
    facts: list[Located[Fact]] = field(default_factory=list)
    skips: list[Located[Skip]] = field(default_factory=list)


FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser where PyYAML was built with it (several times faster); the same safe rules either way."""


class _Unusual(yaml.YAMLError):
    """Something ``read_yaml`` reports with its line: the file is read again that way."""


class _StrictLoader(FAST_LOADER):  # type: ignore[misc, valid-type]
    """Loads plain data with the safe rules, refusing what ``_plain`` would report or read otherwise: a duplicate
    key, a key that is not a string, a merge key (``<<``, which ``_plain`` keeps as a key)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys: set[str] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise _Unusual("an unusual key")
            key = self.construct_object(key_node)
            if not isinstance(key, str) or key in keys:
                raise _Unusual("a duplicate or non-string key")
            keys.add(key)
        return super().construct_mapping(node, deep)


_construct = yaml.SafeLoader("").construct_object
"""Turns one scalar node into its Python value, with SafeLoader's rules."""


def _plain(node: yaml.Node, path: Path_, lines: dict[Path_, int], problems: list[Problem], file: str) -> Any:
    """Turn a composed node into plain Python data, noting the line of every path.

    Refuses duplicate keys, which PyYAML would otherwise resolve silently by keeping the last.
    """
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                problems.append(Problem(file, key_node.start_mark.line + 1, _dotted(path), "keys must be plain strings"))
                continue
            if key in out:
                problems.append(Problem(file, key_node.start_mark.line + 1, _dotted(path + (key,)), "duplicate key"))
                continue
            out[key] = _plain(value_node, path + (key,), lines, problems, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, path + (i,), lines, problems, file) for i, item in enumerate(node.value)]
    return _construct(node)


def _dotted(path: Path_) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _read_text(path: Path, display: str) -> tuple[str | None, list[Problem]]:
    """The file's text, or the problem that it is too large or not UTF-8."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return None, [
            Problem(
                display, 0, "", f"the file is {size} bytes; a curated file holds at most {MAX_FILE_BYTES // 2**20} MiB (split it)"
            )
        ]
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return None, [Problem(display, line, "", f"not valid UTF-8 (byte 0x{raw[err.start]:02x} at offset {err.start})")]


def _load_fast(path: Path, display: str) -> tuple[Any, list[Problem]]:
    """The file's plain data without lines; what only ``read_yaml`` can report sends the file there."""
    text, problems = _read_text(path, display)
    if text is None:
        return None, problems
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a safe loader (SafeConstructor)
    except yaml.YAMLError:
        data = None
    if data is None:
        return None, read_yaml(path, display)[2]
    return data, []


def read_yaml(path: Path, display: str) -> tuple[Any, dict[Path_, int], list[Problem]]:
    """Parse one YAML file into plain data and the line of each path; never raises on bad input."""
    problems: list[Problem] = []
    text, refused = _read_text(path, display)
    if text is None:
        return None, {}, refused
    try:
        node = yaml.compose(text, Loader=FAST_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        reason = getattr(err, "problem", None) or str(err)
        return None, {}, [Problem(display, line, "", f"YAML syntax error: {reason}")]
    if node is None:
        return None, {}, [Problem(display, 1, "", "the file is empty")]
    lines: dict[Path_, int] = {}
    try:
        data = _plain(node, (), lines, problems, display)
    except yaml.YAMLError as err:  # a scalar no safe constructor takes: an unknown tag such as !!python/object
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        return None, {}, [Problem(display, mark.line + 1 if mark else 0, "", f"YAML error: {getattr(err, 'problem', err)}")]
    if data is None:  # a document that is only a null ('~', 'null', '---'): no records, as good as empty
        return None, {}, [Problem(display, node.start_mark.line + 1, "", "the file holds only a null, no records")]
    return data, lines, problems


def _error_field(loc: tuple[Any, ...]) -> str:
    """The dotted field of a pydantic error location, without the tags of union members ('float', 'int')."""
    return _dotted(tuple(p for p in loc if not (isinstance(p, str) and (p in UNION_TAGS or "[" in p))))


UNION_TAGS = {"float", "int", "str", "bool"}


Records = list[tuple[str, int, BaseModel]]
"""The records of one file as read: each with its section and its index in that section."""


def file_records(path: Path, display: str, loaded: tuple[Any, list[Problem]] | None = None) -> tuple[Records, list[Problem]]:
    """The records of one curated file and its problems (``loaded``: what ``_load_fast`` gave for it, if run)."""
    data, problems = loaded or _load_fast(path, display)
    records: Records = []
    if data is None:
        return records, problems
    lines = FileLines(path, display)
    if not isinstance(data, dict):
        return records, problems + [Problem(display, 1, "", f"expected a mapping with keys {', '.join(SECTIONS)}")]
    for section, items in data.items():
        model = SECTIONS.get(section)
        if model is None:
            problems.append(
                Problem(display, lines.of((section,)), section, f"unknown section; expected one of {', '.join(SECTIONS)}")
            )
            continue
        if not isinstance(items, list):
            problems.append(Problem(display, lines.of((section,)), section, "expected a list of records"))
            continue
        for index, item in enumerate(items):
            here = (section, index)
            if not isinstance(item, dict):
                problems.append(Problem(display, lines.of(here), _dotted(here), "expected a mapping (a record)"))
                continue
            try:
                records.append((section, index, model.model_validate(item)))
            except ValidationError as err:
                reported = set()
                for e in err.errors():
                    loc = here + tuple(e["loc"])
                    line = lines.of(loc)
                    if (line, _error_field(loc)) not in reported:  # a union reports each member: keep the first
                        reported.add((line, _error_field(loc)))
                        problems.append(Problem(display, line, _error_field(loc), e["msg"]))
    return records, problems


def _add(into: Curation, records: Records, path: Path, display: str) -> None:
    lines = FileLines(path, display)
    for section, index, record in records:
        getattr(into, section).append(Located(record, display, index, section, lines))


def load_file(path: Path, display: str, into: Curation, loaded: tuple[Any, list[Problem]] | None = None) -> list[Problem]:
    """Read one curated file into ``into`` (``loaded``: what ``_load_fast`` gave for it, if already run); return
    its problems."""
    records, problems = file_records(path, display, loaded)
    _add(into, records, path, display)
    return problems


def load_curation(root: Path, display_root: Path | None = None, parsed: ParsedCache | None = None) -> Curation:
    """Read every curated YAML file under ``root`` (``parsed``: the records of files read before, by content).

    :raises CurationError: listing every problem found in every file, not only the first.
    """
    curation = Curation()
    problems: list[Problem] = []
    paths = curated_files(root)
    if not paths:
        raise CurationError([Problem(str(root), 0, "", "no curated .yaml files found")])
    displays = [str(path.relative_to(display_root)) if display_root else str(path) for path in paths]
    read_all = parsed.load_all(paths, displays, _read_all) if parsed else _read_all(paths, displays)
    for path, display, (records, found) in zip(paths, displays, read_all, strict=True):
        _add(curation, records, path, display)
        problems += found
    if problems:
        raise CurationError(problems)
    return curation


def _read_all(paths: list[Path], displays: list[str]) -> Iterator[tuple[Records, list[Problem]]]:
    """The records and problems of every file, in order (parsed as :func:`_load_all` shares out)."""
    return map(file_records, paths, displays, _load_all(paths, displays))


PARALLEL_BYTES = 8 * 2**20
"""Above this much YAML, files are parsed in worker processes, one a core (the curated data is far below)."""


def _load_all(paths: list[Path], displays: list[str]) -> Iterator[tuple[Any, list[Problem]]]:
    """``_load_fast`` of every file, in order: in worker processes when there is enough YAML to pay for them
    (parsing is most of a large build's reading, and it is CPU-bound Python: threads would not help).

    The workers are forked: they only parse files, with modules already imported, and a fork starts at once
    where a spawned worker would import catkg again (and run an unguarded ``__main__``)."""
    cores = len(os.sched_getaffinity(0))
    if cores < 2 or len(paths) < 2 or sum(p.stat().st_size for p in paths) < PARALLEL_BYTES:
        return map(_load_fast, paths, displays)
    with ProcessPoolExecutor(cores, mp_context=multiprocessing.get_context("fork")) as pool:
        return iter(list(pool.map(_load_fast, paths, displays, chunksize=4)))

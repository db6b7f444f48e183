"""Read curated YAML into records, keeping the line of every field so errors can send a curator to it.

Every ``*.yaml`` under the curated folder is read; each holds a mapping whose keys are among ``sources``,
``entities``, ``facts`` and ``skips``, each a list of records. Problems are collected, never raised one at a
time: a curator fixes a whole file in one pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from catkg.ingest.models import Entity, Fact, Skip, Source

R = TypeVar("R", bound=BaseModel)
Path_ = tuple[str | int, ...]

MAX_FILE_BYTES = 16 * 2**20
"""Curated files are a few hundred kilobytes; a larger one is a mistake, refused before it is parsed."""

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
        super().__init__(f"{count} problem{'s' * (count != 1)} in the curated data:\n"
                         + "\n".join(f"  {p}" for p in self.problems))


@dataclass(frozen=True)
class Located(Generic[R]):
    """A record with where it was read: file, line, and the line of each of its fields."""

    record: R
    file: str
    line: int
    index: int
    section: str
    field_lines: dict[Path_, int]
    """Line of every path inside the record, e.g. ``("values", 0, "as_written")``."""

    def where(self, field_name: str = "") -> tuple[str, int, str]:
        """File, line and dotted field name of a field of this record (or the record itself)."""
        path = tuple(int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", field_name))
        line = next((self.field_lines[path[:n]] for n in range(len(path), 0, -1) if path[:n] in self.field_lines),
                    self.line)
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


def read_yaml(path: Path, display: str) -> tuple[Any, dict[Path_, int], list[Problem]]:
    """Parse one YAML file into plain data and the line of each path; never raises on bad input."""
    problems: list[Problem] = []
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return None, {}, [Problem(display, 0, "", f"the file is {size} bytes; a curated file holds at most "
                                                   f"{MAX_FILE_BYTES // 2**20} MiB (split it)")]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return None, {}, [Problem(display, line, "", f"not valid UTF-8 (byte 0x{raw[err.start]:02x} at offset {err.start})")]
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
    return data, lines, problems


def _record_lines(lines: dict[Path_, int]) -> dict[Path_, dict[Path_, int]]:
    """The lines of each record's fields, grouped by record in one pass (``("facts", 3)`` -> {("quote",): 41})."""
    grouped: dict[Path_, dict[Path_, int]] = {}
    for path, line in lines.items():
        if len(path) >= 3:
            grouped.setdefault(path[:2], {})[path[2:]] = line
    return grouped


def _error_field(loc: tuple[Any, ...]) -> str:
    """The dotted field of a pydantic error location, without the tags of union members ('float', 'int')."""
    return _dotted(tuple(p for p in loc if not (isinstance(p, str) and (p in UNION_TAGS or "[" in p))))


UNION_TAGS = {"float", "int", "str", "bool"}


def load_file(path: Path, display: str, into: Curation) -> list[Problem]:
    """Read one curated file into ``into``; return its problems."""
    data, lines, problems = read_yaml(path, display)
    if data is None:
        return problems
    if not isinstance(data, dict):
        return problems + [Problem(display, 1, "", f"expected a mapping with keys {', '.join(SECTIONS)}")]
    by_record = _record_lines(lines)
    for section, items in data.items():
        model = SECTIONS.get(section)
        if model is None:
            problems.append(Problem(display, lines[(section,)], section, f"unknown section; expected one of {', '.join(SECTIONS)}"))
            continue
        if not isinstance(items, list):
            problems.append(Problem(display, lines[(section,)], section, "expected a list of records"))
            continue
        for index, item in enumerate(items):
            here = (section, index)
            field_lines = by_record.get(here, {})
            if not isinstance(item, dict):
                problems.append(Problem(display, lines[here], _dotted(here), "expected a mapping (a record)"))
                continue
            try:
                record = model.model_validate(item)
            except ValidationError as err:
                reported = set()
                for e in err.errors():
                    loc = here + tuple(e["loc"])
                    line = next((lines[loc[:n]] for n in range(len(loc), 1, -1) if loc[:n] in lines), lines[here])
                    if (line, _error_field(loc)) not in reported:  # a union reports each member: keep the first
                        reported.add((line, _error_field(loc)))
                        problems.append(Problem(display, line, _error_field(loc), e["msg"]))
                continue
            getattr(into, section).append(Located(record, display, lines[here], index, section, field_lines))
    return problems


def load_curation(root: Path, display_root: Path | None = None) -> Curation:
    """Read every curated YAML file under ``root``.

    :raises CurationError: listing every problem found in every file, not only the first.
    """
    curation = Curation()
    problems: list[Problem] = []
    paths = sorted(root.rglob("*.yaml"))
    if not paths:
        raise CurationError([Problem(str(root), 0, "", "no curated .yaml files found")])
    for path in paths:
        display = str(path.relative_to(display_root)) if display_root else str(path)
        problems += load_file(path, display, curation)
    if problems:
        raise CurationError(problems)
    return curation

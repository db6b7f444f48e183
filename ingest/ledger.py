"""The coverage ledger: every sentence of every source, and whether curation accounts for it.

Each article text is cut into units (a line is a unit, split into sentences; a list item counts as one sentence).
A unit is *covered* when its core lies inside a fact's quote, a reference's bibliographic spans (title, authors,
journal line) or its article's title or publication date; *skipped* when it lies inside a ``skips:`` record's text
(with the reason that record gives); *uncovered* otherwise. The ledger is how a curator knows that every claim of
both articles has been read: ``python -m catkg.ingest.ledger`` prints the summary and every uncovered unit.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from catkg.ingest.validate import Span, Validated, load_and_validate, occurrences

BULLET = re.compile(r"\s*(?:•|\d+\.(?=\s))\s*")
"""A list item's leading bullet ('•' or '1.') and the whitespace around it."""

MARKER = r"\[[0-9][0-9,\s–-]*\]"
"""A bracketed citation marker such as [23] or [27, 28]."""

BREAK = re.compile(rf"[.?!](\s+{MARKER})?(?=\s+(?:[A-Z]|\[))")
"""Where a sentence may end: a full stop (with any citation marker standing right after it) before whitespace and
an upper-case letter or '['."""

ABBREVIATIONS = ("et al.", "Fig.", "Figs.", "e.g.", "i.e.", "vs.", "approx.", "No.", "Dr.")
"""Words whose final full stop does not end a sentence."""

LEAD = re.compile(rf"(?:\s|{MARKER})+")
"""Leading whitespace and citation markers, trimmed to get a sentence's core."""
TRAILING_MARKER = re.compile(MARKER)


@dataclass(frozen=True)
class Unit:
    """One sentence or list item of a source: its whole span and its core (without edge markers and spaces)."""

    source: str
    start: int
    end: int
    core_start: int
    core_end: int
    line: int
    """Line number (from 1) in the source text."""


@dataclass(frozen=True)
class Entry:
    """A unit and what accounts for it."""

    unit: Unit
    text: str
    status: str
    """'covered', 'skipped' or 'uncovered'."""
    reason: str | None = None
    """For 'skipped', the skip's reason; for 'covered', 'fact', 'reference' or 'article'."""
    by: tuple[str, ...] = ()
    """Ids of the facts or references (or the skipped text) that cover the unit."""


def split_sentences(line: str) -> list[tuple[int, int]]:
    """Cut one line into sentences; return their [start, end) offsets in ``line``.

    A sentence ends at '.', '?' or '!' followed by whitespace and an upper-case letter or '['. A bracketed citation
    marker standing right after the full stop stays with the sentence it closes.

    >>> line = "Yes. [8] Then no."
    >>> [line[start:end] for start, end in split_sentences(line)]
    ['Yes. [8]', 'Then no.']
    """
    spans, start = [], len(line) - len(line.lstrip())
    for match in BREAK.finditer(line):
        if line[: match.start() + 1].endswith(ABBREVIATIONS):
            continue
        spans.append((start, match.end()))
        start = match.end()
        while start < len(line) and line[start].isspace():
            start += 1
    if line[start:].strip():
        spans.append((start, len(line.rstrip())))
    return spans


def core(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim whitespace and citation markers from both edges of ``text[start:end]``; return the core's offsets."""
    piece = text[start:end]
    lead = LEAD.match(piece)
    core_start = start + (lead.end() if lead else 0)
    core_end = start + _trimmed_end(piece)
    return (core_start, core_end) if core_start < core_end else (start, end)


def _trimmed_end(piece: str) -> int:
    """Where ``piece`` ends without its trailing whitespace and citation markers: walked back from the end, since
    a regular expression anchored at the end ('(\\s|marker)+$') is tried at every offset (a third of a build's
    ledger time)."""
    end = len(piece.rstrip())
    while end and piece[end - 1] == "]":
        opening = piece.rfind("[", 0, end)
        if opening < 0 or not TRAILING_MARKER.fullmatch(piece, opening, end):
            break
        end = len(piece[:opening].rstrip())
    return end


def units(source: str, text: str) -> list[Unit]:
    """Every unit of a source text, in order: each non-blank line without its bullet, split into sentences."""
    found, offset = [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        bullet = BULLET.match(line)
        skip = bullet.end() if bullet else 0
        for start, end in split_sentences(line[skip:]):
            a, b = offset + skip + start, offset + skip + end
            found.append(Unit(source, a, b, *core(text, a, b), number))
        offset += len(line) + 1
    return found


class _Spans:
    """Named spans by source, sorted by start, to find those that contain a unit's core in O(log n + hits): the
    ledger runs in every build, and a build of a million facts has a million spans."""

    def __init__(self, spans: Iterable[tuple[str, Span]]):
        rows: dict[str, list[tuple[int, int, int, str]]] = {}
        for order, (name, span) in enumerate(spans):
            rows.setdefault(span.source, []).append((span.start, span.end, order, name))
        self._rows = {source: sorted(found) for source, found in rows.items()}
        self._starts = {source: [row[0] for row in found] for source, found in self._rows.items()}
        self._longest = {source: max(end - start for start, end, _, _ in found) for source, found in self._rows.items()}

    def containing(self, unit: Unit) -> list[str]:
        """Names of the spans that hold the unit's core, in the order they were given."""
        rows = self._rows.get(unit.source)
        if not rows:
            return []
        starts = self._starts[unit.source]
        # A span that contains the core starts at or before it, and no earlier than its end minus the longest span.
        lo = bisect_left(starts, unit.core_end - self._longest[unit.source])
        hi = bisect_right(starts, unit.core_start)
        hits = [(order, name) for _, end, order, name in rows[lo:hi] if unit.core_end <= end]
        return [name for _, name in sorted(hits)]


def ledger(validated: Validated | None = None) -> list[Entry]:
    """Every unit of every curated article, with what covers or skips it (or nothing)."""
    v = validated or load_and_validate()
    kinds = {item.record.id: item.record.kind for item in v.curation.sources}
    covering = (
        ("fact", _Spans(v.spans.items())),
        (
            "reference",
            _Spans((sid, span) for sid, spans in v.source_spans.items() if kinds[sid] == "reference" for span in spans),
        ),
        ("article", _Spans((sid, span) for sid, spans in v.source_spans.items() if kinds[sid] == "article" for span in spans)),
    )
    skipped: list[tuple[str, Span]] = []
    for index, item in enumerate(v.curation.skips):
        skip = item.record
        starts = occurrences(v.texts[skip.source], skip.text)
        start = starts[(skip.occurrence or 1) - 1]
        skipped.append((str(index), Span(skip.source, start, start + len(skip.text))))
    skips = _Spans(skipped)
    entries = []
    for source, text in v.texts.items():
        for unit in units(source, text):
            piece = text[unit.start : unit.end]
            for reason, spans in covering:
                if by := spans.containing(unit):
                    entries.append(Entry(unit, piece, "covered", reason, tuple(by)))
                    break
            else:
                if hits := skips.containing(unit):
                    first = v.curation.skips[int(hits[0])].record
                    entries.append(Entry(unit, piece, "skipped", first.reason, (first.text,)))
                else:
                    entries.append(Entry(unit, piece, "uncovered"))
    return entries


def summary(entries: list[Entry]) -> dict[str, dict[str, object]]:
    """Per source: units in all, covered, skipped (in all and by reason) and uncovered."""
    by_source: dict[str, list[Entry]] = {}
    for e in entries:
        by_source.setdefault(e.unit.source, []).append(e)
    out: dict[str, dict[str, object]] = {}
    for source, mine in by_source.items():
        reasons = Counter(e.reason for e in mine if e.status == "skipped")
        out[source] = {
            "units": len(mine),
            "covered": sum(e.status == "covered" for e in mine),
            "skipped": sum(reasons.values()),
            "skipped_by_reason": dict(sorted(reasons.items())),
            "uncovered": sum(e.status == "uncovered" for e in mine),
        }
    return out


def main() -> int:
    """Print the summary and every uncovered unit; exit 1 when some unit is uncovered."""
    entries = ledger()
    for source, counts in summary(entries).items():
        reasons = ", ".join(f"{r} {n}" for r, n in counts["skipped_by_reason"].items())  # type: ignore[union-attr]
        print(
            f"{source}: {counts['units']} units, {counts['covered']} covered, {counts['skipped']} skipped"
            f"{f' ({reasons})' if reasons else ''}, {counts['uncovered']} uncovered"
        )
    missing = [e for e in entries if e.status == "uncovered"]
    for e in missing:
        print(f"  uncovered {e.unit.source}:{e.unit.line}: {e.text}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())

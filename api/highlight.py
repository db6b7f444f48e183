"""An article's text with every quoted passage marked, so a link like ``/source/x#c120-240`` scrolls to it.

The text is split at every quote boundary. Quotes that coincide share one ``<mark id="c{start}-{end}">``; quotes
that nest become nested marks, so each mark's text is exactly its quote; quotes that cross are split into
pieces (the first one carries the id), which keeps the HTML well formed whatever the curators add.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from markupsafe import Markup, escape


@dataclass
class Passage:
    """One quoted range of a source text and the facts read from it."""

    start: int
    end: int
    number: int = 0
    facts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"c{self.start}-{self.end}"

    def __hash__(self) -> int:
        return hash((self.start, self.end))


def passages(facts: Iterable[dict[str, Any]], length: int) -> list[Passage]:
    """The distinct quoted ranges of ``facts`` inside a text of ``length`` characters, numbered in text order."""
    found: dict[tuple[int, int], Passage] = {}
    for fact in facts:
        start, end = fact["evidence"]["start"], fact["evidence"]["end"]
        if start is None or end is None or not 0 <= start < end <= length:
            continue
        found.setdefault((start, end), Passage(start, end)).facts.append(fact)
    ordered = sorted(found.values(), key=lambda p: (p.start, -p.end))
    for number, passage in enumerate(ordered, 1):
        passage.number = number
    return ordered


def _title(passage: Passage) -> str:
    first = passage.facts[0]["statement"]
    more = len(passage.facts) - 1
    return first + (f" (and {more} more fact{'s' * (more > 1)})" if more else "")


def mark_up(text: str, marked: list[Passage]) -> Markup:
    """``text`` as escaped HTML with a ``<mark>`` around each passage and a numbered link after it.

    The link (to ``#r{number}``, the passage's entry in the list of facts) is placed once no mark is open, so
    no mark's text ever includes it.
    """
    starts: dict[int, list[Passage]] = {}
    ends: dict[int, list[Passage]] = {}
    for p in marked:
        starts.setdefault(p.start, []).append(p)
        ends.setdefault(p.end, []).append(p)
    cuts = sorted({0, len(text), *starts, *ends})
    out: list[str] = []
    active: set[Passage] = set()
    stack: list[Passage] = []
    opened: set[Passage] = set()
    pending: list[Passage] = []
    for a, b in pairwise(cuts):
        active.difference_update(ends.get(a, []))
        active.update(starts.get(a, []))
        pending.extend(ends.get(a, []))
        keep = next((i for i, p in enumerate(stack) if p not in active), len(stack))
        out.extend("</mark>" for _ in stack[keep:])
        del stack[keep:]
        if not stack:
            out.extend(_reference(p) for p in sorted(pending, key=lambda p: p.number))
            pending.clear()
        for p in sorted(active - set(stack), key=lambda p: (-p.end, p.start)):
            out.append(_open(p, first=p not in opened))
            opened.add(p)
            stack.append(p)
        out.append(str(escape(text[a:b])))
    out.extend("</mark>" for _ in stack)
    pending.extend(ends.get(len(text), []))
    out.extend(_reference(p) for p in sorted(pending, key=lambda p: p.number))
    return Markup("".join(out))


def _open(p: Passage, first: bool) -> str:
    title = escape(_title(p))
    if first:
        return f'<mark id="{p.anchor}" class="quote" title="{title}">'
    return f'<mark class="quote quote-cont" title="{title}">'


def _reference(p: Passage) -> str:
    return f'<sup class="passage-ref"><a href="#r{p.number}" aria-label="facts read from passage {p.number}">{p.number}</a></sup>'


def in_context(text: str, start: int, end: int, around: int = 240) -> tuple[str, str, str]:
    """The quote at ``start:end`` with up to ``around`` characters either side, cut at word boundaries."""
    before = text[max(0, start - around) : start]
    after = text[end : end + around]
    if start - around > 0 and " " in before:
        before = "…" + before[before.index(" ") + 1 :]
    if end + around < len(text) and " " in after:
        after = after[: after.rindex(" ")] + "…"
    return before, text[start:end], after

"""Where a sentence names a curated entity, and which of its terms no entity names yet.

A draft (``catkg.ingest.draft``) starts from what the curation already knows: an entity is mentioned where one of
its curated names is written (label, synonym or abbreviation; abbreviations case-sensitively, since "PE" is not
"pe", names in any case; on word boundaries; the longest name wins where names overlap, so "non-small cell lung
cancer" is one mention, not "lung cancer" too). Plurals are matched only where the entity lists them, as the
curation's names are the texts' own. What the curation does not know is offered back as suggestions: the
abbreviations and capitalised terms no name covers, each with how often and where it is written, and the long
form an article gives it ("computed tomography pulmonary angiography (CTPA)").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from catkg.ingest.models import Entity


@dataclass(frozen=True)
class Mention:
    """An entity named in a sentence: [start, end) in the sentence and the name as written."""

    start: int
    end: int
    entity: str
    written: str


class Names:
    """Every curated name of every entity, compiled for matching."""

    def __init__(self, entities: Iterable[Entity]):
        self.entities = {e.id: e for e in entities}
        self.patterns: list[tuple[re.Pattern[str], str]] = []
        self.known: set[str] = set()
        for entity in self.entities.values():
            for name in [entity.label, *entity.synonyms]:
                self.patterns.append((re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE), entity.id))
                self.known.add(name.lower())
            for abbreviation in entity.abbreviations:
                self.patterns.append((re.compile(rf"(?<!\w){re.escape(abbreviation)}(?!\w)"), entity.id))
                self.known.add(abbreviation.lower())

    def mentions(self, sentence: str) -> list[Mention]:
        """The entities named in ``sentence``, in order; of overlapping names the longest (then the first) wins."""
        found = [
            Mention(m.start(), m.end(), entity, m.group())
            for pattern, entity in self.patterns
            for m in pattern.finditer(sentence)
        ]
        chosen: list[Mention] = []
        for mention in sorted(found, key=lambda m: (m.start - m.end, m.start)):
            if all(mention.end <= c.start or mention.start >= c.end for c in chosen):
                chosen.append(mention)
        return sorted(chosen, key=lambda m: m.start)


ABBREVIATION = re.compile(r"(?<![\w-])(?=(?:[\w/-]*[A-Z]){2})[A-Za-z][\w/-]*[A-Za-z0-9](?![\w-])")
"""A word with at least two capitals: 'CTPA', 'NT-proBNP', 'RV/LV', 'T790M'."""
CAPITALISED = re.compile(r"(?<![\w-])[A-Z][a-z]{2,}(?:[ -][A-Z][a-z]{2,})*(?![\w-])")
"""A capitalised word or run of them: 'Osimertinib', 'Trousseau', 'Wells'."""
ROMAN = re.compile(r"[IVX]+(?:-[IVX]+)?")
ATTRIBUTION = re.compile(r"[A-Z][\w'’-]+(?:\s+(?:and|&)\s+[A-Z][\w'’-]+)?\s+et\s+al\.")
"""A study named by its authors: 'Yang et al.', 'Li and Wang et al.'."""
NOT_TERMS = frozenset({"CI", "OR", "HR", "RR", "IRR", "SHR", "DOI", "PMID", "USA", "UK"})
"""Abbreviations that name no concept of the graph (statistics, identifiers, countries)."""
CALENDAR = frozenset(
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
)
"""Capitalised words that are dates, not terms."""


@dataclass
class Suggestion:
    """A term no curated name covers: how it is written, what kind of term, how often, where first."""

    name: str
    kind: str
    """'abbreviation' or 'term' (a capitalised word or run of words)."""
    count: int
    line: int
    expansion: str | None = None
    """The long form the text gives an abbreviation, 'right ventricular dysfunction (RVD)'."""
    lines: list[int] = field(default_factory=list)


def _initials(sentence: str, start: int, text: str) -> bool:
    """An author's initials in a reference list ('Liu HY', 'Che YQ.'): a surname, then up to three capitals."""
    return len(text) <= 3 and text.isupper() and bool(re.search(r"(?<![\w-])[A-Z][a-z]+ $", sentence[:start]))


def expansion(sentence: str, start: int, abbreviation: str) -> str | None:
    """The long form written before '(ABBR)' at ``start``: as many words as the abbreviation has initials."""
    if sentence[start - 1 : start] != "(" or sentence[start + len(abbreviation) : start + len(abbreviation) + 1] != ")":
        return None
    words = re.findall(r"[\w-]+", sentence[: start - 1])
    initials = [c for c in abbreviation if c.isupper()]
    if not words or not initials:
        return None
    taken = words[-len(initials) :]
    if taken and taken[0][0].lower() == initials[0].lower():
        return " ".join(taken)
    return None


def suggestions(sentences: Iterable[tuple[int, str]], names: Names) -> list[Suggestion]:
    """Unknown abbreviations and capitalised terms of ``sentences`` ((line, text) pairs), most frequent first.

    Words inside a mention, author names before 'et al.' and a sentence's first word (capitalised anyway) are
    not terms.
    """
    found: dict[str, Suggestion] = {}
    for line, sentence in sentences:
        taken = [(m.start, m.end) for m in names.mentions(sentence)]
        taken += [m.span() for m in ATTRIBUTION.finditer(sentence)]
        first = re.match(r"[\W\d]*", sentence)
        opening = first.end() if first else 0
        spotted = [(m, "abbreviation") for m in ABBREVIATION.finditer(sentence)]
        spotted += [(m, "term") for m in CAPITALISED.finditer(sentence)]
        for match, kind in spotted:
            text, start = match.group(), match.start()
            if kind == "term" and start == opening:  # capitalised as the sentence's first word: not a sign
                rest = re.match(r"\S+[ -]", text)
                if rest is None:
                    continue
                text, start = text[rest.end() :], start + rest.end()
            if any(a <= start < b for a, b in taken) or text.lower() in names.known:
                continue
            if kind == "abbreviation" and (ROMAN.fullmatch(text) or text in NOT_TERMS or _initials(sentence, start, text)):
                continue
            if kind == "term" and (text in CALENDAR or re.match(r" [A-Z]{1,3}\b", sentence[start + len(text) :])):
                continue  # a date, or an author's surname before the initials
            if kind == "term" and any(s.kind == "abbreviation" and s.name == text for s in found.values()):
                continue
            entry = found.setdefault(text, Suggestion(text, kind, 0, line))
            entry.count += 1
            if line not in entry.lines:
                entry.lines.append(line)
            if kind == "abbreviation" and entry.expansion is None:
                entry.expansion = expansion(sentence, start, text)
    return sorted(found.values(), key=lambda s: (-s.count, s.line, s.name))

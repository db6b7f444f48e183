"""Check curated records against each other, the ontology and the source texts; compute every offset.

Offsets are never typed by hand: each quote is found in its source text here, and the occurrence a curator
names picks among repeats. All problems are gathered before anything is raised.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property
from importlib.resources import files
from pathlib import Path
from typing import Any

import networkx as nx

from catkg.ingest import collector
from catkg.ingest.claims import Claim, group_claims
from catkg.ingest.code import code_key
from catkg.ingest.load import Curation, CurationError, Located, Problem, load_curation
from catkg.ingest.models import Fact, Source, Value
from catkg.ingest.parsed import ParsedCache
from catkg.ingest.xrefs import check_curie
from catkg.ontology.load import entity_types, evidence_levels, fact_kinds, qualifiers, source_note_kinds
from catkg.ontology.load import label as term_label


@dataclass(frozen=True)
class Span:
    """Where a quote sits in its source text: [start, end) in characters (Unicode code points)."""

    source: str
    start: int
    end: int


@dataclass
class Validated:
    """Curated data that passed every check, with the source texts and the computed spans."""

    curation: Curation
    texts: dict[str, str]
    spans: dict[str, Span]
    """Fact id to the span of its quote."""
    source_spans: dict[str, list[Span]]
    """Source id to the spans of its title, authors, citation line and date in the article that carries them."""
    locations: dict[str, str] = field(default_factory=dict)
    """Fact id to the kind of section its quote sits in (abstract, practice-points, body, reference-list)."""

    @cached_property
    def claims(self) -> list[Claim]:
        """The claims the facts make (:func:`catkg.ingest.claims.group_claims`), grouped once for the graph and the
        search index (1.3-1.6 s a time at 100k facts)."""
        return group_claims(item.record for item in self.curation.facts)


def curated_root() -> Path:
    return Path(str(files("catkg.ingest") / "curated"))


def sources_root() -> Path:
    return Path(str(files("catkg.ingest") / "sources"))


def occurrences(text: str, quote: str) -> list[int]:
    """Start offsets of every occurrence of ``quote`` in ``text`` (overlapping ones included)."""
    starts, at = [], text.find(quote)
    while at != -1:
        starts.append(at)
        at = text.find(quote, at + 1)
    return starts


def closest_passage(text: str, quote: str, width: int = 100) -> str:
    """The passage of ``text`` that best matches ``quote``, and where they first differ.

    Shown with escapes so that invisible differences (a no-break space, an en dash) are visible.
    """
    match = SequenceMatcher(None, text, quote, autojunk=False).find_longest_match(0, len(text), 0, len(quote))
    low = max(0, match.a - match.b - len(quote))
    window = text[low : match.a - match.b + 2 * len(quote)]
    first = SequenceMatcher(None, window, quote, autojunk=False).get_matching_blocks()[0]
    start = low + max(0, first.a - first.b)
    passage = text[start : start + len(quote)]
    differ = next((i for i, (a, b) in enumerate(zip(passage, quote, strict=False)) if a != b), min(len(passage), len(quote)))
    shown = repr(passage[:width]) + ("..." if len(passage) > width else "")
    if differ >= len(quote) and passage == quote:
        return shown
    return (
        f"{shown}; first difference at character {differ}: source has {passage[differ : differ + 12]!r}, "
        f"quote has {quote[differ : differ + 12]!r}"
    )


def locate(
    text: str, quote: str, occurrence: int | None, where: Located, field_name: str, problems: list[Problem], source_id: str
) -> int | None:
    """Find a quote's start; append a problem when it is absent, repeated without an occurrence, or out of range."""
    starts = occurrences(text, quote)
    if not starts:
        problems.append(
            where.problem(field_name, f"not verbatim in source {source_id!r}; closest: {closest_passage(text, quote)}")
        )
        return None
    if occurrence is None:
        if len(starts) > 1:
            problems.append(
                where.problem(field_name, f"occurs {len(starts)} times in source {source_id!r}; say which with 'occurrence: N'")
            )
            return None
        return starts[0]
    if occurrence > len(starts):
        problems.append(
            where.problem(
                "occurrence",
                f"occurrence {occurrence} asked but the text occurs "
                f"{len(starts)} time{'s' * (len(starts) != 1)} in source {source_id!r}",
            )
        )
        return None
    return starts[occurrence - 1]


NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twice": 2,
    "threefold": 3,
    "single": 1,
}


NUMBER_WORD = re.compile(rf"\b(?:{'|'.join(WORDS)})\b", re.IGNORECASE)
"""Any of :data:`WORDS` as a whole word: one search for all of them, not one a word (the 11,508 values of 10k
synthetic facts: 0.025 s against 0.115 s of CPU, measured)."""


def numbers_in(text: str) -> set[float]:
    """Every number written in ``text``, digits (1,001 -> 1001) or words (three -> 3)."""
    found = {float(n.replace(",", "")) for n in NUMBER.findall(text)}
    found |= {float(WORDS[w.lower()]) for w in NUMBER_WORD.findall(text)}
    return found


DURATION = re.compile(rf"\b(\d+(?:\.\d+)?|{'|'.join(WORDS)})\s+(year|month)s?\b", re.IGNORECASE)
MONTHS = {"year": 12, "month": 1}


def duration_total(as_written: str, unit: str | None) -> float | None:
    """A duration written as several quantities ('one year and 10 months') as one number in ``unit`` (months or
    years); None unless it is written so. Only years and months: their ratio is exact.

    >>> duration_total("one year and 10 months", "months")
    22.0
    """
    parts = DURATION.findall(as_written)
    base = (unit or "").lower().rstrip("s")
    if len(parts) < 2 or base not in MONTHS:
        return None
    months = sum(float(WORDS.get(n.lower(), n)) * MONTHS[u.lower()] for n, u in parts)
    return months / MONTHS[base]


def check_value(value: Value, quote: str, where: Located, name: str, problems: list[Problem]) -> None:
    """A value must be written in its quote, and its number must be the one written (or, for a duration written
    as several quantities, their total in the value's unit)."""
    if value.as_written not in quote:
        problems.append(where.problem(f"{name}.as_written", f"{value.as_written!r} does not appear in the quote"))
        return
    written = numbers_in(value.as_written)
    total = duration_total(value.as_written, value.unit) if value.measure == "duration" else None
    if total is not None:
        if float(value.value) != total:
            problems.append(
                where.problem(f"{name}.value", f"{value.value} is not {value.as_written!r} in {value.unit} ({total:g})")
            )
        return
    for label, number in (("value", value.value), ("upper", value.upper)):
        if number is not None and float(number) not in written:
            problems.append(where.problem(f"{name}.{label}", f"{number} is not the number written in {value.as_written!r}"))


def _unique(records: list[Located], kind: str, problems: list[Problem]) -> dict[str, Located]:
    seen: dict[str, Located] = {}
    for item in records:
        rid = item.record.id
        if rid in seen:
            first = seen[rid]
            problems.append(item.problem("id", f"duplicate {kind} id {rid!r} (first at {first.file}:{first.line})"))
        else:
            seen[rid] = item
    return seen


def nearest(text: str, part: str, anchor: int, before: bool) -> int | None:
    """The occurrence of ``part`` nearest to ``anchor`` (only those ending by it when ``before``)."""
    starts = [s for s in occurrences(text, part) if not before or s + len(part) <= anchor]
    return min(starts, key=lambda s: abs(s - anchor), default=None)


def _bibliographic_spans(
    item: Located[Source], text: str, home: str, title_start: int | None, floor: int, problems: list[Problem]
) -> list[Span]:
    """Find a source's title, authors, citation line and date in the article text that carries them.

    Authors such as 'et al.' repeat across a reference list, so each is taken nearest before its own title and
    after the previous entry's title (``floor``): an author missing from its entry never matches another's. An
    article's own authors are taken nearest its title, on either side (front matter writes them below it).
    """
    src = item.record
    spans = [] if title_start is None else [Span(home, title_start, title_start + len(src.title))]
    anchor = title_start or 0
    parts = [(f"authors[{i}]", a, src.kind == "reference") for i, a in enumerate(src.authors)]
    parts += [("citation", src.citation, False)] if src.citation else []
    parts += [("published", src.published, False)] if src.published else []
    for name, part, before in parts:
        start = nearest(text[floor:], part, anchor - floor, before)
        if start is None:
            where = "between the previous entry and the title " if before else ""
            problems.append(item.problem(name, f"{part!r} is not written {where}in source {home!r}"))
        else:
            spans.append(Span(home, floor + start, floor + start + len(part)))
    return spans


def _check_sources(cur: Curation, sources_dir: Path, problems: list[Problem]) -> tuple[dict[str, str], dict[str, list[Span]]]:
    """Read the articles' texts and find every source's bibliographic fields in them."""
    texts: dict[str, str] = {}
    by_id = {s.record.id: s for s in cur.sources}
    for item in cur.sources:
        src = item.record
        if src.kind == "article":
            if not src.file:
                problems.append(item.problem("file", "an article needs the file name of its text"))
                continue
            path = sources_dir / src.file
            if not path.is_file():
                problems.append(item.problem("file", f"no such file in {sources_dir}: {src.file!r}"))
                continue
            texts[src.id] = path.read_text(encoding="utf-8")
    placed: list[tuple[str, int | None, Located[Source]]] = []
    for item in cur.sources:
        src = item.record
        home = src.id if src.kind == "article" else src.cited_in
        if src.kind == "reference":
            if src.cited_in not in by_id or by_id[src.cited_in].record.kind != "article":
                problems.append(item.problem("cited_in", f"{src.cited_in!r} is not a curated article"))
                continue
            if src.position is None:
                problems.append(item.problem("position", "a reference needs its position in the list"))
        if home not in texts:
            continue
        in_text = src.kind == "reference" or src.title_in_text
        start = locate(texts[home], src.title, None, item, "title", problems, home) if in_text else None
        if in_text and start is None:
            continue
        placed.append((home, start, item))
    spans: dict[str, list[Span]] = {}
    for home in texts:
        entries = sorted(((start or 0, item) for h, start, item in placed if h == home), key=lambda e: e[0])
        _check_positions([item for _, item in entries if item.record.kind == "reference"], home, problems)
        floor = 0
        for start, item in entries:
            title_start = start if (item.record.kind == "reference" or item.record.title_in_text) else None
            spans[item.record.id] = _bibliographic_spans(item, texts[home], home, title_start, floor, problems)
            if title_start is not None:
                floor = title_start + len(item.record.title)
    return texts, spans


def _check_positions(references: list[Located[Source]], home: str, problems: list[Problem]) -> None:
    """Positions in a reference list are unique and follow the order of the titles in the text."""
    seen: dict[int, str] = {}
    previous = 0
    for item in references:
        position = item.record.position
        if position is None:
            continue
        if position in seen:
            problems.append(
                item.problem("position", f"position {position} is used twice in {home!r} (also by {seen[position]!r})")
            )
        elif position < previous:
            problems.append(
                item.problem("position", f"position {position} comes after position {previous} in the text of {home!r}")
            )
        seen.setdefault(position, item.record.id)
        previous = max(previous, position)


def _check_entities(cur: Curation, problems: list[Problem]) -> None:
    ids = {e.record.id for e in cur.entities}
    types = entity_types()
    graph = nx.DiGraph()
    for item in cur.entities:
        ent = item.record
        if ent.type not in types:
            problems.append(item.problem("type", f"unknown entity type {ent.type!r}; known: {', '.join(sorted(types))}"))
        graph.add_node(ent.id)
        for i, broader in enumerate(ent.broader):
            if broader not in ids:
                problems.append(item.problem(f"broader[{i}]", f"unknown entity {broader!r}"))
            else:
                graph.add_edge(ent.id, broader)
        for i, xref in enumerate(ent.xrefs):
            wrong = check_curie(xref.id)
            if wrong:
                problems.append(item.problem(f"xrefs[{i}].id", wrong))
            if [x.id for x in ent.xrefs].index(xref.id) != i:
                problems.append(item.problem(f"xrefs[{i}].id", f"{xref.id} is listed more than once"))
        names = [ent.label, *ent.synonyms, *ent.abbreviations]
        for name, count in Counter(n.lower() for n in names).items():
            if count > 1:
                problems.append(item.problem("synonyms", f"name {name!r} is listed more than once"))
    where = {e.record.id: e for e in cur.entities}
    for cycle in nx.simple_cycles(graph):
        at = min(range(len(cycle)), key=lambda i: (where[cycle[i]].file, where[cycle[i]].line))
        cycle = cycle[at:] + cycle[:at]
        problems.append(where[cycle[0]].problem("broader", "broader entities form a cycle: " + " -> ".join(cycle + cycle[:1])))


def _section_starts(cur: Curation, texts: dict[str, str], problems: list[Problem]) -> dict[str, list[tuple[int, str]]]:
    """Each article's sections as (start offset, kind), in text order; an article without sections is all body."""
    starts: dict[str, list[tuple[int, str]]] = {}
    for item in cur.sources:
        src = item.record
        if src.id not in texts:
            continue
        found = [(0, "body")] if not src.sections else []
        for i, section in enumerate(src.sections):
            at = locate(texts[src.id], section.heading, None, item, f"sections[{i}].heading", problems, src.id)
            if at is not None:
                found.append((at, section.kind))
        starts[src.id] = sorted(found)
    return starts


def location_of(span: Span, sections: dict[str, list[tuple[int, str]]]) -> str | None:
    """The kind of section a quote starts in; None before the first section of its article."""
    return next((kind for start, kind in reversed(sections.get(span.source, [])) if start <= span.start), None)


PRIMARY_DESIGNS = frozenset(
    {
        "case-report",
        "case-series",
        "cohort",
        "retrospective-cohort",
        "prospective-cohort",
        "case-control",
        "pooled-analysis",
        "autopsy-series",
    }
)
"""Designs of a study that measured something itself: a sentence naming one reports a primary result."""


def evidence_level_for(
    fact: Fact, location: str | None, reference_designs: dict[str, str | None]
) -> tuple[str | None, list[tuple[str, str]]]:
    """The evidence level the rule of ``cat:EvidenceLevel`` (ontology/catkg.ttl) gives a fact, and each field of the
    fact that disagrees with the rule, as (field, message).

    ``location`` is the kind of section the quote sits in; ``reference_designs`` the study design of each cited
    reference (None when its entry does not say).
    """
    design, wrong = fact.study_design, []
    if fact.cites:
        designs = {reference_designs.get(ref) or "unspecified" for ref in fact.cites}
        if design not in designs:
            wrong.append(
                ("study_design", f"a reference title takes the cited reference's design, {' or '.join(sorted(designs))}")
            )
        if not fact.population:
            wrong.append(("population", "a fact read from a reference title says who the cited report is about"))
        return "title-only", wrong
    if location == "abstract":
        if design != "review":
            wrong.append(("study_design", "a sentence of the abstract is the authors' summary: study_design: review"))
        return "abstract", wrong
    if location == "practice-points":
        if design == "pooled-analysis" and not any(v.cohort_size for v in fact.values):
            wrong.append(
                (
                    "study_design",
                    "only a number measured on the pooled cohort (a value with its cohort_size) is a result of the pooled "
                    "analysis; a practice point that states a conclusion is study_design: unspecified",
                )
            )
        if design in ("case-report", "pooled-analysis"):
            return "primary-result", wrong
        if design != "unspecified":
            wrong.append(("study_design", "a practice point that is the authors' conclusion is study_design: unspecified"))
        return "authors-conclusion", wrong
    if location == "body":
        if design in PRIMARY_DESIGNS:
            return "primary-result", wrong
        if design in ("guideline", "consensus"):
            return "guideline", wrong
        if design == "unspecified":
            if not (fact.citations or fact.attributed_to or fact.same_study_as):
                wrong.append(
                    (
                        "study_design",
                        "the sentence cites no study (no citation marker, attributed_to or same_study_as): "
                        "it is the article's own statement, study_design: review",
                    )
                )
            return "cited-study", wrong
        cited = ", ".join(fact.citations) or fact.attributed_to
        if cited:
            wrong.append(
                (
                    "study_design",
                    f"the sentence cites {cited}: the claim is the cited study's, study_design: unspecified "
                    "(or the design the sentence names)",
                )
            )
        return "review-statement", wrong
    if location == "reference-list":
        return None, [("cites", "a quote in the reference list is a reference's title: name the reference in 'cites'")]
    return None, [("quote", "the quote lies before the first section of its article (sections: in sources.yaml)")]


def _check_evidence_level(
    item: Located[Fact], location: str | None, designs: dict[str, str | None], problems: list[Problem]
) -> None:
    fact = item.record
    if fact.evidence_level not in evidence_levels():
        known = ", ".join(sorted(evidence_levels()))
        problems.append(item.problem("evidence_level", f"unknown evidence level {fact.evidence_level!r}; known: {known}"))
        return
    level, wrong = evidence_level_for(fact, location, designs)
    for name, message in wrong:
        problems.append(item.problem(name, message))
    if level and fact.evidence_level != level:
        where = "a reference title" if fact.cites else f"a quote in the {location} with study_design {fact.study_design}"
        problems.append(item.problem("evidence_level", f"{fact.evidence_level!r} disagrees with the rule: {where} is {level!r}"))


def _check_terms(item: Located[Fact], problems: list[Problem]) -> None:
    """Qualifiers, a note's kind and the kind a fact bears on are names of the ontology; a qualifier is written."""
    fact = item.record
    for name in ("subject_qualifier", "object_qualifier"):
        slug = getattr(fact, name)
        if slug is None:
            continue
        if slug not in qualifiers():
            problems.append(item.problem(name, f"unknown qualifier {slug!r}; known: {', '.join(sorted(qualifiers()))}"))
        elif term_label(qualifiers()[slug]).lower() not in fact.quote.lower():
            problems.append(item.problem(name, f"{term_label(qualifiers()[slug])!r} is not written in the quote"))
    if fact.source_note and fact.source_note.kind not in source_note_kinds():
        known = ", ".join(sorted(source_note_kinds()))
        problems.append(item.problem("source_note.kind", f"unknown source note kind {fact.source_note.kind!r}; known: {known}"))
    if fact.bears_on is not None:
        if fact.bears_on not in fact_kinds():
            problems.append(item.problem("bears_on", f"unknown fact kind {fact.bears_on!r}"))
        elif fact.bears_on == fact.kind:
            problems.append(item.problem("bears_on", "is the fact's own kind: leave it out"))


def _check_copies(facts: list[Located[Fact]], spans: dict[str, Span], problems: list[Problem]) -> None:
    """A fact that repeats another's sentence about the same subject and object, with the same values or the
    same predicate, says nothing the first does not: an error naming the first."""
    seen: dict[tuple, Located[Fact]] = {}
    for item in facts:
        fact, span = item.record, spans.get(item.record.id)
        if span is None:
            continue
        base = (span.source, span.start, fact.subject, fact.object)
        keys = [(*base, "predicate", fact.predicate)]
        if fact.values:
            keys.append((*base, "values", tuple(fact.values)))
        for key in keys:
            first = seen.setdefault(key, item)
            if first is not item:
                what = "values" if key[4] == "values" else "predicate"
                problems.append(
                    item.problem(
                        "quote",
                        f"copies the quote, subject, object and {what} of fact {first.record.id!r} "
                        f"({first.file}:{first.line}): keep one fact",
                    )
                )
                break


def _check_same_study(facts: list[Located[Fact]], problems: list[Problem]) -> None:
    """``same_study_as`` names another fact of the same article that names or cites its study."""
    by_id = {item.record.id: item.record for item in facts}
    for item in facts:
        other_id = item.record.same_study_as
        if other_id is None:
            continue
        other = by_id.get(other_id)
        if other is None or other_id == item.record.id:
            problems.append(item.problem("same_study_as", f"{other_id!r} is not another curated fact"))
        elif other.source != item.record.source:
            problems.append(item.problem("same_study_as", f"fact {other_id!r} is read from another source"))
        elif not (other.citations or other.attributed_to or other.cites):
            problems.append(item.problem("same_study_as", f"fact {other_id!r} neither names nor cites a study"))


def _check_fact(item: Located[Fact], cur_ids: dict[str, Any], texts: dict[str, str], problems: list[Problem]) -> Span | None:
    fact = item.record
    if fact.kind not in fact_kinds():
        problems.append(item.problem("kind", f"unknown fact kind {fact.kind!r}; known: {', '.join(sorted(fact_kinds()))}"))
    for name in ("subject", "object"):
        if getattr(fact, name) not in cur_ids["entities"]:
            problems.append(item.problem(name, f"unknown entity {getattr(fact, name)!r}"))
    for i, ref in enumerate(fact.cites):
        if ref not in cur_ids["references"]:
            problems.append(item.problem(f"cites[{i}]", f"unknown reference {ref!r}"))
        elif cur_ids["references"][ref] != fact.source:
            problems.append(
                item.problem(
                    f"cites[{i}]",
                    f"reference {ref!r} is cited in {cur_ids['references'][ref]!r}, not in the quoted source {fact.source!r}",
                )
            )
    for i, marker in enumerate(fact.citations):
        if marker not in fact.quote:
            problems.append(item.problem(f"citations[{i}]", f"{marker!r} does not appear in the quote"))
    if fact.attributed_to and fact.attributed_to not in fact.quote:
        problems.append(item.problem("attributed_to", f"{fact.attributed_to!r} does not appear in the quote"))
    for i, value in enumerate(fact.values):
        check_value(value, fact.quote, item, f"values[{i}]", problems)
    _check_terms(item, problems)
    if fact.source not in texts:
        if fact.source not in cur_ids["articles"]:
            problems.append(item.problem("source", f"unknown article {fact.source!r}"))
        return None
    start = locate(texts[fact.source], fact.quote, fact.occurrence, item, "quote", problems, fact.source)
    return None if start is None else Span(fact.source, start, start + len(fact.quote))


def validate(cur: Curation, sources_dir: Path | None = None, parsed: ParsedCache | None = None) -> Validated:
    """Check everything curated; return it with texts and spans (``parsed``: the cache the curation was read
    through, which also keeps what each file's facts' own checks found, so an unchanged file is not checked fact
    by fact again while nothing those checks read has changed; the checks across records run on every build).

    :raises CurationError: listing every problem, each with file, line and field.
    """
    problems: list[Problem] = []
    sources = _unique(cur.sources, "source", problems)
    _unique(cur.entities, "entity", problems)
    _unique(cur.facts, "fact", problems)
    texts, source_spans = _check_sources(cur, sources_dir or sources_root(), problems)
    _check_entities(cur, problems)
    ids = {
        "entities": {e.record.id for e in cur.entities},
        "articles": {k for k, s in sources.items() if s.record.kind == "article"},
        "references": {k: s.record.cited_in for k, s in sources.items() if s.record.kind == "reference"},
    }
    designs = {k: s.record.study_design for k, s in sources.items() if s.record.kind == "reference"}
    sections = _section_starts(cur, texts, problems)
    spans: dict[str, Span] = {}
    locations: dict[str, str] = {}
    context = _checks_context(ids, cur, texts) if parsed else b""
    kept: dict[str, dict[str, Span] | None] = {}  # a file's facts' spans, checked by an earlier build
    found: dict[str, dict[str, Span]] = {}  # and those checked now, of the files that were not kept
    for item in cur.facts:
        if item.file not in kept:
            kept[item.file] = parsed.checked(item.file, context) if parsed else None
        known = kept[item.file]
        if known is not None and item.record.id in known:
            span: Span | None = known[item.record.id]
        else:
            span = _check_fact(item, ids, texts, problems)
            if span:
                found.setdefault(item.file, {})[item.record.id] = span
        if span:
            spans[item.record.id] = span
            location = location_of(span, sections)
            _check_evidence_level(item, location, designs, problems)
            if location:
                locations[item.record.id] = location
    _check_copies(cur.facts, spans, problems)
    _check_same_study(cur.facts, problems)
    for item in cur.skips:
        skip = item.record
        if skip.source not in texts:
            problems.append(item.problem("source", f"unknown article {skip.source!r}"))
        else:
            locate(texts[skip.source], skip.text, skip.occurrence, item, "text", problems, skip.source)
    if problems:
        raise CurationError(problems)
    if parsed:
        for file, file_spans in found.items():
            parsed.keep_checked(file, context, file_spans)
    return Validated(cur, texts, spans, source_spans, locations)


def _checks_context(ids: dict[str, Any], cur: Curation, texts: dict[str, str]) -> bytes:
    """What the checks of one fact (:func:`_check_fact`) read besides its record: the code, the entities' ids, the
    sources (articles, references and where each is cited) and the article texts."""
    digest = hashlib.sha256(code_key())
    digest.update("\0".join(sorted(ids["entities"])).encode() + b"\1")
    for item in cur.sources:
        digest.update(item.record.model_dump_json().encode() + b"\0")
    for source in sorted(texts):
        digest.update(source.encode() + b"\0" + hashlib.sha256(texts[source].encode()).digest())
    return digest.digest()


def load_and_validate(
    curated: Path | None = None, sources_dir: Path | None = None, parsed: ParsedCache | None = None
) -> Validated:
    """The whole ingest check, from YAML files to validated records (``parsed``: the records of files read before, by
    content, so unchanged files are not read again, and what their facts' own checks found; see :func:`validate`).

    :raises CurationError: listing every problem in every file.
    """
    root = curated or curated_root()
    with collector.paused():  # records in bulk, and no cycles among them (catkg.ingest.collector)
        return validate(load_curation(root, display_root=root.parent.parent, parsed=parsed), sources_dir, parsed)

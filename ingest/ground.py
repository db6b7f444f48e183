"""Propose standard identifiers for curated entities by exact name match against vocabularies installed here.

An xref is proposed only when one of an entity's names (label, synonym, abbreviation) equals the name or an exact
synonym of one live term, after case and punctuation are set aside (hyphens, dashes, commas, a possessive 's);
plurals match only where the entity lists the plural. Gene alterations get the NCBI Gene id of each gene symbol
their names write. Anything less (the same words in another order, one name inside the other, an obsolete term,
two terms for one entity) is a near-miss for a curator, never written. Ground never deletes: curated xrefs stay,
and a comment ``# not HP:0001234: why`` in an entity's record keeps ground from proposing that id again.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from catkg.ingest.hpo import Hpo, genes, genes_verified_in, hpo
from catkg.ingest.load import Curation
from catkg.ingest.models import Entity, Xref
from catkg.ingest.xrefs import XrefError, vocabularies
from catkg.ontology.load import entity_types

_DASHES = re.compile(r"[\-\u2010-\u2015\u2212/,;:()\[\]]")
_POSSESSIVE = re.compile(r"['\u2019]s\b")
_STOPWORDS = frozenset({"of", "the", "and", "in", "a", "an", "or", "with", "to", "for", "by", "on"})
_REJECTED = re.compile(r"^\s*#\s*not\s+([A-Za-z][\w.]*:\S+?):?(?:\s|$)")
NEAR_MISSES_PER_ENTITY = 3


def normalise(name: str, casefold: bool = True) -> str:
    """A name as the matcher compares it: NFKC, case folded, possessive 's, hyphens, dashes and commas set aside.

    >>> normalise("Non–small-cell lung cancer")
    'non small cell lung cancer'
    >>> normalise("Trousseau's  syndrome")
    'trousseau syndrome'
    """
    text = unicodedata.normalize("NFKC", name)
    text = _DASHES.sub(" ", _POSSESSIVE.sub("", text))
    text = text.replace("'", "").replace("\u2019", "").replace(".", " ")
    return " ".join((text.casefold() if casefold else text).split())


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def word_set(name: str) -> frozenset[str]:
    """The content words of a name, lightly singularised: near-misses only, never an exact match."""
    return frozenset(_stem(w) for w in normalise(name).split() if w not in _STOPWORDS)


@dataclass(frozen=True)
class Proposal:
    """One xref ground would write: the entity, the xref and the names that matched."""

    entity: str
    xref: Xref
    entity_name: str
    term_name: str


@dataclass(frozen=True)
class NearMiss:
    """A candidate a curator should look at; ground writes none of these."""

    entity: str
    id: str
    name: str
    why: str


@dataclass
class Grounding:
    """What one run found: proposals, near-misses, and the xrefs already curated or rejected."""

    proposals: list[Proposal] = field(default_factory=list)
    near_misses: list[NearMiss] = field(default_factory=list)
    rejected: dict[str, set[str]] = field(default_factory=dict)
    """Entity id to the ids a curator's ``# not`` comment rejected."""


class TermIndex:
    """The names of an HPO release, indexed for exact and near matching."""

    def __init__(self, hpo: Hpo):
        self.hpo = hpo
        self.exact: dict[str, set[tuple[str, str]]] = {}
        self.abbreviations: dict[str, set[tuple[str, str]]] = {}
        self.obsolete: dict[str, set[tuple[str, str]]] = {}
        self.by_word: dict[str, set[tuple[str, str]]] = {}
        for term in hpo.terms.values():
            if not term.abnormality and not term.obsolete:
                continue
            names = [term.name, *term.exact_synonyms]
            if term.obsolete:
                for name in names:
                    self.obsolete.setdefault(normalise(name.removeprefix("obsolete ")), set()).add((term.id, name))
                continue
            for name in names:
                self.exact.setdefault(normalise(name), set()).add((term.id, name))
                self.abbreviations.setdefault(normalise(name, casefold=False), set()).add((term.id, name))
                for word in word_set(name):
                    self.by_word.setdefault(word, set()).add((term.id, name))

    def matches(self, entity: Entity) -> dict[str, tuple[str, str]]:
        """Live term id to (entity name, term name) for every exact match of the entity's names."""
        found: dict[str, tuple[str, str]] = {}
        for name in [entity.label, *entity.synonyms]:
            for term_id, term_name in sorted(self.exact.get(normalise(name), ())):
                found.setdefault(term_id, (name, term_name))
        for name in entity.abbreviations:  # abbreviations keep their case: "PE" is not "pe"
            for term_id, term_name in sorted(self.abbreviations.get(normalise(name, casefold=False), ())):
                found.setdefault(term_id, (name, term_name))
        return found

    def near(self, entity: Entity) -> list[NearMiss]:
        """Obsolete exact matches, then names with the same words, then one inside the other; best first."""
        misses: dict[str, tuple[tuple[int, float, int], NearMiss]] = {}
        for name in [entity.label, *entity.synonyms]:
            for term_id, term_name in self.obsolete.get(normalise(name), ()):
                replaced = ", ".join(self.hpo.terms[term_id].replaced_by) or "nothing"
                miss = NearMiss(entity.id, term_id, term_name, f"obsolete (replaced by {replaced})")
                misses[term_id] = ((0, 0.0, 0), miss)
            words = word_set(name)
            candidates = set().union(*(self.by_word.get(w, set()) for w in words)) if words else set()
            for term_id, term_name in candidates:
                other = word_set(term_name)
                if words == other:
                    rank, why = 1, "same words"
                elif words < other:
                    rank, why = 2, f"the term's name contains {name!r}"
                elif other < words:
                    rank, why = 3, f"{name!r} contains the term's name"
                else:
                    continue
                key = (rank, -len(words & other) / len(words | other), len(term_name))
                if term_id not in misses or key < misses[term_id][0]:
                    misses[term_id] = (key, NearMiss(entity.id, term_id, term_name, why))
        return [miss for _, miss in sorted(misses.values(), key=lambda kv: (kv[0], kv[1].id))][:NEAR_MISSES_PER_ENTITY]


def gene_symbols(entity: Entity) -> list[tuple[str, str]]:
    """(symbol, name) for each gene-symbol-shaped word of the entity's names, in order of first appearance."""
    seen: dict[str, str] = {}
    for name in [entity.label, *entity.synonyms, *entity.abbreviations]:
        for word in re.findall(r"[A-Za-z0-9]+", name):
            if re.fullmatch(r"[A-Z][A-Z0-9]+", word):
                seen.setdefault(word, name)
    return list(seen.items())


def _fits(entity: Entity, prefix: str) -> bool:
    return entity.type in vocabularies()[prefix].types


def check_types() -> None:
    """Every entity type the prefix table names is one of the ontology's.

    :raises XrefError: naming the unknown type and the prefix.
    """
    known = entity_types()
    for vocab in vocabularies().values():
        unknown = sorted(set(vocab.types) - set(known))
        if unknown:
            raise XrefError(f"ingest/vocabularies.yaml: {vocab.prefix}: unknown entity type(s) {unknown}")


def ground(entities: Iterable[Entity], index: TermIndex, genes: dict[str, str], rejected: dict[str, set[str]]) -> Grounding:
    """Proposals and near-misses for every entity of a type a vocabulary fits (``rejected``: ids not to propose)."""
    check_types()
    result = Grounding(rejected=rejected)
    entities = list(entities)
    hp_matches = {e.id: index.matches(e) for e in entities if _fits(e, "HP")}
    claimed: dict[str, list[str]] = {}
    for entity_id, found in hp_matches.items():
        for term_id in found:
            if term_id not in rejected.get(entity_id, set()):
                claimed.setdefault(term_id, []).append(entity_id)
    for entity in entities:
        have = {x.id for x in entity.xrefs}
        refused = rejected.get(entity.id, set())
        if entity.id in hp_matches:
            found = {t: names for t, names in hp_matches[entity.id].items() if t not in refused}
            if any(x.startswith("HP:") for x in have):
                pass  # a curated HP xref stands; ground adds no second one
            elif len(found) == 1 and len(claimed[next(iter(found))]) == 1:
                term_id, (entity_name, term_name) = next(iter(found.items()))
                how = "label" if term_name == index.hpo.terms[term_id].name else "exact synonym"
                xref = Xref(id=term_id, verified_in=f"{index.hpo.verified_in}: {how} '{term_name}'")
                result.proposals.append(Proposal(entity.id, xref, entity_name, term_name))
            elif found:
                for term_id, (_, term_name) in sorted(found.items()):
                    others = [e for e in claimed[term_id] if e != entity.id]
                    why = f"also matches {', '.join(others)}" if others else "one of several terms matching"
                    result.near_misses.append(NearMiss(entity.id, term_id, term_name, f"ambiguous: {why}"))
            else:
                result.near_misses += [m for m in index.near(entity) if m.id not in refused]
        if _fits(entity, "NCBIGene"):
            result.proposals += _gene_proposals(entity, genes, have | refused, result.near_misses)
    return result


def _gene_proposals(entity: Entity, genes: dict[str, str], skip: set[str], near: list[NearMiss]) -> list[Proposal]:
    found = gene_symbols(entity)
    symbols = {s for s, _ in found}
    proposals = []
    for symbol, name in found:
        curie = f"NCBIGene:{genes[symbol]}" if symbol in genes else None
        if curie and curie not in skip:
            xref = Xref(id=curie, verified_in=f"{genes_verified_in()}: gene symbol '{symbol}'")
            proposals.append(Proposal(entity.id, xref, name, symbol))
        elif curie is None and re.search(rf"[A-Z0-9][-/]{symbol}\b|\b{symbol}[-/][A-Z]", name) and symbols & set(genes):
            near.append(NearMiss(entity.id, "", symbol, f"fusion partner in {name!r}: not in the gene table"))
    return proposals


# Writing: entities.yaml is edited as text, so comments, order and the canonical style stay as the curator left them.


@dataclass(frozen=True)
class RecordSpan:
    """Where one entity's record sits in a file's lines: [start, end), trailing blank lines excluded."""

    id: str
    start: int
    end: int


def records(lines: list[str]) -> dict[str, RecordSpan]:
    """The entity records of a curated file's ``entities:`` section, by id."""
    found: dict[str, RecordSpan] = {}
    in_entities, current = False, None
    for number, line in enumerate(lines):
        if re.match(r"^\S", line) and not line.startswith("#"):
            in_entities = line.rstrip() == "entities:"
        start = re.match(r"^  - id: (\S+)\s*$", line) if in_entities else None
        ends = start or (re.match(r"^\S|^  \S", line) is not None) or not in_entities
        if current is not None and ends:
            found[current[0]] = _trimmed(lines, current[0], current[1], number)
            current = None
        if start:
            current = (start.group(1), number)
    if current is not None:
        found[current[0]] = _trimmed(lines, current[0], current[1], len(lines))
    return found


def _trimmed(lines: list[str], entity_id: str, start: int, end: int) -> RecordSpan:
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return RecordSpan(entity_id, start, end)


def rejections(lines: list[str]) -> dict[str, set[str]]:
    """Entity id to the ids its record's ``# not PREFIX:id: why`` comments reject."""
    found: dict[str, set[str]] = {}
    for rec in records(lines).values():
        for line in lines[rec.start : rec.end]:
            match = _REJECTED.match(line)
            if match:
                found.setdefault(rec.id, set()).add(match.group(1))
    return found


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (the canonical style's free text)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(xref: Xref) -> list[str]:
    lines = [f"      - id: {xref.id}", f"        verified_in: {quoted(xref.verified_in)}"]
    lines += [f"        match: {xref.match}"] if xref.match else []
    return lines + ([f"        note: {quoted(xref.note)}"] if xref.note else [])


def with_xrefs(lines: list[str], rec: RecordSpan, new: list[Xref], existing: list[Xref]) -> list[str]:
    """The record's lines with ``new`` xrefs added after any it has: a block list, one xref a line pair.

    :raises XrefError: when the record writes its xrefs in flow style with a comment ground cannot keep.
    """
    body = lines[rec.start : rec.end]
    added = [line for x in new for line in render(x)]
    at = next((i for i, line in enumerate(body) if re.match(r"^    xrefs:", line)), None)
    if at is None:
        return body + ["    xrefs:"] + added
    if body[at].rstrip() != "    xrefs:":  # flow style, e.g. "xrefs: []": rewritten as a block
        if "#" in body[at]:
            raise XrefError(f"entity {rec.id}: move the comment off the flow-style 'xrefs:' line")
        return body[:at] + ["    xrefs:"] + [line for x in existing for line in render(x)] + added + body[at + 1 :]
    end = at + 1
    while end < len(body) and (body[end].startswith("      ") or not body[end].strip()):
        end += 1
    return body[:end] + added + body[end:]


def edited(text: str, proposals: dict[str, list[Xref]], current: dict[str, Entity]) -> str:
    """A curated file's text with the proposed xrefs written into its entity records.

    :raises XrefError: when the result does not read back as the same entities with the new xrefs.
    """
    lines = text.split("\n")
    recs = records(lines)
    for entity_id in sorted(proposals, key=lambda e: recs[e].start, reverse=True):
        rec = recs[entity_id]
        lines[rec.start : rec.end] = with_xrefs(lines, rec, proposals[entity_id], list(current[entity_id].xrefs))
    result = "\n".join(lines)
    written = {e["id"]: e for e in yaml.safe_load(result).get("entities", [])}
    for entity_id, xrefs in proposals.items():
        expected = [x.model_dump(exclude_none=True) for x in [*current[entity_id].xrefs, *xrefs]]
        if written[entity_id].get("xrefs") != expected:
            raise XrefError(f"entity {entity_id}: the edited record does not read back with its xrefs")
    return result


def write_proposals(grounding: Grounding, curation: Curation, root: Path) -> list[Path]:
    """Write every proposal into the file its entity was read from; each file replaced atomically.

    All files are edited and checked in memory before the first is replaced, so an error leaves every file as
    it was. ``root`` is the folder the curation's display paths are relative to.
    """
    by_file: dict[Path, dict[str, list[Xref]]] = {}
    current = {e.record.id: e.record for e in curation.entities}
    file_of = {e.record.id: root / e.file for e in curation.entities}
    for proposal in grounding.proposals:
        by_file.setdefault(file_of[proposal.entity], {}).setdefault(proposal.entity, []).append(proposal.xref)
    texts = {path: edited(path.read_text(encoding="utf-8"), changes, current) for path, changes in by_file.items()}
    for path, text in texts.items():
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    return sorted(texts)


def grounded(curation: Curation, curated: Path, write: bool = False) -> tuple[Grounding, list[Path]]:
    """Ground a validated curation read from ``curated`` against HPO and its gene table; with ``write``, write the
    proposals and return the files written."""
    root = curated.parent.parent  # the curation's file names are relative to it (load_and_validate)
    rejected: dict[str, set[str]] = {}
    for name in sorted({e.file for e in curation.entities}):
        for entity_id, ids in rejections((root / name).read_text(encoding="utf-8").split("\n")).items():
            rejected.setdefault(entity_id, set()).update(ids)
    result = ground((e.record for e in curation.entities), TermIndex(hpo()), genes(), rejected)
    return result, write_proposals(result, curation, root) if write else []


def coverage(entities: Iterable[Entity], grounding: Grounding) -> list[dict[str, str | int]]:
    """Per entity type of the ontology that has entities: how many carry an xref (with the proposals), which
    vocabularies fit it ("none offline" when none installed here does)."""
    proposed = {p.entity for p in grounding.proposals}
    total: Counter[str] = Counter()
    grounded: Counter[str] = Counter()
    for entity in entities:
        total[entity.type] += 1
        grounded[entity.type] += bool(entity.xrefs) or entity.id in proposed
    rows: list[dict[str, str | int]] = []
    for slug in sorted(entity_types()):
        if total[slug]:
            fits = [v.prefix for v in vocabularies().values() if slug in v.types]
            share = f"{100 * grounded[slug] / total[slug]:.0f}%"
            rows.append(
                {
                    "type": slug,
                    "entities": total[slug],
                    "with_xref": grounded[slug],
                    "share": share,
                    "vocabularies": ", ".join(fits) or "none offline",
                }
            )
    return rows

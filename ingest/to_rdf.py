"""Turn validated curation into RDF: N-Triples text, the shape docs/architecture.md and ../shared/design/ARCHITECTURE.md describe.

Types are materialized up the ontology's subclass hierarchy and ``skos:broader`` is closed into
``skos:broaderTransitive``, so plain SPARQL finds every fact of a kind and every entity under a broader one.

The data graph is written as N-Triples lines, record by record, not as pyoxigraph term objects: a build streams
them into ``Store.bulk_load`` (Rust, no GIL) while the next records are still being written, and a term object
cost ~3.5 µs a quad, more than the loader itself (benchmarks/RESULTS.md). Every IRI written is made of the
ontology's own IRIs and validated slugs; every literal goes through ``literal``, which escapes what N-Triples
requires.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import networkx as nx
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse
from rdflib import RDFS as _RDFS
from rdflib import URIRef

from catkg.ingest.claims import Claim, claims_by_fact
from catkg.ingest.code import code_key
from catkg.ingest.ledger import Entry, ledger
from catkg.ingest.load import Located
from catkg.ingest.models import Entity, Fact, Source, Value
from catkg.ingest.validate import Validated
from catkg.ingest.xrefs import expand
from catkg.ontology import BASE, CLAIM, ENTITY, EVIDENCE, FACT, GRAPH, ONTOLOGY, SOURCE
from catkg.ontology.load import (
    entity_types,
    evidence_levels,
    fact_kinds,
    ontology_graph,
    ontology_path,
    qualifiers,
    source_note_kinds,
)

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE_IRI = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_TYPE = NamedNode(RDF_TYPE_IRI)
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
BIBO = "http://purl.org/ontology/bibo/"
VOID = "http://rdfs.org/ns/void#"

ONTOLOGY_GRAPH = NamedNode(GRAPH + "ontology")
DATA_GRAPH = NamedNode(GRAPH + "facts")
META_GRAPH = NamedNode(GRAPH + "meta")
INFERRED_GRAPH = NamedNode(GRAPH + "inferred")
"""What the reasoner inferred beyond the data graph (classes of entities, entailed subclass links)."""
DATASET = NamedNode(BASE + "dataset")

PREFIX_LEN = 32
"""Characters of context kept on each side of a quote (oa:prefix, oa:suffix)."""

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def iri(value: str) -> str:
    """An IRI term (the caller passes an IRI made of known parts: the ontology's or a validated slug)."""
    return f"<{value}>"


def literal(value: str) -> str:
    """A plain string literal, escaped as N-Triples requires."""
    return '"' + value.translate(_ESCAPES) + '"'


def typed(value: object, datatype: str) -> str:
    return f"{literal(str(value))}^^<{XSD}{datatype}>"


def number(value: float | int) -> str:
    """An xsd:decimal written as the curator wrote it (2.0 stays 2.0, 6 stays 6)."""
    return typed(repr(value) if isinstance(value, float) else value, "decimal")


def cat(name: str) -> str:
    return iri(ONTOLOGY + name)


def fact_iri(fact_id: str) -> str:
    return iri(FACT + fact_id)


def entity_iri(entity_id: str) -> str:
    return iri(ENTITY + entity_id)


def source_iri(source_id: str) -> str:
    return iri(SOURCE + source_id)


def claim_iri(claim_id: str) -> str:
    return iri(CLAIM + claim_id)


def _term(slug: str | None, terms: dict[str, URIRef]) -> str | None:
    """The IRI term of a controlled-list slug the validator accepted (None stays None)."""
    return None if slug is None else iri(str(terms[slug]))


@cache
def superclasses(cls: URIRef) -> tuple[str, ...]:
    """The class and all its ontology superclasses, as IRI terms (a handful of classes: computed once each)."""
    return tuple(iri(str(c)) for c in ontology_graph().transitive_objects(cls, _RDFS.subClassOf))


A = iri(RDF_TYPE_IRI)
LABEL = iri(RDFS_LABEL)


@dataclass(frozen=True)
class Rendered:
    """A part of the data graph as N-Triples, and the subjects of its triples (IRI terms, each once): what a
    later build removes when the part is gone (no other part has a triple about them)."""

    text: str
    subjects: tuple[str, ...]


class _Writer:
    """Collects N-Triples lines and their subjects; skips None objects so optional fields need no if-statements."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.subjects: list[str] = []
        self._last = ""

    def _subject(self, s: str) -> None:
        if s is not self._last:  # a record's triples share one subject object: one comparison a triple
            self.subjects.append(s)
            self._last = s

    def add(self, s: str, p: str, o: str | None) -> None:
        """One triple of terms (``iri``, ``literal``, ``typed``); nothing when the object is None."""
        if o is not None:
            self._subject(s)
            self.lines.append(f"{s} {p} {o} .\n")

    def text(self, s: str, p: str, value: str | None) -> None:
        """A plain literal, if there is one."""
        if value is not None:
            self._subject(s)
            self.lines.append(f"{s} {p} {literal(value)} .\n")

    def types(self, s: str, cls: URIRef) -> None:
        self._subject(s)
        for c in superclasses(cls):
            self.lines.append(f"{s} {A} {c} .\n")

    def flush(self) -> str:
        """The lines written since the last flush, as one string."""
        return self.take().text

    def take(self) -> Rendered:
        """The lines written since the last take, and their subjects."""
        out = Rendered("".join(self.lines), tuple(dict.fromkeys(self.subjects)))
        self.lines, self.subjects, self._last = [], [], ""
        return out


def _source(w: _Writer, item: Located[Source]) -> None:
    src, s = item.record, source_iri(item.record.id)
    w.types(s, URIRef(ONTOLOGY + ("Article" if src.kind == "article" else "CitedReference")))
    w.text(s, iri(DCT + "identifier"), src.id)
    w.text(s, iri(DCT + "title"), src.title)
    w.text(s, LABEL, src.title)
    w.text(s, cat("sourceFile"), src.file)
    w.text(s, iri(DCT + "issued"), src.published)
    w.add(s, iri(DCT + "date"), typed(src.year, "gYear") if src.year else None)
    for author in src.authors:
        w.text(s, iri(DCT + "creator"), author)
    w.text(s, cat("authorsAsWritten"), "; ".join(src.authors) if src.authors else None)
    w.text(s, cat("journalTitle"), src.journal)
    w.text(s, iri(BIBO + "volume"), src.volume)
    w.text(s, iri(BIBO + "pages"), src.pages)
    w.text(s, cat("citationAsWritten"), src.citation)
    w.text(s, cat("studyDesign"), src.study_design)
    if src.kind == "reference" and src.cited_in:
        w.add(s, cat("listPosition"), typed(src.position, "positiveInteger"))
        w.add(s, iri(DCT + "isReferencedBy"), source_iri(src.cited_in))
        w.add(source_iri(src.cited_in), iri(DCT + "references"), s)


def _ledger(w: _Writer, article: str, entries: list[Entry]) -> None:
    """How much of an article curation accounts for (``catkg.ingest.ledger``), and each sentence not yet read: what
    the completeness page shows. Bibliographic lines (the title, the reference list) are counted apart, so a newly
    added article is at 0% until a fact or a skip accounts for one of its sentences."""
    s = source_iri(article)
    status = Counter(e.reason if e.status == "covered" else e.status for e in entries)
    for name, count in (
        ("sentenceCount", len(entries)),
        ("sentencesCovered", status["fact"]),
        ("sentencesBibliographic", status["reference"] + status["article"]),
        ("sentencesSkipped", status["skipped"]),
        ("sentencesUncovered", status["uncovered"]),
    ):
        w.add(s, cat(name), typed(count, "nonNegativeInteger"))
    for index, entry in enumerate(entries, 1):
        if entry.status == "uncovered":
            u = iri(f"{SOURCE}{article}/sentence/{index}")
            w.add(s, cat("hasUncoveredSentence"), u)
            w.add(u, A, cat("UncoveredSentence"))
            w.add(u, cat("lineNumber"), typed(entry.unit.line, "positiveInteger"))
            w.text(u, cat("sentenceText"), entry.text)


def _entity(w: _Writer, ent: Entity, broader_closure: set[str]) -> None:
    e = entity_iri(ent.id)
    w.types(e, entity_types()[ent.type])
    w.text(e, iri(DCT + "identifier"), ent.id)
    w.text(e, LABEL, ent.label)
    w.text(e, iri(SKOS + "prefLabel"), ent.label)
    w.text(e, iri(SKOS + "definition"), ent.definition)
    for name in ent.synonyms:
        w.text(e, iri(SKOS + "altLabel"), name)
    for name in ent.abbreviations:
        w.text(e, cat("abbreviation"), name)
        w.text(e, iri(SKOS + "altLabel"), name)
    for broader in ent.broader:
        w.add(e, iri(SKOS + "broader"), entity_iri(broader))
        w.add(entity_iri(broader), iri(SKOS + "narrower"), e)
    for broader in sorted(broader_closure):
        w.add(e, iri(SKOS + "broaderTransitive"), entity_iri(broader))
    for xref in ent.xrefs:
        target, relation = expand(xref.id)
        w.add(e, iri(SKOS + f"{xref.match}Match" if xref.match else relation), iri(target))


def _value(w: _Writer, fact_id: str, index: int, value: Value) -> str:
    m = iri(f"{FACT}{fact_id}/value/{index + 1}")
    w.add(m, A, cat("Measurement"))
    w.add(m, cat("valueIndex"), typed(index + 1, "positiveInteger"))
    w.add(m, cat("value"), number(value.value))
    w.add(m, cat("upperValue"), number(value.upper) if value.upper is not None else None)
    w.text(m, cat("asWritten"), value.as_written)
    w.text(m, cat("unit"), value.unit)
    w.text(m, cat("measure"), value.measure)
    w.text(m, cat("comparator"), value.comparator)
    w.add(m, cat("cohortSize"), typed(value.cohort_size, "integer") if value.cohort_size else None)
    w.text(m, cat("timePoint"), value.time_point)
    w.text(m, cat("population"), value.population)
    w.text(m, cat("interval"), value.interval)
    w.text(m, cat("pValue"), value.p_value)
    return m


def _claim_links(w: _Writer, fact: Fact, claim: Claim) -> None:
    """The fact as evidence for its claim, and its conflicts: the facts of the claim with the other direction."""
    f = fact_iri(fact.id)
    w.add(f, cat("supportsClaim" if fact.direction == "supports" else "disputesClaim"), claim_iri(claim.id))
    for other in _conflicts(fact, claim):
        w.add(f, cat("conflictsWith"), fact_iri(other))


def _conflicts(fact: Fact, claim: Claim) -> tuple[str, ...]:
    return claim.disputing if fact.direction == "supports" else claim.supporting


def _claim(w: _Writer, claim: Claim) -> None:
    c = claim_iri(claim.id)
    w.add(c, A, cat("Claim"))
    w.text(c, iri(DCT + "identifier"), claim.id)
    w.add(c, cat("claimSubject"), entity_iri(claim.subject))
    w.add(c, cat("claimKind"), iri(str(fact_kinds()[claim.kind])))
    w.add(c, cat("claimObject"), entity_iri(claim.object))
    w.add(c, cat("subjectQualifier"), _term(claim.subject_qualifier, qualifiers()))
    w.add(c, cat("objectQualifier"), _term(claim.object_qualifier, qualifiers()))
    w.add(c, cat("independentSources"), typed(claim.independent_sources, "nonNegativeInteger"))
    for study in claim.studies:
        w.text(c, cat("basedOnStudy"), study)


def _fact(w: _Writer, fact: Fact, v: Validated) -> None:
    f, span = fact_iri(fact.id), v.spans[fact.id]
    ev = iri(EVIDENCE + fact.id)
    source_text = v.texts[span.source]
    w.types(f, fact_kinds()[fact.kind])
    w.text(f, iri(DCT + "identifier"), fact.id)
    w.text(f, cat("statement"), fact.statement)
    w.text(f, LABEL, fact.statement)
    w.add(f, cat("hasSubject"), entity_iri(fact.subject))
    w.text(f, cat("predicateLabel"), fact.predicate)
    w.add(f, cat("hasObject"), entity_iri(fact.object))
    w.text(f, cat("studyDesign"), fact.study_design)
    w.text(f, cat("direction"), fact.direction)
    w.text(f, cat("population"), fact.population)
    w.text(f, cat("comparedWith"), fact.compared_with)
    w.add(f, cat("evidenceLevel"), _term(fact.evidence_level, evidence_levels()))
    w.add(f, cat("subjectQualifier"), _term(fact.subject_qualifier, qualifiers()))
    w.add(f, cat("objectQualifier"), _term(fact.object_qualifier, qualifiers()))
    w.add(f, cat("sameStudyAs"), fact_iri(fact.same_study_as) if fact.same_study_as else None)
    if fact.source_note:
        note = iri(f"{FACT}{fact.id}/note")
        w.add(f, cat("hasSourceNote"), note)
        w.add(note, A, cat("SourceNote"))
        w.add(note, cat("noteKind"), _term(fact.source_note.kind, source_note_kinds()))
        w.text(note, cat("noteText"), fact.source_note.note)
    w.add(f, iri(PROV + "wasDerivedFrom"), source_iri(fact.source))
    for index, value in enumerate(fact.values):
        w.add(f, cat("hasMeasurement"), _value(w, fact.id, index, value))
    w.add(f, cat("hasEvidence"), ev)
    w.types(ev, URIRef(ONTOLOGY + "Evidence"))
    w.add(ev, iri(OA + "hasSource"), source_iri(span.source))
    quote_sel, position_sel = iri(EVIDENCE + fact.id + "#quote"), iri(EVIDENCE + fact.id + "#position")
    w.add(ev, iri(OA + "hasSelector"), quote_sel)
    w.add(quote_sel, A, iri(OA + "TextQuoteSelector"))
    w.text(quote_sel, iri(OA + "exact"), fact.quote)
    w.text(quote_sel, iri(OA + "prefix"), source_text[max(0, span.start - PREFIX_LEN) : span.start])
    w.text(quote_sel, iri(OA + "suffix"), source_text[span.end : span.end + PREFIX_LEN])
    w.add(ev, iri(OA + "hasSelector"), position_sel)
    w.add(position_sel, A, iri(OA + "TextPositionSelector"))
    w.add(position_sel, iri(OA + "start"), typed(span.start, "nonNegativeInteger"))
    w.add(position_sel, iri(OA + "end"), typed(span.end, "nonNegativeInteger"))
    w.add(ev, cat("occurrence"), typed(fact.occurrence, "positiveInteger") if fact.occurrence else None)
    for marker in fact.citations:
        w.text(ev, cat("citationMarker"), marker)
    w.text(ev, cat("attributedTo"), fact.attributed_to)
    for ref in fact.cites:
        w.add(ev, cat("citesReference"), source_iri(ref))
        w.add(f, iri(PROV + "wasDerivedFrom"), source_iri(ref))


def broader_closure(entities: list[Entity]) -> dict[str, set[str]]:
    """Every entity's broader entities, transitively (the hierarchy is a DAG: validation refused cycles)."""
    graph = nx.DiGraph((e.id, b) for e in entities for b in e.broader)
    return {e.id: nx.descendants(graph, e.id) if e.id in graph else set() for e in entities}


CHUNK = 500
"""Facts (or claims) a part of the data graph holds on average: large enough to amortize a write, small enough to
stream and to be rewritten alone when one of them changes."""

RECORDS, FACTS, CLAIMS = "records", "facts", "claims"


@dataclass(frozen=True)
class Part:
    """A piece of the data graph: the records (sources, their ledgers, entities), a run of facts, or of claims.

    ``key`` hashes everything the part's text is made of, so a build can tell an unchanged part from the serving
    generation's without writing it: the RDF writer's code and the ontology (:func:`writer_key`) and the part's
    own records (a fact's quote's place and context in its article, and its claim links, included). ``render``
    writes it."""

    section: str
    key: str
    render: Callable[[], Rendered]


def writer_key() -> bytes:
    """A hash of what turns records into triples: catkg's version, the ingest and ontology code and the ontology."""
    return code_key()


def _runs(ids: list[str]) -> Iterator[range]:
    """Index ranges of ``ids`` cut where the content says (an id whose CRC is 0 mod ``CHUNK`` ends a run, and a run
    ends at 4 * ``CHUNK`` at most): adding, removing or editing a record changes its own run, not every run after
    it, as cutting every ``CHUNK`` records would."""
    start = 0
    for n, name in enumerate(ids, 1):
        if zlib.crc32(name.encode()) % CHUNK == 0 or n - start >= 4 * CHUNK:
            yield range(start, n)
            start = n
    if start < len(ids):
        yield range(start, len(ids))


def data_parts(v: Validated) -> list[Part]:
    """The data graph in parts: the records first (rendered here: every part's check needs their types), then
    the facts, then the claims, in content-defined runs (:func:`_runs`). Every triple about a fact's nodes (the
    fact, its measurements, evidence, selectors and source note, its claim and conflicts) is in its part, which
    checking the shapes part by part, and replacing a part by its subjects, rely on."""
    w = _Writer()
    for item in v.curation.sources:
        _source(w, item)
    by_article: dict[str, list[Entry]] = {}
    for entry in ledger(v):
        by_article.setdefault(entry.unit.source, []).append(entry)
    for article, entries in by_article.items():
        _ledger(w, article, entries)
    entities = [e.record for e in v.curation.entities]
    closure = broader_closure(entities)
    for ent in entities:
        _entity(w, ent, closure[ent.id])
    records = w.take()
    common = hashlib.sha256(writer_key())
    parts = [Part(RECORDS, _key(common, records.text.encode()), lambda: records)]

    facts = [item.record for item in v.curation.facts]
    claims = v.claims
    claim_of = claims_by_fact(claims)

    def fact_part(run: range) -> Part:
        def render() -> Rendered:
            w = _Writer()
            for i in run:
                _fact(w, facts[i], v)
                _claim_links(w, facts[i], claim_of[facts[i].id])
            return w.take()

        made = "".join(_made_of(facts[i], claim_of[facts[i].id], v) for i in run)
        return Part(FACTS, _key(common, made.encode()), render)

    def claim_part(run: range) -> Part:
        def render() -> Rendered:
            w = _Writer()
            for i in run:
                _claim(w, claims[i])
            return w.take()

        return Part(CLAIMS, _key(common, "".join(repr(claims[i]) for i in run).encode()), render)

    parts += [fact_part(run) for run in _runs([f.id for f in facts])]
    parts += [claim_part(run) for run in _runs([c.id for c in claims])]
    return parts


def _made_of(fact: Fact, claim: Claim, v: Validated) -> str:
    """What a fact's triples are made of: its record, where its quote sits with the context kept around it, and
    its claim links."""
    span = v.spans[fact.id]
    context = v.texts[span.source][max(0, span.start - PREFIX_LEN) : span.end + PREFIX_LEN]
    return repr((fact.model_dump_json(), span, context, claim.id, _conflicts(fact, claim)))


def _key(common: hashlib._Hash, made: bytes) -> str:
    digest = common.copy()
    digest.update(made)
    return digest.hexdigest()


def data_ntriples(v: Validated) -> Iterator[tuple[str, str]]:
    """The data graph as N-Triples text, part by part (:func:`data_parts`): ``(section, text)``."""
    for part in data_parts(v):
        yield part.section, part.render().text


def data_quads(v: Validated) -> list[Quad]:
    """The data graph as pyoxigraph quads: for tests and small graphs (a build streams ``data_ntriples``)."""
    text = "".join(chunk for _, chunk in data_ntriples(v))
    return [Quad(t.subject, t.predicate, t.object, DATA_GRAPH) for t in parse(text.encode(), format=RdfFormat.N_TRIPLES)]


def entity_typing(v: Validated) -> str:
    """N-Triples of what the reasoner is given about each entity: its types and every entity above it."""
    w = _Writer()
    entities = [e.record for e in v.curation.entities]
    closure = broader_closure(entities)
    for ent in entities:
        e = entity_iri(ent.id)
        w.types(e, entity_types()[ent.type])
        for broader in sorted(closure[ent.id]):
            w.add(e, iri(SKOS + "broaderTransitive"), entity_iri(broader))
    return w.flush()


def ontology_quads() -> Iterator[Quad]:
    """The ontology, in its own graph."""
    for triple in parse(path=ontology_path(), format=RdfFormat.TURTLE):
        yield Quad(triple.subject, triple.predicate, triple.object, ONTOLOGY_GRAPH)


def meta_quads(version: str, built: datetime, triples: int) -> list[Quad]:
    """What was built and when: the dataset's version and build time, for /api/stats and VoID."""
    title = "catkg: Cancer-Associated Thrombosis Knowledge Graph"
    d, x = DATASET, lambda value, datatype: Literal(str(value), datatype=NamedNode(XSD + datatype))
    return [
        Quad(d, RDF_TYPE, NamedNode(VOID + "Dataset"), META_GRAPH),
        Quad(d, NamedNode(DCT + "title"), Literal(title), META_GRAPH),
        Quad(d, NamedNode("http://www.w3.org/2002/07/owl#versionInfo"), Literal(version), META_GRAPH),
        Quad(d, NamedNode(DCT + "modified"), x(built.isoformat(timespec="seconds"), "dateTime"), META_GRAPH),
        Quad(d, NamedNode(VOID + "triples"), x(triples, "integer"), META_GRAPH),
    ]

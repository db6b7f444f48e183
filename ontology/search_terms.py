"""The words of search_terms.ttl: what a question's words say it asks for (a fact kind, a measure, a design...).

The vocabulary is data beside the ontology, not a list in code: each term of catkg.ttl (a fact kind, the cited
reference) or of its value schemes (measures, study designs) with the labels a clinician may type for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from catkg.ontology import ENTITY
from catkg.ontology.load import CAT, entity_types, fact_kinds, label

FACETS = ("kind", "measure", "design", "source", "type", "entity")
"""What a term says of a fact: its kind, the measure of one of its values, its study design, its source's kind,
the type of one of its entities, or an entity it is about (by a word that is not one of the entity's curated
names)."""


@dataclass(frozen=True)
class Term:
    """One reading a question's words can have: ``facet`` (see FACETS) and the value facts hold for it."""

    facet: str
    value: str
    label: str


def search_terms_path() -> str:
    return str(files("catkg.ontology") / "search_terms.ttl")


@cache
def search_terms() -> dict[str, list[Term]]:
    """Every label (lower case) and the terms it names; a label may name several (\"how much\": a relative risk or
    any number)."""
    graph = Graph().parse(search_terms_path(), format="turtle")
    kinds = {cls: slug for slug, cls in fact_kinds().items()}
    types = {cls: slug for slug, cls in entity_types().items()}
    terms: dict[str, list[Term]] = {}
    for subject in set(graph.subjects()):
        term = _term(graph, subject, kinds, types)
        if term is None:
            continue
        for predicate in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            for text in graph.objects(subject, predicate):
                terms.setdefault(str(text).lower(), []).append(term)
        terms.setdefault(term.label.lower(), []).append(term)
    return {text: list(dict.fromkeys(found)) for text, found in terms.items()}


def _term(graph: Graph, subject: URIRef, kinds: dict[URIRef, str], types: dict[URIRef, str]) -> Term | None:
    """The reading ``subject`` stands for, or None for what is not a term (a concept scheme)."""
    if subject in kinds:
        return Term("kind", kinds[subject], label(subject))
    if subject in types:
        return Term("type", types[subject], label(subject))
    if str(subject).startswith(ENTITY):
        return Term("entity", str(subject)[len(ENTITY) :], str(subject)[len(ENTITY) :])
    if subject == CAT.CitedReference:
        return Term("source", "reference", label(subject))
    if subject == CAT.attributedTo:
        return Term("source", "attributed", "attributed study")
    scheme = graph.value(subject, SKOS.inScheme)
    facet = {CAT.Measures: "measure", CAT.StudyDesigns: "design"}.get(scheme)
    if facet is None:
        return None
    return Term(facet, str(graph.value(subject, SKOS.notation)), str(graph.value(subject, SKOS.prefLabel)))


def undeclared() -> list[str]:
    """Subjects of search_terms.ttl that are neither a fact kind, entity type or source kind of catkg.ttl, an
    entity, nor a concept of its schemes: a typo, whose labels would never be read."""
    graph = Graph().parse(search_terms_path(), format="turtle")
    kinds = {cls: slug for slug, cls in fact_kinds().items()}
    types = {cls: slug for slug, cls in entity_types().items()}
    schemes = {CAT.Measures, CAT.StudyDesigns}
    return sorted(str(s) for s in set(graph.subjects()) if s not in schemes and _term(graph, s, kinds, types) is None)

"""The ontology described for people: its classes and properties with their definitions, from ``catkg.ttl``.

:func:`terms` reads the classes and properties (label, definition, place in the hierarchy, slug, anchor entity,
Biolink name, domain and range); :func:`markdown` writes ``docs/ontology.md`` from them and from counts of
instances and uses read from a built store (``catkg ontology-doc``), and the ``/ontology`` page shows the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rdflib import OWL, RDF, RDFS, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SKOS

from catkg.ontology import ENTITY, ONTOLOGY
from catkg.ontology.biolink import curie
from catkg.ontology.load import CAT, ontology_graph

PREFIXES = {
    ONTOLOGY: "cat:",
    "http://www.w3.org/ns/prov#": "prov:",
    "http://www.w3.org/ns/oa#": "oa:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://purl.org/ontology/bibo/": "bibo:",
    "http://purl.org/dc/terms/": "dcterms:",
    "http://www.w3.org/2001/XMLSchema#": "xsd:",
}
KINDS = {
    OWL.Class: "class",
    OWL.ObjectProperty: "object property",
    OWL.DatatypeProperty: "datatype property",
    OWL.AnnotationProperty: "annotation property",
}


def short(term: URIRef | str) -> str:
    """``https://w3id.org/catkg/ontology#Drug`` -> ``cat:Drug``; biolink and entity IRIs as CURIEs too."""
    text = str(term)
    for base, prefix in PREFIXES.items():
        if text.startswith(base):
            return prefix + text[len(base) :]
    if text.startswith(ENTITY):
        return "entity:" + text[len(ENTITY) :]
    return curie(text)


@dataclass
class Term:
    iri: str
    name: str
    kind: str
    label: str
    definition: str
    parents: list[str] = field(default_factory=list)
    slug: str | None = None
    anchor: str | None = None
    """The entity id whose place defines the class (cat:anchorEntity)."""
    biolink: str | None = None
    domain: str | None = None
    range: str | None = None
    disjoint: list[str] = field(default_factory=list)


def terms() -> list[Term]:
    """Every class and property catkg.ttl declares in catkg's namespace, by kind then name."""
    graph = ontology_graph()
    disjoint = _disjoint(graph)
    found = []
    for kind_iri, kind in KINDS.items():
        for term in graph.subjects(RDF.type, kind_iri):
            if not str(term).startswith(ONTOLOGY):
                continue

            def value(pred: URIRef, term: URIRef = term) -> str | None:
                got = graph.value(term, pred)
                return None if got is None else str(got)

            found.append(
                Term(
                    iri=str(term),
                    name=short(term),
                    kind=kind,
                    label=value(RDFS.label) or short(term),
                    definition=value(RDFS.comment) or value(SKOS.definition) or "",
                    parents=sorted(short(p) for p in graph.objects(term, RDFS.subClassOf) if isinstance(p, URIRef))
                    + sorted(short(p) for p in graph.objects(term, RDFS.subPropertyOf) if isinstance(p, URIRef)),
                    slug=value(CAT.slug),
                    anchor=(value(CAT.anchorEntity) or "").removeprefix(ENTITY) or None,
                    biolink=curie(value(CAT.biolinkCategory) or value(CAT.biolinkPredicate) or "") or None,
                    domain=short(value(RDFS.domain)) if value(RDFS.domain) else None,
                    range=short(value(RDFS.range)) if value(RDFS.range) else None,
                    disjoint=sorted(short(d) for d in disjoint.get(term, ())),
                )
            )
    order = list(KINDS.values())
    return sorted(found, key=lambda t: (order.index(t.kind), t.name.lower()))


def individuals() -> list[Term]:
    """The named individuals of catkg.ttl: the controlled lists (evidence levels, qualifiers, kinds of source
    note), each with the class it belongs to, by class then slug."""
    graph = ontology_graph()
    found = []
    for term in graph.subjects(RDF.type, OWL.NamedIndividual):
        if not str(term).startswith(ONTOLOGY):
            continue
        found.append(
            Term(
                iri=str(term),
                name=short(term),
                kind="individual",
                label=str(graph.value(term, RDFS.label) or short(term)),
                definition=str(graph.value(term, RDFS.comment) or ""),
                parents=sorted(short(c) for c in graph.objects(term, RDF.type) if c != OWL.NamedIndividual),
                slug=str(graph.value(term, CAT.slug) or "") or None,
            )
        )
    return sorted(found, key=lambda t: (t.parents, t.slug or t.name))


def _disjoint(graph) -> dict[URIRef, set[URIRef]]:
    pairs: dict[URIRef, set[URIRef]] = {}
    for a, b in graph.subject_objects(OWL.disjointWith):
        pairs.setdefault(a, set()).add(b)
        pairs.setdefault(b, set()).add(a)
    for axiom in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(Collection(graph, graph.value(axiom, OWL.members)))
        for a in members:
            pairs.setdefault(a, set()).update(m for m in members if m != a)
    return pairs


def tree(root: str, all_terms: list[Term]) -> list[tuple[int, Term]]:
    """The classes under ``root`` (a short name such as ``cat:Entity``), depth first, each with its depth."""
    by_parent: dict[str, list[Term]] = {}
    for term in all_terms:
        if term.kind == "class":
            for parent in term.parents:
                by_parent.setdefault(parent, []).append(term)
    out: list[tuple[int, Term]] = []

    def walk(name: str, depth: int) -> None:
        for child in sorted(by_parent.get(name, []), key=lambda t: t.label.lower()):
            out.append((depth, child))
            walk(child.name, depth + 1)

    walk(root, 0)
    return out


def header() -> dict[str, str]:
    """The ontology's title, version IRI, version and license."""
    graph = ontology_graph()
    ontology = URIRef(ONTOLOGY.rstrip("#"))
    get = lambda pred: str(graph.value(ontology, pred) or "")  # noqa: E731
    return {
        "iri": str(ontology),
        "title": get(URIRef("http://purl.org/dc/terms/title")),
        "version": get(OWL.versionInfo),
        "version_iri": get(OWL.versionIRI),
        "license": get(URIRef("http://purl.org/dc/terms/license")),
        "description": get(RDFS.comment),
    }


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def markdown(counts: Mapping[str, int]) -> str:
    """docs/ontology.md: every class and property with its definition, and counts from a built store.

    :param counts: IRI of a class to its number of instances, of a property to its number of uses (a term
        missing from it has none).
    """
    head = header()
    all_terms = terms()
    lines = [
        "# The catkg ontology",
        "",
        "<!-- Generated from ontology/catkg.ttl by `catkg ontology-doc`; do not edit by hand. -->",
        "",
        f"{head['title']}, version {head['version']} (`{head['version_iri']}`), license <{head['license']}>.",
        "",
        head["description"],
        "",
        "Counts are read from a store built from the curated data: instances of a class (inferred ones included),",
        "uses of a property. Classes with an anchor are defined by a place in the curated hierarchy: the anchor",
        "entity and everything under it that is not an intervention; the build's reasoner (HermiT) infers them.",
        "",
    ]
    for title, root in (("Entity classes", "cat:Entity"), ("Fact kinds", "cat:Fact")):
        lines += [
            f"## {title}",
            "",
            "| class | label | slug | anchor | Biolink | definition | instances |",
            "| --- | --- | --- | --- | --- | --- | ---: |",
        ]
        for depth, term in tree(root, all_terms):
            lines.append(
                f"| {'&nbsp;' * 4 * depth}`{term.name}` | {_cell(term.label)} | {term.slug or ''} | "
                f"{term.anchor or ''} | {term.biolink or ''} | {_cell(term.definition)} | "
                f"{counts.get(term.iri, 0)} |"
            )
        lines.append("")
    under = {t.name for root in ("cat:Entity", "cat:Fact") for _, t in tree(root, all_terms)} | {"cat:Entity", "cat:Fact"}
    lines += [
        "## Other classes",
        "",
        "| class | label | subclass of | Biolink | definition | instances |",
        "| --- | --- | --- | --- | --- | ---: |",
    ]
    for term in all_terms:
        if term.kind == "class" and (term.name not in under or term.name in ("cat:Entity", "cat:Fact")):
            lines.append(
                f"| `{term.name}` | {_cell(term.label)} | {', '.join(term.parents)} | {term.biolink or ''} | "
                f"{_cell(term.definition)} | {counts.get(term.iri, 0)} |"
            )
    lines += [
        "",
        "## Controlled lists",
        "",
        "What a curator may write for an evidence level, a qualifier or the kind of a source note (the YAML names",
        "the slug; the graph links the individual).",
        "",
        "| individual | of class | slug | label | definition |",
        "| --- | --- | --- | --- | --- |",
    ]
    for term in individuals():
        lines.append(
            f"| `{term.name}` | {', '.join(term.parents)} | {term.slug or ''} | {_cell(term.label)} | {_cell(term.definition)} |"
        )
    lines += ["", "## Disjoint classes", "", "| class | disjoint with |", "| --- | --- |"]
    for term in all_terms:
        if term.disjoint:
            lines.append(f"| `{term.name}` | {', '.join(term.disjoint)} |")
    lines += [
        "",
        "## Properties",
        "",
        "| property | kind | label | domain | range | definition | uses |",
        "| --- | --- | --- | --- | --- | --- | ---: |",
    ]
    for term in all_terms:
        if term.kind != "class":
            lines.append(
                f"| `{term.name}` | {term.kind} | {_cell(term.label)} | {term.domain or ''} | "
                f"{term.range or ''} | {_cell(term.definition)} | {counts.get(term.iri, 0)} |"
            )
    return "\n".join(lines) + "\n"

"""Reason over the ontology and the curated entities with an OWL reasoner: HermiT, run by owlready2 on Java.

The build hands over each entity's types and its broader entities (``skos:broaderTransitive``) as N-Triples;
the reasoner checks that they are consistent with ``catkg.ttl`` (disjoint types, the classes defined by a
place in the hierarchy) and realizes every entity: the classes it belongs to that were not written down
(``osimertinib`` is a ``cat:EGFRTKI`` and a ``cat:TargetedTherapy`` because it sits under ``egfr-tki``), and the
subclass links the ontology entails without stating them. Facts are not handed over: their kinds are written
with all superclasses already and no axiom infers anything more about them, so reasoning over them would only
cost time.

HermiT's time grows faster than the number of individuals (74 s for 5,000 entities, benchmarks/RESULTS.md), so
it is given one entity per kind of entity instead of all of them: no axiom relates two entities, and the only
individuals the axioms name are the anchors of the classes defined by a place (``cat:anchorEntity``), so what
HermiT can say of an entity depends on its stated types and on which anchors it is at or under, nothing else.
Entities alike in both are reasoned over once, and what is inferred for one holds for each (``_Input.groups``).

When the entities are inconsistent, HermiT says only that; a second run finds which entities are to blame by
asking, for each entity, whether a class standing for "this entity, with its type and its place" can have a
member (a class that cannot is unsatisfiable, and classification lists it without failing).
"""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from pyoxigraph import NamedNode, RdfFormat, parse
from rdflib import OWL, RDF, RDFS, BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SKOS

from catkg.ontology import ENTITY, ONTOLOGY
from catkg.ontology.load import CAT, label, ontology_graph

REASONER = "HermiT (owlready2)"
PROBE = "urn:catkg:probe:"
"""Namespace of the classes that stand for one entity each while looking for the entities to blame."""

JAVA_HINT = "the OWL reasoner runs on Java: install a JRE (apt-get install default-jre-headless)"

JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
"""HermiT runs for about a second, most of it the JVM starting and compiling: its quick compiler and simplest
collector halve that (measured 2.4 s -> 1.1 s here). Given through JAVA_TOOL_OPTIONS, which owlready2's command
line passes on, unless the user set that variable."""

_LOCK = threading.Lock()
"""One reasoner run at a time per process: owlready2 and the environment variable above are process-wide."""


_TYPE, _BROADER = str(RDF.type), str(SKOS.broaderTransitive)


class ReasoningError(Exception):
    """The entities contradict the ontology, or the reasoner could not run.

    ``entities`` maps the id of each entity to blame to what is wrong with it (empty when the reasoner itself
    failed or no single entity explains the contradiction).
    """

    def __init__(self, message: str, entities: dict[str, str] | None = None):
        self.entities = dict(sorted((entities or {}).items()))
        lines = [f"  entity {eid!r}: {why}" for eid, why in self.entities.items()]
        super().__init__("\n".join([message, *lines]))


@dataclass(frozen=True)
class Reasoning:
    """What the reasoner inferred beyond its input: triples of IRIs, and how long it took."""

    types: list[tuple[str, str]] = field(default_factory=list)
    """(entity IRI, class IRI): a class the entity belongs to that the input did not state."""
    subclasses: list[tuple[str, str]] = field(default_factory=list)
    """(class IRI, superclass IRI): a subclass link entailed by the ontology but not written in it."""
    seconds: float = 0.0

    def triples(self) -> list[tuple[str, str, str]]:
        return [(s, str(RDF.type), o) for s, o in self.types] + [(s, str(RDFS.subClassOf), o) for s, o in self.subclasses]


@dataclass(frozen=True)
class _Input:
    """The entities handed to the reasoner: their stated types and their broader entities."""

    types: dict[str, set[str]]
    broader: dict[str, set[str]]

    @classmethod
    def parse(cls, ntriples: str) -> _Input:
        types: dict[str, set[str]] = {}
        broader: dict[str, set[str]] = {}
        for triple in parse(ntriples.encode(), format=RdfFormat.N_TRIPLES):
            s, p, o = triple.subject.value, triple.predicate.value, triple.object
            if not (s.startswith(ENTITY) and isinstance(o, NamedNode)):
                continue
            if p == _TYPE:
                types.setdefault(s, set()).add(o.value)
            elif p == _BROADER and o.value.startswith(ENTITY):
                broader.setdefault(s, set()).add(o.value)
        for entity in broader:
            types.setdefault(entity, set())
        return cls(types, broader)

    def groups(self) -> dict[str, list[str]]:
        """Entities alike for the reasoner, each group under its first entity: the same stated types, and the
        same anchors among the entity itself and its broader entities (an anchor is alone in its group)."""
        anchors = set(anchored_classes())
        groups: dict[tuple[frozenset[str], frozenset[str]], list[str]] = {}
        for entity in sorted(self.types):
            place = frozenset((self.broader.get(entity, set()) | {entity}) & anchors)
            groups.setdefault((frozenset(self.types[entity]), place), []).append(entity)
        return {members[0]: members for members in groups.values()}

    def only(self, entities: Iterable[str]) -> _Input:
        """These entities, each with its types and the anchors above it (all the reasoner reads of its place)."""
        anchors = set(anchored_classes())
        return _Input(
            {e: self.types[e] for e in entities},
            {e: self.broader[e] & anchors for e in entities if self.broader.get(e, set()) & anchors},
        )

    def graph(self) -> Graph:
        g = Graph()
        for entity, classes in self.types.items():
            g.add((URIRef(entity), RDF.type, OWL.NamedIndividual))
            for cls in classes:
                g.add((URIRef(entity), RDF.type, URIRef(cls)))
            for up in self.broader.get(entity, ()):
                g.add((URIRef(entity), SKOS.broaderTransitive, URIRef(up)))
        return g


def reason(ntriples: str) -> Reasoning:
    """Check the entities against the ontology and infer their classes.

    :param ntriples: the entities' ``rdf:type`` and ``skos:broaderTransitive`` triples (other triples are
        ignored), as N-Triples.
    :raises ReasoningError: naming the entities whose type contradicts their place in the hierarchy, or the
        classes the ontology makes unsatisfiable, or why the reasoner could not run.
    """
    started = time.perf_counter()
    data = _Input.parse(ntriples)
    groups = data.groups()
    alike = data.only(groups)
    world = _world(ontology_graph(), alike.graph())
    try:
        _run(
            world,
            lambda: ReasoningError(
                "the curated entities contradict the ontology (HermiT found them inconsistent)", _blame(data, alike, groups)
            ),
        )
        unsatisfiable = sorted(c.iri for c in world.inconsistent_classes())
        if unsatisfiable:
            raise ReasoningError("the ontology defines classes that can have no member: " + ", ".join(unsatisfiable))
        graph = world.as_rdflib_graph()
        hierarchy = _hierarchy(graph)
        types = sorted((member, cls) for one, cls in _inferred_types(graph, hierarchy, alike) for member in groups[one])
        subclasses = _inferred_subclasses(hierarchy)
    finally:
        world.close()
    return Reasoning(types, subclasses, round(time.perf_counter() - started, 3))


def _world(*graphs: Graph):  # -> owlready2.World
    """A fresh owlready2 world holding the given graphs (owlready2 reads N-Triples, not Turtle)."""
    import owlready2

    world = owlready2.World()
    for number, graph in enumerate(graphs):
        text = graph.serialize(format="nt", encoding="utf-8")
        world.get_ontology(f"urn:catkg:input:{number}").load(fileobj=io.BytesIO(text), format="ntriples")
    return world


@contextmanager
def _quick_jvm() -> Iterator[None]:
    if "JAVA_TOOL_OPTIONS" in os.environ:
        yield
        return
    os.environ["JAVA_TOOL_OPTIONS"] = JVM_OPTIONS
    try:
        yield
    finally:
        os.environ.pop("JAVA_TOOL_OPTIONS", None)


def _run(world, inconsistent: Callable[[], ReasoningError]) -> None:
    """Run HermiT over ``world``; turn its failures into ReasoningError (``inconsistent`` builds that one)."""
    import owlready2

    try:
        with _LOCK, _quick_jvm():
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        raise inconsistent() from None
    except FileNotFoundError as err:
        raise ReasoningError(f"cannot run the reasoner: {err.filename or 'java'} not found; {JAVA_HINT}") from err
    except owlready2.OwlReadyJavaError as err:
        raise ReasoningError(f"the reasoner failed: {str(err).strip()[:2000]}") from err


def _hierarchy(graph) -> dict[str, set[str]]:
    """Each named class to all its named superclasses, itself included, from stated and inferred links."""
    parents: dict[str, set[str]] = {}
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef) and sup != OWL.Thing:
            parents.setdefault(str(sub), set()).add(str(sup))
    closure: dict[str, set[str]] = {}

    def up(cls: str) -> set[str]:
        if cls not in closure:
            closure[cls] = {cls}
            for parent in parents.get(cls, ()):
                closure[cls] |= up(parent)
        return closure[cls]

    for cls in list(parents):
        up(cls)
    return closure


def _inferred_types(graph, hierarchy: dict[str, set[str]], data: _Input) -> list[tuple[str, str]]:
    """Classes of each entity, after reasoning, that its input did not state."""
    inferred = []
    for entity, stated in sorted(data.types.items()):
        direct = {
            str(o)
            for o in graph.objects(URIRef(entity), RDF.type)
            if isinstance(o, URIRef) and o not in (OWL.NamedIndividual, OWL.Thing)
        }
        classes = set().union(*(hierarchy.get(c, {c}) for c in direct)) if direct else set()
        inferred += [(entity, cls) for cls in sorted(classes - stated)]
    return inferred


def _inferred_subclasses(hierarchy: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Named superclasses the reasoner entails for each of catkg's classes, less the ones written in catkg.ttl."""
    ontology = ontology_graph()
    inferred = []
    for cls in sorted(c for c in hierarchy if c.startswith(ONTOLOGY)):
        stated = {str(o) for o in ontology.objects(URIRef(cls), RDFS.subClassOf)} | {cls}
        inferred += [(cls, up) for up in sorted(hierarchy[cls] - stated)]
    return inferred


# ---------------------------------------------------------------- finding the entities to blame


def _probes(data: _Input) -> Graph:
    """One class per entity, P ⊑ {entity} ⊓ its stated types ⊓ ∃skos:broaderTransitive.{b} for each broader b.

    P can have a member only if the entity can exist as written; entities do not constrain each other (no
    axiom relates two of them), so the unsatisfiable probes are exactly the entities to blame.
    """
    g = Graph()
    for entity, classes in data.types.items():
        probe = URIRef(PROBE + entity.removeprefix(ENTITY))
        g.add((probe, RDF.type, OWL.Class))
        nominal, members = BNode(), BNode()
        g.add((nominal, RDF.type, OWL.Class))
        g.add((nominal, OWL.oneOf, members))
        Collection(g, members, [URIRef(entity)])
        g.add((probe, RDFS.subClassOf, nominal))
        for cls in classes:
            g.add((probe, RDFS.subClassOf, URIRef(cls)))
        for up in data.broader.get(entity, ()):
            restriction = BNode()
            g.add((restriction, RDF.type, OWL.Restriction))
            g.add((restriction, OWL.onProperty, SKOS.broaderTransitive))
            g.add((restriction, OWL.hasValue, URIRef(up)))
            g.add((probe, RDFS.subClassOf, restriction))
    return g


def _blame(data: _Input, alike: _Input, groups: dict[str, list[str]]) -> dict[str, str]:
    """The entities that cannot be as written, each with the reason in curators' words (probing one entity of
    each group of ``alike`` ones, and blaming every entity of a group whose probe fails)."""
    world = _world(ontology_graph(), _probes(alike))
    try:
        _run(world, lambda: ReasoningError("the ontology itself is inconsistent"))
        failed = [c.iri.removeprefix(PROBE) for c in world.inconsistent_classes() if c.iri.startswith(PROBE)]
        blamed = sorted(member.removeprefix(ENTITY) for one in failed for member in groups[ENTITY + one])
    finally:
        world.close()
    return {eid: explain(ENTITY + eid, data.types[ENTITY + eid], data.broader.get(ENTITY + eid, set())) for eid in blamed}


def _superclasses(cls: URIRef) -> set[URIRef]:
    return set(ontology_graph().transitive_objects(cls, RDFS.subClassOf))


def _disjoint_pairs() -> set[frozenset[URIRef]]:
    graph = ontology_graph()
    pairs = {frozenset((a, b)) for a, b in graph.subject_objects(OWL.disjointWith)}
    for axiom in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(Collection(graph, graph.value(axiom, OWL.members)))
        pairs |= {frozenset((a, b)) for a in members for b in members if a != b}
    return pairs


def anchored_classes() -> dict[str, URIRef]:
    """Entity IRI to the class it anchors (``entity:egfr-tki`` -> ``cat:EGFRTKI``)."""
    return {str(anchor): cls for cls, anchor in ontology_graph().subject_objects(CAT.anchorEntity)}


def explain(entity: str, types: set[str], broader: set[str]) -> str:
    """Why an entity cannot be as written: which two of its classes are disjoint, and where each comes from.

    Its classes come from its stated type and from its place (the classes anchored at it or above it).
    """
    anchors = anchored_classes()
    reasons = [(URIRef(t), "its type") for t in sorted(types) if t.startswith(ONTOLOGY)]
    reasons += [(anchors[b], f"its place under {b.removeprefix(ENTITY)!r}") for b in sorted(broader | {entity}) if b in anchors]
    pairs = _disjoint_pairs()
    for i, (first, why_first) in enumerate(reasons):
        for second, why_second in reasons[i:]:
            for a in sorted(_superclasses(first)):
                for b in sorted(_superclasses(second)):
                    if frozenset((a, b)) in pairs:
                        both = (
                            f"its types make it a {label(first)} and a {label(second)}"
                            if why_first == why_second
                            else f"{why_first} makes it a {label(first)}, {why_second} makes it a {label(second)}"
                        )
                        return (
                            f"{both}; "
                            f"but nothing is both a {label(a)} and a {label(b)} (cat:{_local(a)} and "
                            f"cat:{_local(b)} are disjoint): fix its type or its broader entities"
                        )
    found = ", ".join(f"{label(c)} ({why})" for c, why in reasons) or "no class"
    return f"its classes cannot all hold: {found}"


def _local(term: URIRef) -> str:
    return str(term).removeprefix(ONTOLOGY)

"""Check a built graph against the SHACL shapes of ``shapes.ttl`` with pyshacl.

Each violation is reported against the curated record it comes from (a fact, through its measurements,
evidence and selectors; an entity; a source) and the YAML field it concerns, so that a failed build says
which fact broke which constraint.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from rdflib import Graph, Namespace, URIRef
from rdflib.term import Node

from catkg.ontology import ENTITY, EVIDENCE, FACT, ONTOLOGY, SOURCE
from catkg.ontology.load import ontology_graph

SH = Namespace("http://www.w3.org/ns/shacl#")


class ShapeError(Exception):
    """The graph breaks SHACL shapes; ``violations`` lists every one."""

    def __init__(self, violations: list[Violation]):
        self.violations = sorted(violations)
        count = len(self.violations)
        super().__init__(f"{count} SHACL violation{'s' * (count != 1)} in the built graph:\n"
                         + "\n".join(f"  {v}" for v in self.violations))


@dataclass(frozen=True, order=True)
class Violation:
    """One result of a SHACL check, placed on the curated record it comes from."""

    section: str
    """``facts``, ``entities``, ``sources``, or ``graph`` for a node that is none of them."""
    record: str
    """The record's id (or the node's IRI)."""
    field: str
    """The YAML field, e.g. ``values[0].unit`` or ``quote``."""
    message: str
    constraint: str
    """The SHACL constraint component, e.g. ``sh:MinCountConstraintComponent``."""

    @property
    def kind(self) -> str:
        return {"facts": "fact", "entities": "entity", "sources": "source"}.get(self.section, "node")

    def __str__(self) -> str:
        return f"{self.kind} {self.record!r}: {self.field}: {self.message} ({self.constraint})"


@dataclass(frozen=True)
class ShapeReport:
    """A graph that conforms: how many nodes the shapes looked at, and how long it took."""

    focus_nodes: int
    seconds: float


def shapes_path() -> str:
    return str(files("catkg.ontology") / "shapes.ttl")


@cache
def shapes_graph() -> Graph:
    """The shapes, parsed once per process."""
    return Graph().parse(shapes_path(), format="turtle")


def check_shapes(ntriples: str | bytes) -> ShapeReport:
    """Validate a data graph (N-Triples) against the shapes, with the ontology beside it for class links.

    The data's types must already be materialized (the build writes every superclass), so no inference runs.

    :raises ShapeError: listing every violation, each naming its record, field and constraint.
    """
    import pyshacl

    started = time.perf_counter()
    data = Graph().parse(data=ntriples, format="nt")
    data += ontology_graph()  # as in the store, where the default graph holds both (pyshacl's ont_graph drops cat:slug)
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes_graph(), inference="none", advanced=False,
                                           allow_warnings=False)
    if not conforms:
        raise ShapeError([_violation(report, result) for result in report.subjects(SH.resultSeverity, SH.Violation)])
    targets = {t for shape in shapes_graph().subjects(SH.targetClass) for t in shapes_graph().objects(shape, SH.targetClass)}
    focus = sum(1 for cls in targets for _ in data.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), cls))
    return ShapeReport(focus, round(time.perf_counter() - started, 3))


def _violation(report: Graph, result: Node) -> Violation:
    focus = str(report.value(result, SH.focusNode))
    path = report.value(result, SH.resultPath)
    component = str(report.value(result, SH.sourceConstraintComponent)).replace(str(SH), "sh:")
    message = str(report.value(result, SH.resultMessage) or component)
    shape = report.value(result, SH.sourceShape)
    name = shapes_graph().value(shape, SH.name) if shape is not None else None
    field = str(name) if name is not None else (_local(path) if isinstance(path, URIRef) else "")
    section, record, field = _record(focus, field)
    return Violation(section, record, field, message, component)


def _local(term: URIRef) -> str:
    text = str(term)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if text.startswith(ONTOLOGY) or "#" in text else text


def _record(focus: str, field: str) -> tuple[str, str, str]:
    """The curated record and YAML field a focus node stands for (a measurement is a fact's ``values[i]``)."""
    if focus.startswith(EVIDENCE):
        return "facts", focus.removeprefix(EVIDENCE).split("#", 1)[0], field or "quote"
    if focus.startswith(FACT):
        fact, _, rest = focus.removeprefix(FACT).partition("/value/")
        if rest.isdigit():
            index = f"values[{int(rest) - 1}]"
            return "facts", fact, f"{index}.{field}" if field and field != "values" else index
        return "facts", fact, field
    if focus.startswith(ENTITY):
        return "entities", focus.removeprefix(ENTITY), field
    if focus.startswith(SOURCE):
        return "sources", focus.removeprefix(SOURCE), field
    return "graph", focus, field

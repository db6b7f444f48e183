"""Every constraint of shapes.ttl is enforced by the SPARQL compilation of the shapes (ontology/shacl.py).

For each compiled constraint, a fixture breaks it on one node of the curated graph (a value removed, added or
replaced), and the check must fail naming that node's record and the constraint; pyshacl writes the report.
"""

from __future__ import annotations

from functools import cache

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Store
from rdflib import URIRef

from catkg.ingest.to_rdf import DATA_GRAPH, data_quads
from catkg.ingest.validate import load_and_validate
from catkg.ontology.shacl import SH, Check, ShapeError, _Compiler, _record, check_shapes, compile_shapes, shapes_graph

XSD = "http://www.w3.org/2001/XMLSchema#"
CAT = "https://w3id.org/catkg/ontology#"
TYPE_PATH = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"


@cache
def triples() -> tuple:
    store = Store()
    store.bulk_extend(data_quads(load_and_validate()))
    return tuple(q.triple for q in store.quads_for_pattern(None, None, None, DATA_GRAPH))


def graph() -> Store:
    """The curated data graph as stored, with the ontology beside it for class links (as check_shapes reads it)."""
    store = Store()
    store.bulk_extend(Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples())
    return store


def ontology_and(store: Store) -> Store:
    from pyoxigraph import parse

    from catkg.ontology.load import ontology_path

    view = Store()
    view.bulk_extend(store.quads_for_pattern(None, None, None, DefaultGraph()))
    view.bulk_extend(
        Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in parse(path=ontology_path(), format=RdfFormat.TURTLE)
    )
    return view


def conforms(store: Store, node, shape_node) -> bool:
    """Whether ``node`` conforms to a (qualified value) shape, by the compiler's own pattern."""
    pattern = _Compiler(shapes_graph()).violated(shape_node, "?n")
    return not store.query(f"ASK {{ VALUES ?n {{ {node} }} FILTER EXISTS {{ {pattern} }} }}")


def property_shape(check: Check, component: str):
    """The property shape of ``check`` holding the constraint parameter of ``component``."""
    shapes = shapes_graph()
    shape = URIRef(check.shape.replace("catsh:", "https://w3id.org/catkg/shapes#"))
    key = {"QualifiedMinCount": SH.qualifiedMinCount, "QualifiedMaxCount": SH.qualifiedMaxCount}.get(component)
    for prop in shapes.objects(shape, SH.property):
        if str(shapes.value(prop, SH.path)) == check.path and (key is None or (prop, key, None) in shapes):
            if key is None or (prop, SH.qualifiedValueShape, None) in shapes:
                yield prop


def first_focus(store: Store, check: Check, having: bool) -> NamedNode:
    targets = " ".join(f"<{t}>" for t in check.targets)
    need = f"?f <{check.path}> ?any ." if having else ""
    rows = list(
        store.query(f"SELECT ?f WHERE {{ VALUES ?t {{ {targets} }} ?f {TYPE_PATH} ?t . {need} }} ORDER BY STR(?f) LIMIT 1")
    )
    assert rows, f"no node to break {check}"
    return rows[0][0]


def values(store: Store, node, path: str) -> list:
    return [q.object for q in store.quads_for_pattern(node, NamedNode(path), None, DefaultGraph())]


def replace(store: Store, node, path: str, value) -> None:
    for old in values(store, node, path):
        store.remove(Quad(node, NamedNode(path), old, DefaultGraph()))
    if value is not None:
        store.add(Quad(node, NamedNode(path), value, DefaultGraph()))


def others(store: Store, path: str, besides: list) -> list:
    """Values of ``path`` anywhere in the graph (or a fresh string) that ``besides`` does not hold."""
    found = list(
        dict.fromkeys(
            q.object for q in store.quads_for_pattern(None, NamedNode(path), None, DefaultGraph()) if q.object not in besides
        )
    )
    return found + [Literal(f"extra {i}") for i in range(3)]


def break_it(store: Store, check: Check) -> NamedNode:
    """Break ``check`` on one node of ``store``; return the node."""
    component = check.component.removeprefix("sh:").removesuffix("ConstraintComponent")
    path = check.path
    if check.shape == "catsh:MeasurementShape" and component == "Or" and not path:
        node = first_focus(store, check, having=False)
        replace(store, node, CAT + "unit", None)
        replace(store, node, CAT + "measure", Literal("count"))
        return node
    if component in ("MinCount", "QualifiedMinCount") and path.endswith("#type"):
        node = first_focus(store, check, having=True)
        view = ontology_and(store)
        qualified = shapes_graph().value(next(property_shape(check, component)), SH.qualifiedValueShape)
        for value in values(store, node, path):
            if conforms(view, value, qualified) and value.value not in check.targets:
                store.remove(Quad(node, NamedNode(path), value, DefaultGraph()))
        return node
    node = first_focus(store, check, having=component not in ("MaxCount", "QualifiedMaxCount"))
    current = values(store, node, path)
    if component == "MinCount":
        replace(store, node, path, None)
    elif component == "QualifiedMinCount":
        view = ontology_and(store)
        qualified = shapes_graph().value(next(property_shape(check, component)), SH.qualifiedValueShape)
        for value in current:
            if conforms(view, value, qualified):
                store.remove(Quad(node, NamedNode(path), value, DefaultGraph()))
    elif component == "MaxCount":
        for value in others(store, path, current)[:2]:
            store.add(Quad(node, NamedNode(path), value, DefaultGraph()))
    elif component == "QualifiedMaxCount":
        view = ontology_and(store)
        qualified = shapes_graph().value(next(property_shape(check, component)), SH.qualifiedValueShape)
        extra = next(v for v in others(store, path, current) if conforms(view, v, qualified))
        store.add(Quad(node, NamedNode(path), extra, DefaultGraph()))
    elif component == "Datatype":
        wrong = (
            Literal("1", datatype=NamedNode(XSD + "integer"))
            if "string" in str(shapes_graph().value(next(property_shape(check, component)), SH.datatype))
            else Literal("not a number")
        )
        replace(store, node, path, wrong)
    elif component in ("NodeKind", "In"):
        replace(store, node, path, Literal("not allowed"))
    elif component == "Class":
        replace(store, node, path, NamedNode("https://example.org/not-of-the-class"))
    elif component == "MinLength":
        replace(store, node, path, Literal(""))
    elif component == "MinInclusive":
        replace(store, node, path, Literal("-5", datatype=NamedNode(XSD + "integer")))
    elif component == "Or":
        replace(store, node, path, Literal("1.5", datatype=NamedNode(XSD + "decimal")))
    elif component == "LessThan":
        (end,) = values(store, node, "http://www.w3.org/ns/oa#end")
        replace(store, node, path, end)
    else:
        pytest.fail(f"no fixture breaks {check.component}")
    return node


def test_every_constraint_of_the_shapes_is_compiled() -> None:
    """Each constraint parameter of every property shape in shapes.ttl has its query."""
    shapes = shapes_graph()
    compiled = {(c.shape, c.path, c.component) for c in compile_shapes()}
    params = {
        SH.minCount: "MinCount",
        SH.maxCount: "MaxCount",
        SH.datatype: "Datatype",
        SH.nodeKind: "NodeKind",
        SH["class"]: "Class",
        SH["in"]: "In",
        SH.minLength: "MinLength",
        SH.minInclusive: "MinInclusive",
        SH.lessThan: "LessThan",
        SH["or"]: "Or",
        SH.qualifiedMinCount: "QualifiedMinCount",
        SH.qualifiedMaxCount: "QualifiedMaxCount",
        SH.hasValue: "HasValue",
    }
    expected = set()
    for shape in set(shapes.subjects(SH.targetClass)):
        name = str(shape).replace("https://w3id.org/catkg/shapes#", "catsh:")
        for prop in [shape, *shapes.objects(shape, SH.property)]:
            path = str(shapes.value(prop, SH.path) or "")
            for key, component in params.items():
                if (prop, key, None) in shapes and not (key == SH.minCount and shapes.value(prop, key).value == 0):
                    expected.add((name, path, f"sh:{component}ConstraintComponent"))
    assert expected == compiled


@pytest.mark.parametrize("check", compile_shapes(), ids=lambda c: f"{c.shape}-{c.path.rsplit('/', 1)[-1]}-{c.component}")
def test_each_constraint_fails_the_check_naming_the_record(check: Check) -> None:
    store = graph()
    node = break_it(store, check)
    section, record, _ = _record(node.value, "")
    data = store.dump(format=RdfFormat.N_TRIPLES, from_graph=DefaultGraph())
    with pytest.raises(ShapeError) as caught:
        check_shapes(data)
    found = [(v.section, v.record, v.constraint) for v in caught.value.violations]
    assert (section, record, check.component) in found, found


def test_a_shape_the_compiler_does_not_know_is_checked_by_pyshacl(monkeypatch: pytest.MonkeyPatch) -> None:
    from catkg.ontology import shacl

    def unsupported() -> tuple[Check, ...]:
        raise shacl.UnsupportedShape("a feature the compiler does not translate")

    monkeypatch.setattr(shacl, "compile_shapes", unsupported)
    store = graph()
    node = break_it(store, next(c for c in compile_shapes() if c.component == "sh:MinLengthConstraintComponent"))
    with pytest.raises(ShapeError) as caught:
        check_shapes(store.dump(format=RdfFormat.N_TRIPLES, from_graph=DefaultGraph()))
    assert [v.record for v in caught.value.violations] == [_record(node.value, "")[1]]


def split(data: bytes, parts: int) -> tuple[bytes, list[bytes]]:
    """The graph as a build hands it to the check: the records (sources, entities), then chunks of facts, each
    holding every triple of its facts' nodes (ingest/to_rdf.py)."""
    from catkg.ontology import EVIDENCE, FACT

    records, facts = [], {}
    for line in data.splitlines(keepends=True):
        subject = line.split(b" ", 1)[0].decode().strip("<>")
        if subject.startswith((FACT, EVIDENCE)):
            fact = subject.removeprefix(FACT).removeprefix(EVIDENCE).split("/")[0].split("#")[0]
            facts.setdefault(fact, []).append(line)
        else:
            records.append(line)
    ids = sorted(facts)
    chunks = [b"".join(line for fact in ids[i::parts] for line in facts[fact]) for i in range(parts)]
    return b"".join(records), chunks


@pytest.mark.parametrize("check", compile_shapes(), ids=lambda c: f"{c.shape}-{c.path.rsplit('/', 1)[-1]}-{c.component}")
def test_each_constraint_fails_the_check_chunk_by_chunk_too(check: Check, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build checks the records once and the facts in batches (several here): the same violations."""
    from catkg.ontology import shacl

    monkeypatch.setattr(shacl, "BATCH_BYTES", 1)  # each chunk its own batch, records' types beside it
    store = graph()
    node = break_it(store, check)
    section, record, _ = _record(node.value, "")
    records, chunks = split(store.dump(format=RdfFormat.N_TRIPLES, from_graph=DefaultGraph()), 5)
    with pytest.raises(ShapeError) as caught:
        check_shapes(records, chunks)
    found = [(v.section, v.record, v.constraint) for v in caught.value.violations]
    assert (section, record, check.component) in found, found


def test_the_chunked_check_sees_every_focus_node_once() -> None:
    data = graph().dump(format=RdfFormat.N_TRIPLES, from_graph=DefaultGraph())
    records, chunks = split(data, 7)
    assert check_shapes(records, chunks).focus_nodes == check_shapes(data).focus_nodes > 1000


def test_batches_checked_in_worker_processes_find_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Large batches go to worker processes (the build's case): the same focus nodes, and a violation found in
    a worker comes back as the ShapeError naming its record, as when checked here."""
    from catkg.ontology import shacl

    data = graph().dump(format=RdfFormat.N_TRIPLES, from_graph=DefaultGraph())
    records, chunks = split(data, 4)
    here = check_shapes(records, chunks).focus_nodes
    monkeypatch.setattr(shacl, "BATCH_BYTES", 1)
    monkeypatch.setattr(shacl, "PROCESS_BYTES", 1)  # every batch to a worker
    assert check_shapes(records, chunks).focus_nodes == here > 1000
    check = next(c for c in compile_shapes() if c.shape == "catsh:FactShape" and c.component.startswith("sh:MinCount"))
    store = graph()
    node = break_it(store, check)
    records, chunks = split(store.dump(format=RdfFormat.N_TRIPLES, from_graph=DefaultGraph()), 4)
    with pytest.raises(ShapeError) as caught:
        check_shapes(records, chunks)
    assert (_record(node.value, "")[1], check.component) in [(v.record, v.constraint) for v in caught.value.violations]

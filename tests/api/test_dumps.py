"""Dumps: every format holds the same graph (compared by isomorphism after an rdflib round trip), N-Quads keeps the
named graphs, `catkg export` writes the same data, and each dump is written once per store generation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from catkg.api.dumps import DUMP_FORMATS, dump_file

RDFLIB = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}


@pytest.fixture(scope="module")
def reference(store) -> Graph:
    """The store's union graph, read triple by triple (not through any serializer under test)."""
    graph = Graph()
    for s, p, o in store.query("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"):
        graph.add(tuple(to_rdflib(t) for t in (s, p, o)))
    return graph


def to_rdflib(term):
    from pyoxigraph import BlankNode, Literal, NamedNode
    from rdflib import BNode, URIRef
    from rdflib import Literal as RdflibLiteral

    if isinstance(term, NamedNode):
        return URIRef(term.value)
    if isinstance(term, BlankNode):
        return BNode(term.value)
    assert isinstance(term, Literal)
    if term.language:
        return RdflibLiteral(term.value, lang=term.language)
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return RdflibLiteral(term.value)  # a simple literal: rdflib and RDF 1.1 say the same thing without a datatype
    return RdflibLiteral(term.value, datatype=URIRef(term.datatype.value))


@pytest.mark.parametrize("ext", list(RDFLIB))
def test_every_triple_format_holds_the_same_graph(client, reference: Graph, ext: str) -> None:
    response = client.get(f"/dumps/catkg.{ext}")
    assert response.status_code == 200
    assert response.headers["content-type"] == DUMP_FORMATS[ext][1]
    parsed = Graph().parse(data=response.content, format=RDFLIB[ext])
    assert len(parsed) == len(reference)
    assert isomorphic(parsed, reference)


def test_nquads_keeps_the_named_graphs(client, store, reference: Graph) -> None:
    dataset = Dataset()
    dataset.parse(data=client.get("/dumps/catkg.nq").content, format="nquads")
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    expected = {row[0].value for row in store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert names == expected
    union = Graph()
    for name in expected:
        in_store = Graph()
        for row in store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"):
            in_store.add(tuple(to_rdflib(t) for t in row))
        dumped = Graph()
        for triple in dataset.graph(name):
            dumped.add(triple)
            union.add(triple)
        assert isomorphic(dumped, in_store), name
    assert isomorphic(union, reference)


def test_dump_written_once_per_generation(client, store) -> None:
    client.get("/dumps/catkg.ttl")
    path = dump_file(store, "ttl")
    assert path.parent == store.directory / "dumps"
    written = path.stat()
    assert client.get("/dumps/catkg.ttl").content == path.read_bytes()
    again = path.stat()
    assert (again.st_ino, again.st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    assert not list(path.parent.glob(".*partial"))


def test_unknown_dump_is_404(client) -> None:
    response = client.get("/dumps/catkg.xlsx")
    assert response.status_code == 404 and "catkg.ttl" in response.json()["error"]["message"]


@pytest.mark.parametrize("ext", ["ttl", "nq", "jsonld"])
def test_export_writes_the_same_as_the_dump(client, store_path: Path, tmp_path: Path, ext: str) -> None:
    out = tmp_path / f"graph.{ext}"
    result = subprocess.run(
        [sys.executable, "-m", "catkg.api.cli", "export", "--store", str(store_path), "--format", ext, "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and "wrote" in result.stderr
    served = client.get(f"/dumps/catkg.{ext}").content
    if ext == "nq":
        exported, dumped = Dataset(), Dataset()
        exported.parse(out, format="nquads")
        dumped.parse(data=served, format="nquads")
        names = {g.identifier for g in dumped.graphs() if len(g)}
        assert names == {g.identifier for g in exported.graphs() if len(g)}
        assert all(isomorphic(exported.graph(n), dumped.graph(n)) for n in names)
    else:
        assert isomorphic(Graph().parse(out, format=RDFLIB[ext]), Graph().parse(data=served, format=RDFLIB[ext]))
    piped = subprocess.run(
        [sys.executable, "-m", "catkg.api.cli", "export", "--store", str(store_path), "--format", ext],
        capture_output=True,
        timeout=120,
    )
    assert piped.returncode == 0 and piped.stdout == out.read_bytes()

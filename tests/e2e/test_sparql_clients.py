"""Standard SPARQL clients pointed at a real `catkg serve`: SPARQLWrapper and rdflib, in every result format."""

from __future__ import annotations

import csv
import io
import xml.dom.minidom

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

PREFIX = "PREFIX cat: <https://w3id.org/catkg/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#> "
QUOTES = PREFIX + "SELECT ?fact ?quote WHERE { ?fact cat:hasEvidence/oa:hasSelector/oa:exact ?quote }"
STATEMENTS = PREFIX + "CONSTRUCT { ?f cat:statement ?s } WHERE { ?f cat:statement ?s }"


def wrapper(server: str, query: str, fmt: str, method: str = "GET") -> object:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client.query().convert()


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_select_json(server: str, store, method: str) -> None:
    bindings = wrapper(server, QUOTES, JSON, method)["results"]["bindings"]
    assert len(bindings) == store.info["counts"]["facts"]
    assert all(b["fact"]["type"] == "uri" and b["quote"]["value"] for b in bindings)


def test_sparqlwrapper_select_xml(server: str, store) -> None:
    document = wrapper(server, QUOTES, XML)
    assert isinstance(document, xml.dom.minidom.Document)
    assert len(document.getElementsByTagName("result")) == store.info["counts"]["facts"]


@pytest.mark.parametrize("fmt,delimiter", [(CSV, ","), (TSV, "\t")])
def test_sparqlwrapper_select_csv_tsv(server: str, store, fmt: str, delimiter: str) -> None:
    text = wrapper(server, QUOTES, fmt).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert [c.lstrip("?") for c in rows[0]] == ["fact", "quote"]
    assert len([r for r in rows[1:] if r]) == store.info["counts"]["facts"]


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(server: str, fmt: str) -> None:
    yes = wrapper(server, PREFIX + "ASK { ?f a cat:Fact }", fmt)
    no = wrapper(server, PREFIX + "ASK { ?f a cat:NoSuchClass }", fmt)
    if fmt == JSON:
        assert (yes["boolean"], no["boolean"]) == (True, False)
    else:
        assert [d.getElementsByTagName("boolean")[0].firstChild.data for d in (yes, no)] == ["true", "false"]


@pytest.mark.parametrize(
    "fmt,method", [(TURTLE, "GET"), (N3, "GET"), (RDFXML, "GET"), (JSONLD, "GET"), (XML, "GET"), (TURTLE, POST)]
)
def test_sparqlwrapper_construct(server: str, store, fmt: str, method: str) -> None:
    result = wrapper(server, STATEMENTS, fmt, method)
    graph = result if isinstance(result, Graph) else Graph().parse(data=result, format={TURTLE: "turtle", N3: "n3"}[fmt])
    assert len(graph) == store.info["counts"]["facts"]
    assert all(isinstance(o, Literal) for o in graph.objects())


def test_sparqlwrapper_describe(server: str) -> None:
    graph = Graph().parse(
        data=wrapper(server, "DESCRIBE <https://w3id.org/catkg/entity/pulmonary-embolism>", TURTLE), format="turtle"
    )
    subject = URIRef("https://w3id.org/catkg/entity/pulmonary-embolism")
    assert (subject, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("pulmonary embolism")) in graph


@pytest.mark.parametrize("return_format", ["json", "xml", "csv", "tsv"])
def test_rdflib_sparqlstore(server: str, store, return_format: str) -> None:
    graph = Graph(SPARQLStore(f"{server}/sparql", returnFormat=return_format))
    rows = list(graph.query(QUOTES))
    assert len(rows) == store.info["counts"]["facts"]
    assert all(str(quote) for _, quote in rows)
    if return_format in ("json", "xml"):  # the CSV and TSV results formats define no boolean (ASK) result
        assert graph.query(PREFIX + "ASK { ?f a cat:Fact }").askAnswer is True


def test_rdflib_sparqlstore_construct_and_triples(server: str, store) -> None:
    graph = Graph(SPARQLStore(f"{server}/sparql"))
    constructed = graph.query(STATEMENTS).graph
    assert len(constructed) == store.info["counts"]["facts"]
    statement = URIRef("https://w3id.org/catkg/ontology#statement")
    assert len(list(graph.triples((None, statement, None)))) == store.info["counts"]["facts"]

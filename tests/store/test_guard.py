"""The SPARQL lexer that screens queries: keywords in strings, IRIs and comments are text; the keywords are not."""

from __future__ import annotations

import doctest

import pytest
from pyoxigraph import Store

from catkg.store import guard
from catkg.store.guard import MAX_DEPTH, RefusedQuery, screen

PREFIXES = "PREFIX cat: <https://w3id.org/catkg/ontology#>\nPREFIX ex: <http://example.org/>\n"


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://example.org/sparql> { }" }',
        "SELECT * WHERE { ?s ?p 'INSERT DATA { <a:b> <a:c> <a:d> }' }",
        'SELECT * WHERE { ?s ?p """multi\nline SERVICE and DROP ALL""" }',
        "SELECT * WHERE { ?s ?p '''it''s a ''SERVICE'' clause''' }",
        'SELECT * WHERE { ?s ?p "escaped \\" SERVICE \\" quote" }',
        "SELECT * WHERE { ?s <http://example.org/SERVICE/INSERT#DELETE> ?o }",
        "# SERVICE <http://example.org/> and INSERT in a comment\nSELECT * WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p ?o } # trailing comment: DROP ALL",
        "SELECT ?service ?insert $delete WHERE { ?service ?insert $delete }",
        PREFIXES + "SELECT * WHERE { ?s ex:service ex:SERVICE ; ex:myService ?o }",
        PREFIXES + "SELECT * WHERE { ?s ?p ?o FILTER(LANG(?o) = 'en') } ",
        'SELECT * WHERE { ?s ?p "x"@service }',
        "SELECT * WHERE { _:service ?p ?o }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",
    ],
)
def test_keywords_inside_text_do_not_count(text: str) -> None:
    assert screen(text).form == "select"
    list(Store().query(text))  # and the engine runs it: nothing here is a keyword to it either


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SeRvIcE<http://example.org/sparql>{ ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o SERVICE ?endpoint { ?a ?b ?c } }",
        # Oxigraph reads a keyword without a word boundary and backtracks: each of these reaches the network.
        "PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { service:x { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p 1SERVICE<http://example.org/sparql>{} }",
        "SELECT * WHERE { ?s ?p ?o .SERVICE<http://example.org/sparql>{} }",
        "SELECT * WHERE { ?s ?p ?o SERVICESILENT<http://example.org/sparql>{} }",
        "SELECT * WHERE {\n  # a comment ends at the line end\n  SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        'SELECT * WHERE { ?s ?p "unterminated\n SERVICE <http://example.org/> {} }',
    ],
)
def test_service_is_refused(text: str) -> None:
    with pytest.raises(RefusedQuery) as refused:
        screen(text)
    assert refused.value.reason == "service"
    assert "line" in refused.value.message and "column" in refused.value.message


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        PREFIXES + "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <http://a>",
        "CREATE GRAPH <http://a>",
        "ADD DEFAULT TO <http://a>",
        "MOVE DEFAULT TO <http://a>",
        "COPY DEFAULT TO <http://a>",
        "WITH <http://a> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <http://a> <http://b> <http://c> }",
    ],
)
def test_updates_are_refused(text: str) -> None:
    with pytest.raises(RefusedQuery) as refused:
        screen(text)
    assert refused.value.reason == "update"


@pytest.mark.parametrize("opening,closing", [("{", "}"), ("(", ")"), ("[ <http://p> ", "]")])
def test_nesting_is_bounded(opening: str, closing: str) -> None:
    def nested(depth: int) -> str:
        if opening == "{":
            return "SELECT * WHERE " + "{" * depth + "}" * depth
        if opening == "(":
            return "SELECT (" + "(" * (depth - 1) + "1" + ")" * (depth - 1) + " AS ?x) {}"
        return "SELECT * WHERE { ?s <http://p> " + opening * (depth - 1) + "1 " + closing * (depth - 1) + "}"

    assert screen(nested(MAX_DEPTH)).depth == MAX_DEPTH
    with pytest.raises(RefusedQuery) as refused:
        screen(nested(MAX_DEPTH + 1))
    assert refused.value.reason == "nesting"
    with pytest.raises(RefusedQuery):
        screen(nested(100_000))


def test_nested_sub_selects_count_too() -> None:
    inner = "SELECT ?s WHERE { ?s ?p ?o }"
    for _ in range(40):
        inner = f"SELECT ?s WHERE {{ {{ {inner} }} }}"
    with pytest.raises(RefusedQuery) as refused:
        screen(inner)
    assert refused.value.reason == "nesting"


def test_brackets_in_strings_do_not_nest() -> None:
    assert screen('SELECT * WHERE { ?s ?p "' + "{(" * 1000 + '" }').depth == 1


@pytest.mark.parametrize(
    "text,form,dataset",
    [
        (PREFIXES + "SELECT * WHERE { ?s ?p ?o }", "select", False),
        ("BASE <http://example.org/> ASK { ?s ?p ?o }", "ask", False),
        (PREFIXES + "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "construct", False),
        ("DESCRIBE <http://example.org/x>", "describe", False),
        ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", "select", True),
        ("SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "select", True),
        ("SELEKT * WHERE { ?s ?p ?o }", None, False),
    ],
)
def test_query_form_and_dataset(text: str, form: str | None, dataset: bool) -> None:
    screened = screen(text)
    assert (screened.form, screened.dataset) == (form, dataset)


def test_length_is_bounded() -> None:
    with pytest.raises(RefusedQuery) as refused:
        screen("#" + "a" * 300_000 + "\nASK {}")
    assert refused.value.reason == "length"


def test_docstring_examples() -> None:
    assert doctest.testmod(guard, optionflags=doctest.ELLIPSIS).failed == 0

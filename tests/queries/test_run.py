"""Named queries: headers parse, parameters are bound as terms (never pasted), results are plain values."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode

from catkg.queries.facts import NotFound, get_fact, list_facts
from catkg.queries.run import QueryError, bind, named_queries, parse_header, run


def test_every_query_has_a_header_and_parameters_have_a_where_group() -> None:
    assert named_queries()
    for name, query in named_queries().items():
        assert query.title and query.description, name
        if query.parameters:  # parameters are bound in a VALUES block at the top of the WHERE group
            assert "WHERE {" in query.text.replace("WHERE{", "WHERE {"), name


def test_a_malformed_query_file_is_a_server_error_not_a_client_one() -> None:
    from catkg.queries.run import QueryFileError

    with pytest.raises(QueryFileError) as caught:
        parse_header("x", "SELECT * WHERE { }")
    assert not isinstance(caught.value, QueryError)


def test_header_parameters() -> None:
    query = parse_header(
        "x",
        "# x: A title.\n# Why: because.\n# Parameters: ?a (IRI, optional) first; ?b (string) "
        "second.\n# Returns: ?c.\nSELECT ?c WHERE { }",
    )
    assert query.title == "A title."
    assert [(p.name, p.kind, p.optional) for p in query.parameters] == [("a", "IRI", True), ("b", "string", False)]


def test_bind_uses_term_serialization() -> None:
    hostile = 'x" } ; DROP ALL ; { "'
    text = bind("SELECT * WHERE { ?s ?p ?q }", [{"q": Literal(hostile), "s": None}])
    assert 'VALUES (?q ?s) { ("x\\" } ; DROP ALL ; { \\"" UNDEF) }' in text


def test_hostile_text_parameter_is_just_text(store) -> None:
    assert list_facts(store, q='" } UNION { ?fact ?p ?o } #').total == 0


def test_invalid_iri_is_refused(store) -> None:
    with pytest.raises(QueryError, match="not a valid IRI"):
        run(store, "facts", {"entity": "not an iri>"})


def test_missing_required_parameter(store) -> None:
    with pytest.raises(QueryError, match="needs parameter"):
        run(store, "fact_details", {})


def test_facts_filters_compose(store) -> None:
    everything = list_facts(store, limit=1000)
    assert everything.total == store.info["counts"]["facts"]
    for item in everything.items[:20]:
        fact = get_fact(store, item["id"])
        assert fact == item
        by_kind = list_facts(store, kind=fact["kind"], limit=1000)
        assert fact["id"] in [i["id"] for i in by_kind.items]
        assert all(i["kind"] == fact["kind"] for i in by_kind.items)
        by_entity = list_facts(store, entity=fact["subject"]["id"], limit=1000)
        assert fact["id"] in [i["id"] for i in by_entity.items]


def test_entity_filter_includes_narrower_entities(store) -> None:
    rows = run(store, "facts", {})
    assert rows
    narrower = store.query("""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX cat: <https://w3id.org/catkg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?fid ?bid WHERE { ?f cat:hasObject ?o ; dcterms:identifier ?fid . ?o skos:broader ?b .
        ?b dcterms:identifier ?bid } LIMIT 1""")
    row = next(iter(narrower), None)
    if row is None:
        pytest.skip("the curated data has no fact about an entity with a broader one")
    ids = [i["id"] for i in list_facts(store, entity=row["bid"].value, limit=1000).items]
    assert row["fid"].value in ids


def test_unknown_fact_id_raises(store) -> None:
    with pytest.raises(NotFound):
        get_fact(store, "no-such-fact")


def test_named_node_passes_through() -> None:
    assert "<http://example.com/a>" in bind("SELECT * WHERE { }", [{"a": NamedNode("http://example.com/a")}])

"""`catkg query` and `catkg export`, run for real: results on stdout, errors on stderr with a non-zero status."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from cli_runner import catkg

from catkg.queries.run import named_queries


def test_query_by_name_file_and_text_agree(store_path: Path, tmp_path: Path) -> None:
    by_name = catkg("query", "--store", str(store_path), "--name", "facts_by_kind", "--format", "json")
    assert by_name.returncode == 0, by_name.stderr
    rows = json.loads(by_name.stdout)["results"]["bindings"]
    assert rows and {"kind", "facts"} <= set(rows[0])
    text = named_queries()["facts_by_kind"].text
    (tmp_path / "kinds.rq").write_text(text, encoding="utf-8")
    by_file = catkg("query", "--store", str(store_path), str(tmp_path / "kinds.rq"), "--format", "json")
    by_text = catkg("query", "--store", str(store_path), "-e", text, "--format", "json")
    assert json.loads(by_file.stdout) == json.loads(by_text.stdout) == json.loads(by_name.stdout)


def test_query_formats(store_path: Path, store) -> None:
    table = catkg("query", "--store", str(store_path), "-e", "SELECT ?n WHERE { VALUES ?n { 1 2 3 } }")
    assert table.stdout.split() == ["n", "1", "2", "3"] and "3 rows" in table.stderr
    as_csv = catkg("query", "--store", str(store_path), "-e", "SELECT ?n WHERE { VALUES ?n { 1 2 } }", "--format", "csv")
    assert list(csv.reader(io.StringIO(as_csv.stdout))) == [["n"], ["1"], ["2"]]
    ask = catkg("query", "--store", str(store_path), "-e", "ASK { ?s ?p ?o }")
    assert ask.stdout.strip() == "true"
    graph = catkg("query", "--store", str(store_path), "--name", "describe_pulmonary_embolism")
    assert graph.returncode == 0 and "<https://w3id.org/catkg/entity/pulmonary-embolism>" in graph.stdout
    nt = catkg("query", "--store", str(store_path), "--name", "describe_pulmonary_embolism", "--format", "ntriples")
    assert all(line.endswith(" .") for line in nt.stdout.splitlines())


def test_query_parameters_are_bound_by_their_declared_kind(store_path: Path) -> None:
    result = catkg(
        "query", "--store", str(store_path), "--name", "entity_ancestors", "-p", "entity=osimertinib", "--format", "json"
    )
    labels = {b["label"]["value"] for b in json.loads(result.stdout)["results"]["bindings"]}
    assert labels == {"osimertinib"}
    bad = catkg("query", "--store", str(store_path), "--name", "entity_ancestors", "-p", "entity=<x> } DROP ALL")
    assert bad.returncode == 1 and "not a valid entity" in bad.stderr
    unknown = catkg("query", "--store", str(store_path), "--name", "entity_ancestors", "-p", "colour=red")
    assert unknown.returncode == 1 and "no parameter colour" in unknown.stderr


def test_query_errors(store_path: Path) -> None:
    for args, words in [
        (["-e", "SELEKT * {}"], "SPARQL syntax error"),
        (["-e", "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"], "SERVICE is refused"),
        (["-e", "DROP ALL"], "read-only"),
        (["--name", "no_such_query"], "unknown query"),
        ([], "exactly one of"),
    ]:
        result = catkg("query", "--store", str(store_path), *args)
        assert result.returncode == 1 and words in result.stderr and "Traceback" not in result.stderr, args
        assert result.stdout == ""


def test_query_time_limit(store_path: Path) -> None:
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    result = catkg("query", "--store", str(store_path), "--timeout", "1", "-e", runaway)
    assert result.returncode == 1 and "ran out of time" in result.stderr
    by_env = catkg("query", "--store", str(store_path), "-e", runaway, env={"CATKG_SPARQL_TIMEOUT": "1"})
    assert by_env.returncode == 1 and "limit is 1 s" in by_env.stderr

"""/ontology for people and programs, the KGX dumps, and the CLI commands that write the export and the doc."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup
from rdflib import Graph


def test_ontology_page_lists_classes_with_counts(client) -> None:
    response = client.get("/ontology", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = BeautifulSoup(response.text, "html.parser")
    row = page.select_one("tr#cat-TargetedTherapy")
    assert row is not None and "targeted-therapy" in row.text
    assert int(row.select("td.num")[0].text) >= 4
    assert page.select_one("tr#cat-hasSubject") is not None
    assert "inferred" in page.select_one("p.note").text


def test_ontology_iri_answers_turtle(client) -> None:
    response = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    assert len(graph) > 500
    assert client.get("/ontology", headers={"Accept": "application/json"}).status_code == 406


def test_kgx_dumps(client, store) -> None:
    nodes = client.get("/dumps/catkg-kgx-nodes.tsv")
    edges = client.get("/dumps/catkg-kgx-edges.tsv")
    assert nodes.headers["content-type"].startswith("text/tab-separated-values")
    assert len(nodes.text.splitlines()) == store.info["counts"]["entities"] + 1
    assert len(edges.text.splitlines()) == store.info["counts"]["facts"] + 1


def catkg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "catkg.api.cli", *args], capture_output=True, text=True, timeout=120)


def test_cli_kgx_and_ontology_doc(store_path: Path, tmp_path: Path) -> None:
    result = catkg("kgx", "--store", str(store_path), "--output", str(tmp_path / "kgx"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "kgx" / "catkg-kgx-nodes.tsv").is_file() and (tmp_path / "kgx" / "catkg-kgx-edges.tsv").is_file()
    result = catkg("ontology-doc", "--store", str(store_path), "--output", str(tmp_path / "ontology.md"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "ontology.md").read_text().startswith("# The catkg ontology")
    missing = catkg("kgx", "--store", str(tmp_path / "none"), "--output", str(tmp_path / "x"))
    assert missing.returncode == 1 and "no store" in missing.stderr and "Traceback" not in missing.stderr

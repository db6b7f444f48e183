"""A new article, from its JATS or plain-text file to served, cited facts: `catkg source add`, `catkg source draft`,
a curator's review of the draft, `catkg ground`, `catkg build`, `catkg serve` on loopback, then /api/facts,
/api/search, /api/sources, /api/completeness and /sparql.

Everything runs for real on a copy of the curation in a temporary folder: the commands as subprocesses, the store
on disk, the server on a free loopback port.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml
from conftest import free_port, start_server

from catkg.ingest.validate import curated_root, sources_root

JATS = Path(__file__).resolve().parents[1] / "ingest" / "fixtures" / "new-article.jats.xml"
CHEMO = "Chemotherapy significantly heightens the risk of thrombosis in individuals with lung cancer, increasing the likelihood by 2–6 times [21]."
SURGERY = (
    "Surgical interventions in lung cancer are associated with a significantly elevated risk of thromboembolism, "
    "approximately threefold higher compared to non-surgical patients."
)


def catkg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "catkg.api.cli", *args], capture_output=True, text=True, timeout=600)


def curators_facts(source: str) -> str:
    """What a curator writes after reading the new text: two facts quoting it verbatim, in the canonical style."""
    return f'''facts:
  - id: fixture-chemotherapy-thrombosis-2-6-times
    kind: relative-risk
    statement: "In the new article, chemotherapy raises the thrombosis risk of people with lung cancer 2 to 6 times."
    subject: chemotherapy
    predicate: "raises the risk of"
    object: thrombosis
    values:
      - value: 2
        upper: 6
        as_written: "2–6 times"
        unit: "times"
        measure: ratio
    source: {source}
    quote: "{CHEMO}"
    citations: ["[21]"]
    study_design: unspecified
    evidence_level: cited-study
    direction: supports
    population: "individuals with lung cancer"

  - id: fixture-surgery-thromboembolism-threefold
    kind: relative-risk
    statement: "In the new article, lung cancer surgery raises the thromboembolism risk about threefold."
    subject: surgery
    predicate: "raises the risk of"
    object: thromboembolism
    values:
      - value: 3
        as_written: "approximately threefold"
        unit: "times"
        measure: ratio
        comparator: "~"
    source: {source}
    quote: "{SURGERY}"
    study_design: review
    evidence_level: review-statement
    direction: supports
    compared_with: "non-surgical patients"
'''


def plain_text(folder: Path) -> Path:
    """A plain-text article: a title line, then the review's section title and its two paragraphs, as they are."""
    lines = (sources_root() / "002_7e3217616b27ac64.txt").read_text(encoding="utf-8").split("\n")
    path = folder / "new-article.txt"
    path.write_text(
        "Anti-tumour therapies and thrombosis: a plain-text fixture\n\n" + "\n".join(lines[24:28]) + "\n", encoding="utf-8"
    )
    return path


@pytest.mark.parametrize(("kind", "references"), [("jats", 3), ("text", 0)])
def test_a_new_article_is_served_with_its_cited_facts(kind: str, references: int, tmp_path: Path) -> None:
    curated, sources = tmp_path / "ingest" / "curated", tmp_path / "ingest" / "sources"
    shutil.copytree(curated_root(), curated)
    shutil.copytree(sources_root(), sources)
    file = JATS if kind == "jats" else plain_text(tmp_path)

    added = catkg("source", "add", str(file), "--curated", str(curated), "--sources", str(sources))
    assert added.returncode == 0, added.stderr
    source_id, text_file = added.stdout.split("\n")[0].removeprefix("added ").split(": ")
    text = Path(text_file).read_text(encoding="utf-8")
    assert kind == "jats" or Path(text_file).read_bytes() == file.read_bytes()
    assert CHEMO in text and SURGERY in text

    assert "0 covered by facts (0%)" in added.stdout, "a new article starts with nothing read"

    drafted = catkg("source", "draft", source_id, "--curated", str(curated), "--sources", str(sources))
    assert drafted.returncode == 0, drafted.stderr
    draft = curated / "facts" / f"{source_id}.draft.yaml"
    candidates = {c["quote"]: c for c in yaml.safe_load(draft.read_text(encoding="utf-8"))["facts"]}
    # The curator reviews the draft: both sentences have a candidate, with the subject, object and values the
    # curator keeps; the reviewed facts (ids, kinds, statements and predicates rewritten) go into facts/ID.yaml.
    reviewed = yaml.safe_load(curators_facts(source_id))["facts"]
    for fact in reviewed:
        candidate = candidates[fact["quote"]]
        assert (candidate["subject"], candidate["object"]) == (fact["subject"], fact["object"])
        assert candidate.get("citations", []) == fact.get("citations", [])
        assert [v["value"] for v in candidate["values"]] == [v["value"] for v in fact["values"]]
    (curated / "facts" / f"{source_id}.yaml").write_text(curators_facts(source_id), encoding="utf-8")

    grounded = catkg("ground", "--curated", str(curated), "--sources", str(sources))
    assert grounded.returncode == 0 and "proposed xrefs (0):" in grounded.stdout, grounded.stdout + grounded.stderr

    store = tmp_path / "store"
    built = catkg("build", "--store", str(store), "--curated", str(curated), "--sources", str(sources))
    assert built.returncode == 0, built.stderr
    assert draft.exists(), "the draft stays beside the facts, and the build leaves it out (2 facts served below)"

    server = start_server(store, port := free_port())
    base = f"http://127.0.0.1:{port}"
    try:
        facts = httpx.get(f"{base}/api/facts", params={"source": source_id}, timeout=30).json()
        assert facts["total"] == 2
        by_id = {item["id"]: item for item in facts["items"]}
        chemo = by_id["fixture-chemotherapy-thrombosis-2-6-times"]
        assert chemo["evidence"]["quote"] == CHEMO and chemo["evidence"]["source"]["id"] == source_id
        assert chemo["evidence"]["source"]["file"] == Path(text_file).name
        start, end = chemo["evidence"]["start"], chemo["evidence"]["end"]
        assert text[start:end] == CHEMO, "the served offsets point at the quote in the new text"
        assert chemo["evidence"]["citations"] == ["[21]"]
        assert by_id["fixture-surgery-thromboembolism-threefold"]["evidence"]["quote"] == SURGERY

        found = httpx.get(f"{base}/api/search", params={"q": "chemotherapy thrombosis risk 2–6 times"}, timeout=30).json()
        assert "fixture-chemotherapy-thrombosis-2-6-times" in json.dumps(found)

        article = httpx.get(f"{base}/api/sources/{source_id}", timeout=30).json()
        assert article["title"] == text.split("\n")[0]
        assert article["text"] == text, "the text served is the one the store was built from (texts/ of its generation)"
        page = httpx.get(f"{base}/source/{source_id}", headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200 and f'id="c{start}-{end}"' in page.text
        read = httpx.get(f"{base}/api/completeness/{source_id}", timeout=30).json()
        assert read["covered"] == 2 and 0 < read["percent_read"] < 100 and read["uncovered"] == len(read["unread"]) > 0
        assert CHEMO not in [s["text"] for s in read["unread"]]
        listed = httpx.get(f"{base}/api/sources", params={"limit": 1000}, timeout=30).json()
        cited_in_new = [s for s in listed["items"] if s.get("cited_in") == source_id]
        assert len(cited_in_new) == references

        query = f"""PREFIX cat: <https://w3id.org/catkg/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#>
            SELECT ?fact ?quote WHERE {{
              ?fact cat:hasEvidence ?evidence .
              ?evidence oa:hasSource <https://w3id.org/catkg/source/{source_id}> ;
                        oa:hasSelector/oa:exact ?quote .
            }} ORDER BY ?fact"""
        answer = httpx.post(
            f"{base}/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=30
        )
        assert answer.status_code == 200, answer.text
        rows = [(b["fact"]["value"], b["quote"]["value"]) for b in answer.json()["results"]["bindings"]]
        assert rows == [
            ("https://w3id.org/catkg/fact/fixture-chemotherapy-thrombosis-2-6-times", CHEMO),
            ("https://w3id.org/catkg/fact/fixture-surgery-thromboembolism-threefold", SURGERY),
        ]
    finally:
        server.terminate()
        server.wait(timeout=10)

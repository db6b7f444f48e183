"""Curation completeness: the build's coverage ledger in the graph, served at /api/completeness and its pages.

On the real curation both articles are read whole; on a copy of it with a newly added article, that article is at
0% with every sentence listed, and its text is served from the build (not from the package's sources folder).
"""

from __future__ import annotations

import csv
import html
import io
import shutil
from collections import Counter

import pytest
from fastapi.testclient import TestClient

from catkg.api.app import create_app
from catkg.ingest.ledger import ledger, units
from catkg.ingest.validate import curated_root, load_and_validate, sources_root
from catkg.queries.steps import build_graph
from catkg.store.embedded import EmbeddedStore

NEW_TEXT = (
    "Pulmonary embolism after lung resection: a new report\n"
    "\n"
    "Background\n"
    "Among 24\u00a0patients, 3 developed a pulmonary embolism within 30\u00a0days [1]. The risk was 2–6 times higher "
    "after pneumonectomy.\n"
    "A tag such as <b>bold</b> & an ampersand stay text.\n"
)


def _expected(source: str) -> Counter:
    entries = [e for e in ledger(load_and_validate()) if e.unit.source == source]
    return Counter(e.reason if e.status == "covered" else e.status for e in entries)


@pytest.mark.parametrize("article", ["dic-targeted-therapy-2022", "lung-cancer-pe-review"])
def test_real_articles_are_read_whole_with_the_ledgers_counts(client, article: str) -> None:
    counts = _expected(article)
    body = client.get(f"/api/completeness/{article}").json()
    assert body["sentences"] == sum(counts.values())
    assert (body["covered"], body["skipped"], body["uncovered"]) == (counts["fact"], counts["skipped"], 0)
    assert body["bibliographic"] == counts["reference"] + counts["article"]
    assert body["percent_read"] == 100.0 and body["unread"] == []


def test_list_csv_and_unknown_article(client) -> None:
    listed = client.get("/api/completeness").json()
    assert [a["id"] for a in listed["items"]] == ["dic-targeted-therapy-2022", "lung-cancer-pe-review"]
    rows = list(csv.DictReader(io.StringIO(client.get("/api/completeness", params={"format": "csv"}).text)))
    assert [r["percent_read"] for r in rows] == ["100.0", "100.0"]
    missing = client.get("/api/completeness/no-such-article")
    assert missing.status_code == 404 and "no-such-article" in missing.json()["error"]["message"]


def test_pages_show_the_counts(client) -> None:
    page = client.get("/completeness", headers={"accept": "text/html"})
    assert page.status_code == 200 and "Curation completeness" in page.text and page.text.count("100.0%") == 2
    one = client.get("/completeness/lung-cancer-pe-review", headers={"accept": "text/html"}).text
    assert "Every sentence is covered by a fact or skipped with a reason." in one
    source = client.get("/source/lung-cancer-pe-review", headers={"accept": "text/html"}).text
    assert "100.0% of 136 sentences to read" in source and 'href="/completeness/lung-cancer-pe-review"' in source


@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    """A store built from a copy of the curation plus one new plain-text article that no fact reads yet."""
    root = tmp_path_factory.mktemp("added")
    curated, sources = root / "curated", root / "sources"
    shutil.copytree(curated_root(), curated)
    shutil.copytree(sources_root(), sources)
    (sources / "new-report.txt").write_text(NEW_TEXT, encoding="utf-8")
    with open(curated / "sources.yaml", "a", encoding="utf-8") as fh:
        fh.write(
            "\n  - id: new-report\n    kind: article\n"
            '    title: "Pulmonary embolism after lung resection: a new report"\n    file: new-report.txt\n'
        )
    build_graph(root / "store", curated=curated, sources=sources)
    (sources / "new-report.txt").unlink()  # what is served comes from the build, not from the folder
    with TestClient(create_app(EmbeddedStore(root / "store"))) as client:
        yield client


def test_a_new_article_is_at_zero_with_every_sentence_listed(added: TestClient) -> None:
    body = added.get("/api/completeness/new-report").json()
    sentences = units("new-report", NEW_TEXT)
    title = 1  # the title line is the article's own bibliographic line
    assert (body["sentences"], body["bibliographic"], body["covered"], body["skipped"]) == (len(sentences), title, 0, 0)
    assert body["uncovered"] == len(sentences) - title and body["percent_read"] == 0.0
    expected = [(u.line, NEW_TEXT[u.start : u.end]) for u in sentences[title:]]
    assert [(s["line"], s["text"]) for s in body["unread"]] == expected
    rows = list(csv.DictReader(io.StringIO(added.get("/api/completeness/new-report", params={"format": "csv"}).text)))
    assert [r["text"] for r in rows] == [text for _, text in expected]


def test_a_new_articles_page_escapes_its_sentences(added: TestClient) -> None:
    page = added.get("/completeness/new-report", headers={"accept": "text/html"}).text
    assert "0.0% read" in page and "<b>bold</b>" not in page
    assert html.escape("A tag such as <b>bold</b> & an ampersand stay text.", quote=False) in page


def test_the_text_is_served_from_the_build(added: TestClient) -> None:
    body = added.get("/api/sources/new-report").json()
    assert body["text"] == NEW_TEXT  # no-break spaces and the en dash kept, though the file is gone
    page = added.get("/source/new-report", headers={"accept": "text/html"}).text
    assert "0.0% of 4 sentences to read" in page and "(4 not yet read)" in page


def test_the_generation_holds_every_articles_text_byte_for_byte(store: EmbeddedStore) -> None:
    articles = [s.record for s in load_and_validate().curation.sources if s.record.kind == "article"]
    assert sorted(p.name for p in (store.directory / "texts").iterdir()) == sorted(a.file for a in articles)
    for article in articles:
        assert (store.directory / "texts" / article.file).read_bytes() == (sources_root() / article.file).read_bytes()

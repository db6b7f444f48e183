"""/api/search and /search: how the question was read, one-click removal of a reading, folded near-duplicates."""

from __future__ import annotations

from bs4 import BeautifulSoup


def test_the_api_says_how_it_read_the_question(client) -> None:
    body = client.get("/api/search", params={"q": "Which case reports describe Trousseau syndrome treatment?"}).json()
    read = body["interpreted"]
    assert "trousseau-syndrome" in read["entities"] and "case-report" in read["designs"] and read["listing"]
    keys = {r["key"] for r in read["readings"]}
    assert {"entity:trousseau-syndrome", "design:case-report"} <= keys
    assert all({"key", "facet", "value", "text"} <= set(r) for r in read["readings"])


def test_not_removes_a_reading_and_repeats(client) -> None:
    q = "mechanisms of chemotherapy thrombosis"
    both = client.get("/api/search", params=[("q", q), ("not", "kind:mechanism"), ("not", "entity:thrombosis")]).json()
    assert both["interpreted"]["excluded"] == ["entity:thrombosis", "kind:mechanism"]
    assert "mechanism" not in both["interpreted"]["kinds"] and "thrombosis" not in both["interpreted"]["entities"]
    bad = client.get("/api/search", params={"q": q, "not": "<script>"})
    assert bad.status_code == 422 and "not" in bad.json()["error"]["message"]


def test_near_duplicates_are_folded_in_json(client) -> None:
    body = client.get("/api/search", params={"q": "chemotherapy agents that promote thrombosis", "limit": 10}).json()
    folded = [item for item in body["items"] if item["more"]]
    assert folded and all(item["more"] == len(item["folded"]) for item in body["items"])
    assert all({"id", "statement", "why"} <= set(f) for item in folded for f in item["folded"])


def test_the_page_shows_the_reading_and_removes_it_in_one_click(client) -> None:
    page = BeautifulSoup(client.get("/search", params={"q": "mechanisms of thrombosis after surgery"}).text, "html.parser")
    readings = {li["data-key"]: li for li in page.select(".reading-list li.reading")}
    assert {"kind:mechanism", "entity:thrombosis", "entity:surgery"} <= set(readings)
    remove = readings["kind:mechanism"].select_one("a.remove")["href"]
    assert remove.startswith("/search?") and "not=kind%3Amechanism" in remove
    after = BeautifulSoup(client.get(remove).text, "html.parser")
    assert "kind:mechanism" not in {li["data-key"] for li in after.select(".reading-list li.reading")}
    restore = after.select_one(".excluded a.restore")
    assert restore.get_text() == "kind:mechanism" and "not=" not in restore["href"]
    assert after.select_one("form[role=search] input[type=hidden][name=not]")["value"] == "kind:mechanism"


def test_the_page_shows_folded_duplicates_as_more(client) -> None:
    api = client.get("/api/search", params={"q": "chemotherapy agents that promote thrombosis", "limit": 20}).json()
    page = BeautifulSoup(client.get("/search", params={"q": "chemotherapy agents that promote thrombosis"}).text, "html.parser")
    cards = page.select("ol.results > li")
    for card, item in zip(cards, api["items"], strict=True):
        more = card.select_one("details.folded")
        if item["more"]:
            assert more.summary.get_text() == f"+{item['more']} more like it"
            assert [a["href"] for a in more.select("a")] == [f"/fact/{f['id']}" for f in item["folded"]]
        else:
            assert more is None

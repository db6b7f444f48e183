"""How much of each article curation has read, as the build's coverage ledger counted it (``catkg.ingest.ledger``).

A sentence is *covered* when a fact quotes it, *bibliographic* when it is a line the source records already hold
(the article's title and date, its reference list), *skipped* when a curator said why it states no fact, and *not
yet read* otherwise. The share read is covered and skipped over all but the bibliographic lines: an article is
complete at 100%, and a newly added one starts at 0%.
"""

from __future__ import annotations

from typing import Any

from catkg.ontology import SOURCE
from catkg.queries.facts import NotFound, Page
from catkg.queries.run import Queryable, run


def _article(row: dict[str, Any]) -> dict[str, Any]:
    to_read, read = row["sentences"] - row["bibliographic"], row["covered"] + row["skipped"]
    return {
        "id": row["id"],
        "iri": row["source"],
        "title": row["title"],
        "sentences": row["sentences"],
        "bibliographic": row["bibliographic"],
        "covered": row["covered"],
        "skipped": row["skipped"],
        "uncovered": row["uncovered"],
        "percent_read": round(100 * read / to_read, 1) if to_read else 100.0,
        "url": f"/completeness/{row['id']}",
    }


def list_completeness(store: Queryable, *, limit: int = 50, offset: int = 0) -> Page:
    """Every article by id: its sentences, how many are covered, skipped and not yet read, and the share read."""
    items = [_article(row) for row in run(store, "completeness", {})]
    return Page(items[offset : offset + limit], len(items), limit, offset)


def get_completeness(store: Queryable, article: str) -> dict[str, Any]:
    """One article's counts with every sentence not yet read (its line and text), in text order.

    :raises NotFound: when no article has this id.
    """
    rows = run(store, "completeness", {"source": SOURCE + article})
    if not rows:
        raise NotFound(f"unknown article: {article}")
    item = _article(rows[0])
    item["unread"] = [
        {"line": r["line"], "text": r["text"]} for r in run(store, "uncovered_sentences", {"source": SOURCE + article})
    ]
    return item


__all__ = ["get_completeness", "list_completeness"]

"""A real `catkg serve` on loopback, read over plain HTTP (the SPARQL protocol: tests/e2e/test_sparql_*.py)."""

from __future__ import annotations

import httpx


def test_api_facts_over_http(server: str) -> None:
    body = httpx.get(f"{server}/api/facts", params={"limit": 5}).json()
    assert body["total"] >= 1
    assert all(item["evidence"]["quote"] for item in body["items"])

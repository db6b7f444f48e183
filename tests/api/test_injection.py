"""Hostile values in every parameter of every route: never a server error, never pasted into a query or a page.

Parameters are validated into terms and bound through VALUES, and pages escape what they show; these probes
check both from the outside, route by route, using the OpenAPI description to find every parameter.
"""

from __future__ import annotations

import pytest

PROBES = [
    '" } UNION { ?fact ?p ?o } #',
    "> } ; DROP ALL ; <",
    "<https://w3id.org/catkg/fact/x> } #",
    "') OR 1=1 --",
    '"><script>alert(1)</script>',
    "NEAR(pulmonary embolism) AND *",
    "\u0000\ufffe\U0001f600",
    "%00%0d%0aSet-Cookie: x=1",
    "a" * 600,
]


def string_parameters(client) -> list[tuple[str, str]]:
    spec = client.get("/openapi.json").json()
    found = []
    for path, item in spec["paths"].items():
        if "{" in path or path.startswith("/sparql"):
            continue
        for parameter in item.get("get", {}).get("parameters", []):
            schema = parameter.get("schema", {})
            kinds = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
            if parameter["in"] == "query" and "string" in kinds and "enum" not in schema:
                found.append((path, parameter["name"]))
    return found


def test_there_are_parameters_to_probe(client) -> None:
    names = string_parameters(client)
    assert ("/api/facts", "q") in names and ("/api/search", "q") in names and len(names) >= 8


@pytest.mark.parametrize("probe", PROBES, ids=range(len(PROBES)))
def test_no_parameter_lets_a_probe_through(client, probe: str) -> None:
    total = client.get("/api/facts", params={"limit": 1}).json()["total"]
    for path, name in string_parameters(client):
        response = client.get(path, params={name: probe}, headers={"Accept": "application/json"})
        assert response.status_code < 500, (path, name, response.text[:200])
        if response.status_code == 200 and path == "/api/facts":
            assert response.json()["total"] < total, "a text filter never widens the result"
        assert "set-cookie" not in response.headers


@pytest.mark.parametrize("probe", PROBES[:5], ids=range(5))
def test_pages_escape_probes(client, probe: str) -> None:
    for path in ("/search", "/facts", "/entities"):
        response = client.get(path, params={"q": probe}, headers={"Accept": "text/html"})
        assert response.status_code < 500
        assert "<script>alert(1)</script>" not in response.text
        assert response.headers.get("x-content-type-options") == "nosniff"


def test_path_ids_are_validated(client) -> None:
    for probe in ["x%3E%20%7D", "..%2F..%2Fetc%2Fpasswd", "A" * 300]:
        for route in ("/api/facts/", "/api/entities/", "/api/sources/", "/fact/", "/entity/"):
            response = client.get(route + probe, headers={"Accept": "application/json"})
            assert response.status_code in (404, 422), (route, probe, response.status_code)

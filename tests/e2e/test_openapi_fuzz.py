"""Schemathesis over /openapi.json against a real server: no server error, no response outside the schema.

Driven through Hypothesis directly: schemathesis' pytest plugin does not run under pytest 9.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is a test dependency (pip install -e .[test])")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis.checks import positive_data_acceptance  # noqa: E402

PROTOCOL_ROUTES = ("/sparql",)
"""The SPARQL Protocol needs exactly one query, from the URL or the body: OpenAPI cannot say "one of the two", so a
request the schema allows may rightly get 400 there. Every other check still runs on these routes (no server error,
documented status codes and media types, responses that match the schema)."""


def operations(server: str):
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_conforms(server: str) -> None:
    ops = operations(server)
    assert any(op.path == "/api/facts" for op in ops)
    for op in ops:
        fuzz(op, server)


def fuzz(op, server: str) -> None:
    """Up to 25 generated requests for one operation, each checked against the schema."""

    excluded = [positive_data_acceptance] if op.path in PROTOCOL_ROUTES else []

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(data=st.data())
    def check(data) -> None:
        case = data.draw(op.as_strategy())
        case.call_and_validate(base_url=server, timeout=30, excluded_checks=excluded)

    check()

"""Schemathesis over /openapi.json against a real server: no server error, no response outside the schema.

Driven through Hypothesis directly: schemathesis' pytest plugin does not run under pytest 9.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is a test dependency (pip install -e .[test])")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PROTOCOL_ROUTES = ("/sparql",)
"""Left to the SPARQL protocol tests: a random string is not a query, and the protocol says what answers it."""


def operations(server: str):
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    return [op for op in (result.ok() for result in schema.get_all_operations()) if op.path not in PROTOCOL_ROUTES]


def test_every_operation_conforms(server: str) -> None:
    ops = operations(server)
    assert any(op.path == "/api/facts" for op in ops)
    for op in ops:
        fuzz(op, server)


def fuzz(op, server: str) -> None:
    """Up to 25 generated requests for one operation, each checked against the schema."""

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(data=st.data())
    def check(data) -> None:
        case = data.draw(op.as_strategy())
        case.call_and_validate(base_url=server, timeout=30)

    check()

"""The worker protocol and the format table: their examples run, and every format the table names is pyoxigraph's."""

from __future__ import annotations

import doctest

import pytest
from pyoxigraph import QueryResultsFormat, RdfFormat

from catkg.store import formats, protocol
from catkg.store.formats import FORMATS


@pytest.mark.parametrize("module", [formats, protocol])
def test_examples(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]


def test_every_format_is_one_of_pyoxigraph_s() -> None:
    for f in FORMATS.values():
        engine = f.engine()
        assert isinstance(engine, QueryResultsFormat if f.kind == "results" else RdfFormat)
        assert engine.media_type.split(";")[0] == f.media_type.split(";")[0], f.name

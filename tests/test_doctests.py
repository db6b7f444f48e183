"""Every ``>>>`` example in catkg's modules runs, imported as the package installs them (``catkg.<room>``)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

ROOMS = ("ontology", "ingest", "store", "queries", "api")


def modules() -> list[str]:
    """Every module of every room; pkgutil walks the installed package, so a new module is picked up by itself."""
    names = []
    for room in ROOMS:
        package = importlib.import_module(f"catkg.{room}")
        names += [m.name for m in pkgutil.walk_packages(package.__path__, f"catkg.{room}.")]
    return sorted(names)


def with_examples(name: str) -> bool:
    return any(test.examples for test in doctest.DocTestFinder().find(importlib.import_module(name)))


DOCUMENTED = [name for name in modules() if with_examples(name)]


def test_the_rooms_have_examples() -> None:
    """The modules whose docstrings show how they are used (guard, negotiate, ledger, run...) are all found."""
    assert {"catkg.store.guard", "catkg.api.negotiate", "catkg.ingest.ledger", "catkg.queries.run"} <= set(DOCUMENTED)


@pytest.mark.parametrize("name", DOCUMENTED)
def test_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (see the output above)"

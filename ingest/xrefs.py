"""The prefix table of external identifiers (``vocabularies.yaml``): what a CURIE expands to and how it is served.

One table, as data, so the RDF, the KGX export, the pages and the validator agree on every prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import yaml

SKOS = "http://www.w3.org/2004/02/skos/core#"


class XrefError(Exception):
    """A vocabulary file is missing or not in the shape catkg reads, or xrefs cannot be written as asked."""


@dataclass(frozen=True)
class Vocabulary:
    """One prefix: its IRI expansion, the pattern of its local ids, the SKOS relation an xref to it is served as."""

    prefix: str
    name: str
    iri: str
    local: str
    relation: str
    resource: str
    types: tuple[str, ...]

    @property
    def predicate(self) -> str:
        """The SKOS mapping property's IRI (``skos:exactMatch`` or ``skos:relatedMatch``)."""
        return SKOS + self.relation


@cache
def vocabularies() -> dict[str, Vocabulary]:
    """The prefix table, by prefix."""
    data = yaml.safe_load((files("catkg.ingest") / "vocabularies.yaml").read_text(encoding="utf-8"))
    return {v["prefix"]: Vocabulary(**{**v, "types": tuple(v["types"])}) for v in data["vocabularies"]}


def check_curie(curie: str) -> str | None:
    """What is wrong with a CURIE, or None when its prefix is known and its local id has that prefix's shape.

    >>> check_curie("HP:0002204") is None
    True
    >>> check_curie("HP:2204")
    "local id '2204' is not the shape of HP ids (^[0-9]{7}$)"
    """
    prefix, colon, local = curie.partition(":")
    if not colon:
        return f"{curie!r} is not a CURIE (PREFIX:id)"
    vocab = vocabularies().get(prefix)
    if vocab is None:
        return f"unknown prefix {prefix!r}; known: {', '.join(vocabularies())} (ingest/vocabularies.yaml)"
    if not re.fullmatch(vocab.local, local):
        return f"local id {local!r} is not the shape of {prefix} ids ({vocab.local})"
    return None


def expand(curie: str) -> tuple[str, str]:
    """The IRI of a checked CURIE and the IRI of the SKOS property it is served with.

    >>> expand("NCBIGene:1956")
    ('http://identifiers.org/ncbigene/1956', 'http://www.w3.org/2004/02/skos/core#relatedMatch')
    """
    prefix, _, local = curie.partition(":")
    vocab = vocabularies()[prefix]
    return vocab.iri + local, vocab.predicate


def compact(iri: str) -> str | None:
    """The CURIE of an IRI under one of the table's expansions (None for any other IRI).

    >>> compact("http://purl.obolibrary.org/obo/HP_0002204")
    'HP:0002204'
    """
    for vocab in vocabularies().values():
        if iri.startswith(vocab.iri) and re.fullmatch(vocab.local, iri[len(vocab.iri) :]):
            return f"{vocab.prefix}:{iri[len(vocab.iri) :]}"
    return None

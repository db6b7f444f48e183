"""The KGX export: every entity a node, every fact an edge, valid for the kgx package's own Validator."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from catkg.ontology import biolink
from catkg.queries.kgx import EDGES, NODES, validate_kgx, write_kgx, write_tsv


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def exported(store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("kgx")
    write_kgx(store, directory)
    return directory


def test_every_entity_and_fact_is_exported(store, exported: Path) -> None:
    nodes, edges = read(exported / NODES), read(exported / EDGES)
    assert len(nodes) == store.info["counts"]["entities"]
    assert len(edges) == store.info["counts"]["facts"]
    ids = {n["id"] for n in nodes}
    assert all(e["subject"] in ids and e["object"] in ids for e in edges)
    osimertinib = next(n for n in nodes if n["id"] == "CATKG:osimertinib")
    assert osimertinib["category"] == "biolink:Drug" and osimertinib["iri"].endswith("/entity/osimertinib")


def test_nodes_carry_their_verified_xrefs_as_curies(store, exported: Path) -> None:
    from catkg.ingest.validate import load_and_validate

    nodes = {n["id"]: n for n in read(exported / NODES)}
    assert nodes["CATKG:pulmonary-embolism"]["xref"] == "HP:0002204"
    assert nodes["CATKG:egfr-mutation"]["xref"] == "NCBIGene:1956"
    assert nodes["CATKG:incidental-pe"]["xref"] == "HP:0002204", "a broader term is a cross-reference too"
    curated = {f"CATKG:{e.record.id}": sorted(x.id for x in e.record.xrefs) for e in load_and_validate().curation.entities}
    assert {i: sorted(filter(None, n["xref"].split("|"))) for i, n in nodes.items()} == curated


def test_categories_and_predicates_exist_in_biolink(exported: Path) -> None:
    assert {n["category"] for n in read(exported / NODES)} <= biolink.categories()
    assert {e["predicate"] for e in read(exported / EDGES)} <= biolink.predicates()


def test_edges_keep_their_evidence_and_negation(exported: Path) -> None:
    edges = read(exported / EDGES)
    assert all(e["catkg_quote"] and int(e["catkg_quote_start"]) < int(e["catkg_quote_end"]) for e in edges)
    assert all(e["negated"] in ("", "True") for e in edges)
    assert all(e["knowledge_level"] == "knowledge_assertion" and e["agent_type"] == "manual_agent" for e in edges)


def test_the_export_passes_kgx_validation(exported: Path) -> None:
    assert validate_kgx(exported) == []


def test_kgx_validation_can_fail(tmp_path: Path) -> None:
    write_tsv(
        tmp_path / NODES,
        ["id", "category", "name"],
        [
            {"id": "CATKG:a", "category": ["biolink:Drug"], "name": "a"},
            {"id": "CATKG:b", "category": ["biolink:Medication"], "name": "b"},
        ],
    )
    write_tsv(
        tmp_path / EDGES,
        ["id", "subject", "predicate", "object", "knowledge_level", "agent_type"],
        [
            {
                "id": "CATKG.FACT:x",
                "subject": "CATKG:a",
                "predicate": "biolink:cures_everything",
                "object": "CATKG:b",
                "knowledge_level": "knowledge_assertion",
                "agent_type": "manual_agent",
            }
        ],
    )
    errors = validate_kgx(tmp_path)
    assert any("Medication" in e for e in errors) and any("cures_everything" in e for e in errors)

"""Export the graph as KGX TSV: one nodes file (entities) and one edges file (facts), Biolink-aligned.

KGX is the exchange format of Biolink Model knowledge graphs (https://github.com/biolink/kgx). A node's
category and an edge's predicate come from the ontology (``cat:biolinkCategory`` on the entity's curated type,
``cat:biolinkPredicate`` on the fact's kind), whose names are checked against the ``biolink-model`` package.
Ids are CURIEs in catkg's own prefixes (``CATKG:osimertinib``; see :data:`PREFIXES`): no external identifier
is made up. A node's ``xref`` lists its curated, verified xrefs as CURIEs (``HP:0002204``, ``NCBIGene:1956``),
every SKOS mapping of it: Biolink's ``xref`` is a cross-reference, not a claim of identity; the RDF keeps which
mappings are exact, broader or related. An edge keeps its fact's statement, quote, source and offsets in
``catkg_*`` columns, and a fact the source does not support is a ``negated`` edge.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from catkg.ingest.xrefs import compact
from catkg.ontology import ENTITY, FACT
from catkg.ontology.biolink import curie
from catkg.queries.run import Queryable, run

PREFIXES = {"CATKG": ENTITY, "CATKG.FACT": FACT}
"""The CURIE prefixes of the export, and the IRIs they expand to."""

NODES = "catkg-kgx-nodes.tsv"
EDGES = "catkg-kgx-edges.tsv"
NODE_COLUMNS = ["id", "category", "name", "description", "synonym", "xref", "iri", "catkg_type"]
EDGE_COLUMNS = [
    "id",
    "subject",
    "predicate",
    "object",
    "category",
    "knowledge_level",
    "agent_type",
    "negated",
    "catkg_kind",
    "catkg_statement",
    "catkg_predicate_label",
    "catkg_study_design",
    "catkg_source",
    "catkg_quote",
    "catkg_quote_start",
    "catkg_quote_end",
    "iri",
]
LIST_DELIMITER = "|"
"""KGX's separator of the values of a multivalued column (category, synonym, xref)."""


def kgx_nodes(store: Queryable) -> list[dict[str, Any]]:
    """Every entity as a KGX node."""
    return [
        {
            "id": f"CATKG:{row['id']}",
            "category": [curie(row["category"])],
            "name": row["label"],
            "description": row["definition"] or "",
            "synonym": _split(row["synonyms"]),
            "xref": [compact(iri) or iri for iri in _split(row["xrefs"])],
            "iri": row["entity"],
            "catkg_type": row["type"],
        }
        for row in run(store, "kgx_nodes")
    ]


def kgx_edges(store: Queryable) -> list[dict[str, Any]]:
    """Every fact as a KGX edge: a manual agent's assertion, negated when the source does not support it."""
    return [
        {
            "id": f"CATKG.FACT:{row['id']}",
            "subject": f"CATKG:{row['subjectId']}",
            "predicate": curie(row["predicate"]),
            "object": f"CATKG:{row['objectId']}",
            "category": ["biolink:Association"],
            "knowledge_level": "knowledge_assertion",
            "agent_type": "manual_agent",
            # kgx reads any non-empty text in a boolean column as true: a supported fact leaves it empty
            "negated": "True" if row["direction"] == "does-not-support" else "",
            "catkg_kind": row["kind"],
            "catkg_statement": row["statement"],
            "catkg_predicate_label": row["predicateLabel"],
            "catkg_study_design": row["studyDesign"],
            "catkg_source": row["source"],
            "catkg_quote": row["quote"],
            "catkg_quote_start": row["start"],
            "catkg_quote_end": row["end"],
            "iri": row["fact"],
        }
        for row in run(store, "kgx_edges")
    ]


def _split(joined: str | None) -> list[str]:
    return sorted(v for v in (joined or "").split("\u001f") if v)


def _cell(value: Any) -> str:
    """One TSV cell: lists joined by KGX's delimiter; tabs and line breaks (never in curated text) as spaces."""
    text = LIST_DELIMITER.join(value) if isinstance(value, list) else str(value)
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def tsv(columns: list[str], records: list[dict[str, Any]]) -> str:
    """KGX TSV: a header, then one line per record; no quoting (KGX reads with QUOTE_NONE)."""
    lines = ["\t".join(columns)] + ["\t".join(_cell(record[c]) for c in columns) for record in records]
    return "\n".join(lines) + "\n"


def write_tsv(path: Path, columns: list[str], records: list[dict[str, Any]]) -> None:
    Path(path).write_text(tsv(columns, records), encoding="utf-8")


def write_kgx(store: Queryable, directory: Path) -> tuple[Path, Path]:
    """Write the nodes and edges files into ``directory`` (created if missing); returns their paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    nodes, edges = directory / NODES, directory / EDGES
    write_tsv(nodes, NODE_COLUMNS, kgx_nodes(store))
    write_tsv(edges, EDGE_COLUMNS, kgx_edges(store))
    return nodes, edges


# ---------------------------------------------------------------- validation with the kgx package


def _offline_biolink() -> None:
    """Make kgx read the Biolink Model from the biolink-model package instead of GitHub.

    kgx builds a Biolink Model Toolkit when it is imported and reads the Biolink JSON-LD context when it
    validates, both from raw.githubusercontent.com by default, which cannot be reached here. The toolkit's
    defaults are pointed at the package's schema (with an empty predicate mapping, used only to translate
    non-Biolink predicates), and kgx's context cache is given the package's prefix map.
    """
    import bmt.toolkit

    from catkg.ontology.biolink import prefix_map_path, schema_path

    bmt.toolkit.Toolkit.__init__.__defaults__ = (str(schema_path()), {"predicate mappings": []})
    import kgx.config

    kgx.config.jsonld_context_map.setdefault("biolink", json.loads(prefix_map_path().read_text(encoding="utf-8")))


def validate_kgx(directory: Path) -> list[str]:
    """Validate the export in ``directory`` with kgx's own Validator; returns its error messages (none: valid).

    catkg's prefixes are declared to the validator (they are ours, so the Biolink context cannot know them).
    Needs the ``kgx`` and ``biolink-model`` packages (test dependencies).
    """
    _offline_biolink()
    from kgx.graph.nx_graph import NxGraph
    from kgx.transformer import Transformer
    from kgx.validator import Validator

    directory = Path(directory)
    transformer = Transformer(stream=False)
    transformer.transform({"filename": [str(directory / NODES), str(directory / EDGES)], "format": "tsv"})
    graph: NxGraph = transformer.store.graph
    validator = Validator()
    validator.prefixes |= set(PREFIXES)
    validator.validate(graph)
    messages = []
    for level, by_type in validator.get_errors().items():
        for error_type, by_message in by_type.items():
            for message, ids in by_message.items():
                messages.append(f"{level} {error_type}: {message} ({', '.join(sorted(set(ids))[:5])})")
    return sorted(messages)

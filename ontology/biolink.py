"""catkg's alignment to the Biolink Model, and the check that every Biolink name it uses exists.

``catkg.ttl`` gives each entity type a Biolink category (``cat:biolinkCategory``) and each fact kind a Biolink
predicate (``cat:biolinkPredicate``); KGX exports use them. The names are checked against the schema that the
``biolink-model`` package ships (``biolink_model/schema/biolink_model.yaml``), never against a list typed here,
so no category or predicate can be invented. The package is needed only for the check (a test dependency).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from rdflib import RDFS, URIRef

from catkg.ontology.load import CAT, ontology_graph

BIOLINK = "https://w3id.org/biolink/vocab/"


def curie(iri: str) -> str:
    """``https://w3id.org/biolink/vocab/Disease`` -> ``biolink:Disease``."""
    return "biolink:" + iri.removeprefix(BIOLINK) if iri.startswith(BIOLINK) else iri


def categories_of_classes() -> dict[URIRef, str]:
    """Each catkg class with a Biolink category, to that category as a CURIE."""
    return {cls: curie(str(cat)) for cls, cat in ontology_graph().subject_objects(CAT.biolinkCategory)}


def predicates_of_kinds() -> dict[URIRef, str]:
    """Each fact kind class with a Biolink predicate, to that predicate as a CURIE."""
    return {cls: curie(str(pred)) for cls, pred in ontology_graph().subject_objects(CAT.biolinkPredicate)}


# ---------------------------------------------------------------- the biolink-model package's schema


def schema_path() -> Path:
    """The Biolink Model schema the ``biolink-model`` package ships.

    :raises ModuleNotFoundError: when the package is not installed (``pip install biolink-model``).
    """
    from importlib.resources import files

    return Path(str(files("biolink_model") / "schema" / "biolink_model.yaml"))


def prefix_map_path() -> Path:
    """The Biolink Model's prefix map (CURIE prefix to IRI) as the package ships it."""
    from importlib.resources import files

    return Path(str(files("biolink_model") / "prefixmaps" / "biolink-model-prefix-map.json"))


@cache
def schema() -> dict[str, Any]:
    import yaml

    return yaml.safe_load(schema_path().read_text(encoding="utf-8"))


def version() -> str:
    return str(schema()["version"])


def _ancestors(elements: dict[str, Any], name: str) -> list[str]:
    chain = [name]
    while (parent := (elements.get(chain[-1]) or {}).get("is_a")) and parent not in chain:
        chain.append(parent)
    return chain


def _usable(element: dict[str, Any]) -> bool:
    return not (element.get("mixin") or element.get("abstract") or element.get("deprecated"))


@cache
def categories(root: str = "named thing") -> frozenset[str]:
    """Every class of the schema under ``root``, not a mixin, not abstract, not deprecated, as CURIEs
    (``biolink:Disease``): under ``named thing`` the categories of nodes, under ``association`` of edges."""
    classes = schema()["classes"]
    return frozenset(
        "biolink:" + "".join(w[:1].upper() + w[1:] for w in name.split())
        for name, element in classes.items()
        if _usable(element or {}) and root in _ancestors(classes, name)
    )


@cache
def predicates() -> frozenset[str]:
    """Every slot of the schema an edge may take as its predicate: under ``related to``, not a mixin, not
    abstract, not deprecated; as CURIEs (``biolink:associated_with``)."""
    slots = schema()["slots"]
    return frozenset(
        "biolink:" + name.replace(" ", "_")
        for name, element in slots.items()
        if _usable(element or {}) and "related to" in _ancestors(slots, name)
    )


def unknown_names() -> list[str]:
    """Each Biolink category or predicate catkg.ttl names that the package's schema lacks, with its class."""
    facts = set(ontology_graph().transitive_subjects(RDFS.subClassOf, CAT.Fact))
    problems = [
        f"{cls}: category {name} is not a category of Biolink Model {version()}"
        for cls, name in categories_of_classes().items()
        if name not in categories("association" if cls in facts else "named thing")
    ]
    problems += [
        f"{cls}: predicate {name} is not a predicate of Biolink Model {version()}"
        for cls, name in predicates_of_kinds().items()
        if name not in predicates()
    ]
    return sorted(problems)

"""The ontology room: catkg's vocabulary and the one base IRI every other room builds on."""

BASE = "https://w3id.org/catkg/"
"""Base IRI of catkg's own terms and instances; the only place it is written."""

ONTOLOGY = BASE + "ontology#"
FACT = BASE + "fact/"
ENTITY = BASE + "entity/"
SOURCE = BASE + "source/"
EVIDENCE = BASE + "evidence/"
CLAIM = BASE + "claim/"
GRAPH = BASE + "graph/"

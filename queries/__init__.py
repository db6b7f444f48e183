"""The queries room: named SPARQL queries, safe parameter binding, search and graph walks."""

"""The ingest room: curated YAML and source texts, validated and turned into RDF."""

"""The api room: the FastAPI app (SPARQL endpoint, evidence API, pages) and the catkg CLI."""

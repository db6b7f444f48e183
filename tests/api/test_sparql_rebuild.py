"""A rebuild while the app serves: the SPARQL workers and the dumps follow the new store generation."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from catkg.api.app import create_app
from catkg.queries.steps import build_graph

BUILT = (
    "SELECT ?built WHERE { GRAPH <https://w3id.org/catkg/graph/meta> { "
    "<https://w3id.org/catkg/dataset> <http://purl.org/dc/terms/modified> ?built } }"
)


def built(client: TestClient) -> str:
    response = client.get("/sparql", params={"query": BUILT})
    assert response.status_code == 200
    return response.json()["results"]["bindings"][0]["built"]["value"]


def test_workers_and_dumps_follow_a_rebuild(tmp_path: Path) -> None:
    path = tmp_path / "store"
    first = build_graph(path)
    with TestClient(create_app(path)) as client:
        before = built(client)
        assert before == first.info["built"].replace("+00:00", "Z")
        dump_before = client.get("/dumps/catkg.nq").content
        second = build_graph(path)
        assert second.info["built"] != first.info["built"]
        assert built(client) == second.info["built"].replace("+00:00", "Z")
        dump_after = client.get("/dumps/catkg.nq").content
        assert dump_after != dump_before and second.info["built"].replace("+00:00", "Z").encode() in dump_after
        assert (second.directory / "dumps" / "catkg.nq").is_file()

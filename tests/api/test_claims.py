"""/api/claims, /api/claims/{id} and /api/conflicts in process on the session's store, and what the graph holds
for them: claims, conflicts, evidence levels and source notes are RDF, read back by SPARQL."""

from __future__ import annotations

import csv
import io
import json

from catkg.ingest.claims import group_claims
from catkg.ingest.validate import load_and_validate
from catkg.queries.run import python_value

CLAIM = "immunotherapy--risk-factor--pulmonary-embolism"
EXPECTED = group_claims(item.record for item in load_and_validate().curation.facts)


def test_claims_list_follows_the_list_contract(client) -> None:
    body = client.get("/api/claims", params={"limit": 5, "offset": 10}).json()
    assert (body["total"], body["limit"], body["offset"]) == (len(EXPECTED), 5, 10)
    assert [c["id"] for c in body["items"]] == [c.id for c in EXPECTED[10:15]]
    every = client.get("/api/claims", params={"limit": 1000}).json()["items"]
    assert {c["id"]: c["independent_sources"] for c in every} == {c.id: c.independent_sources for c in EXPECTED}
    assert {c["id"]: (c["supporting_count"], c["disputing_count"]) for c in every} == {
        c.id: (len(c.supporting), len(c.disputing)) for c in EXPECTED
    }


def test_claims_as_csv_and_json_lines(client) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/api/claims", params={"format": "csv", "limit": 3}).text)))
    assert [r["id"] for r in rows] == [c.id for c in EXPECTED[:3]] and "subject.label" in rows[0]
    lines = client.get("/api/claims", params={"limit": 3}, headers={"accept": "application/x-ndjson"}).text.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [c.id for c in EXPECTED[:3]]


def test_claims_filters(client) -> None:
    conflicted = client.get("/api/claims", params={"conflicted": "true"}).json()
    assert {c["id"] for c in conflicted["items"]} == {c.id for c in EXPECTED if c.conflicted}
    by_entity = client.get("/api/claims", params={"entity": "immunotherapy", "limit": 1000}).json()["items"]
    assert {c["id"] for c in by_entity} == {c.id for c in EXPECTED if "immunotherapy" in (c.subject, c.object)}
    by_kind = client.get("/api/claims", params={"kind": "risk-factor", "limit": 1000}).json()["total"]
    assert by_kind == sum(c.kind == "risk-factor" for c in EXPECTED)


def test_one_claim_with_every_supporting_and_disputing_fact(client) -> None:
    claim = client.get(f"/api/claims/{CLAIM}").json()
    assert [f["id"] for f in claim["supporting"]] == ["immunotherapy-increases-pe-risk-in-lung-cancer"]
    assert [f["id"] for f in claim["disputing"]] == ["immunotherapy-pe-data-scarce", "immunotherapy-pe-relationship-unclear"]
    assert claim["studies"] == ["lung-cancer-pe-review", "lung-cancer-pe-review [17]"] and claim["independent_sources"] == 2
    assert claim["conflicted"] and claim["label"] == "immunotherapy — risk factor — pulmonary embolism"
    facts = list(csv.DictReader(io.StringIO(client.get(f"/api/claims/{CLAIM}", params={"format": "csv"}).text)))
    assert len(facts) == 3 and {f["claim"] for f in facts} == {CLAIM}


def test_conflicts_list_both_sides(client) -> None:
    body = client.get("/api/conflicts").json()
    assert body["total"] == 2
    item = next(i for i in body["items"] if i["id"] == CLAIM)
    assert {f["direction"] for f in item["disputing"]} == {"unclear"} and item["supporting"][0]["quote"].startswith("Anti-tumor")


def test_errors_name_what_is_wrong(client) -> None:
    assert client.get("/api/claims/no--such--claim").status_code == 404
    assert client.get("/api/claims/Bad<id>").status_code == 422
    unknown = client.get("/api/claims", params={"entitee": "x"})
    assert unknown.status_code == 422 and "entitee" in unknown.json()["error"]["message"]
    assert client.get("/api/conflicts", params={"limit": 0}).status_code == 422


def test_a_facts_json_says_its_level_claim_conflicts_and_note(client) -> None:
    supports = client.get("/api/facts/immunotherapy-increases-pe-risk-in-lung-cancer").json()
    assert supports["conflicts_with"] == ["immunotherapy-pe-data-scarce", "immunotherapy-pe-relationship-unclear"]
    assert (supports["claim"], supports["evidence_level"], supports["source_note"]) == (CLAIM, "cited-study", None)
    unclear = client.get("/api/facts/immunotherapy-pe-data-scarce").json()
    assert unclear["conflicts_with"] == ["immunotherapy-increases-pe-risk-in-lung-cancer"]
    typo = client.get("/api/facts/d-dimer-below-0-5-rules-out-pe").json()
    assert typo["source_note"]["kind"] == "likely-typo"
    troponin = client.get("/api/facts/troponin-suggests-rv-dysfunction").json()
    assert (troponin["subject_qualifier"], troponin["subject"]["id"]) == ("elevated", "troponin")


def test_conflicts_and_notes_are_in_the_graph(store) -> None:
    prefix = "PREFIX cat: <https://w3id.org/catkg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "
    pairs = {
        (python_value(r["a"]), python_value(r["b"]))
        for r in store.query(
            prefix + "SELECT ?a ?b { ?x cat:conflictsWith ?y . ?x dcterms:identifier ?a . ?y dcterms:identifier ?b }"
        )
    }
    assert ("immunotherapy-increases-pe-risk-in-lung-cancer", "immunotherapy-pe-relationship-unclear") in pairs
    assert all((b, a) in pairs for a, b in pairs), "cat:conflictsWith is written both ways"
    notes = store.query(
        prefix + "SELECT ?kind { ?f dcterms:identifier 'd-dimer-below-0-5-rules-out-pe' ; cat:hasSourceNote ?n . "
        "?n cat:noteKind ?k ; cat:noteText ?text . ?k cat:slug ?kind }"
    )
    assert [python_value(r["kind"]) for r in notes] == ["likely-typo"]
    levels = store.query(prefix + "SELECT (COUNT(?f) AS ?n) { ?f a cat:Fact ; cat:evidenceLevel ?l . ?l a cat:EvidenceLevel }")
    facts = store.query(prefix + "SELECT (COUNT(?f) AS ?n) { ?f a cat:Fact }")
    assert python_value(next(iter(levels))["n"]) == python_value(next(iter(facts))["n"])


def test_a_claims_iri_resolves_by_accept(client) -> None:
    iri = f"/claim/{CLAIM}"
    assert client.get(iri, headers={"accept": "text/html"}).headers["content-type"].startswith("text/html")
    assert client.get(iri, headers={"accept": "application/json"}).json()["id"] == CLAIM
    turtle = client.get(iri, headers={"accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle") and "independentSources" in turtle.text
    assert client.get("/claim/no--such--claim", headers={"accept": "application/json"}).status_code == 404

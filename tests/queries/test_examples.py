"""The editor's example queries (``queries/*.rq`` tagged ``example``), each checked against what the curated YAML says.

The curated data grows, so no row count is written down here: every expectation is computed independently from
``load_and_validate()`` (the YAML, not the graph), and the query's answer must match it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import cache
from typing import Any

import pytest
from pyoxigraph import QuerySolutions

from catkg.ingest.validate import load_and_validate
from catkg.ontology import ENTITY, FACT
from catkg.queries.run import named_queries, run

EXAMPLES = sorted(name for name, q in named_queries().items() if "example" in q.tags)


@cache
def curated() -> Any:
    return load_and_validate()


def facts() -> list[Any]:
    return [f.record for f in curated().curation.facts]


def entities() -> dict[str, Any]:
    return {e.record.id: e.record for e in curated().curation.entities}


def ancestors(entity_id: str) -> set[str]:
    found, todo = set(), list(entities()[entity_id].broader)
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(entities()[current].broader)
    return found


def under(root: str) -> set[str]:
    """``root`` and every entity narrower than it."""
    return {root} | {e for e in entities() if root in ancestors(e)}


def fact_id(iri: str) -> str:
    return iri.removeprefix(FACT)


def ids(value: str) -> set[str]:
    return {fact_id(i) for i in value.split()}


def test_at_least_twenty_examples_with_complete_headers() -> None:
    assert len(EXAMPLES) >= 20
    for name in EXAMPLES:
        q = named_queries()[name]
        assert q.title and q.description and q.returns, name
        assert re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", q.text), name


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_runs_and_answers(store, name: str) -> None:
    result = store.query(named_queries()[name].text)
    if isinstance(result, QuerySolutions):
        assert list(result), f"{name} returned no rows"
    elif hasattr(result, "__bool__") and not hasattr(result, "__iter__"):
        assert isinstance(bool(result), bool)
    else:
        assert list(result), f"{name} returned no triples"


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_runs_through_the_endpoint(client, name: str) -> None:
    response = client.get("/sparql", params={"query": named_queries()[name].text})
    assert response.status_code == 200, response.text


def test_vte_after_lung_surgery(store) -> None:
    expected: dict[str, dict[float, float]] = defaultdict(dict)
    surgery, vte = under("surgery"), under("venous-thromboembolism")
    for f in facts():
        if f.subject in surgery and f.object in vte:
            for v in f.values:
                if v.unit == "%" and v.time_point and re.fullmatch(r"\d+(\.\d+)? months?", v.time_point):
                    expected[f.attributed_to or "(not attributed)"][float(v.time_point.split()[0])] = v.value
    rows = run(store, "vte_after_lung_surgery")
    got: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for row in rows:
        got[row["study"]].append((row["months"], row["percent"]))
    assert {s: dict(points) for s, points in got.items()} == expected
    for points in got.values():
        assert [m for m, _ in points] == sorted(m for m, _ in points), "ordered by time"
    if "Yang et al." in expected:  # the curve the review reports: 2.0% at 1 month ... 5.3% at 30 months
        assert got["Yang et al."] == [(1, 2.0), (3, 3.0), (6, 4.0), (12, 5.0), (30, 5.3)]


def test_risk_factor_effect_sizes(store) -> None:
    expected = {(f.id, v.value) for f in facts() if f.kind in ("risk-factor", "relative-risk") for v in f.values}
    got = {(fact_id(r["fact"]), r["value"]) for r in run(store, "risk_factor_effect_sizes")}
    assert got == expected
    pe = under("pulmonary-embolism")
    narrowed = {
        (fact_id(r["fact"]), r["value"]) for r in run(store, "risk_factor_effect_sizes", {"outcome": "pulmonary-embolism"})
    }
    assert narrowed == {(i, v) for i, v in expected if next(f for f in facts() if f.id == i).object in pe}


def test_drugs_and_reported_effects(store) -> None:
    drugs = {e for e, r in entities().items() if r.type in ("drug", "drug-class")}
    got = {fact_id(r["fact"]) for r in run(store, "drugs_and_reported_effects")}
    assert got == {f.id for f in facts() if f.subject in drugs}
    tkis = under("egfr-tki")
    narrowed = run(store, "drugs_and_reported_effects", {"drug": "egfr-tki"})
    assert {fact_id(r["fact"]) for r in narrowed} == {f.id for f in facts() if f.subject in tkis & drugs}
    directions = {f.id: f.direction for f in facts()}
    assert all(r["direction"] == directions[fact_id(r["fact"])] for r in narrowed)


def test_diagnostic_thresholds(store) -> None:
    expected = {(f.id, v.value, v.comparator) for f in facts() for v in f.values if v.measure == "threshold"}
    got = {(fact_id(r["fact"]), r["threshold"], r["comparator"]) for r in run(store, "diagnostic_thresholds")}
    assert got == expected


def test_facts_per_source(store) -> None:
    expected = Counter()
    for f in facts():
        for source in {f.source, *f.cites}:
            expected[source] += 1
    got = Counter()
    for r in run(store, "facts_per_source"):
        got[r["source"]] += r["facts"]
    assert got == expected


def marker_numbers(marker: str) -> set[str]:
    return set(re.findall(r"\d+", marker))


def test_facts_by_citation_marker(store) -> None:
    rows = run(store, "facts_by_citation_marker")
    assert {fact_id(r["fact"]) for r in rows} == {f.id for f in facts() if f.citations}
    cites = {f.id: {s.record.title for s in curated().curation.sources if s.record.id in f.cites} for f in facts()}
    assert all(set((r["references"] or "").split(" | ")) - {""} == cites[fact_id(r["fact"])] for r in rows)
    marker = Counter(m for f in facts() for m in f.citations).most_common(1)[0][0]
    narrowed = {fact_id(r["fact"]) for r in run(store, "facts_by_citation_marker", {"marker": marker})}
    assert narrowed == {f.id for f in facts() if any(marker_numbers(marker) <= marker_numbers(m) for m in f.citations)}


def test_unclear_and_disputed_facts(store) -> None:
    got = {fact_id(r["fact"]) for r in run(store, "unclear_and_disputed_facts")}
    assert got == {f.id for f in facts() if f.kind == "unclear-association" or f.direction != "supports"}


def test_entity_ancestors_and_descendants(store) -> None:
    labels = {e: r.label for e, r in entities().items()}
    up: dict[str, dict[str, int]] = defaultdict(dict)
    for r in run(store, "entity_ancestors"):
        up[r["label"]][r["ancestor"].removeprefix(ENTITY)] = r["depth"]
    assert {label: set(a) for label, a in up.items()} == {labels[e]: ancestors(e) for e in entities() if ancestors(e)}
    for e, record in entities().items():
        for direct in record.broader:
            if direct not in {a for b in record.broader if b != direct for a in ancestors(b)}:
                assert up[labels[e]][direct] == 1, (e, direct)
    one = run(store, "entity_ancestors", {"entity": "osimertinib"})
    assert {r["ancestor"].removeprefix(ENTITY) for r in one} == ancestors("osimertinib")
    assert [r["depth"] for r in one] == sorted(r["depth"] for r in one), "nearest first"

    named = Counter(e for f in facts() for e in {f.subject, f.object})
    down = {(r["rootLabel"], r["entity"].removeprefix(ENTITY)): r["facts"] for r in run(store, "entity_descendants")}
    assert down == {(labels[a], e): named[e] for e in entities() for a in ancestors(e)}


def test_counts_by_kind_and_type(store) -> None:
    kinds = Counter(f.kind for f in facts())
    got = {r["kind"]: r["facts"] for r in run(store, "facts_by_kind")}
    assert {k: n for k, n in got.items() if n} == kinds
    types = Counter(r.type for r in entities().values())
    assert {r["type"]: r["entities"] for r in run(store, "entities_by_type")} == types


def test_abbreviations_and_synonyms(store) -> None:
    got = {
        r["entity"].removeprefix(ENTITY): (r["abbreviations"], r["synonyms"]) for r in run(store, "abbreviations_and_synonyms")
    }
    expected = {
        e: (set(r.abbreviations), set(r.synonyms) - set(r.abbreviations))
        for e, r in entities().items()
        if r.abbreviations or r.synonyms
    }
    assert set(got) == set(expected)
    for e, (abbreviations, synonyms) in got.items():
        assert set(filter(None, (abbreviations or "").split(", "))) == expected[e][0], e
        assert set(filter(None, (synonyms or "").split(", "))) == expected[e][1], e


def test_cited_references_by_year(store) -> None:
    references = {s.record.id: s.record for s in curated().curation.sources if s.record.kind == "reference"}
    rows = run(store, "cited_references_by_year")
    assert {r["reference"] for r in rows} == set(references)
    cited = Counter(ref for f in facts() for ref in set(f.cites))
    for r in rows:
        ref = references[r["reference"]]
        assert (r["year"], r["position"], r["facts"]) == (str(ref.year) if ref.year else None, ref.position, cited[ref.id]), (
            ref.id
        )


def test_quote_positions_point_at_the_quote(store) -> None:
    checked = curated()
    files = {s.record.file: s.record.id for s in checked.curation.sources if s.record.file}
    rows = run(store, "quote_positions")
    assert {fact_id(r["fact"]) for r in rows} == {f.id for f in facts()}
    for r in rows:
        text = checked.texts[files[r["file"]]]
        assert text[r["start"] : r["end"]] == r["quote"]
        assert text[: r["start"]].endswith(r["prefix"]) and text[r["end"] :].startswith(r["suffix"])
    one = run(store, "quote_positions", {"fact": FACT + facts()[0].id})
    assert [fact_id(r["fact"]) for r in one] == [facts()[0].id]


def test_facts_by_study_design(store) -> None:
    expected = Counter((f.study_design or "unspecified", f.kind) for f in facts())
    assert {(r["design"], r["kind"]): r["facts"] for r in run(store, "facts_by_study_design")} == expected


def test_attributed_studies(store) -> None:
    got = {(r["study"], fact_id(r["fact"])) for r in run(store, "attributed_studies")}
    assert got == {(f.attributed_to, f.id) for f in facts() if f.attributed_to}
    study = Counter(f.attributed_to for f in facts() if f.attributed_to).most_common(1)[0][0]
    assert {r["study"] for r in run(store, "attributed_studies", {"study": study})} == {study}


def test_cohort_sizes(store) -> None:
    rows = run(store, "cohort_sizes")
    assert {(fact_id(r["fact"]), r["cohortSize"], r["asWritten"]) for r in rows} == {
        (f.id, v.cohort_size, v.as_written) for f in facts() for v in f.values if v.cohort_size
    }
    assert [r["cohortSize"] for r in rows] == sorted((r["cohortSize"] for r in rows), reverse=True)


def test_egfr_tki_thrombosis_ask(store) -> None:
    expected = any(
        f.subject in under("egfr-tki") and f.object in under("thrombosis") and f.direction == "supports" for f in facts()
    )
    assert run(store, "egfr_tki_thrombosis_ask") is expected


def test_entity_network(store) -> None:
    related = "http://www.w3.org/2004/02/skos/core#related"
    edges = {
        (t.subject.value.removeprefix(ENTITY), t.object.value.removeprefix(ENTITY))
        for t in store.query(named_queries()["entity_network"].text)
        if t.predicate.value == related
    }
    assert edges == {(f.subject, f.object) for f in facts() if f.subject != f.object}


def test_describe_pulmonary_embolism(store) -> None:
    pe = entities()["pulmonary-embolism"]
    alt = {
        t.object.value
        for t in store.query(named_queries()["describe_pulmonary_embolism"].text)
        if t.predicate.value == "http://www.w3.org/2004/02/skos/core#altLabel"
    }
    assert alt == set(pe.synonyms) | set(pe.abbreviations)


def test_cancer_complications(store) -> None:
    labels = {e: r.label for e, r in entities().items()}
    types = {e: r.type for e, r in entities().items()}
    expected = Counter()
    for f in facts():
        for a, b in ((f.subject, f.object), (f.object, f.subject)):
            if types[a] == "cancer" and types[b] == "complication":
                expected[(labels[a], labels[b])] += 1
    assert {(r["cancer"], r["complication"]): r["facts"] for r in run(store, "cancer_complications")} == expected


@pytest.mark.parametrize(
    "name,kinds",
    [("thrombosis_mechanisms", {"mechanism"}), ("management_and_guidelines", {"management", "guideline-recommendation"})],
)
def test_facts_of_kinds(store, name: str, kinds: set[str]) -> None:
    assert {fact_id(r["fact"]) for r in run(store, name)} == {f.id for f in facts() if f.kind in kinds}


def test_named_graphs(store) -> None:
    rows = run(store, "named_graphs")
    assert sum(r["triples"] for r in rows) >= store.info["counts"]["triples"]
    assert {r["version"] for r in rows} == {f"{store.info['version']}+{store.info['data_version']}"}

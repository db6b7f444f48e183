"""A synthetic curated data set shaped like catkg's own (ingest/curated/), at any number of facts.

What it writes passes the real validation: every quote is a sentence of a synthetic article text (written here,
one sentence a fact), every value's ``as_written`` is in its quote and says its number, every citation marker and
attributed study is in the quote. Entities come with labels, synonyms, abbreviations and a ``broader`` hierarchy
inside each entity type (a tree of fan-out 8, so most entities are leaves, as in the real data); facts get a kind,
a subject and an object drawn uniformly, 0 to 3 values, citations, study design and direction in about the
proportions of the curated facts.

    python benchmarks/synth.py OUT_DIR --facts 10000

writes OUT_DIR/curated/{sources.yaml,entities/*.yaml,facts/*.yaml} and OUT_DIR/sources/*.txt. The YAML is written
by hand (JSON-quoted strings are valid YAML double-quoted scalars), in the curated files' canonical style.
Deterministic for a given --facts and --seed.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

ENTITY_TYPES = [
    "anatomical-site",
    "biomarker",
    "cancer",
    "clinical-finding",
    "clinical-score",
    "complication",
    "disease",
    "drug",
    "drug-class",
    "gene-alteration",
    "imaging",
    "population",
    "procedure",
    "treatment",
]
FACT_KINDS = [
    "association",
    "case-outcome",
    "case-presentation",
    "clinical-presentation",
    "definition",
    "diagnostic",
    "drug-effect",
    "epidemiology",
    "guideline-recommendation",
    "incidence",
    "management",
    "mechanism",
    "mortality",
    "prevalence",
    "prognosis",
    "relative-risk",
    "risk-factor",
    "survival",
    "timing",
    "unclear-association",
]
DESIGNS = [
    "case-report",
    "case-series",
    "retrospective-cohort",
    "prospective-cohort",
    "case-control",
    "cohort",
    "pooled-analysis",
    "review",
    "guideline",
    "unspecified",
]
DIRECTIONS = ["supports"] * 8 + ["does-not-support", "unclear"]
LEVELS = {d: "primary-result" for d in DESIGNS} | {"guideline": "guideline", "unspecified": "cited-study"}
"""The evidence level the validator's rule gives a sentence of an article's body that cites a study of each design."""
WORDS = [
    "thrombotic",
    "venous",
    "arterial",
    "pulmonary",
    "embolic",
    "coagulation",
    "platelet",
    "fibrin",
    "tumour",
    "metastatic",
    "adeno",
    "squamous",
    "kinase",
    "inhibitor",
    "marker",
    "factor",
    "syndrome",
    "occlusion",
    "haemorrhage",
    "infarction",
    "stenosis",
    "lesion",
    "receptor",
    "antigen",
    "therapy",
    "resection",
    "scan",
    "score",
    "cohort",
    "stage",
]
PREDICATES = [
    "increases risk of",
    "is associated with",
    "is followed by",
    "predicts",
    "is treated with",
    "is a complication of",
    "is diagnosed by",
    "reduces risk of",
]
FACTS_PER_ARTICLE = 150
"""About the real articles' share (289 facts from 2 articles)."""
FANOUT = 8


def q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return json.dumps(text, ensure_ascii=False)


def flow(items: list[str]) -> str:
    return "[" + ", ".join(q(i) for i in items) + "]"


def letters(n: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA', ... (abbreviation stems without digits, like the real ones)."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def entity_count(facts: int) -> int:
    return max(150, facts // 20)


def make_entities(count: int, rng: random.Random) -> list[dict]:
    """Entities spread over the types, each type a tree of fan-out FANOUT."""
    entities = []
    per_type: dict[str, list[str]] = {t: [] for t in ENTITY_TYPES}
    for i in range(count):
        etype = ENTITY_TYPES[i % len(ENTITY_TYPES)]
        siblings = per_type[etype]
        eid = f"{etype}-e{i}"
        label = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {etype.replace('-', ' ')} {i}"
        broader = [siblings[(len(siblings) - 1) // FANOUT]] if siblings else []
        entities.append(
            {
                "id": eid,
                "label": label,
                "type": etype,
                "synonyms": [f"{label}s", f"{rng.choice(WORDS)} variant {i}"],
                "abbreviations": [f"{letters(i)}X{etype[:2].upper()}"] if i % 3 == 0 else [],
                "broader": broader,
                "definition": f"A synthetic {etype.replace('-', ' ')} number {i}." if i % 5 == 0 else None,
            }
        )
        siblings.append(eid)
    return entities


def value_for(rng: random.Random, i: int) -> tuple[dict, str]:
    """One value and the words it is written in."""
    shape = rng.randrange(4)
    if shape == 0:
        number = round(rng.uniform(0.5, 60), 1)
        return {"value": number, "as_written": f"{number}%", "unit": "%", "measure": "percentage"}, f"{number}%"
    if shape == 1:
        number = round(rng.uniform(1.1, 9.9), 2)
        return (
            {"value": number, "as_written": f"{number} times", "unit": "times", "measure": "ratio", "comparator": "="},
            f"{number} times",
        )
    if shape == 2:
        number = rng.randrange(1000, 90000)
        written = f"{number:,}"
        return (
            {"value": number, "as_written": f"{written} patients", "unit": "patients", "measure": "count", "cohort_size": number},
            f"{written} patients",
        )
    number = rng.randrange(2, 36)
    return (
        {
            "value": number,
            "as_written": f"{number} months",
            "unit": "months",
            "measure": "duration",
            "time_point": f"{number} months",
        },
        f"{number} months",
    )


def make_fact(i: int, article: str, entities: list[dict], rng: random.Random) -> dict:
    subject, obj = rng.choice(entities), rng.choice(entities)
    kind = FACT_KINDS[rng.randrange(len(FACT_KINDS))]
    predicate = rng.choice(PREDICATES)
    values, phrases = [], []
    for _ in range(rng.choice([0, 0, 1, 1, 1, 2, 3])):
        value, words = value_for(rng, i)
        if value["as_written"] not in phrases:
            values.append(value)
            phrases.append(words)
    marker = f"[{rng.randrange(1, 60)}]"
    author = f"Author{i % 997} et al." if i % 3 == 0 else None
    measured = f" in {', '.join(phrases)}" if phrases else ""
    by = f", as {author} reported" if author else ""
    quote = f"In study {i}, {subject['label']} {predicate} {obj['label']}{measured}{by} among people with lung cancer {marker}."
    return {
        "id": f"fact-{i}",
        "kind": kind,
        "statement": f"{subject['label'].capitalize()} {predicate} {obj['label']} (synthetic fact {i}).",
        "subject": subject["id"],
        "predicate": predicate,
        "object": obj["id"],
        "values": values,
        "source": article,
        "quote": quote,
        "citations": [marker],
        "attributed_to": author,
        # Every synthetic sentence cites a marker, and a sentence citing a study states the study's claim, not
        # the review's own (the evidence-level rule): 'review' is drawn as 'unspecified'.
        "study_design": design if (design := rng.choice(DESIGNS)) != "review" else "unspecified",
        "direction": rng.choice(DIRECTIONS),
        "population": "people with lung cancer" if i % 4 == 0 else None,
    }


def entity_yaml(e: dict) -> str:
    lines = [f"  - id: {e['id']}", f"    label: {q(e['label'])}", f"    type: {e['type']}"]
    if e["synonyms"]:
        lines.append(f"    synonyms: {flow(e['synonyms'])}")
    if e["abbreviations"]:
        lines.append(f"    abbreviations: {flow(e['abbreviations'])}")
    if e["broader"]:
        lines.append(f"    broader: [{', '.join(e['broader'])}]")
    if e["definition"]:
        lines.append(f"    definition: {q(e['definition'])}")
    return "\n".join(lines) + "\n"


def fact_yaml(f: dict) -> str:
    lines = [
        f"  - id: {f['id']}",
        f"    kind: {f['kind']}",
        f"    statement: {q(f['statement'])}",
        f"    subject: {f['subject']}",
        f"    predicate: {q(f['predicate'])}",
        f"    object: {f['object']}",
    ]
    if f["values"]:
        lines.append("    values:")
        for v in f["values"]:
            first = True
            for key, val in v.items():
                text = q(val) if isinstance(val, str) else json.dumps(val)
                lines.append(("      - " if first else "        ") + f"{key}: {text}")
                first = False
    lines += [f"    source: {f['source']}", f"    quote: {q(f['quote'])}", f"    citations: {flow(f['citations'])}"]
    if f["attributed_to"]:
        lines.append(f"    attributed_to: {q(f['attributed_to'])}")
    lines += [f"    study_design: {f['study_design']}", f"    evidence_level: {LEVELS[f['study_design']]}"]
    lines.append(f"    direction: {f['direction']}")
    if f["population"]:
        lines.append(f"    population: {q(f['population'])}")
    return "\n".join(lines) + "\n"


def generate(out: Path, facts: int, *, seed: int = 9, facts_per_file: int = 200) -> dict:
    """Write the data set; return its counts (facts, entities, articles, fact files, bytes of YAML)."""
    rng = random.Random(seed)
    curated, sources = out / "curated", out / "sources"
    (curated / "facts").mkdir(parents=True, exist_ok=True)
    sources.mkdir(parents=True, exist_ok=True)
    entities = make_entities(entity_count(facts), rng)
    articles = (facts + FACTS_PER_ARTICLE - 1) // FACTS_PER_ARTICLE
    (curated / "entities").mkdir(exist_ok=True)
    for start in range(0, len(entities), facts_per_file):
        # Entities are split like facts: the loader's cost per record grows with the size of its file.
        with open(curated / "entities" / f"entities-{start // facts_per_file:05d}.yaml", "w", encoding="utf-8") as fh:
            fh.write("entities:\n")
            for e in entities[start : start + facts_per_file]:
                fh.write(entity_yaml(e) + "\n")
    with open(curated / "sources.yaml", "w", encoding="utf-8") as fh:
        fh.write("sources:\n")
        for a in range(articles):
            fh.write(
                f"  - id: article-{a}\n    kind: article\n"
                f"    title: {q(f'Synthetic article {a} on lung cancer and thrombosis')}\n"
                f"    file: article-{a}.txt\n\n"
            )
    yaml_bytes = sum(p.stat().st_size for p in [*curated.glob("*.yaml"), *curated.glob("entities/*.yaml")])
    files, handle, texts = 0, None, {}
    for i in range(facts):
        article = f"article-{i // FACTS_PER_ARTICLE}"
        fact = make_fact(i, article, entities, rng)
        texts.setdefault(article, [f"Synthetic article {i // FACTS_PER_ARTICLE} on lung cancer and thrombosis\n"])
        texts[article].append(fact["quote"])
        if i % facts_per_file == 0:
            if handle:
                handle.close()
            handle = open(curated / "facts" / f"facts-{files:05d}.yaml", "w", encoding="utf-8")
            handle.write("facts:\n")
            files += 1
        handle.write(fact_yaml(fact) + "\n")
        if (i + 1) % FACTS_PER_ARTICLE == 0 or i == facts - 1:
            (sources / f"{article}.txt").write_text(" ".join(texts.pop(article)) + "\n", encoding="utf-8")
    if handle:
        handle.close()
    sizes = [p.stat().st_size for p in (curated / "facts").glob("*.yaml")]
    assert max(sizes) < 16 * 2**20, "a curated file is over the loader's 16 MiB limit"
    return {
        "facts": facts,
        "entities": len(entities),
        "articles": articles,
        "fact_files": files,
        "yaml_bytes": yaml_bytes + sum(sizes),
        "largest_file_bytes": max(sizes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--facts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--facts-per-file", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(generate(args.out, args.facts, seed=args.seed, facts_per_file=args.facts_per_file)))


if __name__ == "__main__":
    main()

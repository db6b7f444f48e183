"""How good a draft is: the drafter run on each curated article as if it were new, against what curators wrote.

The articles are drafted from a copy of the curation that keeps the sources and entities and drops every fact and
skip, so the drafter sees what it would see for a new article whose entities are curated. Measured per article:

- recall: the share of curated facts whose quote's sentence (its ledger unit) got a candidate;
- subject, object, pair and kind precision: of the candidates whose sentence has curated facts, the share whose
  guess is that of one of those facts; listed: the share of recalled facts whose (subject, object) is the guess or
  one of the other pairs the candidate's comment lists; design, evidence level, and cited (the same citation
  markers and attributed study) of one of those facts;
- values: the share of curated values the drafter extracted exactly from that sentence (same ``as_written``, then
  the same value, upper bound, unit and comparator); value precision: the share of drafted values (of sentences
  with curated values) that are one of them (curators leave time points and cohort counts out of ``values``).

The table and every failure are printed; the test fails below 80% recall or 90% values on either article.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field

import pytest

from catkg.ingest.draft import Candidate, Draft, draft
from catkg.ingest.ledger import units
from catkg.ingest.models import Fact, Value
from catkg.ingest.validate import Validated, curated_root, load_and_validate

ARTICLES = ("lung-cancer-pe-review", "dic-targeted-therapy-2022")
RECALL, VALUES = 0.80, 0.90


@pytest.fixture(scope="module")
def curated() -> Validated:
    return load_and_validate()


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Draft]:
    """Each article drafted from sources.yaml and entities.yaml alone: no facts, no skips."""
    root = tmp_path_factory.mktemp("new") / "curated"
    root.mkdir()
    for name in ("sources.yaml", "entities.yaml"):
        shutil.copy(curated_root() / name, root / name)
    new = load_and_validate(root)
    assert new.curation.facts == [] and new.curation.skips == []
    return {article: draft(new, article) for article in ARTICLES}


def exact(got: Value, want: Value) -> bool:
    return (got.as_written, got.value, got.upper, got.unit, got.comparator) == (
        want.as_written,
        want.value,
        want.upper,
        want.unit,
        want.comparator,
    )


@dataclass
class Score:
    facts: int = 0
    recalled: int = 0
    judged: int = 0
    subject: int = 0
    object: int = 0
    pair: int = 0
    pairs_listed: int = 0
    kind: int = 0
    design: int = 0
    level: int = 0
    cited: int = 0
    values: int = 0
    values_exact: int = 0
    drafted_values: int = 0
    drafted_right: int = 0
    failures: list[str] = field(default_factory=list)


def score(article: str, drafted: Draft, curated: Validated) -> Score:
    text = curated.texts[article]
    cut = units(article, text)
    facts: dict[int, list[Fact]] = {}
    for item in curated.curation.facts:
        fact = item.record
        if fact.source != article:
            continue
        span = curated.spans[fact.id]
        unit = next(u for u in cut if u.start <= span.start < u.end)
        facts.setdefault(unit.start, []).append(fact)
    by_unit: dict[int, Candidate] = {c.unit.start: c for c in drafted.candidates}
    s = Score()
    for start, group in facts.items():
        candidate = by_unit.get(start)
        s.facts += len(group)
        if candidate is None:
            s.failures += [f"recall: no candidate for {f.id}: {f.quote[:90]!r}" for f in group]
        else:
            s.recalled += len(group)
            guess = candidate.fact
            s.judged += 1
            s.subject += guess.subject in {f.subject for f in group}
            s.object += guess.object in {f.object for f in group}
            s.pair += (guess.subject, guess.object) in {(f.subject, f.object) for f in group}
            s.kind += guess.kind in {f.kind for f in group}
            s.pairs_listed += sum((f.subject, f.object) in candidate.pairs for f in group)
            s.design += guess.study_design in {f.study_design for f in group}
            s.level += guess.evidence_level in {f.evidence_level for f in group}
            s.cited += any((guess.citations, guess.attributed_to) == (f.citations, f.attributed_to) for f in group)
        got = candidate.fact.values if candidate else []
        wanted = [v for f in group for v in f.values]
        for fact in group:
            for value in fact.values:
                s.values += 1
                if any(exact(g, value) for g in got):
                    s.values_exact += 1
                else:
                    same = [g for g in got if g.as_written == value.as_written]
                    shown = same[0].model_dump(exclude_none=True) if same else [g.as_written for g in got]
                    s.failures.append(f"value of {fact.id}: {value.model_dump(exclude_none=True)}; drafted {shown}")
        if wanted:
            s.drafted_values += len(got)
            s.drafted_right += sum(any(exact(g, w) for w in wanted) for g in got)
    return s


def share(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def test_drafting_quality(drafts: dict[str, Draft], curated: Validated, capsys: pytest.CaptureFixture[str]) -> None:
    scores = {article: score(article, drafts[article], curated) for article in ARTICLES}
    header = (
        f"{'article':<28} {'facts':>5} {'recall':>7} {'subject':>8} {'object':>7} {'pair':>6} {'kind':>6} "
        f"{'listed':>7} {'values':>7} {'exact':>7} {'v.prec':>7} {'cands':>6}"
    )
    lines = ["", "Drafting quality (each article drafted as if new):", header]
    for article, s in scores.items():
        lines.append(
            f"{article:<28} {s.facts:>5} {share(s.recalled, s.facts):>7.1%} {share(s.subject, s.judged):>8.1%} "
            f"{share(s.object, s.judged):>7.1%} {share(s.pair, s.judged):>6.1%} {share(s.kind, s.judged):>6.1%} "
            f"{share(s.pairs_listed, s.recalled):>7.1%} "
            f"{s.values:>7} {share(s.values_exact, s.values):>7.1%} {share(s.drafted_right, s.drafted_values):>7.1%} "
            f"{len(drafts[article].candidates):>6}"
        )
    for article, s in scores.items():
        lines.append(f"failures, {article} ({len(s.failures)}):")
        lines += [f"  {failure}" for failure in s.failures]
    lines += ["", f"{'article':<28} {'design':>7} {'level':>7} {'cited':>7}   (of the candidates judged)"]
    for article, s in scores.items():
        lines.append(
            f"{article:<28} {share(s.design, s.judged):>7.1%} {share(s.level, s.judged):>7.1%} {share(s.cited, s.judged):>7.1%}"
        )
    with capsys.disabled():
        print("\n".join(lines))
    for article, s in scores.items():
        assert share(s.recalled, s.facts) >= RECALL, f"{article}: recall {share(s.recalled, s.facts):.1%}"
        assert share(s.values_exact, s.values) >= VALUES, f"{article}: values {share(s.values_exact, s.values):.1%}"

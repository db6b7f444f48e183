"""The catkg command, run for real: stdout carries results, stderr messages, errors exit non-zero."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from cli_runner import catkg

ROOT = Path(__file__).resolve().parents[2]


def test_validate_reports_counts() -> None:
    result = catkg("validate")
    assert result.returncode == 0 and result.stdout == ""
    assert result.stderr.startswith("ok: ")


def test_facts_formats_agree(store_path: Path, store) -> None:
    as_json = json.loads(catkg("facts", "--store", str(store_path), "--format", "json").stdout)
    assert len(as_json) == store.info["counts"]["facts"]
    as_csv = list(csv.DictReader(io.StringIO(catkg("facts", "--store", str(store_path), "--format", "csv").stdout)))
    assert [r["id"] for r in as_csv] == [f["id"] for f in as_json]
    lines = catkg("facts", "--store", str(store_path), "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == as_json
    table = catkg("facts", "--store", str(store_path), "--kind", as_json[0]["kind"]).stdout.splitlines()
    assert table[0].split() == ["id", "kind", "statement"] and len(table) > 1


def test_search_question_stats(store_path: Path) -> None:
    hits = json.loads(catkg("search", "PE", "--store", str(store_path), "--format", "json").stdout)
    assert hits and hits[0]["score"] >= hits[-1]["score"]
    names = json.loads(catkg("question", "--store", str(store_path), "--format", "json").stdout)
    assert len(names) >= 10
    rows = json.loads(catkg("question", "unclear_associations", "--store", str(store_path), "--format", "json").stdout)
    assert all(r["evidence"] for r in rows)
    stats = json.loads(catkg("stats", "--store", str(store_path), "--format", "json").stdout)[0]
    assert stats["facts"] == sum(k["count"] for k in stats["facts_by_kind"])


@pytest.mark.parametrize(
    "args,message",
    [
        (["facts", "--store", "/nonexistent/store"], "no store at /nonexistent/store"),
        (["question", "no_such_question"], "unknown question"),
        (["facts", "--kind", "nonsense"], "unknown kind 'nonsense'"),
        (["question", "quantified_risk_factors", "--param", "outcome=Not An Id"], "not a valid entity"),
    ],
)
def test_errors_go_to_stderr_with_nonzero_exit(store_path: Path, args: list[str], message: str) -> None:
    if "--store" not in args:
        args = [*args, "--store", str(store_path)]
    result = catkg(*args)
    assert result.returncode != 0 and result.stdout == ""
    assert message in result.stderr and "Traceback" not in result.stderr


def test_bad_curation_fails_build_and_names_the_place(tmp_path: Path) -> None:
    curated = tmp_path / "ingest" / "curated"
    curated.mkdir(parents=True)
    (curated / "facts.yaml").write_text("facts:\n  - id: Bad Id\n", encoding="utf-8")
    from catkg.ingest.load import CurationError
    from catkg.ingest.validate import load_and_validate

    with pytest.raises(CurationError, match=r"ingest/curated/facts.yaml:2: facts\[0\].id"):
        load_and_validate(curated)


def test_diff_between_releases(tmp_path: Path, store_path: Path) -> None:
    import shutil

    from catkg.ingest.validate import curated_root
    from catkg.queries.steps import build_graph

    curated = tmp_path / "ingest" / "curated"
    shutil.copytree(curated_root(), curated)
    path = next(p for p in sorted((curated / "facts").glob("*.yaml")) if "statement:" in p.read_text())
    text = path.read_text(encoding="utf-8")
    start = text.index("statement: ")
    end = text.index("\n", start)
    path.write_text(text[:start] + 'statement: "A reworded statement for the diff test."' + text[end:], encoding="utf-8")
    new = tmp_path / "new" / "store"
    build_graph(new, curated=curated)
    result = catkg("diff", str(store_path), str(new), "--format", "json")
    rows = json.loads(result.stdout)
    assert [r["change"] for r in rows] == ["changed"] and rows[0]["fields"] == "statement"
    assert "0 added, 0 removed, 1 changed" in result.stderr
    same = catkg("diff", str(store_path), str(store_path), "--format", "json")
    assert json.loads(same.stdout) == []


def test_ground_proposes_on_a_copy_and_writes_only_when_asked(tmp_path: Path) -> None:
    import re
    import shutil

    from catkg.ingest.validate import curated_root, sources_root

    curated = tmp_path / "ingest" / "curated"
    shutil.copytree(curated_root(), curated)
    path = curated / "entities.yaml"
    original = path.read_text(encoding="utf-8")
    # the copy loses the xrefs ground itself made for two entities; the curator's own xrefs stay
    stripped = re.sub(
        r"(  - id: (?:pulmonary-embolism|egfr-mutation)\n(?:    .*\n)*?)    xrefs:\n(?:      .*\n)+", r"\1", original
    )
    assert stripped.count("\n      - id: ") == original.count("\n      - id: ") - 2
    path.write_text(stripped, encoding="utf-8")
    where = ["--curated", str(curated), "--sources", str(sources_root())]

    dry = catkg("ground", *where)
    assert dry.returncode == 0, dry.stderr
    assert "proposed xrefs (2):" in dry.stdout and "dry run: nothing written" in dry.stderr
    assert re.search(r"^egfr-mutation +NCBIGene:1956 +EGFR mutation +EGFR$", dry.stdout, re.M)
    assert re.search(r"^pulmonary-embolism +HP:0002204 +pulmonary embolism +Pulmonary embolism$", dry.stdout, re.M)
    assert re.search(r"^drug +11 +0 +0% +none offline$", dry.stdout, re.M), "coverage names the types with no vocabulary"
    assert path.read_text(encoding="utf-8") == stripped

    wrote = catkg("ground", *where, "--write")
    assert wrote.returncode == 0 and f"wrote 2 xrefs into {path}" in wrote.stderr
    assert path.read_text(encoding="utf-8") == original, "ground writes what it wrote before, where it wrote it"
    again = catkg("ground", *where)
    assert "proposed xrefs (0):" in again.stdout


def test_ground_refuses_invalid_curation(tmp_path: Path) -> None:
    curated = tmp_path / "ingest" / "curated"
    curated.mkdir(parents=True)
    (curated / "entities.yaml").write_text('entities:\n  - id: x\n    label: "x"\n    type: nope\n', encoding="utf-8")
    result = catkg("ground", "--curated", str(curated))
    assert result.returncode == 1 and "entities[0].type: unknown entity type 'nope'" in result.stderr


def test_source_draft_writes_the_draft_and_refuses_to_overwrite(tmp_path: Path) -> None:
    curated = tmp_path / "curated"
    (curated / "facts").mkdir(parents=True)
    for name in ("sources.yaml", "entities.yaml"):
        (curated / name).write_text((ROOT / "ingest" / "curated" / name).read_text(encoding="utf-8"), encoding="utf-8")
    texts = tmp_path / "texts"  # a copy of the sources, read through --sources
    shutil.copytree(ROOT / "ingest" / "sources", texts)
    result = catkg("source", "draft", "lung-cancer-pe-review", "--curated", str(curated), "--sources", str(texts))
    assert result.returncode == 0 and result.stdout == "", result.stderr
    summary = re.fullmatch(
        r"wrote (.+): (\d+) sentences \((\d+) not yet accounted for\), (\d+) candidates, (\d+) values, (\d+) entity suggestions\n",
        result.stderr,
    )
    assert summary and Path(summary[1]) == curated / "facts" / "lung-cancer-pe-review.draft.yaml"
    written = Path(summary[1]).read_text(encoding="utf-8")
    assert written.count("\n  - id: draft-") == int(summary[4]) > 100
    again = catkg("source", "draft", "lung-cancer-pe-review", "--curated", str(curated))
    assert again.returncode == 1 and "exists: review it, or replace it with --force" in again.stderr
    assert Path(summary[1]).read_text(encoding="utf-8") == written
    assert catkg("source", "draft", "lung-cancer-pe-review", "--curated", str(curated), "--force").returncode == 0
    unknown = catkg("source", "draft", "nope", "--curated", str(curated))
    assert unknown.returncode == 1 and "unknown article 'nope'" in unknown.stderr and "Traceback" not in unknown.stderr

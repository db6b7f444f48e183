"""Large curated data is parsed in worker processes: the same records, and problems still at their lines."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from catkg.ingest import load
from catkg.ingest.load import CurationError, load_curation
from catkg.ingest.validate import curated_root


def records(root: Path) -> list[tuple[str, str, int, int]]:
    cur = load_curation(root)
    return [
        (item.section, item.record.model_dump_json(), item.index, item.line)
        for section in (cur.sources, cur.entities, cur.facts, cur.skips)
        for item in section
    ]


def test_workers_read_the_same_records_with_the_same_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    serial = records(curated_root())
    monkeypatch.setattr(load, "PARALLEL_BYTES", 1)
    assert records(curated_root()) == serial


def test_a_broken_file_read_by_a_worker_is_reported_at_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "curated"
    shutil.copytree(curated_root(), root)
    target = next(root.glob("facts/*.yaml"))
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("  statement:", "  statement: [unclosed\n  statement:", 1), encoding="utf-8")
    line = text[: text.index("  statement:")].count("\n") + 1
    monkeypatch.setattr(load, "PARALLEL_BYTES", 1)
    with pytest.raises(CurationError) as caught:
        load_curation(root, display_root=tmp_path)
    [problem] = caught.value.problems
    assert problem.file == str(target.relative_to(tmp_path)) and line <= problem.line <= line + 2
    assert "YAML syntax error" in problem.message

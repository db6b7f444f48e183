"""A generation keeps the article texts it was built from (queries/texts.py), and the API reads them there."""

from __future__ import annotations

from pathlib import Path

from catkg.ingest.validate import sources_root
from catkg.queries.texts import TEXTS, article_text
from catkg.store.embedded import EmbeddedStore

REVIEW = "002_7e3217616b27ac64.txt"


def test_the_build_keeps_every_article_text(store: EmbeddedStore) -> None:
    kept = sorted(p.name for p in (store.directory / TEXTS).iterdir())
    assert kept == sorted(p.name for p in sources_root().glob("*.txt"))
    for name in kept:
        assert (store.directory / TEXTS / name).read_bytes() == (sources_root() / name).read_bytes()


def test_the_kept_text_is_served_not_the_packaged_one(tmp_path: Path) -> None:
    (tmp_path / TEXTS).mkdir()
    (tmp_path / TEXTS / REVIEW).write_text("the text this generation was built from\n", encoding="utf-8")
    assert article_text(tmp_path, REVIEW) == "the text this generation was built from\n"


def test_a_generation_without_texts_reads_the_project_folder(tmp_path: Path) -> None:
    assert article_text(tmp_path, REVIEW) == (sources_root() / REVIEW).read_text(encoding="utf-8")

"""The project's copies of the article texts are byte-for-byte those received."""

from __future__ import annotations

from pathlib import Path

import pytest

from catkg.ingest.validate import sources_root

SHARED = Path(__file__).resolve().parents[3] / "shared" / "sources"


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/sources is not beside this checkout")
@pytest.mark.parametrize("name", sorted(p.name for p in SHARED.glob("*.txt")) if SHARED.is_dir() else [])
def test_source_is_a_byte_copy(name: str) -> None:
    assert (sources_root() / name).read_bytes() == (SHARED / name).read_bytes()


def test_sources_keep_their_special_characters() -> None:
    review = (sources_root() / "002_7e3217616b27ac64.txt").read_text(encoding="utf-8")
    assert "\u00a0" in review and "\u2013" in review

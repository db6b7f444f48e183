"""`catkg source add`, run for real on a copy of the curation: what it prints, and every refusal.

A refused input exits 2 with one line on stderr naming the file (and line) and what is wrong, and leaves the
curated folder and the source texts byte for byte as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cli_runner import catkg
from conftest import snapshot

from catkg.ingest.validate import sources_root

FIXTURES = Path(__file__).resolve().parents[1] / "ingest" / "fixtures"
JATS = FIXTURES / "new-article.jats.xml"
PUBMED = FIXTURES / "new-article.pubmed.xml"


def add(file: Path, curated: Path, sources: Path, *extra: str):
    return catkg("source", "add", str(file), "--curated", str(curated), "--sources", str(sources), *extra)


def test_add_prints_what_was_added(curation: tuple[Path, Path]) -> None:
    curated, sources = curation
    result = add(JATS, curated, sources)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("added anti-tumour-therapies-and-the-risk-2024: ") and lines[0].endswith(".txt")
    assert lines[1] == "title: Anti-tumour therapies and the risk of pulmonary embolism in lung cancer: a test fixture"
    assert lines[2].startswith("sections: abstract at line 6 ('Abstract'), body at line 10 ('Risk factors")
    assert lines[3] == "references: 3 (ref-wang-2019-2, ref-witteles-2008-2, ref-kanaji-2018-2)"
    assert lines[4].startswith("sentences: ") and "0 covered by facts (0%)" in lines[4]
    assert catkg("validate", "--curated", str(curated), "--sources", str(sources)).returncode == 0


@dataclass(frozen=True)
class Refusal:
    name: str
    make: Callable[[Path], Path]
    """Writes the input into the folder given and returns its path."""
    message: str
    """A substring of the one-line message (``{file}`` is the input's path)."""
    extra: tuple[str, ...] = ()
    first: Path | None = None
    """A file added before the refused one."""


def written(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return make


def edited(*pairs: tuple[str, str]) -> Callable[[Path], Path]:
    """The JATS fixture with each (old, new) replaced once."""
    text = JATS.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text
        text = text.replace(old, new, 1)
    return written("edited.xml", text.encode())


REFERENCES_LINE = JATS.read_text(encoding="utf-8").split("\n").index("      <title>References</title>") + 1

REFUSALS = [
    Refusal("already added", lambda folder: JATS, "{file}: already added: its text is 003_", first=JATS),
    Refusal(
        "already added, the review's own text",
        lambda folder: sources_root() / "002_7e3217616b27ac64.txt",
        "already added: its text is 002_7e3217616b27ac64.txt",
    ),
    Refusal("empty file", written("empty.txt", b""), "{file}: the file is empty"),
    Refusal("only whitespace", written("blank.txt", b" \n\n\t\n"), "{file}: the file is empty"),
    Refusal("NUL bytes", written("binary.txt", b"PDF\x00\x01\x02"), "{file}: a binary file (NUL byte at offset 3)"),
    Refusal("not UTF-8", written("latin1.txt", "Title\nD-dimer \u00e9lev\u00e9\n".encode("latin-1")), "{file}:2: not UTF-8 text"),
    Refusal(
        "malformed XML",
        edited(("<title>References</title>", "<title>References</titel>")),
        f"{{file}}:{REFERENCES_LINE}: malformed XML: Opening and ending tag mismatch: title line {REFERENCES_LINE} and titel",
    ),
    Refusal(
        "XML neither JATS nor PubMed",
        written("page.xml", b"<html><body><p>PE</p></body></html>"),
        "{file}:1: the XML root is <html>",
    ),
    Refusal(
        "an external entity",
        written(
            "xxe.xml",
            b'<?xml version="1.0"?>\n<!DOCTYPE article [<!ENTITY secret SYSTEM "file:///etc/hostname">]>\n'
            b"<article><front><article-meta><title-group><article-title>T &secret;</article-title></title-group>"
            b"</article-meta></front></article>",
        ),
        "{file}:3: entity &secret; is not expanded (no DTD is loaded, no entity expanded)",
    ),
    Refusal(
        "an internal entity",
        written(
            "laughs.xml",
            b'<?xml version="1.0"?>\n<!DOCTYPE article [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
            b"<article><front><article-meta><title-group><article-title>&b;</article-title></title-group>"
            b"</article-meta></front></article>",
        ),
        "{file}:3: entity &b; is not expanded",
    ),
    Refusal("UTF-16", written("utf16.txt", "Title\nText.\n".encode("utf-16")), "{file}: UTF-16 text; catkg reads UTF-8"),
    Refusal(
        "a PubmedArticleSet of two records",
        written(
            "two.xml",
            PUBMED.read_text(encoding="utf-8")
            .replace("</PubmedArticleSet>", PUBMED.read_text(encoding="utf-8").split("<PubmedArticleSet>")[1])
            .encode(),
        ),
        "{file}: the PubmedArticleSet holds 2 PubmedArticle records; add one at a time",
    ),
    Refusal(
        "a JATS article without a title",
        edited(
            ("<article-title>Anti-tumour", "<alt-title>Anti-tumour"), ("test fixture</article-title>", "test fixture</alt-title>")
        ),
        "{file}:3: the JATS article has no front/article-meta/title-group/article-title",
    ),
    Refusal(
        "a PubMed record without an abstract",
        written(
            "no-abstract.xml",
            PUBMED.read_text(encoding="utf-8")
            .replace("<AbstractText", "<OtherText")
            .replace("</AbstractText>", "</OtherText>")
            .encode(),
        ),
        "{file}:4: the PubmedArticle has no Abstract/AbstractText to read",
    ),
    Refusal(
        "id already used",
        lambda folder: JATS,
        "the id 'lung-cancer-pe-review' is already used",
        ("--id", "lung-cancer-pe-review"),
    ),
    Refusal(
        "derived id already used",
        lambda folder: PUBMED,
        "the id 'anti-tumour-therapies-and-the-risk-2024' is already used by the source at ingest/curated/sources.yaml:",
        first=JATS,
    ),
    Refusal("id not a slug", lambda folder: JATS, "--id 'New Source' is not a slug", ("--id", "New Source")),
    Refusal("no such file", lambda folder: folder / "missing.xml", "missing.xml: cannot read it"),
    Refusal("no such sources folder", lambda folder: JATS, "--sources /nowhere: no such folder", ("--sources", "/nowhere")),
]


@pytest.mark.parametrize("case", REFUSALS, ids=[r.name for r in REFUSALS])
def test_refusal_exits_2_with_one_line_and_writes_nothing(case: Refusal, curation: tuple[Path, Path], tmp_path: Path) -> None:
    curated, sources = curation
    if case.first is not None:
        assert add(case.first, curated, sources).returncode == 0
    before = snapshot(curated, sources)
    file = case.make(tmp_path)
    result = add(file, curated, sources, *case.extra)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("refused: "), result.stderr
    assert case.message.format(file=file) in lines[0]
    assert snapshot(curated, sources) == before


def test_a_sources_yaml_that_cannot_be_appended_to_is_refused(curation: tuple[Path, Path]) -> None:
    curated, sources = curation
    target = curated / "sources.yaml"
    target.write_text(target.read_text(encoding="utf-8") + "\nskips: []\n", encoding="utf-8")
    before = snapshot(curated, sources)
    result = add(JATS, curated, sources)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "refused: ingest/curated/sources.yaml: 'sources:' is not the last section of the file; move it last so entries can be appended"
    )
    assert snapshot(curated, sources) == before


def test_a_result_that_does_not_validate_lists_its_problems(curation: tuple[Path, Path], tmp_path: Path) -> None:
    curated, sources = curation
    text = JATS.read_text(encoding="utf-8")
    ref = text[text.index('      <ref id="r23">') : text.index("    </ref-list>")]
    twice = tmp_path / "twice.xml"
    twice.write_text(text.replace(ref, ref + ref.replace('id="r23"', 'id="r24"')), encoding="utf-8")
    before = snapshot(curated, sources)
    result = add(twice, curated, sources)
    assert result.returncode == 1
    assert "ingest/curated/sources.yaml:" in result.stderr and "title: occurs 2 times" in result.stderr
    start = len((curated / "sources.yaml").read_text(encoding="utf-8").split("\n")) + 1
    assert (
        f"ingest/curated/sources.yaml:{start}: the entries 'catkg source add' would append start here; nothing was written"
        in result.stderr
    )
    assert snapshot(curated, sources) == before

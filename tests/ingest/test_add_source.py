"""`catkg source add`'s ingest side: reading the three input kinds, rendering XML, and writing all or nothing.

Every test works on a copy of the real curation in a temporary folder. The CLI's refusals (exit code 2, one line,
files unchanged) are in tests/api/test_cli_source.py.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

import pytest
import yaml
from conftest import snapshot
from hypothesis import given
from hypothesis import strategies as st
from test_curated_facts import assert_canonical

from catkg.ingest.add_source import add_source, heading_at, quoted, write_new
from catkg.ingest.articles import ArticleError, read_article
from catkg.ingest.ledger import ledger
from catkg.ingest.load import CurationError
from catkg.ingest.validate import curated_root, load_and_validate, sources_root

FIXTURES = Path(__file__).resolve().parent / "fixtures"
JATS = FIXTURES / "new-article.jats.xml"
PUBMED = FIXTURES / "new-article.pubmed.xml"
REVIEW = sources_root() / "002_7e3217616b27ac64.txt"
DIC = sources_root() / "000_39374a5e31a6b0a7.txt"


def review_lines() -> set[str]:
    return set(REVIEW.read_text(encoding="utf-8").split("\n"))


# ------------------------------------------------------------------------------------------------------ rendering


def test_jats_renders_the_same_bytes_every_time() -> None:
    first, second = read_article(JATS), read_article(JATS)
    assert first.raw == second.raw and first.raw == first.text.encode("utf-8")


def test_jats_paragraphs_come_out_verbatim() -> None:
    """The fixture's body paragraphs were copied from the review and wrapped over XML lines (one writes its
    no-break space as &#160;): each renders back to the review's line, byte for byte."""
    article = read_article(JATS)
    lines = article.text.split("\n")
    body = [line for line in lines if line.startswith(("Surgical interventions", "Chemotherapy significantly"))]
    assert len(body) == 2 and all(line in review_lines() for line in body)
    assert "30\u00a0months" in article.text and "2–6 times" in article.text and "150\u00a0g/L" in article.text
    assert "Risk factors and effects of anti-tumor therapies on PE in patients with lung cancer" in lines


def test_jats_front_matter_sections_and_references() -> None:
    article = read_article(JATS)
    lines = article.text.split("\n")
    assert lines[0] == article.title == "Anti-tumour therapies and the risk of pulmonary embolism in lung cancer: a test fixture"
    assert article.authors == ("Fixture A", "Example BC") and lines[1:3] == ["• Fixture A", "• Example BC"]
    assert (article.journal, article.published, article.year) == ("Catkg Test Fixtures", "2024-5-6", 2024)
    assert article.citation == lines[3] == "Catkg Test Fixtures. 2024-5-6; 1: e1"
    kinds = [kind for kind, _ in article.sections]
    assert kinds == ["abstract", "body", "reference-list"]
    starts = dict(article.sections)
    assert article.text[starts["abstract"] :].startswith("Abstract\n")
    assert article.text[starts["body"] :].startswith("Risk factors and effects")
    assert article.text[starts["reference-list"] :].startswith("References\n")
    refs = article.references
    assert [r.title for r in refs] == [
        "Clinical features and treatment of patients with lung adenocarcinoma with bone marrow metastasis.",
        "Lung cancer presenting with amegakaryocytic thrombocytopenia.",
        "Clinical features of patients with lung cancer accompanied by thromboembolism or disseminated intravascular coagulation.",
    ]
    assert refs[1].authors == ("Witteles WH", "Schrier SL", "Wakelee HA")  # from a mixed-citation
    assert refs[2].authors[-1] == "et al."  # <etal/>
    assert (refs[0].journal, refs[0].year, refs[0].volume, refs[0].pages) == ("Tumori", 2019, "105", "388-393")
    dic = DIC.read_text(encoding="utf-8")
    # The fixture's entries were taken from the DIC article's list: rendered, they give its lines back.
    assert all(r.title in dic and r.citation in dic for r in refs)


def test_pubmed_record_renders_labels_as_lines() -> None:
    article = read_article(PUBMED)
    lines = article.text.split("\n")
    assert article.kind == "pubmed" and article.title == lines[0]
    assert article.title.endswith("risk of pulmonary embolism in lung cancer: a test fixture.")  # <i> dropped, text kept
    assert (article.journal, article.published, article.citation) == (
        "Catkg Test Fixtures",
        "2024 May 6",
        "Catkg Test Fixtures. 2024 May 6; 1: e1",
    )
    assert article.authors == ("Fixture A", "Example BC")
    assert [kind for kind, _ in article.sections] == ["abstract"]
    for label in ("BACKGROUND", "SURGERY", "CHEMOTHERAPY"):
        assert label in lines
    chemo = lines[lines.index("CHEMOTHERAPY") + 1]
    assert (
        chemo
        == "Chemotherapy significantly heightens the risk of thrombosis in individuals with lung cancer, increasing the likelihood by 2–6 times [21]."
    )
    assert article.references == ()


def test_plain_text_is_kept_byte_for_byte_and_its_headings_found(tmp_path: Path) -> None:
    raw = (
        "A plain article on PE\r\n\r\nAbstract\r\nPE is common\u00a0in lung cancer, 2–6 times more.\r\n"
        "Background\r\nSome body text.\r\nReferences\r\n• Doe J\r\n"
    ).encode()
    path = tmp_path / "plain.txt"
    path.write_bytes(raw)
    article = read_article(path)
    assert article.raw == raw and article.kind == "text"
    assert article.text == path.read_text(encoding="utf-8")  # offsets count as every reader sees the text
    assert article.title == "A plain article on PE"
    assert [(kind, article.text[start:].split("\n")[0]) for kind, start in article.sections] == [
        ("abstract", "Abstract"),
        ("body", "Background"),
        ("reference-list", "References"),
    ]


def test_heading_grows_until_it_occurs_once() -> None:
    text = "Abstract\nAbstract thinking\nAbstract views here\n"
    assert heading_at(text, 0) == "Abstract\nAbstract"
    assert heading_at(text, text.index("Abstract views")) == "Abstract views here"


def test_quoted_reads_back_as_itself() -> None:
    for text in ['2–6\u00a0times "as high"', "back\\slash\ttab\nnewline", "nel\x85 ls\u2028 bom\ufeff ctl\x07"]:
        assert yaml.safe_load(f"k: {quoted(text)}")["k"] == text


# ------------------------------------------------------------------------------------------------------ adding


def test_add_jats_appends_a_valid_entry_and_its_references(curation: tuple[Path, Path]) -> None:
    curated, sources = curation
    before = (curated / "sources.yaml").read_text(encoding="utf-8")
    others = snapshot(curated / "facts", curated / "entities.yaml", curated / "skips.yaml")
    added = add_source(JATS, curated, sources)
    after = (curated / "sources.yaml").read_text(encoding="utf-8")
    assert after.startswith(before), "every byte already in sources.yaml stays as it was"
    assert_canonical(after, "sources.yaml")
    assert snapshot(curated / "facts", curated / "entities.yaml", curated / "skips.yaml") == others
    assert added.file.read_bytes() == read_article(JATS).raw
    digest = hashlib.sha256(added.file.read_bytes()).hexdigest()
    assert added.file.name == f"003_{digest[:16]}.txt"
    validated = load_and_validate(curated, sources)
    records = {s.record.id: s.record for s in validated.curation.sources}
    new = records[added.id]
    assert added.id == "anti-tumour-therapies-and-the-risk-2024"
    assert (new.kind, new.file, new.journal, new.published, new.year) == (
        "article",
        added.file.name,
        "Catkg Test Fixtures",
        "2024-5-6",
        2024,
    )
    assert new.authors == ["Fixture A", "Example BC"] and new.title_in_text
    assert [(s.kind, s.heading) for s in new.sections] == [
        ("abstract", "Abstract"),
        ("body", "Risk factors and effects of anti-tumor therapies on PE in patients with lung cancer"),
        ("reference-list", "References"),
    ]
    refs = [records[r] for r in added.references]
    assert [(r.position, r.cited_in) for r in refs] == [(1, added.id), (2, added.id), (3, added.id)]
    assert refs[0].citation == "Tumori. 2019; 105: 388-393" and refs[0].id == "ref-wang-2019-2"  # ref-wang-2019 is taken
    entries = [e for e in ledger(validated) if e.unit.source == added.id]
    assert added.ledger["units"] == len(entries) > 0
    assert added.ledger["facts"] == 0 and not any(e.reason == "fact" for e in entries)
    assert added.ledger["uncovered"] == sum(e.status == "uncovered" for e in entries) > 0


def test_add_pubmed_and_plain_text(curation: tuple[Path, Path], tmp_path: Path) -> None:
    curated, sources = curation
    pubmed = add_source(PUBMED, curated, sources, "fixture-pubmed-record")
    plain = tmp_path / "plain.txt"
    plain.write_bytes(b"Untitled notes\nAbstract\nPE is common.\nBody\nMore text.\n")
    text = add_source(plain, curated, sources)
    assert text.id == "untitled-notes" and text.file.read_bytes() == plain.read_bytes()
    records = {s.record.id: s.record for s in load_and_validate(curated, sources).curation.sources}
    assert records["fixture-pubmed-record"].published == "2024 May 6"
    assert [s.kind for s in records["fixture-pubmed-record"].sections] == ["abstract"]
    assert [s.kind for s in records["untitled-notes"].sections] == ["abstract", "body"]
    assert pubmed.file.name.startswith("003_") and text.file.name.startswith("004_")
    assert_canonical((curated / "sources.yaml").read_text(encoding="utf-8"), "sources.yaml")


def test_a_new_entry_that_does_not_validate_writes_nothing(curation: tuple[Path, Path], tmp_path: Path) -> None:
    """Two entries with the same title cannot both be located: validation of the result fails, nothing is written."""
    curated, sources = curation
    text = JATS.read_text(encoding="utf-8")
    ref = text[text.index('      <ref id="r23">') : text.index("    </ref-list>")]
    twice = tmp_path / "twice.xml"
    twice.write_text(text.replace(ref, ref + ref.replace('id="r23"', 'id="r24"')), encoding="utf-8")
    before = snapshot(curated, sources)
    with pytest.raises(CurationError, match=r"title: occurs 2 times"):
        add_source(twice, curated, sources)
    assert snapshot(curated, sources) == before


def test_a_changed_sources_yaml_is_not_overwritten(curation: tuple[Path, Path]) -> None:
    """If sources.yaml changed between reading and writing, the new text is removed again and sources.yaml kept."""
    curated, sources = curation
    target = curated / "sources.yaml"
    current = target.read_bytes()
    text_path = sources / "009_0000000000000000.txt"
    with pytest.raises(ArticleError, match="changed while"):
        write_new(text_path, b"text\n", target, current + b"# someone else's edit\n", b"sources: []\n")
    assert not text_path.exists() and target.read_bytes() == current
    assert not [p for p in sources.iterdir() if p.name.startswith(".")]


def test_permissions_are_kept(curation: tuple[Path, Path]) -> None:
    """sources.yaml is replaced by a new file: it keeps the mode it had; the new text gets the umask's."""
    curated, sources = curation
    (curated / "sources.yaml").chmod(0o640)
    added = add_source(JATS, curated, sources)
    assert stat.S_IMODE((curated / "sources.yaml").stat().st_mode) == 0o640
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(added.file.stat().st_mode) == 0o666 & ~umask


def test_a_text_without_a_title_line_gets_a_description(curation: tuple[Path, Path], tmp_path: Path) -> None:
    curated, sources = curation
    notes = tmp_path / "notes.txt"
    notes.write_text("Abstract\nPE is common in lung cancer.\nMethods\nWe read.\n", encoding="utf-8")
    added = add_source(notes, curated, sources, "untitled-notes")
    record = next(s.record for s in load_and_validate(curated, sources).curation.sources if s.record.id == "untitled-notes")
    assert (record.title, record.title_in_text) == ("The article added from notes.txt", False)
    assert added.title == record.title and not added.title_in_text
    assert "title_in_text: false" in (curated / "sources.yaml").read_text(encoding="utf-8")


RICH = """<?xml version="1.0" encoding="UTF-8"?>
<article><front><journal-meta><journal-title>J Test</journal-title></journal-meta>
<article-meta><title-group><article-title>A rich article</article-title></title-group>
<contrib-group><contrib contrib-type="editor"><name><surname>Nobody</surname></name></contrib>
<contrib><collab>The Fixture Group</collab></contrib></contrib-group>
<pub-date pub-type="ppub"><year>2020</year><season>Spring</season></pub-date>
<abstract abstract-type="graphical"><p>Graphical abstract, left out.</p></abstract>
<abstract><sec><title>Background</title><p>One.</p></sec><sec><title>Results</title><p>Two.</p></sec></abstract>
</article-meta></front>
<body><p>Lead paragraph before any section.</p>
<sec><label>1.</label><title>Methods</title><p>We  looked
   at\u00a0x <italic>in vivo</italic><sup>2</sup>.</p>
  <sec><title>Patients</title><list><list-item><p>first item</p></list-item><list-item><p>second</p></list-item></list></sec>
  <fig id="f1"><label>Fig. 1</label><caption><title>Key signs.</title><p>Caption text.</p></caption><graphic/></fig>
  <table-wrap><label>Table 1</label><caption><title>Counts.</title></caption><table><tr><td>99</td></tr></table></table-wrap>
  <boxed-text><p>Boxed.</p></boxed-text>
</sec>
<sec><title>Discussion</title><p>Last<fn><p>a footnote, left out</p></fn>.</p></sec>
</body>
<back><ack><p>Thanks, left out.</p></ack><ref-list><title>Literature</title>
<ref><element-citation publication-type="book"><person-group><string-name>Roe R</string-name></person-group>
<source>A Book Title</source><year>1999</year></element-citation></ref>
<ref><mixed-citation>Unstructured entry text, 2001.</mixed-citation></ref>
</ref-list></back></article>
"""


def test_jats_blocks_render_one_a_line(tmp_path: Path) -> None:
    path = tmp_path / "rich.xml"
    path.write_text(RICH, encoding="utf-8")
    article = read_article(path)
    assert article.text.split("\n") == [
        "A rich article",
        "• The Fixture Group",
        "J Test. 2020 Spring",
        "",
        "Abstract",
        "Background",
        "One.",
        "Results",
        "Two.",
        "",
        "Lead paragraph before any section.",
        "",
        "1. Methods",
        "We looked at\u00a0x in vivo2.",
        "Patients",
        "• first item",
        "• second",
        "Fig. 1 Key signs.",
        "Caption text.",
        "Table 1 Counts.",
        "Boxed.",
        "",
        "Discussion",
        "Last.",
        "",
        "Literature",
        "• Roe R",
        "A Book Title",
        "1999",
        "Unstructured entry text, 2001.",
        "",
    ]
    assert [(r.title, r.journal, r.year) for r in article.references] == [
        ("A Book Title", None, 1999),
        ("Unstructured entry text, 2001.", None, None),
    ]
    assert [kind for kind, _ in article.sections] == ["abstract", "body", "reference-list"]


def test_jats_journal_abbreviation_and_contributors_as_publishers_write_them(tmp_path: Path) -> None:
    path = tmp_path / "publisher.xml"
    path.write_text(
        """<article><front><journal-meta><journal-id journal-id-type="publisher">ACP</journal-id>
        <journal-title-group><journal-title>Atmospheric Chemistry and Physics</journal-title>
        <abbrev-journal-title abbrev-type="publisher">ACP</abbrev-journal-title>
        <abbrev-journal-title abbrev-type="nlm-ta">Atmos. Chem. Phys.</abbrev-journal-title></journal-title-group>
        </journal-meta><article-meta><title-group><article-title>Clouds</article-title></title-group>
        <contrib-group><contrib contrib-type="author" corresp="yes"><xref ref-type="aff" rid="aff1"/>
        \t<name>\n\t\t<surname>Moser</surname>\n\t\t<given-names>Manuel</given-names>\n\t</name>
        <email>someone@example.org</email></contrib></contrib-group>
        <pub-date date-type="pub" publication-format="electronic"><day>21</day><month>06</month><year>2023</year></pub-date>
        <volume>23</volume></article-meta></front><body><p>Text.</p></body></article>""",
        encoding="utf-8",
    )
    article = read_article(path)
    assert (article.journal, article.authors, article.published) == ("Atmos. Chem. Phys.", ("Moser Manuel",), "2023-06-21")
    assert article.citation == "Atmos. Chem. Phys. 2023-06-21; 23"


@given(st.text())
def test_quoted_reads_back_as_itself_for_any_text(text: str) -> None:
    assert yaml.safe_load(f"k: {quoted(text)}")["k"] == text


def test_a_failed_write_removes_the_new_text(curation: tuple[Path, Path]) -> None:
    """sources.yaml cannot be replaced (here it is a folder): the OS error comes through and the text is gone."""
    curated, sources = curation
    blocked = curated / "blocked.yaml"
    blocked.mkdir()
    text_path = sources / "009_0000000000000000.txt"
    with pytest.raises(OSError):
        write_new(text_path, b"text\n", blocked, None, b"sources: []\n")
    assert not text_path.exists() and blocked.is_dir() and not list(blocked.iterdir())
    assert not [p for p in (*sources.iterdir(), *curated.iterdir()) if p.name.endswith(".partial")]


def test_a_curation_without_sources_yaml_gets_one(tmp_path: Path) -> None:
    curated, sources = tmp_path / "ingest" / "curated", tmp_path / "ingest" / "sources"
    curated.mkdir(parents=True)
    sources.mkdir()
    shutil.copy(curated_root() / "entities.yaml", curated / "entities.yaml")
    added = add_source(JATS, curated, sources)
    text = (curated / "sources.yaml").read_text(encoding="utf-8")
    assert text.startswith("sources:\n  # anti-tumour-therapies-and-the-risk-2024: added by 'catkg source add'")
    assert_canonical(text, "sources.yaml")
    assert added.file.name.startswith("000_") and added.references == ["ref-wang-2019", "ref-witteles-2008", "ref-kanaji-2018"]
    assert len(load_and_validate(curated, sources).curation.sources) == 4

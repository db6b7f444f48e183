"""A corpus of broken curated inputs, each made from the real curated data by one mutation.

Every one must fail validation and the build with an error that names the file, the line and the field, and
leave the serving store byte-for-byte unchanged.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from catkg.ingest.load import CurationError
from catkg.ingest.validate import curated_root, load_and_validate, sources_root
from catkg.store.build import build

FACTS = "facts/lung-cancer-pe-review.yaml"
DIC = "facts/dic-targeted-therapy-2022.yaml"


@dataclass(frozen=True)
class Broken:
    name: str
    file: str
    mutate: Callable[[str], str | bytes]
    where: str
    """A regex the error must match: file:line: field: message."""


def nth_record(text: str, index: int) -> tuple[int, int]:
    """Start and end offsets of the index-th list record ('  - id:') of a YAML section."""
    starts = [m.start() for m in re.finditer(r"^  - ", text, re.MULTILINE)]
    return starts[index], starts[index + 1] if index + 1 < len(starts) else len(text)


def in_record(index: int, old: str, new: str) -> Callable[[str], str]:
    """Replace the first ``old`` inside the index-th record only."""

    def mutate(text: str) -> str:
        start, end = nth_record(text, index)
        record = text[start:end]
        assert old in record, f"record {index} has no {old!r}"
        return text[:start] + record.replace(old, new, 1) + text[end:]

    return mutate


def line_re(file: str, field: str, message: str) -> str:
    return rf"ingest/curated/{re.escape(file)}:\d+: {re.escape(field)}: .*{message}"


CORPUS = [
    Broken(
        "yaml: tab indentation",
        FACTS,
        lambda t: t.replace("\n    kind:", "\n\tkind:", 1),
        rf"ingest/curated/{FACTS}:\d+: YAML syntax error",
    ),
    Broken(
        "yaml: unclosed quote",
        FACTS,
        lambda t: t.replace('statement: "', 'statement: "oops', 1).replace('."\n', ".\n", 1),
        rf"ingest/curated/{FACTS}:\d+: YAML syntax error",
    ),
    Broken(
        "yaml: unclosed flow list",
        FACTS,
        lambda t: t.replace('citations: ["', 'citations: [["', 1),
        rf"ingest/curated/{FACTS}:\d+: YAML syntax error",
    ),
    Broken(
        "yaml: bad indentation",
        "entities.yaml",
        lambda t: t.replace("\n    label:", "\n      label:", 1),
        r"ingest/curated/entities.yaml:\d+: YAML syntax error",
    ),
    Broken(
        "yaml: duplicate key",
        FACTS,
        in_record(3, "    kind:", "    kind: incidence\n    kind:"),
        line_re(FACTS, "facts[3].kind", "duplicate key"),
    ),
    Broken("yaml: top level is a list", "skips.yaml", lambda t: "- a\n- b\n", r"ingest/curated/skips.yaml:1: expected a mapping"),
    Broken(
        "yaml: unknown section",
        "skips.yaml",
        lambda t: t.replace("skips:", "skipz:", 1),
        r"ingest/curated/skips.yaml:\d+: skipz: unknown section",
    ),
    Broken(
        "yaml: section is not a list",
        "skips.yaml",
        lambda t: "skips: {a: 1}\n",
        r"ingest/curated/skips.yaml:1: skips: expected a list",
    ),
    Broken(
        "yaml: record is a string",
        "skips.yaml",
        lambda t: "skips:\n  - just text\n",
        r"ingest/curated/skips.yaml:2: skips\[0\]: expected a mapping",
    ),
    Broken("empty file", "skips.yaml", lambda t: "", r"ingest/curated/skips.yaml:1: the file is empty"),
    Broken("only a comment", "skips.yaml", lambda t: "# nothing\n", r"ingest/curated/skips.yaml:1: the file is empty"),
    Broken(
        "not UTF-8 (Latin-1 byte)",
        FACTS,
        lambda t: t.encode("utf-8").replace(b"statement: ", b"statement: \xe9", 1),
        rf"ingest/curated/{FACTS}:\d+: not valid UTF-8",
    ),
    Broken(
        "not UTF-8 (UTF-16 file)", "skips.yaml", lambda t: t.encode("utf-16"), r"ingest/curated/skips.yaml:1: not valid UTF-8"
    ),
    Broken(
        "huge file",
        "skips.yaml",
        lambda t: t + "# " + "x" * (17 * 2**20) + "\n",
        r"ingest/curated/skips.yaml: the file is \d+ bytes",
    ),
    Broken(
        "unknown key in fact",
        FACTS,
        in_record(0, "    kind:", "    confidence: high\n    kind:"),
        line_re(FACTS, "facts[0].confidence", "Extra inputs"),
    ),
    Broken(
        "unknown key in value",
        FACTS,
        lambda t: t.replace("        as_written:", "        as_writen:", 1),
        r"values\[0\]\.as_writen: Extra inputs",
    ),
    Broken(
        "unknown key in entity",
        "entities.yaml",
        in_record(2, "    label:", "    lable: x\n    label:"),
        line_re("entities.yaml", "entities[2].lable", "Extra inputs"),
    ),
    Broken(
        "unknown key in source",
        "sources.yaml",
        in_record(1, "    kind:", "    doi: none\n    kind:"),
        line_re("sources.yaml", "sources[1].doi", "Extra inputs"),
    ),
    Broken(
        "missing statement",
        FACTS,
        in_record(4, "    statement:", "    statment:"),
        line_re(FACTS, "facts[4].statement", "Field required"),
    ),
    Broken("missing quote", DIC, in_record(0, "    quote:", "    quot:"), line_re(DIC, "facts[0].quote", "Field required")),
    Broken(
        "missing entity type",
        "entities.yaml",
        in_record(0, "    type:", "    typ:"),
        line_re("entities.yaml", "entities[0].type", "Field required"),
    ),
    Broken(
        "wrong type: value is text",
        FACTS,
        lambda t: re.sub(r"value: [0-9.]+", "value: many", t, count=1),
        r"values\[0\]\.value: .*valid number",
    ),
    Broken(
        "wrong type: cohort size is text",
        FACTS,
        lambda t: re.sub(r"cohort_size: \d+", "cohort_size: lots", t, count=1),
        r"values\[0\]\.cohort_size: .*valid integer",
    ),
    Broken(
        "wrong type: citations not a list",
        FACTS,
        lambda t: re.sub(r'citations: \["([^"]+)"\]', r'citations: "\1"', t, count=1),
        r"\.citations: .*valid list",
    ),
    Broken(
        "wrong type: occurrence is text",
        FACTS,
        lambda t: t.replace("occurrence: 1", "occurrence: first", 1),
        r"\.occurrence: .*valid integer",
    ),
    Broken(
        "wrong type: id with spaces", FACTS, in_record(1, "  - id: ", "  - id: Bad Id "), line_re(FACTS, "facts[1].id", "pattern")
    ),
    Broken(
        "unknown kind",
        FACTS,
        in_record(2, "    kind: ", "    kind: rumour-"),
        line_re(FACTS, "facts[2].kind", "unknown fact kind"),
    ),
    Broken(
        "unknown study design",
        FACTS,
        in_record(2, "    study_design: ", "    study_design: hearsay-"),
        r"facts\[2\]\.study_design: Input should be",
    ),
    Broken(
        "unknown direction",
        FACTS,
        in_record(2, "    direction: ", "    direction: maybe-"),
        r"facts\[2\]\.direction: Input should be",
    ),
    Broken(
        "unknown subject entity",
        FACTS,
        in_record(5, "    subject: ", "    subject: x"),
        line_re(FACTS, "facts[5].subject", "unknown entity"),
    ),
    Broken(
        "unknown object entity",
        DIC,
        in_record(5, "    object: ", "    object: x"),
        line_re(DIC, "facts[5].object", "unknown entity"),
    ),
    Broken(
        "unknown entity type",
        "entities.yaml",
        in_record(3, "    type: ", "    type: x"),
        line_re("entities.yaml", "entities[3].type", "unknown entity type"),
    ),
    Broken(
        "unknown broader entity",
        "entities.yaml",
        lambda t: t.replace("    broader: [", "    broader: [no-such-entity, ", 1),
        r"\.broader\[0\]: unknown entity 'no-such-entity'",
    ),
    Broken(
        "unknown source of a fact",
        FACTS,
        in_record(6, "    source: ", "    source: x"),
        line_re(FACTS, "facts[6].source", "unknown article"),
    ),
    Broken(
        "unknown cited reference",
        DIC,
        lambda t: t.replace("    cites: [", "    cites: [ref-nobody-1999, ", 1),
        r"\.cites\[0\]: unknown reference 'ref-nobody-1999'",
    ),
    Broken(
        "duplicate fact id",
        FACTS,
        lambda t: t.replace(
            "  - id: " + re.findall(r"^  - id: (\S+)", t, re.MULTILINE)[1],
            "  - id: " + re.findall(r"^  - id: (\S+)", t, re.MULTILINE)[0],
            1,
        ),
        line_re(FACTS, "facts[1].id", "duplicate fact id"),
    ),
    Broken(
        "duplicate entity id",
        "entities.yaml",
        lambda t: t.replace(
            "  - id: " + re.findall(r"^  - id: (\S+)", t, re.MULTILINE)[1],
            "  - id: " + re.findall(r"^  - id: (\S+)", t, re.MULTILINE)[0],
            1,
        ),
        line_re("entities.yaml", "entities[1].id", "duplicate entity id"),
    ),
    Broken(
        "quote not verbatim (no-break space lost)",
        FACTS,
        lambda t: t.replace("30\u00a0months", "30 months", 1),
        r"\.quote: not verbatim in source .*first difference",
    ),
    Broken(
        "quote not verbatim (en dash as hyphen)",
        FACTS,
        lambda t: t.replace("2–6 times [21]", "2-6 times [21]", 1),
        r"\.quote: not verbatim",
    ),
    Broken(
        "quote repeated without occurrence", FACTS, lambda t: t.replace("    occurrence: 1\n", "", 1), r"\.quote: occurs 2 times"
    ),
    Broken(
        "occurrence beyond the repeats",
        FACTS,
        lambda t: t.replace("occurrence: 1", "occurrence: 9", 1),
        r"\.occurrence: occurrence 9 asked",
    ),
    Broken(
        "value absent from its quote",
        FACTS,
        lambda t: re.sub(r'as_written: "([^"]+)"', 'as_written: "999.9 units"', t, count=1),
        r"values\[0\]\.as_written: '999.9 units' does not appear in the quote",
    ),
    Broken(
        "value differs from what is written",
        FACTS,
        lambda t: re.sub(r"value: [0-9.]+", "value: 12345", t, count=1),
        r"values\[0\]\.value: 12345 is not the number written",
    ),
    Broken(
        "citation marker not in quote",
        FACTS,
        lambda t: re.sub(r'citations: \["[^"]+"', 'citations: ["[99]"', t, count=1),
        r"\.citations\[0\]: '\[99\]' does not appear in the quote",
    ),
    Broken(
        "malformed citation marker",
        FACTS,
        lambda t: re.sub(r'citations: \["[^"]+"', 'citations: ["23"', t, count=1),
        r"\.citations: .*not bracketed",
    ),
    Broken(
        "broader cycle",
        "entities.yaml",
        lambda t: t.replace("    broader: [thromboembolism]\n", "    broader: [thromboembolism, pulmonary-embolism]\n", 1),
        r"entities\.yaml:\d+: entities\[\d+\]\.broader: broader entities form a cycle",
    ),
    Broken(
        "cross-reference without provenance",
        "entities.yaml",
        lambda t: re.sub(r"\n        verified_in: [^\n]*", "", t, count=1),
        line_re("entities.yaml", "entities[0].xrefs[0].verified_in", "Field required"),
    ),
    Broken(
        "reference title not verbatim",
        "sources.yaml",
        lambda t: t.replace("Dramatic response to crizotinib", "Dramatic response to crizotinb", 1),
        r"sources\[\d+\]\.title: not verbatim",
    ),
    Broken(
        "reference position used twice",
        "sources.yaml",
        lambda t: re.sub(r"position: 6\n", "position: 5\n", t, count=1),
        r"sources\[\d+\]\.position: position 5 is used twice",
    ),
]


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        h.update(str(path.relative_to(root)).encode())
        if path.is_symlink():
            h.update(str(path.readlink()).encode())
        elif path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def serving(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from the real data, that every broken build below must leave as it is."""
    data = tmp_path_factory.mktemp("serving")
    build(data / "store")
    return data


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 40
    assert len({b.name for b in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("broken", CORPUS, ids=[b.name for b in CORPUS])
def test_broken_input_is_refused_with_its_place(broken: Broken, tmp_path: Path, serving: Path) -> None:
    curated = tmp_path / "ingest" / "curated"
    shutil.copytree(curated_root(), curated)
    target = curated / broken.file
    mutated = broken.mutate(target.read_text(encoding="utf-8"))
    assert mutated != target.read_text(encoding="utf-8"), "the mutation changed nothing"
    target.write_bytes(mutated if isinstance(mutated, bytes) else mutated.encode("utf-8"))
    before = digest(serving)
    with pytest.raises(CurationError) as caught:
        build(serving / "store", curated=curated)
    assert any(re.search(broken.where, str(p)) for p in caught.value.problems), "\n".join(map(str, caught.value.problems))
    assert digest(serving) == before


@pytest.mark.parametrize("command", ["validate", "build"])
def test_cli_reports_the_place_and_exits_non_zero(command: str, tmp_path: Path, serving: Path) -> None:
    import subprocess
    import sys

    curated = tmp_path / "ingest" / "curated"
    shutil.copytree(curated_root(), curated)
    (curated / FACTS).write_text(
        (curated / FACTS).read_text(encoding="utf-8").replace("    kind: ", "    kind: x", 1), encoding="utf-8"
    )
    before = digest(serving)
    args = [sys.executable, "-m", "catkg.api.cli", command, "--curated", str(curated)]
    args += ["--store", str(serving / "store")] if command == "build" else []
    result = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and result.stdout == ""
    assert re.search(rf"ingest/curated/{re.escape(FACTS)}:\d+: facts\[0\]\.kind: unknown fact kind", result.stderr)
    assert digest(serving) == before


def test_changed_source_text_is_refused(tmp_path: Path, serving: Path) -> None:
    """A source file edited after curation: every quote that no longer matches is named, and nothing is built."""
    sources = tmp_path / "sources"
    shutil.copytree(sources_root(), sources)
    review = sources / "002_7e3217616b27ac64.txt"
    review.write_text(review.read_text(encoding="utf-8").replace("2.97 times", "2.79 times"), encoding="utf-8")
    with pytest.raises(CurationError) as caught:
        load_and_validate(sources_dir=sources)
    assert any(
        re.search(rf"ingest/curated/{FACTS}:\d+: facts\[\d+\]\.quote: not verbatim", str(p)) for p in caught.value.problems
    )
    before = digest(serving)
    with pytest.raises(CurationError):
        build(serving / "store", sources=sources)
    assert digest(serving) == before

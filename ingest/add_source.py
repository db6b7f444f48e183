"""Add a new article to the curation: its text into the sources folder, its entry (and its references) to
sources.yaml, all or nothing.

The new entries are appended to sources.yaml as text in the file's canonical style, so every byte already there
(comments included) stays as it was. Before anything is written, the curation as it would be, the new
sources.yaml beside the other curated files and the new text beside the other texts, is validated in a
temporary folder; only then are the text and sources.yaml replaced, each through a temporary file and
``os.replace``. A failure at any step leaves both folders as they were.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from catkg.ingest.articles import Article, ArticleError, read_article
from catkg.ingest.ledger import Entry, ledger
from catkg.ingest.load import CurationError, Located, Problem, load_curation
from catkg.ingest.models import SLUG, Source
from catkg.ingest.validate import curated_root, load_and_validate, occurrences, sources_root

SOURCES_FILE = "sources.yaml"


@dataclass(frozen=True)
class Added:
    """What ``add_source`` wrote."""

    id: str
    file: Path
    title: str
    title_in_text: bool
    sections: list[tuple[str, str, int]]
    """(kind, heading, line) of each section, in text order."""
    references: list[str]
    """Ids of the reference sources added, in list order."""
    kind: str
    """What the input was: 'text', 'jats' or 'pubmed'."""
    ledger: dict[str, int]
    """The new source's ledger: its units (sentences) and how many are covered by facts, by bibliographic
    fields (the title and date, the references' authors, titles and journal lines), skipped and uncovered."""


def slug(text: str, words: int = 6) -> str:
    """A slug of the first ``words`` words of ``text`` (a hyphenated word counts once), in ASCII.

    >>> slug("Anti-tumour therapies and thrombosis in lung cancer: a review", 5)
    'anti-tumour-therapies-and-thrombosis-in'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    parts = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", ascii_text)[:words]
    return "-".join(parts)


def unique_id(base: str, taken: set[str]) -> str:
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


def heading_at(text: str, start: int) -> str:
    """The words that begin the line at ``start``, as few as make them occur once in ``text``: the whole line
    when it is a heading (up to 120 characters), else its first eight words, extended word by word until unique."""
    line_end = text.find("\n", start)
    line_end = len(text) if line_end == -1 else line_end
    ends = [start + m.end() for m in re.finditer(r"\S+", text[start : start + 4000])]
    in_line = sum(end <= line_end for end in ends)
    first = in_line if line_end - start <= 120 else min(in_line, 8)
    for end in ends[max(1, first) - 1 :]:
        heading = text[start:end]
        if len(heading) >= 3 and len(occurrences(text, heading)) == 1:
            return heading
    raise ArticleError(f"no words at offset {start} occur only once in the text: cannot name its section")


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# ------------------------------------------------------------------------------------------------------ YAML

NON_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
"""Characters a YAML double-quoted scalar must escape to read back as themselves: controls, NEL, the Unicode
line and paragraph separators, the byte-order mark. No-break spaces and dashes are written as themselves."""


def quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar.

    >>> quoted('2–6 times "as high"\\n')
    '"2–6 times \\\\"as high\\\\"\\\\n"'
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return '"' + NON_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", escaped) + '"'


def record(fields: dict[str, Any]) -> str:
    """One ``  - key: value`` record in the canonical style of the curated files (tests/ingest/test_curated_facts.py)."""
    lines = []
    for key, value in fields.items():
        if value is None or value == [] or value is True and key == "title_in_text":
            continue
        if isinstance(value, bool) or isinstance(value, int):
            shown = str(value).lower() if isinstance(value, bool) else str(value)
        elif key in ("id", "kind", "cited_in", "file"):
            shown = value
        elif key == "authors":
            shown = "[" + ", ".join(quoted(a) for a in value) + "]"
        elif key == "sections":
            shown = "".join(f"\n      - heading: {quoted(heading)}\n        kind: {kind}" for kind, heading in value)
            lines.append(f"    {key}:{shown}")
            continue
        else:
            shown = quoted(value)
        lines.append(f"    {key}: {shown}")
    lines[0] = "  - " + lines[0][4:]
    return "\n".join(lines) + "\n"


def appended(existing: str | None, display: str, records: list[str], comment: str) -> str:
    """sources.yaml with ``records`` appended to its ``sources:`` list, every byte before them unchanged.

    :raises ArticleError: when the list cannot be appended to as text (``sources:`` is not the file's last
        section, or is written in flow style).
    """
    block = f"  # {comment}\n" + "\n".join(records)
    if not existing or not existing.strip():
        return "sources:\n" + block
    try:
        root = yaml.compose(existing, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        raise ArticleError(f"{display}: not readable YAML ({getattr(err, 'problem', err)}); fix it first") from None
    if not isinstance(root, yaml.MappingNode):
        raise ArticleError(f"{display}: expected a mapping with a 'sources:' list")
    keys = [key.value for key, _ in root.value]
    base = existing if existing.endswith("\n") else existing + "\n"
    if "sources" not in keys:
        return base + "\nsources:\n" + block
    if keys[-1] != "sources":
        raise ArticleError(f"{display}: 'sources:' is not the last section of the file; move it last so entries can be appended")
    node = root.value[-1][1]
    if isinstance(node, yaml.SequenceNode) and node.flow_style:
        raise ArticleError(f"{display}: 'sources:' is written in flow style ([...]); write it as a block list")
    return base + ("\n" if isinstance(node, yaml.SequenceNode) else "") + block


# ------------------------------------------------------------------------------------------------------ entries


def title_of(article: Article, origin: str) -> tuple[str, bool]:
    """The entry's title and whether the text carries it: a title written once in the text is its title; a text
    without one (or whose title line repeats, so no span can be told) gets a description naming the file."""
    if article.title is None:
        return f"The article added from {origin}", False
    return article.title, len(occurrences(article.text, article.title)) == 1


def entries(article: Article, source_id: str, file_name: str, origin: str, taken: set[str]) -> tuple[list[str], list[str]]:
    """The sources.yaml records of the article and of its references; and the references' ids."""
    title, title_in_text = title_of(article, origin)
    sections = [(kind, heading_at(article.text, start)) for kind, start in article.sections]
    main = {
        "id": source_id,
        "kind": "article",
        "title": title,
        "title_in_text": title_in_text,
        "file": file_name,
        "published": article.published,
        "authors": list(article.authors),
        "journal": article.journal,
        "year": article.year,
        "citation": article.citation,
        "sections": sections,
    }
    records, ids = [record(main)], []
    for position, ref in enumerate(article.references, start=1):
        first = slug(ref.authors[0], 1) if ref.authors and ref.authors[0] != "et al." else slug(ref.title, 3)
        ref_id = unique_id("-".join(p for p in ("ref", first or "entry", str(ref.year or "")) if p), taken)
        ids.append(ref_id)
        fields = {
            "id": ref_id,
            "kind": "reference",
            "title": ref.title,
            "cited_in": source_id,
            "position": position,
            "authors": list(ref.authors),
            "journal": ref.journal,
            "year": ref.year,
            "volume": ref.volume,
            "pages": ref.pages,
            "citation": ref.citation,
        }
        records.append(record(fields))
    return records, ids


def next_file_name(sources: Path, digest: str) -> str:
    """``NNN_<first 16 hex digits of the text's SHA-256>.txt``, NNN one past the highest number in the folder."""
    numbers = [int(m.group(1)) for p in sources.glob("*.txt") if (m := re.match(r"(\d{3})_", p.name))]
    return f"{max(numbers, default=-1) + 1:03d}_{digest[:16]}.txt"


def refuse_duplicate(file: Path, raw: bytes, sources: Path) -> None:
    digest = hashlib.sha256(raw).digest()
    for existing in sorted(sources.glob("*.txt")):
        if hashlib.sha256(existing.read_bytes()).digest() == digest:
            raise ArticleError(f"{file}: already added: its text is {existing.name} in {sources} (same SHA-256)")


# ------------------------------------------------------------------------------------------------------ staging


def stage(curated: Path, sources: Path, new_yaml: str, name: str, raw: bytes, tmp: Path) -> tuple[Path, Path]:
    """The curation as it would be, in ``tmp``: links to every curated file and text, the new sources.yaml and text.

    The staged folder keeps the last two parts of the curated folder's path, so problems name files as a
    validation of the real folder would."""
    staged = tmp / (curated.parent.name or "curation") / curated.name
    for path in curated.rglob("*.yaml"):
        link = staged / path.relative_to(curated)
        link.parent.mkdir(parents=True, exist_ok=True)
        if link != staged / SOURCES_FILE:
            link.symlink_to(path.resolve())
    staged.mkdir(parents=True, exist_ok=True)
    (staged / SOURCES_FILE).write_text(new_yaml, encoding="utf-8")
    texts = tmp / "sources"
    texts.mkdir()
    for path in sources.iterdir():
        (texts / path.name).symlink_to(path.resolve())
    (texts / name).write_bytes(raw)
    return staged, texts


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it and ``os.replace``.

    A file replaced keeps its permissions; a new one gets the usual ones (0666 less the umask), as ``open`` gives.
    """
    partial = path.with_name(f".{path.name}.partial")
    try:
        with open(partial, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            os.chmod(partial, path.stat().st_mode & 0o7777)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def add_source(file: Path, curated: Path | None = None, sources: Path | None = None, source_id: str | None = None) -> Added:
    """Add the article in ``file`` (plain text, JATS or PubMed XML) to the curation in ``curated``/``sources``.

    :raises ArticleError: for a file already added (same text), an empty, binary or malformed file, XML that is
        neither JATS nor PubMed, an id already used or not a slug, a sources.yaml that cannot be appended to.
    :raises CurationError: when the curation with the new entries does not validate (nothing is written).
    """
    curated, sources = curated or curated_root(), sources or sources_root()
    for folder, option in ((curated, "--curated"), (sources, "--sources")):
        if not folder.is_dir():
            raise ArticleError(f"{option} {folder}: no such folder")
    article = read_article(file)
    refuse_duplicate(file, article.raw, sources)
    display_root = curated.parent.parent
    current = load_curation(curated, display_root=display_root).sources
    chosen = choose_id(article, file, source_id, current)
    sources_yaml = curated / SOURCES_FILE
    display = str(sources_yaml.relative_to(display_root)) if sources_yaml.is_relative_to(display_root) else str(sources_yaml)
    before = sources_yaml.read_bytes() if sources_yaml.exists() else None
    name = next_file_name(sources, hashlib.sha256(article.raw).hexdigest())
    taken = {item.record.id for item in current} | {chosen}
    records, ref_ids = entries(article, chosen, name, file.name, taken)
    kind = {"text": "a plain-text article", "jats": "a JATS XML article", "pubmed": "a PubMed XML record"}[article.kind]
    comment = f"{chosen}: added by 'catkg source add' from {kind}" + (", then its reference list in order" if ref_ids else "")
    new_yaml = appended(before.decode("utf-8") if before is not None else None, display, records, comment)
    with tempfile.TemporaryDirectory(prefix="catkg-add-") as tmp:
        staged, texts = stage(curated, sources, new_yaml, name, article.raw, Path(tmp))
        try:
            validated = load_and_validate(staged, texts)
        except CurationError as err:
            start = new_yaml[: new_yaml.rindex(f"  # {comment}\n")].count("\n") + 1
            note = Problem(display, start, "", "the entries 'catkg source add' would append start here; nothing was written")
            raise CurationError([*err.problems, note]) from None
        counts = ledger_counts([e for e in ledger(validated) if e.unit.source == chosen])
    write_new(sources / name, article.raw, sources_yaml, before, new_yaml.encode("utf-8"))
    sections = [(kind, heading_at(article.text, start), line_of(article.text, start)) for kind, start in article.sections]
    title, title_in_text = title_of(article, file.name)
    return Added(chosen, sources / name, title, title_in_text, sections, ref_ids, article.kind, counts)


def choose_id(article: Article, file: Path, given: str | None, existing: list[Located[Source]]) -> str:
    """The new source's id: ``given``, or the first five words of the title and the year; refused when taken."""
    if given is not None and not re.fullmatch(SLUG, given):
        raise ArticleError(f"--id {given!r} is not a slug (lower-case words joined by hyphens, e.g. 'egfr-tki-pe-2024')")
    chosen = given or "-".join(p for p in (slug(article.title or file.stem, 5) or "article", str(article.year or "")) if p)
    for item in existing:
        if item.record.id == chosen:
            raise ArticleError(
                f"the id {chosen!r} is already used by the source at {item.file}:{item.line}; choose another with --id"
            )
    return chosen


def ledger_counts(entries: list[Entry]) -> dict[str, int]:
    """Units of one source's ledger by what accounts for them."""
    return {
        "units": len(entries),
        "facts": sum(e.reason == "fact" for e in entries),
        "bibliographic": sum(e.status == "covered" and e.reason != "fact" for e in entries),
        "skipped": sum(e.status == "skipped" for e in entries),
        "uncovered": sum(e.status == "uncovered" for e in entries),
    }


def write_new(text_path: Path, raw: bytes, sources_yaml: Path, before: bytes | None, new_yaml: bytes) -> None:
    """Write the text, then sources.yaml; if sources.yaml changed meanwhile or a write fails, remove the text."""
    if text_path.exists():
        raise ArticleError(f"{text_path} exists already; nothing was written")
    write_atomically(text_path, raw)
    try:
        now = sources_yaml.read_bytes() if sources_yaml.exists() else None
        if now != before:
            raise ArticleError(f"{sources_yaml} changed while the new source was checked; nothing was written, try again")
        write_atomically(sources_yaml, new_yaml)
    except BaseException:
        text_path.unlink(missing_ok=True)
        raise

"""Read a new article for ``catkg source add``: a plain-text file, a JATS/PMC XML article or a PubMed XML record.

A plain-text article is kept byte for byte. An XML article is rendered to text once (``xml_articles.py`` says
how), and from then on the text is the source: quotes, offsets and the ledger are read from the rendered file,
never from the XML again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 16 * 2**20
"""An article is a few hundred kilobytes at most; a larger file is refused before it is read."""


class ArticleError(Exception):
    """The input cannot be added: the message names the file (and line) and what is wrong, on one line."""


@dataclass(frozen=True)
class Reference:
    """One entry of an article's reference list, each field as written in the rendered text."""

    authors: tuple[str, ...]
    title: str
    journal: str | None = None
    year: int | None = None
    volume: str | None = None
    pages: str | None = None
    citation: str | None = None
    """The entry's journal line as rendered (``Tumori. 2019; 105: 388-393``)."""


@dataclass(frozen=True)
class Article:
    """An article read from its file: the text to store and what the sources.yaml entry says of it."""

    kind: str
    """'text', 'jats' or 'pubmed'."""
    raw: bytes
    """What is written into the sources folder: a plain-text file's own bytes, or the rendered XML in UTF-8."""
    text: str
    """The text as every reader sees it (``Path.read_text``: line ends read as '\\n'); offsets count in it."""
    title: str | None
    """The title as written in ``text`` (None when the text carries none)."""
    authors: tuple[str, ...] = ()
    journal: str | None = None
    published: str | None = None
    year: int | None = None
    citation: str | None = None
    """The article's journal line as rendered."""
    sections: tuple[tuple[str, int], ...] = ()
    """(kind, offset of the section's first line in ``text``), in text order."""
    references: tuple[Reference, ...] = ()


# ------------------------------------------------------------------------------------------------------ reading


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing a missing, empty, oversized or binary file."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ArticleError(f"{path}: the file is {size} bytes; an article is at most {MAX_BYTES // 2**20} MiB")
        raw = path.read_bytes()
    except OSError as err:
        raise ArticleError(f"{path}: cannot read it: {err.strerror or err}") from None
    if not raw.strip():
        raise ArticleError(f"{path}: the file is empty")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ArticleError(f"{path}: UTF-16 text; catkg reads UTF-8 (convert it, e.g. iconv -f UTF-16 -t UTF-8)")
    if (nul := raw.find(b"\0")) != -1:
        raise ArticleError(f"{path}: a binary file (NUL byte at offset {nul}), not an article text")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ArticleError(f"{path}:{line}: not UTF-8 text (byte 0x{raw[err.start]:02x} at offset {err.start})") from None
    return raw


def read_article(path: Path) -> Article:
    """Read a plain-text, JATS or PubMed XML article.

    XML is recognised by its extension (``.xml``, ``.nxml``) or by a first character ``<``.

    :raises ArticleError: for an empty, binary or malformed file, or XML that is neither JATS nor PubMed.
    """
    raw = read_bytes(path)
    text = raw.decode("utf-8")
    if path.suffix.lower() in (".xml", ".nxml") or text.lstrip("\ufeff \t\r\n").startswith("<"):
        from catkg.ingest.xml_articles import read_xml  # it builds Articles from this module: imported here

        return read_xml(path, raw)
    return read_text(raw)


# ------------------------------------------------------------------------------------------------------ plain text

ABSTRACT_HEADINGS = {"abstract", "summary"}
REFERENCE_HEADINGS = {"references", "reference list", "bibliography", "literature cited"}


def _heading_like(line: str) -> bool:
    """A short line without final punctuation: a section title ('Background', 'Risk factors and PE')."""
    words = line.split()
    return 0 < len(words) <= 15 and line[-1] not in ".?!:;,"


def read_text(raw: bytes) -> Article:
    """A plain-text article, kept as it is; its title is its first line, its sections the headings it writes.

    Sections are found only where the text says them: a line that is ``Abstract`` (or ``Summary``) starts the
    abstract, the next heading-like line after the abstract's paragraphs starts the body, and a line that is
    ``References`` (or ``Bibliography``...) starts the reference list. Without such lines the text is all body.
    """
    text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    offsets, at = [], 0
    lines = text.split("\n")
    for line in lines:
        offsets.append(at)
        at += len(line) + 1
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    title = lines[first].strip().lstrip("\ufeff") if first is not None else None
    if title and (title.lower() in ABSTRACT_HEADINGS or text.count(title) > 1):
        title = None  # the text opens with its abstract, or its title line repeats: no title to locate
    sections: list[tuple[str, int]] = []
    abstract = next((i for i, line in enumerate(lines) if line.strip().lower() in ABSTRACT_HEADINGS), None)
    body = None
    if abstract is not None:
        sections.append(("abstract", offsets[abstract] + lines[abstract].index(lines[abstract].strip())))
        seen_paragraph = False
        for i in range(abstract + 1, len(lines)):
            stripped = lines[i].strip()
            if stripped and not _heading_like(stripped):
                seen_paragraph = True
            elif stripped and seen_paragraph:
                body = i
                break
    refs = next(
        (i for i, line in enumerate(lines) if line.strip().lower() in REFERENCE_HEADINGS and (body is None or i > body)), None
    )
    if refs is not None:
        if body is None and abstract is None:
            body = first
        sections.append(("reference-list", offsets[refs] + lines[refs].index(lines[refs].strip())))
    if body is not None:
        sections.append(("body", offsets[body] + lines[body].index(lines[body].strip())))
    return Article("text", raw, text, title, sections=tuple(sorted(sections, key=lambda s: s[1])))

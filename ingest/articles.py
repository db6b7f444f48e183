"""Read a new article for ``catkg source add``: a plain-text file, a JATS/PMC XML article or a PubMed XML record.

A plain-text article is kept byte for byte. An XML article is rendered to text once, here, and from then on the
text is the source: quotes, offsets and the ledger are read from the rendered file, never from the XML again.

How XML is rendered (the same input always gives the same bytes):

- XML is parsed with lxml, with no network, no DTD loaded and no entity expanded; an entity reference left in the
  document (``&nbsp;`` of a DTD, or one the file declares itself) is refused rather than dropped.
- One paragraph (``p``), title, list item or caption is one line. Inside it, text is taken as written, inline markup
  (``italic``, ``xref``, ``sup``...) dropped but its text kept; each run of XML whitespace (space, tab, CR, LF: the
  line breaks and indentation of the XML file) becomes one space. No-break spaces (U+00A0), dashes and every other
  character stay as they are. Footnotes (``fn``) and TeX beside MathML are left out of the line.
- Front matter first: the article title on line 1, each author on a line of its own (``• Surname Given-names``),
  then the journal line (``Journal. date; volume: pages``, only the parts the XML has). Then ``Abstract`` (or the
  abstract's own title) with its paragraphs, a blank line before each top-level body section, and the reference
  list: its title (or ``References``), then per entry its authors (``• Surname Initials``, ``• et al.``), its title
  and its journal line, the layout of the DIC article's reference list. Section titles are lines of their own, so
  the ``sections:`` of the article (abstract, body, reference-list) are found as lines of the text.
- Tables, graphics, footnotes, acknowledgements and appendices are left out; figure and table captions are kept.
- Identifiers (DOI, PMID, pub-ids) are not rendered and not recorded: nothing here can verify them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

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
        return read_xml(path, raw)
    return read_text(raw)


PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True, remove_pis=True, huge_tree=False
)


def read_xml(path: Path, raw: bytes) -> Article:
    """Parse XML bytes and render a JATS article or a PubMed record."""
    try:
        root = etree.fromstring(raw, PARSER)
    except etree.XMLSyntaxError as err:
        raise ArticleError(f"{path}:{err.lineno or 0}: malformed XML: {err.msg}") from None
    for entity in root.iter(etree.Entity):
        raise ArticleError(
            f"{path}:{entity.sourceline}: entity {entity.text} is not expanded (no DTD is loaded, no entity expanded): "
            "write the character itself or a numeric reference"
        )
    name = local(root)
    if name == "pmc-articleset":
        articles = [child for child in root if local(child) == "article"]
        if len(articles) != 1:
            raise ArticleError(f"{path}: the pmc-articleset holds {len(articles)} articles; add one article at a time")
        root, name = articles[0], "article"
    if name == "article":
        return Jats(root).article(path)
    if name in ("PubmedArticleSet", "PubmedArticle"):
        records = [root] if name == "PubmedArticle" else [child for child in root if local(child) == "PubmedArticle"]
        if len(records) != 1:
            raise ArticleError(f"{path}: the PubmedArticleSet holds {len(records)} PubmedArticle records; add one at a time")
        return pubmed(records[0], path)
    raise ArticleError(
        f"{path}:{root.sourceline}: the XML root is <{name}>: neither a JATS <article> nor a PubMed <PubmedArticleSet>"
    )


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


# ------------------------------------------------------------------------------------------------------ XML helpers

SPACE = re.compile(r"[ \t\r\n]+")
"""XML's whitespace characters; U+00A0 and other Unicode spaces are text, not layout, and are kept."""


def local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


INLINE_SKIPPED = {"fn", "graphic", "inline-graphic", "media", "object-id", "tex-math"}
"""Inline elements whose text is not the sentence's: footnotes (left out like the footnote groups), pictures, and
TeX beside the MathML of the same formula."""


def _texts(element: etree._Element) -> Iterator[str]:
    yield element.text or ""
    for item in element:
        if local(item) not in INLINE_SKIPPED:
            yield from _texts(item)
        yield item.tail or ""


def inline(element: etree._Element | None) -> str:
    """An element's text with its markup dropped and XML layout whitespace folded to single spaces."""
    if element is None:
        return ""
    return SPACE.sub(" ", "".join(_texts(element))).strip()


def child(element: etree._Element | None, *names: str) -> etree._Element | None:
    """The first child of ``element`` with one of ``names`` (tried in order)."""
    if element is None:
        return None
    for name in names:
        for item in element:
            if local(item) == name:
                return item
    return None


def children(element: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if element is None else [item for item in element if local(item) == name]


def path(element: etree._Element | None, *steps: str) -> etree._Element | None:
    for step in steps:
        element = child(element, step)
    return element


def year_of(written: str | None) -> int | None:
    match = re.search(r"\b(1[89]\d\d|20\d\d|2100)\b", written or "")
    return int(match.group(1)) if match else None


def journal_line(journal: str | None, when: str | None, volume: str | None, pages: str | None) -> str | None:
    """``Journal. when; volume: pages`` with only the parts there are (the reference-list style of the DIC article).

    >>> journal_line("Tumori", "2019", "105", "388-393")
    'Tumori. 2019; 105: 388-393'
    >>> journal_line("Respir Med Case Rep", "2021", None, "34101531")
    'Respir Med Case Rep. 2021; 34101531'
    """
    head = f"{journal}." if journal else ""
    tail = "; ".join(p for p in (when, f"{volume}: {pages}" if volume and pages else volume or pages) if p)
    line = f"{head} {tail}".strip()
    return line or None


@dataclass
class Lines:
    """The rendered text, line by line, with where each section starts."""

    lines: list[str] = field(default_factory=list)
    marks: list[tuple[str, int]] = field(default_factory=list)

    def add(self, line: str) -> None:
        if line:
            self.lines.append(line)

    def blank(self) -> None:
        if self.lines and self.lines[-1]:
            self.lines.append("")

    def mark(self, kind: str) -> None:
        """The next line added starts a section of this kind."""
        self.marks.append((kind, len(self.lines)))

    def text(self) -> str:
        while self.lines and not self.lines[-1]:
            self.lines.pop()
        return "\n".join(self.lines) + "\n"

    def sections(self) -> tuple[tuple[str, int], ...]:
        starts, at = [], 0
        for line in self.lines:
            starts.append(at)
            at += len(line) + 1
        return tuple((kind, starts[index]) for kind, index in self.marks if index < len(self.lines))


def front_matter(out: Lines, title: str, authors: list[str], citation: str | None) -> None:
    out.add(title)
    for author in authors:
        out.add(f"• {author}")
    out.add(citation or "")
    out.blank()


# ------------------------------------------------------------------------------------------------------ JATS

SKIPPED = {
    "table",
    "graphic",
    "inline-graphic",
    "media",
    "alternatives",
    "fn-group",
    "fn",
    "ack",
    "app-group",
    "supplementary-material",
    "object-id",
    "permissions",
    "ref-list",
    "sec-meta",
}
BLOCKS = {"sec", "boxed-text", "disp-quote", "list", "body", "abstract", "statement", "glossary", "def-list"}


class Jats:
    """A JATS (or PMC NLM) ``<article>``, rendered to text."""

    def __init__(self, root: etree._Element):
        self.root = root
        self.meta = path(root, "front", "article-meta")
        self.journal_meta = path(root, "front", "journal-meta")

    def article(self, source: Path) -> Article:
        title = inline(path(self.meta, "title-group", "article-title"))
        if not title:
            raise ArticleError(
                f"{source}:{self.root.sourceline}: the JATS article has no front/article-meta/title-group/article-title"
            )
        authors = [a for a in (self.person(c) for c in self.contributors()) if a]
        journal = self.journal()
        published = self.published()
        volume = inline(child(self.meta, "volume")) or None
        citation = journal_line(journal, published, volume, self.pages(self.meta))
        out = Lines()
        front_matter(out, title, authors, citation)
        abstract = self.abstract()
        if abstract is not None:
            out.mark("abstract")
            out.add(inline(child(abstract, "title")) or "Abstract")
            self.blocks(abstract, out, depth=1)
            out.blank()
        body = child(self.root, "body")
        if body is not None and inline(body):
            out.mark("body")
            self.blocks(body, out, depth=0)
            out.blank()
        references = self.references(out)
        if not out.marks:
            raise ArticleError(f"{source}: the JATS article has no abstract, body or reference list to read")
        text = out.text()
        return Article(
            "jats",
            text.encode("utf-8"),
            text,
            title,
            tuple(authors),
            journal,
            published,
            year_of(published),
            citation,
            out.sections(),
            tuple(references),
        )

    def contributors(self) -> list[etree._Element]:
        return [
            c
            for group in children(self.meta, "contrib-group")
            for c in children(group, "contrib")
            if c.get("contrib-type", "author") == "author"
        ]

    @staticmethod
    def person(element: etree._Element) -> str:
        """'Surname Given-names' of a name, the text of a string-name or collab; 'et al.' for etal."""
        if local(element) == "etal":
            return "et al."
        name = child(element, "name", "string-name", "collab", "name-alternatives") if local(element) == "contrib" else element
        if name is None:
            return ""
        if local(name) == "name-alternatives":
            name = child(name, "name", "string-name")
        if name is not None and local(name) == "name":
            return " ".join(p for p in (inline(child(name, "surname")), inline(child(name, "given-names"))) if p)
        return inline(name)

    def journal(self) -> str | None:
        for jid in children(self.journal_meta, "journal-id"):
            if jid.get("journal-id-type") == "iso-abbrev" and inline(jid):
                return inline(jid)
        group = child(self.journal_meta, "journal-title-group")
        for element in (
            child(group, "abbrev-journal-title"),
            child(group, "journal-title"),
            child(self.journal_meta, "journal-title"),
        ):
            if inline(element):
                return inline(element)
        return None

    def published(self) -> str | None:
        """The publication date as rendered: its string-date, or year-month-day as the XML writes them."""
        dates = children(self.meta, "pub-date")
        order = ("epub", "pub", "ppub", "collection")
        dates.sort(key=lambda d: order.index(t) if (t := d.get("pub-type") or d.get("date-type")) in order else len(order))
        for date in dates:
            if inline(child(date, "string-date")):
                return inline(child(date, "string-date"))
            parts = [inline(child(date, name)) for name in ("year", "month", "day")]
            season = inline(child(date, "season"))
            if parts[0]:
                return f"{parts[0]} {season}" if season else "-".join(p for p in parts if p)
        return None

    @staticmethod
    def pages(element: etree._Element | None) -> str | None:
        first, last = inline(child(element, "fpage")), inline(child(element, "lpage"))
        if first:
            return f"{first}-{last}" if last and last != first else first
        return inline(child(element, "elocation-id")) or None

    def abstract(self) -> etree._Element | None:
        abstracts = children(self.meta, "abstract")
        return next((a for a in abstracts if a.get("abstract-type") is None), abstracts[0] if abstracts else None)

    def blocks(self, element: etree._Element, out: Lines, depth: int) -> None:
        """Render the block content of ``element``: titles and paragraphs as lines, sections recursively."""
        for item in element:
            name = local(item)
            if name in SKIPPED or name in ("title", "label"):
                continue
            if name == "sec":
                if depth == 0:
                    out.blank()
                label, title = inline(child(item, "label")), inline(child(item, "title"))
                out.add(f"{label} {title}".strip())
                self.blocks(item, out, depth + 1)
            elif name == "list":
                for entry in children(item, "list-item"):
                    out.add(f"• {inline(entry)}" if inline(entry) else "")
            elif name in ("fig", "table-wrap"):
                caption = child(item, "caption")
                out.add(" ".join(p for p in (inline(child(item, "label")), inline(child(caption, "title"))) if p))
                for paragraph in children(caption, "p"):
                    out.add(inline(paragraph))
            elif name in BLOCKS:
                self.blocks(item, out, depth + 1)
            else:
                out.add(inline(item))

    def references(self, out: Lines) -> list[Reference]:
        back = child(self.root, "back")
        lists = list(back.iter("{*}ref-list")) if back is not None else []
        refs = [ref for ref_list in lists for ref in children(ref_list, "ref")]
        if not refs:
            return []
        out.mark("reference-list")
        out.add(inline(child(lists[0], "title")) or "References")
        found = []
        for ref in refs:
            reference = self.reference(ref)
            if not reference.title:
                continue
            for author in reference.authors:
                out.add(f"• {author}")
            out.add(reference.title)
            out.add(reference.citation or "")
            found.append(reference)
        return found

    def reference(self, ref: etree._Element) -> Reference:
        cite = child(ref, "element-citation", "mixed-citation", "citation", "nlm-citation")
        if cite is None:
            return Reference((), inline(ref))
        group = next((g for g in children(cite, "person-group") if g.get("person-group-type", "author") == "author"), None)
        holder = group if group is not None else cite
        authors = tuple(a for a in (self.person(p) for p in holder if local(p) in ("name", "string-name", "collab", "etal")) if a)
        title = inline(child(cite, "article-title", "chapter-title"))
        journal = inline(child(cite, "source")) or None
        if not title:
            title, journal = journal or inline(cite), None
        year_text = inline(child(cite, "year")) or None
        volume = inline(child(cite, "volume")) or None
        pages = self.pages(cite)
        return Reference(
            authors, title, journal, year_of(year_text), volume, pages, journal_line(journal, year_text, volume, pages)
        )


# ------------------------------------------------------------------------------------------------------ PubMed


def pubmed(record: etree._Element, source: Path) -> Article:
    """A PubMed ``PubmedArticle``: title, authors, journal line and the abstract with its labels as lines."""
    article = path(record, "MedlineCitation", "Article")
    title = inline(child(article, "ArticleTitle"))
    if article is None or not title:
        raise ArticleError(f"{source}:{record.sourceline}: the PubmedArticle has no MedlineCitation/Article/ArticleTitle")
    journal_element = child(article, "Journal")
    journal = inline(child(journal_element, "ISOAbbreviation")) or inline(child(journal_element, "Title")) or None
    issue = child(journal_element, "JournalIssue")
    date = child(issue, "PubDate")
    published = inline(child(date, "MedlineDate")) or " ".join(
        p for p in (inline(child(date, n)) for n in ("Year", "Season", "Month", "Day")) if p
    )
    published = published or None
    volume = inline(child(issue, "Volume")) or None
    pages = inline(path(article, "Pagination", "MedlinePgn")) or None
    citation = journal_line(journal, published, volume, pages)
    authors = []
    for author in children(child(article, "AuthorList"), "Author"):
        collective = inline(child(author, "CollectiveName"))
        name = " ".join(p for p in (inline(child(author, "LastName")), inline(child(author, "Initials"))) if p)
        if collective or name:
            authors.append(collective or name)
    out = Lines()
    front_matter(out, title, authors, citation)
    abstract = child(article, "Abstract")
    texts = children(abstract, "AbstractText")
    if not any(inline(t) for t in texts):
        raise ArticleError(f"{source}:{record.sourceline}: the PubmedArticle has no Abstract/AbstractText to read")
    out.mark("abstract")
    out.add("Abstract")
    for text in texts:
        out.add(text.get("Label", "").strip())
        out.add(inline(text))
    text = out.text()
    return Article(
        "pubmed",
        text.encode("utf-8"),
        text,
        title,
        tuple(authors),
        journal,
        published,
        year_of(published),
        citation,
        out.sections(),
    )

"""JATS/PMC articles and PubMed records rendered to text, once, for ``catkg source add``.

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

from catkg.ingest.articles import Article, ArticleError, Reference

PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True, remove_pis=True, huge_tree=False
)


def read_xml(path: Path, raw: bytes) -> Article:
    """Parse XML bytes and render a JATS article or a PubMed record."""
    try:
        root = etree.fromstring(raw, PARSER)
    except etree.XMLSyntaxError as err:
        raise ArticleError(f"{path}:{err.lineno or 0}: malformed XML: {err.msg}") from None
    entity = next(root.iter(etree.Entity), None)
    if entity is not None:
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
    >>> journal_line("Atmos. Chem. Phys.", "2023", "23", None)
    'Atmos. Chem. Phys. 2023; 23'
    """
    head = (journal if journal.endswith(".") else f"{journal}.") if journal else ""
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
        """The journal's abbreviation as the XML writes it (ISO or NLM's first, a publisher's own next), else its
        title."""
        ids = {jid.get("journal-id-type"): inline(jid) for jid in children(self.journal_meta, "journal-id")}
        group = child(self.journal_meta, "journal-title-group")
        abbrevs = {a.get("abbrev-type"): inline(a) for a in children(group, "abbrev-journal-title")}
        for name in (
            ids.get("iso-abbrev"),
            abbrevs.get("iso-abbrev"),
            abbrevs.get("nlm-ta"),
            ids.get("nlm-ta"),
            next(iter(abbrevs.values()), None),
            inline(child(group, "journal-title")),
            inline(child(self.journal_meta, "journal-title")),
        ):
            if name:
                return name
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

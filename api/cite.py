"""How to cite a source: the reference as the article writes it, and RIS and BibTeX records.

Only what the curated data holds goes in: no DOI, PMID or URL is ever made up (the sources carry none).
"""

from __future__ import annotations

import re
from typing import Any

ET_AL = re.compile(r"^et\.?\s+al\.?$", re.IGNORECASE)


def authors(source: dict[str, Any]) -> list[str]:
    """The authors as written in the reference list ('Wang D'), without a closing full stop."""
    return [name.strip().rstrip(".").strip() for name in (source.get("authors") or "").split(";") if name.strip()]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def reference_text(source: dict[str, Any]) -> str:
    """The reference as written: authors, title, then the citation line (journal, year, volume, pages)."""
    parts = []
    names = authors(source)
    if names:
        parts.append(_sentence(", ".join(names)))
    if source.get("title"):
        parts.append(_sentence(source["title"]))
    if source.get("citation"):
        parts.append(source["citation"])
    else:
        if source.get("journal"):
            parts.append(_sentence(source["journal"]))
        if source.get("published"):
            parts.append(_sentence(f"Published {source['published']}"))
        elif source.get("year"):
            parts.append(_sentence(str(source["year"])))
    return " ".join(parts)


def _pages(source: dict[str, Any]) -> tuple[str | None, str | None]:
    pages = (source.get("pages") or "").strip()
    if not pages:
        return None, None
    first, _, last = pages.partition("-")
    return first.strip() or None, last.strip() or None


def ris(source: dict[str, Any]) -> str:
    """A RIS record (journal article), one tag a line, ending with ``ER``."""
    lines = [("TY", "JOUR")]
    lines += [("AU", name) for name in authors(source) if not ET_AL.match(name)]
    first, last = _pages(source)
    for tag, value in (
        ("TI", source.get("title")),
        ("JO", source.get("journal")),
        ("PY", source.get("year")),
        ("DA", source.get("published")),
        ("VL", source.get("volume")),
        ("SP", first),
        ("EP", last),
        ("ID", source.get("id")),
    ):
        if value not in (None, ""):
            lines.append((tag, str(value)))
    if source.get("kind") == "reference" and source.get("cited_in"):
        lines.append(("N1", f"Reference {source.get('position')} of catkg source {source['cited_in']}"))
    return "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines) + "ER  - \r\n"


def _one_line(value: str) -> str:
    return " ".join(value.split())


BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bibtex_escape(value: str) -> str:
    return "".join(BIBTEX_SPECIAL.get(ch, ch) for ch in _one_line(value))


def _bib_author(name: str) -> str:
    """'Liu HY' (surname, initials, as Vancouver writes it) as BibTeX's 'Liu, H. Y.'."""
    if ET_AL.match(name):
        return "others"
    surname, _, initials = name.rpartition(" ")
    if not surname or not initials.isupper():
        return "{" + bibtex_escape(name) + "}"
    return f"{bibtex_escape(surname)}, {' '.join(ch + '.' for ch in initials)}"


def bibtex(source: dict[str, Any]) -> str:
    """A BibTeX entry keyed by the source id: @article when a journal is known, else @misc."""
    fields = []
    names = authors(source)
    if names:
        fields.append(("author", " and ".join(_bib_author(n) for n in names)))
    if source.get("title"):
        fields.append(("title", "{" + bibtex_escape(source["title"].rstrip(".")) + "}"))
    first, last = _pages(source)
    for name, value in (
        ("journal", source.get("journal")),
        ("year", source.get("year")),
        ("volume", source.get("volume")),
        ("pages", f"{first}--{last}" if first and last else first),
    ):
        if value not in (None, ""):
            fields.append((name, bibtex_escape(str(value))))
    if source.get("published"):
        fields.append(("note", "Published " + bibtex_escape(source["published"])))
    kind = "article" if source.get("journal") else "misc"
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{source['id']},\n{body}\n}}\n"

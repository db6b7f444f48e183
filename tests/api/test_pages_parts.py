"""The pieces the pages are drawn with: marked passages, citations and charts, on small hand-made inputs."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from bs4.builder import HTMLParserTreeBuilder

from catkg.api import cite
from catkg.api.charts import axis, months, shown, value_charts
from catkg.api.highlight import in_context, mark_up, passages

TEXT = "Alpha <b>beta</b> & gamma.\n  Delta epsilon zeta.\nEta theta iota kappa."


def fact(start: int, end: int, name: str = "f") -> dict:
    return {"id": name, "statement": f"statement {name}", "evidence": {"start": start, "end": end}}


def parse(markup: str) -> BeautifulSoup:
    keep = HTMLParserTreeBuilder.DEFAULT_PRESERVE_WHITESPACE_TAGS | {"div", "mark", "sup"}
    return BeautifulSoup(f"<div>{markup}</div>", builder=HTMLParserTreeBuilder(preserve_whitespace_tags=keep))


def render(facts: list[dict]) -> tuple[BeautifulSoup, list]:
    marked = passages(facts, len(TEXT))
    page = parse(str(mark_up(TEXT, marked)))
    return page, marked


def plain(page: BeautifulSoup) -> str:
    for ref in page.select("sup.passage-ref"):
        ref.decompose()
    return page.div.get_text()


def test_text_is_escaped_and_kept_whole() -> None:
    page, _ = render([fact(6, 17)])
    assert not page.find("b")
    assert plain(page) == TEXT
    assert page.find("mark", id="c6-17").get_text() == "<b>beta</b>"


@pytest.mark.parametrize(
    "ranges",
    [
        [(0, 5), (0, 5)],  # two facts, one quote
        [(0, 26), (6, 17), (20, 25)],  # nested
        [(0, 17), (6, 40)],  # crossing
        [(0, 10), (10, 20), (20, 30)],  # adjacent
        [(0, 40), (6, 30), (10, 50), (28, 60)],  # nested and crossing together
        [(len(TEXT) - 6, len(TEXT)), (0, len(TEXT))],  # up to the very end
    ],
)
def test_every_boundary_splits_and_the_html_stays_well_formed(ranges: list[tuple[int, int]]) -> None:
    facts = [fact(s, e, f"f{i}") for i, (s, e) in enumerate(ranges)]
    html = str(mark_up(TEXT, passages(facts, len(TEXT))))
    assert html.count("<mark") == html.count("</mark>")
    page = parse(html)
    assert plain(page) == TEXT
    ids = {m["id"] for m in page.find_all("mark", id=True)}
    assert ids == {f"c{s}-{e}" for s, e in ranges}
    laminar = all(not (a < c < b < d) for a, b in ranges for c, d in ranges)
    for s, e in ranges:
        mark = page.find("mark", id=f"c{s}-{e}")
        if laminar:
            assert mark.get_text() == TEXT[s:e]
        else:
            assert TEXT[s:e].startswith(mark.get_text())
        assert not mark.find("sup"), "a passage number must not enter a quote's text"


def test_crossing_quote_continues_in_pieces() -> None:
    page, _ = render([fact(0, 17, "a"), fact(6, 40, "b")])
    first = page.find("mark", id="c6-40")
    pieces = [first.get_text()] + [m.get_text() for m in page.select("mark.quote-cont")]
    assert "".join(pieces) == TEXT[6:40]


def test_each_passage_is_numbered_once_after_its_quote() -> None:
    page, marked = render([fact(0, 26, "a"), fact(6, 17, "b"), fact(6, 17, "c")])
    assert [p.number for p in marked] == [1, 2]
    assert [len(p.facts) for p in marked] == [1, 2]
    assert [a["href"] for a in page.select("sup.passage-ref a")] == ["#r1", "#r2"]


def test_quotes_outside_the_text_are_left_out() -> None:
    assert passages([fact(5, 5), fact(-1, 3), fact(10, len(TEXT) + 1)], len(TEXT)) == []


def test_in_context_cuts_at_words() -> None:
    before, quote, after = in_context(TEXT, 30, 43, around=10)
    assert quote == TEXT[30:43]
    assert before.startswith("…") and after.endswith("…")
    assert TEXT[:30].endswith(before.removeprefix("…")) and TEXT[43:].startswith(after.removesuffix("…"))


REFERENCE = {
    "id": "ref-x",
    "kind": "reference",
    "title": "A title with 100% & {braces}_x.",
    "authors": "Smith AB; van der Berg C; et al.",
    "journal": "J Test",
    "year": 2001,
    "volume": "3",
    "pages": "10-12",
    "citation": "J Test. 2001; 3: 10-12",
    "position": 4,
    "cited_in": "article-y",
    "published": None,
}


def test_reference_as_written() -> None:
    assert cite.reference_text(REFERENCE) == (
        "Smith AB, van der Berg C, et al. A title with 100% & {braces}_x. J Test. 2001; 3: 10-12"
    )
    article = {
        "id": "a",
        "kind": "article",
        "title": "An article",
        "journal": "J Test",
        "published": "May 1, 2020",
        "year": 2020,
        "citation": None,
        "authors": None,
    }
    assert cite.reference_text(article) == "An article. J Test. Published May 1, 2020."


def test_ris_record() -> None:
    lines = cite.ris(REFERENCE).split("\r\n")
    assert lines[0] == "TY  - JOUR" and lines[-2] == "ER  - " and lines[-1] == ""
    assert [line for line in lines if line.startswith("AU")] == ["AU  - Smith AB", "AU  - van der Berg C"]
    assert "SP  - 10" in lines and "EP  - 12" in lines and "VL  - 3" in lines


def test_bibtex_entry_escapes_and_balances() -> None:
    entry = cite.bibtex(REFERENCE)
    assert entry.startswith("@article{ref-x,\n")
    assert r"100\% \& \{braces\}\_x" in entry
    assert "author = {Smith, A. B. and van der Berg, C. and others}" in entry
    assert "pages = {10--12}" in entry
    depth = 0
    for ch in entry.replace(r"\{", "").replace(r"\}", ""):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1 month", 1.0),
        ("30 months", 30.0),
        ("1 year", 12.0),
        ("2 weeks", 14 / 30.4375),
        ("within 3 months of diagnosis", None),
        (None, None),
    ],
)
def test_time_points_as_months(text, expected) -> None:
    assert months(text) == (pytest.approx(expected) if expected else None)


@pytest.mark.parametrize("top,step,end", [(5.3, 2, 6), (30, 10, 30), (47.5, 10, 50), (1.8, 0.5, 2.0), (0, 1, 1)])
def test_axis(top, step, end) -> None:
    assert axis(top) == (pytest.approx(step), pytest.approx(end))


def value(v: float, written: str, unit: str | None, time_point: str | None = None, population: str | None = None):
    return {"value": v, "as_written": written, "unit": unit, "time_point": time_point, "population": population, "measure": None}


def test_values_choose_their_chart() -> None:
    curve = {"statement": "s <x>", "values": [value(2, "2%", "%", "1 month"), value(5, "5%", "%", "1 year")]}
    bars = {"statement": "s", "values": [value(3, "3", "cases", "before"), value(5, "5", "cases", "after")]}
    mixed = {"statement": "s", "values": [value(3, "3 cases", "cases"), value(50, "50%", "%")]}
    (line,) = value_charts(curve)
    assert "<path" in line and "s &lt;x&gt;" in line and "<x>" not in line
    (bar,) = value_charts(bars)
    assert bar.count("<rect") == 2 and "3 cases" in bar
    assert value_charts(mixed) == []
    assert shown(value(11.4, "11.4\u00a0months", "months")) == "11.4\u00a0months"

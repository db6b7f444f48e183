"""Read every number a sentence writes as a curated value: as written, its unit, bounds, interval and p-value.

Drafting a fact (``catkg.ingest.draft``) needs its values in the curated shape (``models.Value``), each with an
``as_written`` that is a verbatim piece of the sentence, so that the validator's check (the number is the one
written) holds for a draft moved into the curation as it is. The words of quantities (units, comparatives, number
words, statistic labels) are data in ``quantities.yaml``; this module is the grammar that joins them:

- a number (digits, ``1,001``, or a number word before a unit: "six times"), then a unit (``%``, "months",
  "patients", "mg/ml"; up to two modifiers before a count's noun: "30 autopsy cases"; a multiplier: "1.8 million
  deaths");
- a range: "2–6 times", "3- to 5-fold", "one to three years", "between 10% and 20%";
- a comparative before it: kept in ``as_written`` when it is part of the quantity ("more than three months",
  "≥ 500 ng/mL"), read into ``comparator`` only when it is a preposition or adverb ("below 0.5 mg/ml");
- a statistic label ("OR 2.1"), a confidence interval after it ("95% CI 1.4–3.2", attached as ``interval``), a
  p-value ("p < 0.001", attached as ``p_value``), ``n = 24`` (a count, and the cohort size of the others);
- lists share their last unit ("at 6.1, 7.7, and 11.4 months"), a bare number after "Among these 18 cases"
  counts cases (cohort size 18), "one year and 10 months" is one duration (22 months).

A number inside a citation marker, a name (ROS1, COVID-19) or a figure reference is not a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from catkg.ingest.ledger import MARKER as MARKER_PATTERN
from catkg.ingest.models import Value
from catkg.ingest.validate import duration_total

MARKER = re.compile(MARKER_PATTERN)
"""A bracketed citation marker (the ledger's pattern): its numbers are not values."""

SPACE = "[ \u00a0]"
"""A space or a no-break space: the texts write both between a number and its unit."""


@dataclass(frozen=True)
class Vocabulary:
    """The words of quantities.yaml, compiled."""

    units: dict[str, tuple[str, str]]
    """A written form (lower-cased for words) to (unit recorded, measure)."""
    unit_pattern: re.Pattern[str]
    count_units: frozenset[str]
    multiplier: re.Pattern[str]
    """'million' (and a space) after a number: kept in the unit ('1.8 million deaths')."""
    rate: re.Pattern[str]
    """'per 1,000 person-years' after a number: a rate, its unit as written."""
    comparators: list[tuple[re.Pattern[str], str, bool]]
    """(phrase ending where a number starts, comparator, kept in as_written), longest phrase first."""
    statistics: re.Pattern[str]
    count_context: tuple[str, ...]
    words: dict[str, tuple[int, str | None]]
    """A number word to its value and the unit it carries ('twice': 2 times)."""


def _is_word(form: str) -> bool:
    return form.replace(" ", "").isalpha() and form.lower() == form


@cache
def vocabulary() -> Vocabulary:
    """quantities.yaml, compiled once."""
    data: dict[str, Any] = yaml.safe_load((files("catkg.ingest") / "quantities.yaml").read_text(encoding="utf-8"))
    units: dict[str, tuple[str, str]] = {}
    for unit, entry in data["units"].items():
        for form in entry["written"]:
            units[form.lower() if _is_word(form) else form] = (unit, entry["measure"])
    alternatives = []
    for form in sorted(units, key=len, reverse=True):
        escaped = re.escape(form).replace("\\ ", SPACE)
        alternatives.append(f"(?i:{escaped})" if _is_word(form) else escaped)
    unit_pattern = re.compile(rf"(?:{'|'.join(alternatives)})(?![\w/])")
    comparators = []
    for phrase, entry in sorted(data["comparators"].items(), key=lambda item: len(item[0]), reverse=True):
        edge = r"(?<![\w])" if phrase[0].isalpha() else ""
        pattern = re.compile(rf"{edge}(?i:{re.escape(phrase).replace(chr(92) + ' ', SPACE)}){SPACE}*$")
        comparators.append((pattern, entry["comparator"], entry["kept"]))
    labels = sorted(data["statistics"]["ratio"], key=len, reverse=True)
    written = [f"(?i:{re.escape(label)})" if _is_word(label) else re.escape(label) for label in labels]
    statistics = re.compile(rf"(?<![\w])(?:{'|'.join(written).replace(chr(92) + ' ', SPACE)})(?:{SPACE}*(?:of|=|:|,))?{SPACE}*$")
    words: dict[str, tuple[int, str | None]] = {}
    for word, entry in data["number_words"].items():
        words[word] = (entry["value"], entry["unit"]) if isinstance(entry, dict) else (entry, None)
    count_units = frozenset(unit for unit, measure in units.values() if measure == "count")
    denominators = "|".join(re.escape(d) for d in sorted(data["rate_denominators"], key=len, reverse=True))
    rate = re.compile(rf"{SPACE}?per{SPACE}+(?:\d[\d,]*{SPACE}+)?(?:{denominators})(?![\w-])")
    return Vocabulary(
        units,
        unit_pattern,
        count_units,
        re.compile(rf"(?i:{'|'.join(data['multipliers'])})(?:{SPACE}+|(?!\w))"),
        rate,
        comparators,
        statistics,
        tuple(data["count_context"]),
        words,
    )


DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


@cache
def _number_start() -> re.Pattern[str]:
    words = "|".join(sorted(vocabulary().words, key=len, reverse=True))
    return re.compile(rf"(?P<digits>{DIGITS.pattern})|(?<![\w-])(?P<word>(?i:{words}))(?=fold|-fold|‑fold|[^\w]|$)")


GAP = re.compile(rf"(?:{SPACE}|-|‑)?")
"""What may stand between a number and its unit: nothing, a space, a no-break space or a hyphen ('1-year')."""
RANGE = re.compile(rf"{SPACE}*[–—]{SPACE}*|-(?=\d)|-?{SPACE}+to{SPACE}+|{SPACE}+and{SPACE}+")
BETWEEN = re.compile(rf"(?<![\w])(?i:between){SPACE}+$")
LIST_GAP = re.compile(rf",{SPACE}*(?:(?:and|or){SPACE}+)?|{SPACE}+(?:and|or){SPACE}+")
MODIFIER = re.compile(r"[a-z][a-z-]*")
NOT_MODIFIERS = frozenset(
    "of with in and or the a an to for from at by on were was had have has is are more than less who that which".split()
    + ["these", "those"]
)
"""Words that cannot stand between a count and its noun ('15 adenocarcinoma cases', not '3 of the cases')."""
CI = re.compile(
    rf"(?:\d+(?:\.\d+)?%{SPACE}*(?:CI|confidence interval)|IQR|interquartile range|range)[,:]?{SPACE}*"
    rf"-?\d+(?:\.\d+)?{SPACE}*(?:[–—-]|to|,){SPACE}*-?\d+(?:\.\d+)?"
)
"""An interval that qualifies the value before it: '95% CI 1.4–3.2', 'IQR 6.0–18.4', 'range, 2-9'."""
FREQUENCY = re.compile(rf"{SPACE}+(?:daily|a day|per day|weekly|a week|per week)\b")
"""'twice daily' is how often a drug is given, not a ratio."""
P_VALUE = re.compile(rf"(?<![\w])[Pp](?:{SPACE}*-?{SPACE}*values?)?{SPACE}*(?:<=|>=|[<>=≤≥]){SPACE}*0?\.\d+")
N_EQUALS = re.compile(rf"(?<![\w])[nN]{SPACE}*={SPACE}*(?P<n>\d[\d,]*)")
FIGURE = re.compile(r"(?:Fig\.|Figs\.|Figure|Table|Supplementary)\s*$")
YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass
class Found:
    """A value read from a sentence, with where its ``as_written`` sits in it ([start, end))."""

    start: int
    end: int
    value: int | float
    upper: int | float | None = None
    unit: str | None = None
    measure: str = "count"
    comparator: str | None = None
    interval: str | None = None
    p_value: str | None = None
    cohort_size: int | None = None
    bare: bool = False
    """Written without a unit (its unit may come from a list or a count before it)."""
    extras: dict[str, str] = field(default_factory=dict)

    def to_value(self, sentence: str) -> Value:
        return Value(
            value=self.value,
            upper=self.upper,
            as_written=sentence[self.start : self.end],
            unit=self.unit,
            measure=self.measure,  # type: ignore[arg-type]
            comparator=self.comparator,  # type: ignore[arg-type]
            cohort_size=self.cohort_size,
            interval=self.interval,
            p_value=self.p_value,
        )


@dataclass(frozen=True)
class Reading:
    """What a sentence's numbers say: its values, and p-values or intervals that no value stands beside."""

    values: list[Value]
    spans: list[tuple[int, int]]
    """Where each value's ``as_written`` sits in the sentence."""
    loose: list[str]


def _number(match: re.Match[str]) -> tuple[int | float, str | None]:
    if match.group("digits"):
        text = match.group("digits").replace(",", "")
        return (float(text) if "." in text else int(text)), None
    return vocabulary().words[match.group("word").lower()]


def _unit_at(text: str, pos: int) -> tuple[str, str, int] | None:
    """The unit written at ``pos`` (after an optional space or hyphen): (unit recorded, measure, end)."""
    vocab = vocabulary()
    rate = vocab.rate.match(text, pos)
    if rate:
        return rate.group().strip(" \u00a0"), "rate", rate.end()
    at = GAP.match(text, pos).end()  # type: ignore[union-attr]
    multiplier = vocab.multiplier.match(text, at)
    prefix = ""
    if multiplier:
        prefix, at = multiplier.group().strip(" \u00a0").lower(), multiplier.end()
    for modifiers in range(3):
        unit = vocab.unit_pattern.match(text, at)
        if unit:
            form = unit.group()
            recorded, measure = vocab.units.get(form, vocab.units.get(form.lower(), (form, "count")))
            if modifiers and measure != "count":
                return None
            if prefix:
                recorded = f"{prefix} {recorded}" if measure == "count" else recorded
            return recorded, measure, unit.end()
        word = MODIFIER.match(text, at)
        if modifiers == 2 or not word or word.group() in NOT_MODIFIERS or not re.match(SPACE, text[word.end() : word.end() + 1]):
            break
        at = word.end() + 1
    if multiplier:
        return prefix, "count", multiplier.end()
    return None


def _excluded(text: str, start: int, blocked: list[tuple[int, int]]) -> bool:
    """A number inside a marker or an interval, part of a name (ROS1, COVID-19, T790M), or a figure's number."""
    if any(a <= start < b for a, b in blocked):
        return True
    before = text[start - 1] if start else " "
    if before.isalpha() or before in "_/" or (before in "-‑" and start > 1 and text[start - 2].isalnum()):
        return True
    return bool(FIGURE.search(text[:start]))


def _comparator(text: str, start: int) -> tuple[str | None, int, bool]:
    """The comparator written right before ``start``: (comparator, where it starts, whether it is kept)."""
    head = text[:start]
    for pattern, comparator, kept in vocabulary().comparators:
        match = pattern.search(head)
        if match:
            return comparator, match.start(), kept
    return None, start, False


def _read_one(text: str, match: re.Match[str]) -> Found | None:
    """The quantity that starts with the number ``match``, or None when it is not one."""
    low, carried = _number(match)
    pos = match.end()
    if carried and FREQUENCY.match(text, pos):
        return None
    unit = (carried, "ratio", pos) if carried else _unit_at(text, pos)
    upper = None
    after = unit[2] if unit else pos
    sep = RANGE.match(text, after)
    if sep:
        second = _number_start().match(text, sep.end())
        is_and = "and" in sep.group()
        between = BETWEEN.search(text[: match.start()])
        if second and (not is_and or between):
            high, _ = _number(second)
            second_unit = _unit_at(text, second.end())
            if high > low and (not unit or not second_unit or unit[0] == second_unit[0]):
                upper, unit = high, second_unit or unit
                after = second_unit[2] if second_unit else second.end()
                if between:
                    match_start = between.start()
                    return _finish(text, match_start, after, low, upper, unit, from_between=True)
    if upper is None and unit is None:
        if match.group("digits") is None:
            comparator, _, _ = _comparator(text, match.start())
            if comparator is None or vocabulary().statistics.search(text[: match.start()]):
                return None
        after = pos
        nxt = text[after : after + 1]
        if nxt.isalpha():
            return None
    elif upper is None and unit:
        after = unit[2]
    return _finish(text, match.start(), after, low, upper, unit)


def _finish(
    text: str,
    start: int,
    end: int,
    low: int | float,
    upper: int | float | None,
    unit: tuple[str, str, int] | None,
    from_between: bool = False,
) -> Found:
    """A quantity from its parts, with the comparator or statistic label written before it."""
    found = Found(start, end, low, upper, unit[0] if unit else None, unit[1] if unit else "count", bare=unit is None)
    if not from_between and upper is None:  # a range is its own bounds: no comparator
        statistic = vocabulary().statistics.search(text[:start])
        if statistic:
            found.start, found.measure = statistic.start(), "ratio"
            return found
        comparator, at, kept = _comparator(text, start)
        if comparator:
            found.comparator = comparator
            if kept:
                found.start = at
            if (
                comparator != "~"
                and comparator != "up to"
                and found.measure in ("concentration", "count")
                and (found.unit is None or found.measure == "concentration")
            ):
                found.measure = "threshold"
    if found.unit is None and found.upper is None and isinstance(low, int) and YEAR.fullmatch(str(low)) and not found.comparator:
        found.measure = "year"
    return found


def read_quantities(sentence: str) -> Reading:
    """Every value written in ``sentence``, in order of appearance.

    >>> [v.as_written for v in read_quantities("VTE rose 2–6 times (p < 0.01) within one year.").values]
    ['2–6 times', 'one year']
    """
    blocked = [m.span() for m in MARKER.finditer(sentence)]
    intervals = [(m.start(), m.end(), m.group()) for m in CI.finditer(sentence)]
    p_values = [(m.start(), m.end(), m.group()) for m in P_VALUE.finditer(sentence)]
    n_equals = list(N_EQUALS.finditer(sentence))
    blocked += [(a, b) for a, b, _ in intervals + p_values] + [m.span("n") for m in n_equals]
    found: list[Found] = []
    pos = 0
    for match in _number_start().finditer(sentence):
        if match.start() < pos or _excluded(sentence, match.start(), blocked):
            continue
        quantity = _read_one(sentence, match)
        if quantity is None:
            continue
        found.append(quantity)
        pos = quantity.end
    for m in n_equals:
        found.append(Found(m.start(), m.end(), int(m.group("n").replace(",", "")), extras={"n": "1"}))
    found.sort(key=lambda f: f.start)
    found = _merge_durations(sentence, found)
    _share_list_units(sentence, found)
    _count_after_context(sentence, found)
    loose = _attach(found, intervals, "interval") + _attach(found, p_values, "p_value")
    _cohort_sizes(sentence, found)
    return Reading([f.to_value(sentence) for f in found], [(f.start, f.end) for f in found], loose)


def _merge_durations(text: str, found: list[Found]) -> list[Found]:
    """'one year and 10 months': one duration, in the smaller unit (the validator's ``duration_total``)."""
    out: list[Found] = []
    for item in found:
        last = out[-1] if out else None
        if (
            last
            and last.measure == item.measure == "duration"
            and last.upper is None
            and item.upper is None
            and re.fullmatch(rf"{SPACE}+and{SPACE}+", text[last.end : item.start])
        ):
            total = duration_total(text[last.start : item.end], item.unit)
            if total is not None:
                last.end, last.unit = item.end, item.unit
                last.value = int(total) if total == int(total) else total
                continue
        out.append(item)
    return out


def _share_list_units(text: str, found: list[Found]) -> None:
    """Bare numbers listed before one with a unit take its unit: 'at 6.1, 7.7, and 11.4 months'."""
    for i in range(len(found) - 2, -1, -1):
        item, nxt = found[i], found[i + 1]
        if item.bare and not nxt.bare and nxt.unit and LIST_GAP.fullmatch(text[item.end : nxt.start]):
            item.unit, item.measure, item.bare = nxt.unit, nxt.measure, nxt.bare


def _count_after_context(text: str, found: list[Found]) -> None:
    """'Among these 18 cases, 3 developed PE': a bare whole number after a count that opens with 'among', 'of' or
    'in' counts the same thing, within that count."""
    context = "|".join(vocabulary().count_context)
    for i, item in enumerate(found):
        if item.unit not in vocabulary().count_units or item.upper is not None:
            continue
        if not re.search(rf"(?<![\w])(?i:{context})(?:{SPACE}+(?:these|those|the|all))?{SPACE}+$", text[: item.start]):
            continue
        for later in found[i + 1 :]:
            if later.bare and isinstance(later.value, int) and later.value <= item.value and not later.comparator:
                later.unit, later.measure, later.bare, later.cohort_size = item.unit, "count", False, int(item.value)


def _attach(found: list[Found], notes: list[tuple[int, int, str]], name: str) -> list[str]:
    """Attach each interval or p-value to the nearest value before it (else after it); return those left over."""
    loose = []
    for start, _, written in notes:
        before = [f for f in found if f.end <= start and getattr(f, name) is None]
        after = [f for f in found if f.start >= start and getattr(f, name) is None]
        target = before[-1] if before else (after[0] if after else None)
        if target is None:
            loose.append(written)
        else:
            setattr(target, name, written)
    return loose


def _cohort_sizes(text: str, found: list[Found]) -> None:
    """The sentence's one count of people (or ``n = N``) is the cohort size of its other measurements, except a
    percentage written right after a count ('30 patients (31.6%)'), which is that count's share."""
    people = [
        f
        for f in found
        if f.extras.get("n") or (f.unit in ("patients", "cases") and f.upper is None and not f.cohort_size and not f.comparator)
    ]
    if len(people) != 1 or not isinstance(people[0].value, int):
        return
    size = people[0].value
    for i, item in enumerate(found):
        if item is people[0] or item.cohort_size or item.measure in ("count", "year"):
            continue
        previous = found[i - 1] if i else None
        if previous is people[0] and re.fullmatch(rf"{SPACE}*\(", text[previous.end : item.start]):
            continue
        item.cohort_size = size

"""Screen a SPARQL query before any engine sees it: updates, SERVICE and deep nesting are refused.

A regular expression over the raw text cannot tell ``SERVICE`` the keyword from ``"SERVICE"`` in a string, an IRI
or a comment, so :func:`screen` lexes the text the way the SPARQL 1.1 grammar does (strings, IRIs, comments,
variables and language tags are skipped whole) and looks only at the words that are left.

The check is deliberately wider than the keyword: Oxigraph's parser matches keywords without a word boundary and
backtracks, so ``service:x { ... }`` (a prefixed name) or ``1SERVICE<...>`` can be read as a ``SERVICE`` clause,
and ``SERVICE`` makes a real outbound HTTP request from pyoxigraph. Any word that contains "service" is refused
unless it is the local part of a prefixed name whose prefix is well formed and does not itself contain it.

Nesting is counted over ``( { [``: Oxigraph's recursive parser overflows its stack (and aborts the whole process)
on a few thousand levels, so more than :data:`MAX_DEPTH` levels are refused here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_DEPTH = 64
"""Deepest nesting of brackets, braces and parentheses a query may have; real queries stay far below."""

MAX_LENGTH = 256 * 1024
"""Longest query text, in characters."""

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_VARNAME = f"[{_PN_CHARS_BASE}_0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_PN_PREFIX = re.compile(
    f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS_BASE}_0-9\u00b7\u0300-\u036f\u203f-\u2040.-]*"
    f"[{_PN_CHARS_BASE}_0-9\u00b7\u0300-\u036f\u203f-\u2040-])?"
)

TOKEN = re.compile(
    r"""(?P<space>\s+)
    |(?P<comment>\#[^\n\r]*)
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
        |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    |(?P<var>[?$]"""
    + _VARNAME
    + r""")
    |(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    |(?P<open>[({\[])
    |(?P<close>[)}\]])
    |(?P<word>[^\s#<>"'{}()\[\],;?$@^|/!&=+*]+)
    |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)

FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}
UPDATES = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


class RefusedQuery(Exception):
    """The query is refused before evaluation; ``reason`` is 'update', 'service', 'nesting' or 'length'."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Screened:
    """What the lexer learned about a query that passed."""

    text: str
    form: str | None
    """'select', 'ask', 'construct', 'describe', or None when no query form was found (the parser will say why)."""
    dataset: bool
    """Whether the query names its own dataset (FROM / FROM NAMED)."""
    depth: int


def _service_word(word: str) -> bool:
    """Whether a bare word could be read as the SERVICE keyword (see the module docstring)."""
    if "service" not in word.lower():
        return False
    prefix, colon, _ = word.partition(":")
    if not colon or "service" in prefix.lower():
        return True
    return not (prefix in ("", "_") or _PN_PREFIX.fullmatch(prefix))


def screen(text: str, max_depth: int = MAX_DEPTH, max_length: int = MAX_LENGTH) -> Screened:
    """Lex ``text`` and refuse what must never reach the engine.

    >>> screen('SELECT * WHERE { ?s ?p "SERVICE" } # INSERT').form
    'select'
    >>> screen("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    catkg.store.guard.RefusedQuery: SERVICE is refused: ... (found 'SERVICE' at line 1, column 18)

    :raises RefusedQuery: for an update, a SERVICE clause, nesting deeper than ``max_depth``, or a text longer
        than ``max_length``.
    """
    if len(text) > max_length:
        raise RefusedQuery("length", f"the query is {len(text)} characters long; the limit is {max_length}")
    form: str | None = None
    dataset = False
    depth = deepest = 0
    for match in TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
            deepest = max(deepest, depth)
            if depth > max_depth:
                raise RefusedQuery(
                    "nesting", f"the query is nested more than {max_depth} levels deep (at {_where(text, match.start())})"
                )
        elif kind == "close":
            depth -= 1
        elif kind == "word":
            word = match.group()
            upper = word.upper()
            if _service_word(word):
                raise RefusedQuery(
                    "service",
                    "SERVICE is refused: this endpoint makes no outbound requests "
                    f"(found {word!r} at {_where(text, match.start())})",
                )
            if upper in UPDATES:
                raise RefusedQuery(
                    "update",
                    f"this endpoint is read-only: SPARQL updates are refused (found {word!r} at {_where(text, match.start())})",
                )
            if form is None and upper in FORMS:
                form = FORMS[upper]
            dataset = dataset or upper == "FROM"
    return Screened(text, form, dataset, deepest)


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


__all__ = ["MAX_DEPTH", "MAX_LENGTH", "RefusedQuery", "Screened", "screen"]

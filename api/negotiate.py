"""Content negotiation: pick the best offered media type for an ``Accept`` header, honouring q-values."""

from __future__ import annotations


def parse_accept(header: str) -> list[tuple[str, float, int]]:
    """Media ranges of an Accept header as (range, q, position); a malformed q counts as 0."""
    ranges = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((fields[0].lower(), q, position))
    return ranges


def _specificity(media_range: str, offer: str) -> int | None:
    """How specifically ``media_range`` matches ``offer``: 2 exact, 1 type/*, 0 */*, None no match."""
    kind, _, sub = offer.partition("/")
    if media_range == offer:
        return 2
    if media_range == f"{kind}/*":
        return 1
    if media_range in ("*/*", "*"):
        return 0
    return None


def best_match(header: str | None, offers: list[str]) -> str | None:
    """The offer the client prefers most; the first offer when there is no Accept header; None when none fits.

    Each offer takes the q of the most specific range that matches it (RFC 9110 12.5.1); ties go to the
    server's order of ``offers``.

    >>> best_match("text/csv;q=0.5, application/json", ["application/json", "text/csv"])
    'application/json'
    >>> best_match("text/html", ["application/json"]) is None
    True
    """
    if not header or not header.strip():
        return offers[0] if offers else None
    ranges = parse_accept(header)
    best: tuple[float, int, str] | None = None
    for rank, offer in enumerate(offers):
        matches = [(spec, q) for r, q, _ in ranges if (spec := _specificity(r, offer)) is not None]
        if not matches:
            continue
        q = max(matches)[1]
        if q > 0 and (best is None or (q, -rank) > (best[0], best[1])):
            best = (q, -rank, offer)
    return best[2] if best else None

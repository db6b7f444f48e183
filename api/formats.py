"""The one formatter: JSON, JSON lines and CSV (dotted columns) for the API and the CLI alike."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from catkg.api.errors import ApiError

MEDIA = {"json": "application/json", "jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}


def flatten(item: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted columns (``subject.label``); lists as one JSON cell."""
    flat: dict[str, Any] = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        elif isinstance(value, list):
            flat[name] = json.dumps(value, ensure_ascii=False) if value else ""
        else:
            flat[name] = "" if value is None else value
    return flat


def to_csv(items: Iterable[dict[str, Any]]) -> str:
    rows = [flatten(i) for i in items]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(dict.fromkeys(k for r in rows for k in r)), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def to_jsonl(items: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items)


def to_table(items: list[dict[str, Any]], columns: list[str], width: int = 60) -> str:
    """A plain text table of the chosen columns, for a terminal."""
    rows = [flatten(i) for i in items]
    widths = {c: min(width, max([len(c)] + [len(str(r.get(c, ""))) for r in rows])) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns).rstrip()]
    lines += ["  ".join(str(r.get(c, ""))[: widths[c]].ljust(widths[c]) for c in columns).rstrip() for r in rows]
    return "\n".join(lines) + "\n"


def chosen_format(request: Request) -> str:
    """``?format=`` if given, else the Accept header (text/csv, application/x-ndjson), else JSON."""
    fmt = request.query_params.get("format")
    if fmt is not None:
        if fmt not in MEDIA:
            raise ApiError(422, f"format: unknown format {fmt!r}; known: {', '.join(MEDIA)}")
        return fmt
    accept = request.headers.get("accept", "")
    if "text/csv" in accept and "application/json" not in accept:
        return "csv"
    if "application/x-ndjson" in accept or "application/jsonl" in accept:
        return "jsonl"
    return "json"


def respond(request: Request, body: dict[str, Any], items_key: str | None = "items") -> Response:
    """Answer ``body`` as JSON, or its items (or the object itself) as CSV or JSON lines."""
    fmt = chosen_format(request)
    if fmt == "json":
        return JSONResponse(body)
    items = body[items_key] if items_key and items_key in body else [body]
    text = to_csv(items) if fmt == "csv" else to_jsonl(items)
    return Response(text, media_type=MEDIA[fmt])

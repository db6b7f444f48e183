"""The ``catkg`` command: build, validate, serve and read the graph.

Results go to stdout, messages to stderr; any error exits non-zero with a one-line reason (or a list of
curation problems), never a traceback.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from catkg.ingest.load import CurationError
from catkg.ingest.validate import load_and_validate
from catkg.queries.run import QueryError
from catkg.store.embedded import EmbeddedStore, StoreError

app = typer.Typer(help="catkg: the Cancer-Associated Thrombosis Knowledge Graph.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)

StoreOption = Annotated[Path, typer.Option("--store", envvar="CATKG_STORE", help="Store path (a link made by "
                                           "'catkg build').", show_default=True)]
DEFAULT_STORE = Path("data/store")


def say(message: str) -> None:
    typer.echo(message, err=True)


@contextmanager
def errors() -> Iterator[None]:
    """Turn catkg's own errors into a message on stderr and exit status 1."""
    try:
        yield
    except CurationError as err:
        say(str(err))
        raise typer.Exit(1) from None
    except (StoreError, QueryError) as err:
        say(f"error: {err}")
        raise typer.Exit(1) from None


def progress() -> Callable[[str], None]:
    """Progress messages on a terminal; quiet when stderr is piped."""
    return say if sys.stderr.isatty() else (lambda message: None)


class Format(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


def flatten(item: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts as dotted columns; lists as JSON text (one CSV cell)."""
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


def emit(items: list[dict[str, Any]], fmt: Format, columns: list[str]) -> None:
    """Write items to stdout in the chosen format; ``columns`` are the ones a table shows."""
    out = sys.stdout
    if fmt is Format.json:
        json.dump(items, out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt is Format.jsonl:
        for item in items:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    elif fmt is Format.csv:
        rows = [flatten(i) for i in items]
        fields = list(dict.fromkeys(k for r in rows for k in r))
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    else:
        rows = [flatten(i) for i in items]
        widths = {c: min(60, max([len(c)] + [len(str(r.get(c, ""))) for r in rows])) for c in columns}
        out.write("  ".join(c.ljust(widths[c]) for c in columns).rstrip() + "\n")
        for r in rows:
            out.write("  ".join(str(r.get(c, ""))[: widths[c]].ljust(widths[c]) for c in columns).rstrip() + "\n")


@app.command()
def validate() -> None:
    """Check the curated YAML against the ontology and the source texts; report every problem."""
    with errors():
        checked = load_and_validate()
        cur = checked.curation
        say(f"ok: {len(cur.facts)} facts, {len(cur.entities)} entities, {len(cur.sources)} sources")


def build_store(store: Path) -> dict[str, Any]:
    """Build ``store`` with every build step the later rooms add."""
    from catkg.queries.steps import build_graph

    return build_graph(store, progress=progress()).info


@app.command()
def build(store: StoreOption = DEFAULT_STORE) -> None:
    """Validate, convert to RDF, load a new store generation and swap it in atomically."""
    with errors():
        info = build_store(store)
        say(f"built {store}: {info['counts']['facts']} facts, {info['counts']['triples']} triples "
            f"in {info['seconds']} s (data {info['data_version']})")


@app.command()
def serve(
    store: StoreOption = DEFAULT_STORE,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the SPARQL endpoint, the API and the pages; builds the store first when there is none."""
    import uvicorn

    from catkg.api.app import create_app

    with errors():
        if not store.is_symlink() and not store.exists():
            say(f"no store at {store}: building it")
            build_store(store)
        application = create_app(EmbeddedStore(store))
    say(f"serving {store} on http://{host}:{port}/")
    uvicorn.run(application, host=host, port=port, log_level="warning")


@app.command()
def facts(
    store: StoreOption = DEFAULT_STORE,
    kind: Annotated[str | None, typer.Option(help="Fact kind, e.g. incidence.")] = None,
    entity: Annotated[str | None, typer.Option(help="Entity id (narrower entities included).")] = None,
    source: Annotated[str | None, typer.Option(help="Source id.")] = None,
    q: Annotated[str | None, typer.Option(help="Text in the statement or quote.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many facts.")] = 1000,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
) -> None:
    """List facts with their evidence."""
    from catkg.queries.facts import list_facts

    with errors():
        page = list_facts(EmbeddedStore(store), kind=kind, entity=entity, source=source, q=q, limit=limit)
        emit(page.items, fmt, ["id", "kind", "statement"])
        say(f"{len(page.items)} of {page.total} facts")


if __name__ == "__main__":
    app()

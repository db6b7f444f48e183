"""The ``catkg`` command: build, validate, serve and read the graph.

Results go to stdout, messages to stderr; any error exits non-zero with a one-line reason (or a list of
curation problems), never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from catkg.api.cli_options import CuratedOption, SourcesOption, errors, say
from catkg.api.cli_source import source
from catkg.api.formats import to_csv, to_jsonl, to_table
from catkg.ingest.validate import load_and_validate
from catkg.queries.run import QueryError
from catkg.store.embedded import EmbeddedStore

if TYPE_CHECKING:
    from catkg.store.remote import RemoteStore

app = typer.Typer(
    help="catkg: the Cancer-Associated Thrombosis Knowledge Graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(source, name="source")

StoreOption = Annotated[
    Path, typer.Option("--store", envvar="CATKG_STORE", help="Store path (a link made by 'catkg build').", show_default=True)
]
DEFAULT_STORE = Path("data/store")
StoreUrlOption = Annotated[
    str | None,
    typer.Option(
        "--store-url",
        envvar="CATKG_STORE_URL",
        help="SPARQL endpoint of a remote store (e.g. Oxigraph's "
        "http://host:7878/query, Virtuoso's http://host:8890/sparql): the graphs live there, and --store is the local "
        "search index of that build.",
    ),
]


def open_store(store: Path, store_url: str | None = None) -> EmbeddedStore | RemoteStore:
    """The embedded store at ``store``, or with ``store_url`` the remote store whose local index is ``store``."""
    if store_url:
        from catkg.store.remote import RemoteStore

        return RemoteStore(store_url, store)
    return EmbeddedStore(store)


def progress() -> Callable[[str], None]:
    """Progress messages on a terminal; quiet when stderr is piped."""
    return say if sys.stderr.isatty() else (lambda message: None)


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


FormatOption = Annotated[Format, typer.Option("--format", help="Output format: table, json, jsonl or csv.")]
ParamOption = Annotated[
    list[str] | None, typer.Option("--param", "-p", help="A parameter of the query, as name=value (repeatable).")
]


def parse_params(params: list[str] | None) -> dict[str, str]:
    """``--param`` values as a mapping.

    >>> parse_params(["entity=lung-cancer", "q=a=b"])
    {'entity': 'lung-cancer', 'q': 'a=b'}

    :raises QueryError: for a value without ``=``.
    """
    pairs = [p.split("=", 1) for p in params or []]
    if any(len(pair) != 2 for pair in pairs):
        raise QueryError("--param takes name=value")
    return dict(pairs)


def emit(items: list[dict[str, Any]], fmt: Format, columns: list[str]) -> None:
    """Write items to stdout in the chosen format; ``columns`` are the ones a table shows."""
    if fmt is Format.json:
        sys.stdout.write(json.dumps(items, ensure_ascii=False, indent=2) + "\n")
    elif fmt is Format.jsonl:
        sys.stdout.write(to_jsonl(items))
    elif fmt is Format.csv:
        sys.stdout.write(to_csv(items))
    else:
        sys.stdout.write(to_table(items, columns))


@app.command()
def validate(curated: CuratedOption = None, sources: SourcesOption = None) -> None:
    """Check the curated YAML against the ontology and the source texts; report every problem."""
    with errors():
        checked = load_and_validate(curated, sources)
        cur = checked.curation
        say(f"ok: {len(cur.facts)} facts, {len(cur.entities)} entities, {len(cur.sources)} sources")


@app.command()
def ground(
    curated: CuratedOption = None,
    sources: SourcesOption = None,
    write: Annotated[bool, typer.Option("--write", help="Write the proposed xrefs (default: only show them).")] = False,
) -> None:
    """Propose xrefs to the vocabularies installed here (HPO, NCBI Gene) by exact name match; --write writes them."""
    from catkg.ingest.ground import coverage, grounded
    from catkg.ingest.validate import curated_root

    with errors():
        checked = load_and_validate(curated, sources)
        result, written = grounded(checked.curation, curated or curated_root(), write=write)
        items = [{"entity": p.entity, "xref": p.xref.id, "name": p.entity_name, "term": p.term_name} for p in result.proposals]
        sys.stdout.write(f"proposed xrefs ({len(items)}):\n" + to_table(items, ["entity", "xref", "name", "term"]))
        misses = [{"entity": m.entity, "candidate": m.id, "name": m.name, "why": m.why} for m in result.near_misses]
        sys.stdout.write(f"\nnear-misses for a curator, not written ({len(misses)}):\n")
        sys.stdout.write(to_table(misses, ["entity", "candidate", "name", "why"], width=80))
        rows = coverage((e.record for e in checked.curation.entities), result)
        sys.stdout.write(
            "\ncoverage by entity type:\n" + to_table(rows, ["type", "entities", "with_xref", "share", "vocabularies"])
        )
        for path in written:
            say(f"wrote {len(items)} xrefs into {path}")
        if items and not write:
            say("dry run: nothing written; --write writes the proposed xrefs")


def build_store(
    store: Path, curated: Path | None = None, sources: Path | None = None, store_url: str | None = None, full: bool = False
) -> dict[str, Any]:
    """Build ``store`` (into the remote store at ``store_url`` when given) with every build step."""
    from catkg.queries.steps import build_graph

    return build_graph(
        store, curated=curated, sources=sources, progress=progress(), store_url=store_url, incremental=not full
    ).info


@app.command()
def build(
    store: StoreOption = DEFAULT_STORE,
    curated: CuratedOption = None,
    sources: SourcesOption = None,
    store_url: StoreUrlOption = None,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Reuse nothing of the serving generation (no cached parse, shapes or store parts): what a build "
            "on an empty store does. A store changed by many delta builds is loaded afresh, in one go.",
        ),
    ] = False,
) -> None:
    """Validate, convert to RDF, load a new store generation and swap it in atomically.

    On a built store only what changed is parsed, checked and written again (docs/operations.md)."""
    with errors():
        info = build_store(store, curated, sources, store_url, full)
        delta = info.get("delta")
        written = f"{delta['parts_written']} of {delta['parts_kept'] + delta['parts_written']}" if delta else ""
        reused = f", {written} parts written anew" if delta else ""
        say(
            f"built {store_url or store}: {info['counts']['facts']} facts, {info['counts']['triples']} triples "
            f"in {info['seconds']} s (data {info['data_version']}{reused})"
        )


@app.command()
def serve(
    store: StoreOption = DEFAULT_STORE,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    store_url: StoreUrlOption = None,
) -> None:
    """Serve the SPARQL endpoint, the API and the pages; builds the store first when there is none."""
    import os

    import uvicorn

    from catkg.api.app import create_app, serve_workers

    with errors():
        try:
            workers = serve_workers()
        except ValueError as err:
            raise QueryError(str(err)) from None
        if not store.is_symlink() and not store.exists():
            say(f"no store at {store}: building it")
            build_store(store, store_url=store_url)
        application = create_app(open_store(store, store_url))
    say(f"serving {store_url or store} on http://{host}:{port}/" + (f" ({workers} processes)" if workers > 1 else ""))
    if workers == 1:
        uvicorn.run(application, host=host, port=port, log_level="warning")
        return
    # Several processes share the socket; each builds its own app (and SPARQL worker pool) from the environment.
    os.environ["CATKG_STORE"] = str(store.absolute())
    if store_url:
        os.environ["CATKG_STORE_URL"] = store_url
    uvicorn.run("catkg.api.app:from_environment", factory=True, workers=workers, host=host, port=port, log_level="warning")


@app.command()
def facts(
    store: StoreOption = DEFAULT_STORE,
    store_url: StoreUrlOption = None,
    kind: Annotated[str | None, typer.Option(help="Fact kind, e.g. incidence.")] = None,
    entity: Annotated[str | None, typer.Option(help="Entity id (narrower entities included).")] = None,
    type: Annotated[str | None, typer.Option("--type", help="Entity type of the subject or object.")] = None,
    source: Annotated[str | None, typer.Option(help="Source id.")] = None,
    q: Annotated[str | None, typer.Option(help="Text in the statement or quote.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many facts.")] = 1000,
    fmt: FormatOption = Format.table,
) -> None:
    """List facts with their evidence."""
    from catkg.queries.facts import list_facts

    with errors():
        page = list_facts(open_store(store, store_url), kind=kind, entity=entity, type=type, source=source, q=q, limit=limit)
        emit(page.items, fmt, ["id", "kind", "statement"])
        say(f"{len(page.items)} of {page.total} facts")


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="A question or words in plain language.")],
    store: StoreOption = DEFAULT_STORE,
    store_url: StoreUrlOption = None,
    kind: Annotated[str | None, typer.Option(help="Only facts of this kind.")] = None,
    type: Annotated[str | None, typer.Option("--type", help="Only facts whose subject or object is of this type.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many facts.")] = 10,
    fmt: FormatOption = Format.table,
) -> None:
    """Facts that answer TEXT: the question read through the ontology, ranked by how much of it each fact covers."""
    from catkg.queries.search import search as search_facts

    with errors():
        opened = open_store(store, store_url)
        page = search_facts(opened, text, limit=limit, kind=kind, type=type)
        emit(page.items, fmt, ["score", "id", "kind", "statement"])
        say(f"{len(page.items)} of {page.total} facts")


@app.command()
def question(
    name: Annotated[str | None, typer.Argument(help="Question name; none lists the questions.")] = None,
    param: ParamOption = None,
    store: StoreOption = DEFAULT_STORE,
    store_url: StoreUrlOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Answer a named evidence question, every row with the facts and quotes behind it."""
    from catkg.queries import questions as named

    with errors():
        if name is None:
            emit([named.describe(q) for q in named.questions()], fmt, ["name", "title"])
            return
        answer = named.answer(open_store(store, store_url), name, parse_params(param))
        items = answer["items"]
        emit(items, fmt, [c for c in (items[0] if items else {}) if c != "evidence"][:5])
        say(f"{answer['total']} rows: {answer['title']}")


@app.command()
def stats(
    store: StoreOption = DEFAULT_STORE,
    store_url: StoreUrlOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """What the graph holds: facts by kind and source, entities by type; version and build time."""
    from catkg.queries.stats import stats as graph_stats

    with errors():
        result = graph_stats(open_store(store, store_url))
    if fmt is Format.table:
        for key in ("version", "built", "facts", "entities", "sources", "triples"):
            typer.echo(f"{key}: {result.get(key)}")
        for section in ("facts_by_kind", "facts_by_source", "entities_by_type"):
            typer.echo(f"\n{section.replace('_', ' ')}:")
            sys.stdout.write(to_table(result[section], ["id", "count"]))
    else:
        emit([result], fmt, [])


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The older release: a store path or a dump file.")],
    new: Annotated[Path, typer.Argument(help="The newer release: a store path or a dump file.")],
    fmt: FormatOption = Format.table,
) -> None:
    """Facts added, removed and changed between two releases (stores or dumps)."""
    from catkg.queries.diff import diff as compare
    from catkg.queries.diff import open_release

    with errors():
        result = compare(open_release(old), open_release(new))
    rows = [
        {"change": change, **item, "fields": ", ".join(item.get("fields", []))}
        for change in ("added", "removed", "changed")
        for item in result[change]
    ]
    emit(rows, fmt, ["change", "id", "fields", "statement"])
    say(f"{len(result['added'])} added, {len(result['removed'])} removed, {len(result['changed'])} changed")


# ---------------------------------------------------------------------------------- SPARQL: query and export


class QueryFormat(StrEnum):
    table = "table"
    json = "json"
    xml = "xml"
    csv = "csv"
    tsv = "tsv"
    turtle = "turtle"
    ntriples = "ntriples"
    nquads = "nquads"
    jsonld = "jsonld"
    rdfxml = "rdfxml"


def query_text(file: Path | None, name: str | None, expression: str | None, params: list[str]) -> str:
    """The query to run, with ``--param`` values bound as the header of the query declares them."""
    from catkg.queries.run import QueryFileError, bind, named_query, parse_header, to_term

    given = [x for x in (file, name, expression) if x is not None]
    if len(given) != 1:
        raise QueryError("give exactly one of FILE, --name NAME or -e TEXT")
    if name is not None:
        declared = named_query(name)
    else:
        try:
            text = file.read_text(encoding="utf-8") if file is not None else str(expression)
        except (OSError, UnicodeDecodeError) as err:
            raise QueryError(f"cannot read {file}: {err}") from None
        if not params:
            return text
        if file is None:
            raise QueryError("--param needs a query whose header declares its parameters (FILE or --name)")
        try:
            declared = parse_header(file.stem, text)
        except QueryFileError as err:
            raise QueryError(f"{file}: {err}") from None
    values = parse_params(params)
    kinds = {p.name: p.kind for p in declared.parameters}
    unknown = sorted(set(values) - set(kinds))
    if unknown:
        raise QueryError(f"the query has no parameter {', '.join(unknown)}; it has: {', '.join(kinds) or 'none'}")
    if not values:
        return declared.text
    return bind(declared.text, [{n: to_term(values[n], kinds[n], n) if n in values else None for n in kinds}])


@app.command()
def query(
    file: Annotated[Path | None, typer.Argument(help="A .rq file.", show_default=False)] = None,
    name: Annotated[str | None, typer.Option("--name", help="A named query of queries/ (see /api/queries).")] = None,
    expression: Annotated[str | None, typer.Option("-e", "--expression", help="The query text itself.")] = None,
    param: ParamOption = None,
    fmt: Annotated[
        QueryFormat | None,
        typer.Option(
            "--format",
            help="table (default for SELECT/ASK), json, xml, "
            "csv, tsv; turtle (default for CONSTRUCT/DESCRIBE), ntriples, "
            "nquads, jsonld, rdfxml.",
            show_default=False,
        ),
    ] = None,
    timeout: Annotated[float | None, typer.Option(help="Time limit in seconds (default $CATKG_SPARQL_TIMEOUT or 10).")] = None,
    store: StoreOption = DEFAULT_STORE,
    store_url: StoreUrlOption = None,
) -> None:
    """Run a SPARQL query under the endpoint's limits (read-only, time limit, no SERVICE); results to stdout."""
    from pyoxigraph import QueryBoolean, QueryResultsFormat, parse_query_results

    from catkg.store.bounded import BoundedError, Limits, WorkerPool
    from catkg.store.formats import FORMATS
    from catkg.store.guard import RefusedQuery, screen
    from catkg.store.query import run_query

    with errors():
        text = query_text(file, name, expression, param or [])
        try:
            screened = screen(text)
        except RefusedQuery as err:
            raise QueryError(err.message) from None
        opened = open_store(store, store_url)
        chosen = fmt or QueryFormat.table
        table = chosen is QueryFormat.table
        kind = FORMATS[chosen.value].kind if not table else None
        results = "json" if table else chosen.value if kind == "results" else None
        graph = chosen.value if kind == "graph" else ("turtle" if fmt is None else None)
        pool = WorkerPool(Limits.from_env(timeout=timeout, workers=1))
        try:
            result = run_query(opened, screened, pool, results_format=results, graph_format=graph)
            if table and result.form != "triples":
                parsed = parse_query_results(result.read(), format=QueryResultsFormat.JSON)
                if isinstance(parsed, QueryBoolean):
                    sys.stdout.write(f"{str(bool(parsed)).lower()}\n")
                else:
                    columns = [v.value for v in parsed.variables]
                    rows = [{c: (s[c].value if s[c] is not None else "") for c in columns} for s in parsed]
                    sys.stdout.write(to_table(rows, columns))
                    say(f"{len(rows)} rows")
            else:
                for chunk in result.chunks():
                    sys.stdout.buffer.write(chunk)
                sys.stdout.flush()
        except SyntaxError as err:
            raise QueryError(f"SPARQL syntax error: {err}") from None
        except BoundedError as err:
            raise QueryError(str(err)) from None
        finally:
            pool.close()


class DumpFormat(StrEnum):
    ttl = "ttl"
    nt = "nt"
    nq = "nq"
    jsonld = "jsonld"
    rdf = "rdf"


@app.command()
def export(
    fmt: Annotated[
        DumpFormat, typer.Option("--format", help="ttl, nt, nq (keeps the named graphs), jsonld or rdf (RDF/XML).")
    ] = DumpFormat.ttl,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
    store: StoreOption = DEFAULT_STORE,
    store_url: StoreUrlOption = None,
) -> None:
    """Write the whole graph (ontology, facts, entities, sources, build record): the same data as /dumps/."""
    import os

    from catkg.api.dumps import write_dump

    with errors():
        opened = open_store(store, store_url)
        if output is None:
            write_dump(opened, fmt.value, sys.stdout.buffer)
            sys.stdout.flush()
            return
        partial = output.with_name(f".{output.name}.partial")
        try:
            with open(partial, "wb") as file:
                write_dump(opened, fmt.value, file)
            os.replace(partial, output)
        except OSError as err:
            err.filename = output
            raise
        finally:
            partial.unlink(missing_ok=True)
        say(f"wrote {output} ({output.stat().st_size} bytes)")


@app.command()
def kgx(
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Directory to write catkg-kgx-nodes.tsv and catkg-kgx-edges.tsv into (created if missing)."
        ),
    ],
    store: StoreOption = DEFAULT_STORE,
    store_url: StoreUrlOption = None,
) -> None:
    """Write the graph as KGX TSV: entities as nodes, facts as edges, with Biolink categories and predicates."""
    from catkg.queries.kgx import write_kgx

    with errors():
        nodes, edges = write_kgx(open_store(store, store_url), output)
        say(f"wrote {nodes} and {edges}")


@app.command("ontology-doc")
def ontology_doc(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")] = Path("docs/ontology.md"),
    store: StoreOption = DEFAULT_STORE,
    store_url: StoreUrlOption = None,
) -> None:
    """Write docs/ontology.md from catkg.ttl: every class and property, with counts from the store."""
    from catkg.ontology.doc import markdown
    from catkg.queries.ontology import term_counts

    with errors():
        text = markdown(term_counts(open_store(store, store_url)))
        output.write_text(text, encoding="utf-8")
        say(f"wrote {output}")


if __name__ == "__main__":
    app()

"""``catkg source``: bring a new article into the curation and draft its facts.

Each command works on the curation it is pointed at (``--curated``, ``--sources``, as ``catkg build``), so a curator
can try it on a copy first. Commands stay thin: the work is in ``catkg.ingest`` (``add_source.py``, ``draft.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from catkg.api.cli_options import CuratedOption, SourcesOption, errors, say
from catkg.ingest.validate import curated_root, load_and_validate

source = typer.Typer(help="Add a source to the curation and draft its facts.", no_args_is_help=True)


# ---------------------------------------------------------------- catkg source add
@source.command("add")
def add(
    file: Annotated[Path, typer.Argument(help="A plain-text article (UTF-8), a JATS/PMC XML article or a PubMed XML record.")],
    id: Annotated[str | None, typer.Option("--id", help="Id of the new source (default: from its title and year).")] = None,
    curated: CuratedOption = None,
    sources: SourcesOption = None,
) -> None:
    """Add an article: its text into the sources folder, its entry and references to sources.yaml, all or nothing."""
    from catkg.ingest.add_source import add_source

    with errors():
        added = add_source(file, curated, sources, id)
    counts = added.ledger
    typer.echo(f"added {added.id}: {added.file}")
    typer.echo(f"title: {added.title}" + ("" if added.title_in_text else " (not written in the text: a description)"))
    shown = ", ".join(f"{kind} at line {line} ({heading!r})" for kind, heading, line in added.sections)
    typer.echo(f"sections: {shown or 'none found: the whole text counts as body'}")
    typer.echo(f"references: {len(added.references)}" + (f" ({', '.join(added.references)})" if added.references else ""))
    share = 100 * counts["facts"] / counts["units"] if counts["units"] else 0.0
    typer.echo(
        f"sentences: {counts['units']}, {counts['facts']} covered by facts ({share:.0f}%), "
        f"{counts['bibliographic']} by the title and references, {counts['uncovered']} uncovered"
    )


# ---------------------------------------------------------------- catkg source draft
@source.command()
def draft(
    source_id: Annotated[str, typer.Argument(metavar="ID", help="Id of a curated article (sources.yaml).")],
    curated: CuratedOption = None,
    sources: SourcesOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a draft that is already there.")] = False,
) -> None:
    """Write facts/ID.draft.yaml: a candidate fact for every sentence that says something of a known entity."""
    from catkg.ingest.draft import DraftError, write_draft

    with errors():
        validated = load_and_validate(curated, sources)
        try:
            path, drafted = write_draft(validated, curated or curated_root(), source_id, force)
        except DraftError as err:
            say(f"error: {err}")
            raise typer.Exit(1) from None
        say(
            f"wrote {path}: {drafted.sentences} sentences ({drafted.open} not yet accounted for), "
            f"{len(drafted.candidates)} candidates, {drafted.values} values, {len(drafted.suggestions)} entity suggestions"
        )

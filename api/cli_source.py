"""``catkg source``: bring a new article into the curation.

The commands only parse options and print; the work is done in ``catkg.ingest`` (``add_source.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

source = typer.Typer(help="Bring a new article into the curation.", no_args_is_help=True)
"""Defined before the import below: ``python -m catkg.api.cli`` runs cli.py as __main__, whose import of this
module imports cli.py once more, and that copy takes ``source`` from this module while it is half-read."""

from catkg.api.cli import CuratedOption, SourcesOption, errors  # noqa: E402

# ---------------------------------------------------------------------------------- catkg source add


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


# ---------------------------------------------------------------------------------- end of catkg source add

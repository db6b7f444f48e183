"""``catkg source``: bring a new article into the curation and draft its facts.

Each command works on the curation it is pointed at (``--curated``, ``--sources``, as ``catkg build``), so a curator
can try it on a copy first. Commands stay thin: the work is in ``catkg.ingest``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from catkg.api.cli_options import CuratedOption, SourcesOption, errors, say
from catkg.ingest.validate import curated_root, load_and_validate

source = typer.Typer(help="Add a source to the curation and draft its facts.", no_args_is_help=True)


# ---------------------------------------------------------------- catkg source draft (issue 17, item 2)
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

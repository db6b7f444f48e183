"""What every ``catkg`` command shares: the curation's folders as options, and catkg's errors as messages.

In a module of its own so that the sub-apps (``catkg source``, in ``cli_source.py``) and the main app
(``cli.py``) can both use them without importing each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from catkg.ingest.articles import ArticleError
from catkg.ingest.load import CurationError
from catkg.ingest.xrefs import XrefError
from catkg.queries.run import QueryError
from catkg.store.embedded import StoreError

CuratedOption = Annotated[
    Path | None, typer.Option("--curated", help="Curated YAML folder (default: the project's ingest/curated).")
]
SourcesOption = Annotated[
    Path | None, typer.Option("--sources", help="Source texts folder (default: the project's ingest/sources).")
]


def say(message: str) -> None:
    typer.echo(message, err=True)


@contextmanager
def errors() -> Iterator[None]:
    """Turn catkg's own errors into a message on stderr and exit status 1 (2 for an input refused as it is)."""
    try:
        yield
    except ArticleError as err:
        say(f"refused: {err}")
        raise typer.Exit(2) from None
    except CurationError as err:
        say(str(err))
        raise typer.Exit(1) from None
    except (StoreError, QueryError, XrefError) as err:
        say(f"error: {err}")
        raise typer.Exit(1) from None
    except OSError as err:
        say(f"error: cannot write {err.filename or 'the output'}: {err.strerror or err}")
        raise typer.Exit(1) from None

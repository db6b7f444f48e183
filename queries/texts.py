"""The article texts a store generation was built from, kept in the generation itself.

Offsets into a text are computed at build time from the sources folder the build read (``catkg build --sources
DIR`` may name any); serving the text from the package's own folder would show another text, or none, to a store
built from a copy of the curation. So the build writes each article's text, exactly as validated, into
``texts/`` of the generation, and the API reads it from there.
"""

from __future__ import annotations

from pathlib import Path

from catkg.ingest.validate import Validated, sources_root
from catkg.queries.run import Queryable

TEXTS = "texts"


def write_texts(directory: Path, store: Queryable, validated: Validated) -> None:
    """Write every article's text into ``directory/texts/`` under its file name (a build step, see catkg.store.build)."""
    folder = directory / TEXTS
    folder.mkdir(exist_ok=True)
    for item in validated.curation.sources:
        src = item.record
        if src.kind == "article" and src.file and src.id in validated.texts and Path(src.file).name == src.file:
            (folder / src.file).write_text(validated.texts[src.id], encoding="utf-8", newline="")


def article_text(directory: Path, file: str) -> str:
    """The text of the article ``file`` as the generation in ``directory`` was built from it (a generation
    built before texts were kept: the project's own sources folder)."""
    kept = directory / TEXTS / file
    path = kept if Path(file).name == file and kept.is_file() else sources_root() / file
    return path.read_text(encoding="utf-8")

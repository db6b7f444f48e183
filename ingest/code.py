"""A hash of the code and data files that turn curated records into checks and triples, for the build's caches.

What a build keeps from the last one (the facts' checked spans, the graph's parts' keys) is only as good as the
code that made it: its key includes this hash, so any change to catkg's version, to a module or data file of
``ingest/`` or ``ontology/`` (the ontology itself included) makes it again.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.metadata import version as package_version
from pathlib import Path

from catkg.ontology.load import ontology_path


@cache
def code_key() -> bytes:
    digest = hashlib.sha256(package_version("catkg").encode())
    for folder in (Path(__file__).parent, Path(ontology_path()).parent):
        for path in sorted(folder.glob("*")):
            if path.suffix in {".py", ".ttl", ".yaml"}:
                digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


__all__ = ["code_key"]

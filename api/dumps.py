"""The whole graph as files: ``/dumps/catkg.{ttl,nt,nq,jsonld,rdf}`` and ``catkg export``.

Every format holds the same data: the ontology, the facts, the entities, the sources and the build record. N-Quads
keeps the named graphs (``graph/ontology``, ``graph/facts``, ``graph/meta``); the triple formats hold their union.
A dump is written once per store generation, on first request, into the generation's ``dumps/`` folder (through a
temporary file and an atomic rename, so a reader never sees half a file), then served as a file.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Annotated, BinaryIO

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pyoxigraph import RdfFormat, Triple, serialize

from catkg.api.errors import ApiError, error_responses
from catkg.store.embedded import EmbeddedStore, StoreError

DUMP_FORMATS: dict[str, tuple[RdfFormat, str]] = {
    "ttl": (RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "nt": (RdfFormat.N_TRIPLES, "application/n-triples"),
    "nq": (RdfFormat.N_QUADS, "application/n-quads"),
    "jsonld": (RdfFormat.JSON_LD, "application/ld+json"),
    "rdf": (RdfFormat.RDF_XML, "application/rdf+xml"),
}
"""File extension -> pyoxigraph format and media type."""

PREFIXES = {
    "cat": "https://w3id.org/catkg/ontology#",
    "fact": "https://w3id.org/catkg/fact/",
    "entity": "https://w3id.org/catkg/entity/",
    "source": "https://w3id.org/catkg/source/",
    "evidence": "https://w3id.org/catkg/evidence/",
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "bibo": "http://purl.org/ontology/bibo/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "void": "http://rdfs.org/ns/void#",
}

router = APIRouter()
_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


def write_dump(store: EmbeddedStore, ext: str, output: BinaryIO) -> None:
    """Serialize the whole graph of ``store`` in the format of extension ``ext`` to a binary file."""
    rdf_format, _ = DUMP_FORMATS[ext]
    oxigraph = store.generation().oxigraph
    if rdf_format is RdfFormat.N_QUADS:
        oxigraph.dump(output, format=rdf_format)
        return
    # The union of the named graphs, each triple once (the same triple may sit in two graphs).
    triples = dict.fromkeys(Triple(q.subject, q.predicate, q.object) for q in oxigraph.quads_for_pattern(None, None, None))
    prefixes = {} if rdf_format is RdfFormat.N_TRIPLES else {"prefixes": PREFIXES}
    serialize(triples, output, format=rdf_format, **prefixes)


def dump_file(store: EmbeddedStore, ext: str) -> Path:
    """The dump of the current generation in format ``ext``, written on first use."""
    directory = store.directory / "dumps"
    path = directory / f"catkg.{ext}"
    if path.is_file():
        return path
    with _locks_guard:
        lock = _locks.setdefault(path, threading.Lock())
    with lock:
        if not path.is_file():
            directory.mkdir(exist_ok=True)
            partial = directory / f".catkg.{ext}.{os.getpid()}.{threading.get_ident()}.partial"
            try:
                with open(partial, "wb") as file:
                    write_dump(store, ext, file)
                os.replace(partial, path)
            finally:
                partial.unlink(missing_ok=True)
    return path


@router.get(
    "/dumps/catkg.{ext}",
    tags=["sparql"],
    summary="The whole graph as one file",
    responses={
        200: {
            "description": "The graph in the format of the extension",
            "content": {m.split(";")[0]: {} for _, m in DUMP_FORMATS.values()},
        },
        **error_responses(404, 503),
    },
)
def dump(
    request: Request,
    ext: Annotated[str, PathParam(description="ttl, nt, nq (with named graphs), jsonld or rdf (RDF/XML)", examples=["ttl"])],
) -> FileResponse:
    """The ontology, facts, entities, sources and build record; every format holds the same graph (N-Quads keeps
    the named graphs). Written once per build and served as a file."""
    if ext not in DUMP_FORMATS:
        raise ApiError(404, f"no dump catkg.{ext}; available: {', '.join('catkg.' + e for e in DUMP_FORMATS)}")
    store: EmbeddedStore = request.app.state.store
    try:
        path = dump_file(store, ext)
    except (StoreError, OSError) as err:
        raise ApiError(503, f"the dump cannot be written: {err}") from err
    return FileResponse(path, media_type=DUMP_FORMATS[ext][1], headers={"Content-Disposition": f'inline; filename="catkg.{ext}"'})

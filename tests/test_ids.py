"""The one home of paper identifiers: every form of an arXiv id or DOI that tlnotes reads, and every one it refuses."""

from __future__ import annotations

import pytest

from tlnotes import ids
from tlnotes.schema import ARXIV_RE, DOI_RE

# ---------------------------------------------------------------- arXiv ids

ARXIV_URLS = [
    ("https://arxiv.org/abs/1706.03762", "1706.03762"),
    ("https://arxiv.org/abs/1706.03762v5", "1706.03762"),
    ("http://arxiv.org/abs/2203.02155v1", "2203.02155"),
    ("https://arxiv.org/pdf/1810.04805v2.pdf", "1810.04805"),
    ("https://arxiv.org/pdf/1906.08237.pdf", "1906.08237"),
    ("https://arxiv.org/html/2305.01610v2", "2305.01610"),
    ("https://export.arxiv.org/abs/2305.01610", "2305.01610"),
    ("https://arxiv.org/abs/2305.01610/", "2305.01610"),
    ("https://arxiv.org/abs/2305.01610?context=cs", "2305.01610"),
    ("https://arxiv.org/abs/2305.01610#section", "2305.01610"),
    ("http://arxiv.org/abs/2005.14165?2", "2005.14165"),
    ("https://arxiv.org/abs/2207.09238?utm_source=substack&utm_medium=email", "2207.09238"),
    ("https://export.arxiv.org/abs/2004.05150", "2004.05150"),
    ("  https://arxiv.org/abs/2305.01610  ", "2305.01610"),
    ("HTTPS://ARXIV.ORG/ABS/2305.01610", "2305.01610"),
    ("https://www.arxiv.org/abs/hep-th/9901001v3", "hep-th/9901001"),
    ("https://arxiv.org/abs/math.GT/0309136", "math.GT/0309136"),
    # arXiv's archive names are lowercase and subject classes uppercase, however the URL spells them
    ("https://arxiv.org/abs/HEP-TH/9901001", "hep-th/9901001"),
    ("HTTPS://ARXIV.ORG/ABS/MATH.GT/0309136", "math.GT/0309136"),
]
NOT_ARXIV_URLS = [
    "",
    "arxiv.org/abs/1706.03762",
    "https://example.org/abs/1706.03762",
    "https://arxiv.org.evil/abs/1706.03762",
    "https://arxiv.org/abs/1706.037",
    "https://arxiv.org/list/cs.CL/1706",
    "ftp://arxiv.org/abs/1706.03762",
    "https://arxiv.org/abs/1706.03762 and more",
    "1706.03762",
    "https://evil.example/https://arxiv.org/abs/1706.03762",
]


@pytest.mark.parametrize("url, aid", ARXIV_URLS)
def test_arxiv_id_of_a_url(url, aid):
    assert ids.arxiv_id(url) == aid
    assert ARXIV_RE.fullmatch(aid)  # what is read is what a record stores


@pytest.mark.parametrize("url", NOT_ARXIV_URLS)
def test_arxiv_id_refuses_what_is_not_an_arxiv_url(url):
    assert ids.arxiv_id(url) is None


REFS = [
    ("2305.01610", "2305.01610"),
    ("2305.01610v2", "2305.01610"),
    ("arxiv:2305.01610", "2305.01610"),
    ("arXiv:2305.01610v12", "2305.01610"),
    ("ARXIV:0704.0001", "0704.0001"),
    ("arXiv:hep-th/9901001v2", "hep-th/9901001"),
    ("hep-th/9901001", "hep-th/9901001"),
    ("arxiv:HEP-TH/9901001", "hep-th/9901001"),
    (" 1501.00001 ", "1501.00001"),
    ("https://arxiv.org/pdf/2305.01610v1.pdf", "2305.01610"),
]


@pytest.mark.parametrize("text, aid", REFS)
def test_arxiv_ref(text, aid):
    assert ids.arxiv_ref(text) == aid


@pytest.mark.parametrize(
    "text",
    [
        "",
        "arxiv:",
        "arxiv:12345",
        "1706.037",
        "17060.3762",
        "doi:10.1/x",
        "arxiv: 2305.01610 x",
        "2305.01610v",
        "2305.01610.pdf",
        "hep-th/990100",
        "9901001",
        "arxiv:2305.01610\nx",
    ],
)
def test_arxiv_ref_refuses(text):
    assert ids.arxiv_ref(text) is None


@pytest.mark.parametrize(
    "text, aid",
    [
        ("arXiv preprint arXiv:1706.03762", "1706.03762"),
        ("arXiv preprint arXiv:1706.03762v5", "1706.03762"),
        ("CoRR abs/1810.04805", "1810.04805"),
        ("https://arxiv.org/abs/2211.05100", "2211.05100"),
        ("ArXiv 2203.02155", "2203.02155"),
        ("see arxiv:hep-th/9901001 for details", "hep-th/9901001"),
    ],
)
def test_arxiv_in_text(text, aid):
    assert ids.arxiv_in_text(text) == aid


@pytest.mark.parametrize("text", ["", "Nature 521", "pages 1706.03762", "vol. 12, 2020", "arXiv preprint"])
def test_arxiv_in_text_finds_nothing(text):
    assert ids.arxiv_in_text(text) is None


@pytest.mark.parametrize(
    "doi, aid",
    [
        ("10.48550/arXiv.2211.05100", "2211.05100"),
        ("10.48550/ARXIV.2211.05100", "2211.05100"),
        ("10.48550/arxiv.hep-th/9901001", "hep-th/9901001"),
        ("10.48550/arXiv.1706.03762", "1706.03762"),
    ],
)
def test_arxiv_of_arxivs_own_doi(doi, aid):
    assert ids.arxiv_of_doi(doi) == aid


@pytest.mark.parametrize(
    "doi", ["10.1038/nature14539", "10.48550/arXiv.2211", "10.48551/arXiv.2211.05100", "", "10.48550/arXiv.2211.05100/x"]
)
def test_arxiv_of_other_dois(doi):
    assert ids.arxiv_of_doi(doi) is None


@pytest.mark.parametrize(
    "id_url, aid",
    [
        ("http://arxiv.org/abs/1706.03762v1", "1706.03762"),
        ("http://arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001"),
        ("https://arxiv.org/abs/2305.01610", "2305.01610"),
    ],
)
def test_arxiv_of_an_atom_id(id_url, aid):
    assert ids.arxiv_id(id_url) == aid


@pytest.mark.parametrize(
    "id_url",
    [
        "http://arxiv.org/api/errors#incorrect_id_format_for_1234",
        "",
        "1706.03762",
        "http://evil.example/arxiv.org/abs/1706.03762v1",
    ],
)
def test_atom_ids_that_are_not_papers(id_url):
    assert ids.arxiv_id(id_url) is None


@pytest.mark.parametrize(
    "aid, year",
    [
        ("1706.03762", 2017),
        ("0704.0001", 2007),
        ("2305.01610", 2023),
        ("hep-th/9901001", 1999),
        ("math.GT/0309136", 2003),
        ("hep-th/9108001", 1991),
        ("cs/0012001", 2000),
        ("nonsense", None),
        ("", None),
    ],
)
def test_arxiv_year(aid, year):
    assert ids.arxiv_year(aid) == year


# ---------------------------------------------------------------- DOIs

# every form a DOI could take to steer a request if put in a URL path (test_hostile_net sends them too)
HOSTILE_DOIS = [
    "10.1234/../../x",
    "10.1234/a/../../b",
    "10.1234/x?y=1",
    "10.1234/x#f",
    "10.1234/%2e%2e/x",
    "10.1234/x y",
    "10.1234/x\ny",
    "10.1234/.",
    "10.1234/x/..",
    "10.1234/%2E%2e",
    "10.1234/x//y",
    "10.1234/x\x00",
    "10.1234/x\x7f",
    "10.1234/x\x85",
    "10.1234/x\t",
    "10.1234/",
    "10.1234/x/",
    "10.1234/%2E%2E",
    "10.1234/./x",
    "10.1234//x",
    "10.1234/x\u2028y",
    "10.12/x",
    "10..1234/x",
]
REAL_DOIS = [
    "10.1038/nature14539",
    "10.1002/(SICI)1097-4636(199706)35:4<453::AID-JBM6>3.0.CO;2-I",
    "10.48550/arXiv.2211.05100",
    "10.1145/3292500.3330701",
    "10.1000.10/x.y",
    "10.1234/a.b/c..d",
    "10.1234/..x",
    "10.1234/x%20y",
]
NOT_DOIS = ["", "nature14539", "10.1038", "10.123/x", "10.1234567890/x", "11.1234/x", "10.abcd/x", "doi:10.1038/x", "10.1038/x\n"]


@pytest.mark.parametrize("doi", REAL_DOIS)
def test_real_dois(doi):
    assert DOI_RE.fullmatch(doi) and ids.is_doi(doi)
    assert ids.read_doi(doi) == doi
    assert ids.read_doi(f"doi:{doi}") == ids.read_doi(f"https://doi.org/{doi}") == doi


@pytest.mark.parametrize("doi", HOSTILE_DOIS + NOT_DOIS)
def test_refused_dois(doi):
    assert not ids.is_doi(doi)
    if doi == doi.strip() and not doi.startswith("doi:"):  # outer whitespace and a doi: prefix are forms of writing one
        for written in (doi, f"doi:{doi}", f"https://doi.org/{doi}", f"http://dx.doi.org/{doi}"):
            assert ids.read_doi(written) is None, written


@pytest.mark.parametrize(
    "text, doi",
    [
        ("doi:10.1038/nature14539", "10.1038/nature14539"),
        ("DOI: 10.1038/nature14539", "10.1038/nature14539"),
        ("https://doi.org/10.1038/nature14539", "10.1038/nature14539"),
        ("http://dx.doi.org/10.1038/nature14539", "10.1038/nature14539"),
        ("HTTPS://DOI.ORG/10.1038/nature14539", "10.1038/nature14539"),
        ("  10.1038/nature14539 ", "10.1038/nature14539"),
    ],
)
def test_read_doi_forms(text, doi):
    assert ids.read_doi(text) == doi


@pytest.mark.parametrize("text", ["10.1038/nature14539", "doi:10.1038/nature14539", " 10.1/x"])
def test_doi_url_reads_only_urls(text):
    assert ids.doi_of_url(text) is None
    assert ids.read_doi(text, bare=False) is None or text.lower().startswith("doi:")


@pytest.mark.parametrize(
    "url",
    [
        "https://doi.org/10.1234/x?y=1",
        "https://doi.org/10.1234/../../x",
        "https://doi.org/",
        "https://doi.org/nature",
        "https://doi.org.evil/10.1038/x",
        "https://example.org/10.1038/x",
        "https://doi.org/10.1038/x y",
    ],
)
def test_doi_url_refuses(url):
    assert ids.doi_of_url(url) is None and ids.read_doi(url) is None


def test_normalize_doi():
    assert ids.normalize_doi(" 10.1038/NATURE14539 ") == ids.normalize_doi("10.1038/nature14539") == "10.1038/nature14539"


@pytest.mark.parametrize("value", HOSTILE_DOIS + ["a/b", "..", "x?y#z", "ä ö"])
def test_quote_id_keeps_one_path_segment(value):
    quoted = ids.quote_id(value)
    assert not set(quoted) & set("/?# \n\t") and quoted not in (".", "..")
    from urllib.parse import unquote

    assert unquote(quoted) == value


# ---------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org",
        "http://example.org/a?b#c",
        "HTTPS://EXAMPLE.ORG/x",
        "https://user@example.org/",
        "http://127.0.0.1:8000/x",
    ],
)
def test_http_urls(url):
    assert ids.is_http_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "example.org",
        "ftp://example.org",
        "https://",
        "https:///x",
        "https://a b",
        "https://example.org/a b",
        "javascript:alert(1)",
        "https://a@b@c/",
        "//example.org",
    ],
)
def test_not_http_urls(url):
    assert not ids.is_http_url(url)


@pytest.mark.parametrize(
    "url, label",
    [
        ("https://github.com/a/b", "code"),
        ("https://gitlab.com/a/b", "code"),
        ("https://huggingface.co/x", "code"),
        ("https://x.github.io/code/", "code"),
        ("https://example.org/paper.pdf", "pdf"),
        ("https://example.org/paper.PDF?dl=1", "pdf"),
        ("https://example.org/blog/post", "blog"),
        ("https://a.medium.com/x", "blog"),
        ("https://a.substack.com/p/x", "blog"),
        ("https://x.org/posts/1", "blog"),
        ("https://example.org/page", "url"),
        ("https://x.github.io/", "url"),
    ],
)
def test_link_label(url, label):
    assert ids.link_label(url) == label


@pytest.mark.parametrize(
    "url, links",
    [
        (None, {}),
        ("", {}),
        ("https://arxiv.org/abs/1706.03762v5", {"arxiv": "1706.03762"}),
        ("https://arxiv.org/abs/HEP-TH/9901001", {"arxiv": "hep-th/9901001"}),
        ("https://doi.org/10.1038/nature14539", {"doi": "10.1038/nature14539"}),
        ("http://dx.doi.org/10.1038/nature14539", {"doi": "10.1038/nature14539"}),
        ("https://github.com/a/b", {"code": "https://github.com/a/b"}),
        # a doi.org URL holding no valid DOI is kept as the URL it is, not as a DOI that check refuses
        ("https://doi.org/10.1234/x?y=1", {"url": "https://doi.org/10.1234/x?y=1"}),
        ("https://doi.org/10.1234/../x", {"url": "https://doi.org/10.1234/../x"}),
    ],
)
def test_links_for(url, links):
    assert ids.links_for(url) == links


@pytest.mark.parametrize(
    "aid, archive",
    [
        ("hep-th/9901001", "hep-th"),
        ("math.GT/0309136", "math.GT"),
        ("cs/0012001", "cs"),
        ("1706.03762", None),
        ("x", None),
    ],
)
def test_arxiv_archive(aid, archive):
    assert ids.arxiv_archive(aid) == archive


# ---------------------------------------------------------------- paper hosts


@pytest.mark.parametrize(
    "url",
    [
        "http://proceedings.mlr.press/v48/gal16.pdf",
        "https://papers.nips.cc/paper/2017/hash/3f5ee243547dee91fbd053c1c4a845aa-Abstract.html",
        "https://proceedings.neurips.cc/paper_files/paper/2020/file/abc-Paper.pdf",
        "https://aclanthology.org/2020.acl-main.593/",
        "https://www.aclweb.org/anthology/P19-1001.pdf",
        "https://openreview.net/forum?id=rJl-b3RcF7",
        "https://dl.acm.org/doi/10.1145/3442188.3445922",
        "https://ieeexplore.ieee.org/document/7780459",
        "https://link.springer.com/article/10.1007/s11263-019-01228-7",
        "https://www.nature.com/articles/nature14539",
        "https://www.science.org/doi/10.1126/science.aar6404",
        "https://pubmed.ncbi.nlm.nih.gov/31042697/",
        "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC6404581/",
        "https://www.biorxiv.org/content/10.1101/2020.12.15.422761v1",
        "https://www.medrxiv.org/content/10.1101/2020.04.14.20062463v2.full.pdf",
        "https://www.semanticscholar.org/paper/Some-Title/0123456789abcdef",
    ],
)
def test_paper_hosts(url):
    assert ids.paper_host(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/jacobgil/pytorch-grad-cam",
        "https://distill.pub/2020/circuits/zoom-in/",
        "https://twitter.com/someone/status/123",
        "https://www.youtube.com/watch?v=abc",
        "https://notnature.com/articles/x1",  # a look-alike host is not the publisher
        "https://nature.com.evil.example/articles/x1",
        "ftp://proceedings.mlr.press/v48/gal16.pdf",
        "not a url at all",
    ],
)
def test_not_paper_hosts(url):
    assert not ids.paper_host(url)


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://people.cs.example.edu/~smith/papers/bnn.pdf", True),
        ("https://www.robots.ox.ac.uk/~vgg/publications/2014/x.pdf", True),
        ("https://cs.uni.edu.au/papers/x.pdf", True),
        ("https://cs231n.stanford.edu/slides/2017/lecture11.pdf", False),  # teaching material
        ("https://www.cs.example.edu/courses/cs101/lecture-3.pdf", False),
        ("https://people.cs.example.edu/~smith/papers/bnn.html", False),  # not a pdf
        ("https://example.com/paper.pdf", False),  # not an academic host
        ("https://education.example.com/x.pdf", False),
    ],
)
def test_academic_pdf(url, expected):
    assert ids.academic_pdf(url) is expected


@pytest.mark.parametrize(
    "url, doi",
    [
        ("https://doi.org/10.1038/nature14539", "10.1038/nature14539"),
        ("https://dl.acm.org/doi/10.1145/3442188.3445922", "10.1145/3442188.3445922"),
        ("https://dl.acm.org/doi/pdf/10.1145/3442188.3445922", "10.1145/3442188.3445922"),
        ("https://www.science.org/doi/10.1126/science.aar6404", "10.1126/science.aar6404"),
        ("https://link.springer.com/chapter/10.1007/978-3-319-10590-1_53", "10.1007/978-3-319-10590-1_53"),
        ("https://www.nature.com/articles/nature14539", "10.1038/nature14539"),
        ("https://www.nature.com/articles/s41586-021-03819-2.pdf", "10.1038/s41586-021-03819-2"),
        ("https://www.biorxiv.org/content/10.1101/2020.12.15.422761v1", "10.1101/2020.12.15.422761"),
        ("https://www.medrxiv.org/content/10.1101/2020.04.14.20062463v2.full.pdf", "10.1101/2020.04.14.20062463"),
        ("https://ieeexplore.ieee.org/document/7780459", None),
        ("https://example.com/doi/10.1145/3442188.3445922", None),  # a DOI-shaped path on an unknown host
        ("https://dl.acm.org/doi/10.1145/../../etc", None),
    ],
)
def test_doi_in_url(url, doi):
    assert ids.doi_in_url(url) == doi


@pytest.mark.parametrize(
    "url, year",
    [
        ("https://arxiv.org/abs/1710.11063v3", 2017),
        ("https://aclanthology.org/2020.acl-main.593/", 2020),
        ("https://aclanthology.org/P19-1001/", 2019),
        ("https://www.aclweb.org/anthology/N18-1202.pdf", 2018),
        ("http://proceedings.mlr.press/v48/gal16.pdf", 2016),
        ("https://proceedings.mlr.press/v97/houlsby19a.html", 2019),
        ("https://papers.nips.cc/paper/2017/hash/abc-Abstract.html", 2017),
        ("https://proceedings.neurips.cc/paper_files/paper/2020/file/abc-Paper.pdf", 2020),
        ("https://openreview.net/forum?id=rJl-b3RcF7", None),
        ("https://example.com/2020.acl-main.593/", None),
    ],
)
def test_url_year(url, year):
    assert ids.url_year(url) == year


def test_links_for_reads_a_publisher_doi():
    assert ids.links_for("https://dl.acm.org/doi/10.1145/3442188.3445922") == {"doi": "10.1145/3442188.3445922"}
    assert ids.links_for("https://openreview.net/pdf?id=x") == {"url": "https://openreview.net/pdf?id=x"}

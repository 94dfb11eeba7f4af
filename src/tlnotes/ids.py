"""Paper identifiers and URLs: every way tlnotes reads an arXiv id or a DOI, defined once.

Records, `add`, both importers and `check --links` meet the same ids in
different clothes (a URL, `arXiv:ID`, DBLP's `abs/ID`, arXiv's own DOIs);
reading them all here keeps what one command accepts what another stores.
Patterns keep ECMA-262 syntax (^...$) for the JSON Schema; code matches them
with fullmatch, since `$` alone would also accept a trailing newline.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

# An arXiv id: new style (0704.0001 on) or old style archive(.SUBJECT)/YYMMNNN, without version.
_ARCHIVE = r"[a-z][a-z-]*(?:\.[A-Z]{2})?"  # hep-th, math.GT
ARXIV_ID = rf"(?:\d{{4}}\.\d{{4,5}}|{_ARCHIVE}/\d{{7}})"
ARXIV_RE = re.compile(rf"^{ARXIV_ID}$")
ARXIV_VERSIONED_RE = re.compile(rf"^(?P<id>{ARXIV_ID})v\d+$")
ARXIV_URL_RE = re.compile(
    rf"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<id>{ARXIV_ID})(?:v\d+)?(?:\.pdf)?/?(?:[?#].*)?$", re.I
)
_ARXIV_REF = re.compile(rf"^(?:arxiv:)?(?P<id>{ARXIV_ID})(?:v\d+)?$", re.I)
_ARXIV_IN_TEXT = re.compile(rf"(?:arxiv[:\s]*|abs/)(?P<id>{ARXIV_ID})(?:v\d+)?", re.I)
_ARXIV_DOI = re.compile(rf"^10\.48550/arxiv\.(?P<id>{ARXIV_ID})$", re.I)
_ARXIV_YEAR = re.compile(rf"^(?:{_ARCHIVE}/)?(\d{{2}})\d{{2}}")
_ARXIV_OLD = re.compile(rf"^(?P<archive>{_ARCHIVE})/\d{{7}}$")

# The DOI handbook's syntax, prefix `10.` registrant(.sub)* `/` suffix, with every suffix segment
# something a URL cannot read as a path step: no whitespace or control characters, no `?` or `#`,
# no empty segment and no `.` or `..` (also percent-encoded).
_DOI_SEGMENT = r"(?!(?:\.|%2[eE]){1,2}(?:/|$))[^/\s?#\x00-\x1f\x7f-\x9f]+"
DOI_RE = re.compile(rf"^10\.\d{{4,9}}(?:\.\d+)*/{_DOI_SEGMENT}(?:/{_DOI_SEGMENT})*$")
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/", re.I)
_DOI_PREFIX = re.compile(r"^doi:\s*", re.I)

_HTTP_URL_RE = re.compile(r"^https?://[^\s/?#@]+(?:@[^\s/?#@]+)?(?:[/?#]\S*)?$", re.IGNORECASE)


def _canonical(aid: str | None) -> str | None:
    """The id as arXiv writes it: case-insensitive forms (`HEP-TH/9901001`) read as `hep-th/9901001`."""
    if aid is None or "/" not in aid:
        return aid
    archive, _, number = aid.partition("/")
    name, dot, subject = archive.partition(".")
    return f"{name.lower()}{dot}{subject.upper()}/{number}"


def arxiv_id(url: str) -> str | None:
    """The bare id of an arxiv.org abs/pdf/html URL (also the API's Atom `<id>`), without version or `.pdf`."""
    m = ARXIV_URL_RE.fullmatch(url.strip())
    return _canonical(m.group("id")) if m else None


def arxiv_ref(text: str) -> str | None:
    """The id a curator means by `2305.01610`, `2305.01610v2`, `arXiv:ID` or an arxiv.org URL."""
    m = _ARXIV_REF.fullmatch(text.strip())
    return _canonical(m.group("id")) if m else arxiv_id(text)


def arxiv_in_text(text: str) -> str | None:
    """The first id cited in free text: `arXiv preprint arXiv:ID`, DBLP's `CoRR abs/ID`, an arxiv.org URL."""
    m = _ARXIV_IN_TEXT.search(text)
    return _canonical(m.group("id")) if m else None


def arxiv_of_doi(doi: str) -> str | None:
    """The id named by one of arXiv's own DOIs, `10.48550/arXiv.ID`."""
    m = _ARXIV_DOI.fullmatch(doi.strip())
    return _canonical(m.group("id")) if m else None


def arxiv_year(aid: str) -> int | None:
    """The year an id was issued in: its YY (1991 was arXiv's first)."""
    m = _ARXIV_YEAR.match(aid)
    if not m:
        return None
    yy = int(m.group(1))
    return (1900 if yy >= 91 else 2000) + yy


def arxiv_archive(aid: str) -> str | None:
    """The archive an old-style id names (`hep-th` of `hep-th/9901001`): its category when a record gives none."""
    m = _ARXIV_OLD.fullmatch(aid)
    return m.group("archive") if m else None


def is_doi(text: str) -> bool:
    return bool(DOI_RE.fullmatch(text))


def read_doi(text: str, bare: bool = True) -> str | None:
    """The DOI in `10.x/y` (if `bare`), `doi:10.x/y` or a (dx.)doi.org URL; None unless it is a valid DOI."""
    t = text.strip()
    m = _DOI_PREFIX.match(t) or _DOI_URL.match(t)
    if m:
        t = t[m.end() :]
    elif not bare:
        return None
    return t if is_doi(t) else None


def doi_of_url(url: str) -> str | None:
    """The DOI of a doi.org or dx.doi.org URL, if it holds a valid one."""
    t = url.strip()
    m = _DOI_URL.match(t)
    return read_doi(t[m.end() :]) if m else None


def normalize_doi(doi: str) -> str:
    """DOIs are case-insensitive."""
    return doi.strip().casefold()


def quote_id(value: str) -> str:
    """An id as one path segment: `/`, `..`, `?`, `#` and spaces cannot change where a request goes."""
    quoted = quote(value, safe="")
    return quoted.replace(".", "%2E") if quoted in (".", "..") else quoted  # a bare dot segment is a path step


def is_http_url(value: str) -> bool:
    """An absolute http(s) URL with a host and no whitespace."""
    return bool(_HTTP_URL_RE.fullmatch(value))


def link_label(url: str) -> str:
    """What kind of link a URL is, as a record's `links` label."""
    low = url.lower()
    host = re.sub(r"^https?://(www\.)?", "", low).split("/")[0]
    if host in ("github.com", "gitlab.com", "huggingface.co") or host.endswith(".github.io") and "/code" in low:
        return "code"
    if low.split("?")[0].endswith(".pdf"):
        return "pdf"
    if "blog" in low or host.endswith(("medium.com", "substack.com")) or "/posts/" in low:
        return "blog"
    return "url"


def links_for(url: str | None) -> dict[str, str]:
    """A record's `links` for one URL: its arXiv id or DOI if it names one, else the URL under its label."""
    if not url:
        return {}
    aid = arxiv_id(url)
    if aid:
        return {"arxiv": aid}
    doi = doi_in_url(url)
    if doi:
        return {"doi": doi}
    return {link_label(url): url}


# ---------------------------------------------------------------- paper hosts

# Hosts whose pages are papers (proceedings, publishers, indexes): a link there cites a paper whatever its text.
PAPER_HOSTS = (
    "proceedings.mlr.press",
    "papers.nips.cc",
    "proceedings.neurips.cc",
    "papers.neurips.cc",
    "aclanthology.org",
    "aclweb.org",
    "openreview.net",
    "dl.acm.org",
    "ieeexplore.ieee.org",
    "link.springer.com",
    "nature.com",
    "science.org",
    "sciencedirect.com",
    "pubmed.ncbi.nlm.nih.gov",
    "pmc.ncbi.nlm.nih.gov",
    "ncbi.nlm.nih.gov",
    "biorxiv.org",
    "medrxiv.org",
    "semanticscholar.org",
    "jmlr.org",
    "ojs.aaai.org",
    "ijcai.org",
    "openaccess.thecvf.com",
)
# Academic hosts: `.edu`, `.ac.uk`, `.edu.au`, `.ac.jp`, ... (a label `edu` or `ac` before the country code).
_ACADEMIC_HOST = re.compile(r"(?:^|\.)(?:edu|ac)(?:\.[a-z]{2})?$")
# Paths on academic hosts that hold teaching material, not papers.
_TEACHING = re.compile(r"/(?:slides?|lectures?|class(?:es)?|courses?|teaching|syllabus|hw|homework)[/_-]", re.I)
# DOIs a publisher writes into its own URLs: `/doi/(abs|pdf|full)/10.x/y`, Springer's `/article/10.x/y`, bioRxiv's
# `/content/10.1101/...v2.full.pdf`.
_DOI_IN_PATH = re.compile(
    r"/(?:doi(?:/(?:abs|pdf|full|epdf))?|article|chapter|content)/(?P<doi>10\.\d{4,9}/[^?#]+?)(?:v\d+)?(?:\.full)?(?:\.pdf)?/?$"
)
_NATURE_ARTICLE = re.compile(r"^/articles/(?P<suffix>[a-z][a-z0-9.-]+\d)(?:\.pdf)?/?$", re.I)
# Years a proceedings URL gives: ACL Anthology ids (2020.acl-main.593, P19-1001), PMLR (v48/gal16), NeurIPS (paper/2017/).
_URL_YEARS = (
    ("aclanthology.org", re.compile(r"^/(?P<y4>(?:19|20)\d{2})\.[a-z]")),
    ("aclanthology.org", re.compile(r"^/[A-Z](?P<y2>\d{2})-\d{4}")),
    ("aclweb.org", re.compile(r"/[A-Z](?P<y2>\d{2})-\d{4}")),
    ("proceedings.mlr.press", re.compile(r"^/v\d+/[a-z-]+(?P<y2>\d{2})[a-z]?(?:\.html|\.pdf|/)")),
    ("nips.cc", re.compile(r"/paper(?:_files/paper)?/(?P<y4>(?:19|20)\d{2})/")),
    ("neurips.cc", re.compile(r"/paper(?:_files/paper)?/(?P<y4>(?:19|20)\d{2})/")),
)


def _host_path(url: str) -> tuple[str, str]:
    parts = urlsplit(url.strip())
    return (parts.hostname or "").lower().removeprefix("www."), parts.path


def _on(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def paper_host(url: str) -> bool:
    """Whether a URL is a page of a known proceedings, publisher or paper index."""
    host, _ = _host_path(url)
    return is_http_url(url.strip()) and any(_on(host, h) for h in PAPER_HOSTS)


def academic_pdf(url: str) -> bool:
    """A .pdf on a university host outside teaching folders: a paper if its link text reads as a title."""
    if not is_http_url(url.strip()):
        return False
    host, path = _host_path(url)
    return bool(_ACADEMIC_HOST.search(host)) and path.lower().endswith(".pdf") and not _TEACHING.search(path + "/")


def doi_in_url(url: str) -> str | None:
    """The DOI a doi.org, publisher (ACM, Science, Springer, bioRxiv, Wiley) or nature.com URL names, if any."""
    doi = doi_of_url(url)
    if doi or not paper_host(url):
        return doi
    host, path = _host_path(url)
    if _on(host, "nature.com"):
        m = _NATURE_ARTICLE.match(path)
        return read_doi(f"10.1038/{m.group('suffix')}") if m else None
    m = _DOI_IN_PATH.search(unquote(path))
    return read_doi(m.group("doi")) if m else None


def url_year(url: str) -> int | None:
    """The year a paper URL's id was issued in: arXiv ids, ACL Anthology ids, PMLR and NeurIPS paths."""
    aid = arxiv_id(url)
    if aid:
        return arxiv_year(aid)
    if not is_http_url(url.strip()):
        return None
    host, path = _host_path(url)
    for domain, pattern in _URL_YEARS:
        m = pattern.search(path) if _on(host, domain) else None
        if m:
            g = m.groupdict()
            return int(g["y4"]) if g.get("y4") else 2000 + int(g["y2"])  # two digits: this century
    return None

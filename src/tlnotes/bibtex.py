"""BibTeX entries made from records.

Entries are keyed by the record key, so `\\cite{vaswani2017attention}` in a
paper matches `[@vaswani2017attention]` in the notes.
"""

from __future__ import annotations

import codecs
import functools
import re
from collections.abc import Mapping

import latexcodec  # noqa: F401  (registers the "ulatex" codec; a dependency of pybtex)

from .ids import arxiv_archive
from .model import KnowledgeBase, Paper
from .names import display_name, is_organization

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_PROCEEDINGS = re.compile(
    r"\b(neurips|nips|icml|iclr|acl|naacl|eacl|emnlp|coling|cvpr|iccv|eccv|aaai|ijcai|"
    r"kdd|uai|aistats|colt|sigir|www|conference|proceedings|workshop|symposium)\b",
    re.I,
)
_JOURNAL = re.compile(r"\b(journal|transactions|jmlr|tmlr|nature|science|letters|review|magazine|pnas|cell)\b", re.I)


_MATH_RE = re.compile(r"(?<!\\)\$[^$\n]+?(?<!\\)\$")


def latex(text: str, keep_math: bool = False) -> str:
    """Text with every character that means something to LaTeX escaped; `$math$` kept if asked."""
    if keep_math:
        out, pos = [], 0
        for m in _MATH_RE.finditer(text):
            out.append(latex(text[pos : m.start()]))
            out.append("{" + m.group(0) + "}")  # braced: styles must not change its case
            pos = m.end()
        out.append(latex(text[pos:]))
        return "".join(out)
    out = []
    for ch in text:
        if ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        elif ord(ch) < 128:
            out.append(ch)
        else:
            try:
                # typeshed assumes a codec it does not know turns str into bytes; ulatex gives str
                enc: str = codecs.encode(ch, "ulatex").strip()  # type: ignore[assignment]
            except UnicodeEncodeError:  # no LaTeX for it (王, most scripts but Latin): kept as Unicode, below
                enc = ch
            # accents and letters become LaTeX commands; dashes and quotes (`--`, `''`) stay
            # Unicode, which every modern BibTeX reads and which round-trips exactly
            out.append("{" + enc + "}" if "\\" in enc else ch)
    text = "".join(out)
    while "--" in text:  # LaTeX reads -- as an en dash; the record meant two hyphens
        text = text.replace("--", "-{}-")
    return text


def bib_name(name: str) -> str:
    """A name for an author field: organizations braced whole so no style splits them."""
    name = display_name(name)
    if is_organization(name):
        return "{" + latex(name) + "}"
    return latex(name)


def protect_title(title: str) -> str:
    """Escaped title with acronyms and mixed-case words braced so styles keep their capitals."""
    words = []
    for word in _split_keeping_math(title):
        if _MATH_RE.fullmatch(word):
            words.append("{" + word + "}")
            continue
        escaped = latex(word)
        letters = [c for c in word if c.isalpha()]
        if any(c.isupper() for c in letters[1:]) or (letters and letters[0].isupper() and any(c.isdigit() for c in word)):
            escaped = "{" + escaped + "}"
        words.append(escaped)
    return " ".join(words)


def _split_keeping_math(title: str) -> list[str]:
    """Words of a title, with each `$math$` span kept as one word."""
    words, pos = [], 0
    for m in _MATH_RE.finditer(title):
        words += title[pos : m.start()].split()
        words.append(m.group(0))
        pos = m.end()
    words += title[pos:].split()
    return words


def entry_type(paper: Paper) -> tuple[str, str | None]:
    """(BibTeX type, the field the venue goes in).

    Without authors, always `misc`: it is the one standard type whose author is
    optional, in BibTeX's styles and in pybtex's (which refuse the others).
    """
    venue = paper.venue or ""
    if not paper.named_authors:
        return "misc", ("howpublished" if venue else None)
    if venue and _PROCEEDINGS.search(venue):
        return "inproceedings", "booktitle"
    if venue and _JOURNAL.search(venue):
        return "article", "journal"
    return "misc", ("howpublished" if venue else None)


def entry(paper: Paper) -> str:
    kind, venue_field = entry_type(paper)
    names = [bib_name(a) for a in paper.named_authors]
    if paper.et_al:
        names.append("others")
    fields: list[tuple[str, str]] = [("title", protect_title(paper.title))]
    if names:  # a record may lack authors: no field at all, since `author = {}` is a name list of one empty name
        fields.append(("author", " and ".join(names)))
    fields.append(("year", str(paper.year)))
    if venue_field and paper.venue:  # entry_type gives a field only for a venue
        fields.append((venue_field, latex(paper.venue, keep_math=True)))
    arxiv = paper.links.get("arxiv")
    if arxiv:
        fields += [("eprint", arxiv), ("archivePrefix", "arXiv")]
        primary = paper.category or arxiv_archive(arxiv)
        if primary:
            fields.append(("primaryClass", primary))
    if "doi" in paper.links:
        fields.append(("doi", paper.links["doi"].replace("{", "").replace("}", "")))  # a verbatim field
    url = paper.links.get("url") or paper.links.get("pdf") or (f"https://arxiv.org/abs/{arxiv}" if arxiv else None)
    if url:
        fields.append(("url", url.replace("%", r"\%").replace("#", r"\#").replace("{", "%7B").replace("}", "%7D")))
    width = max(len(k) for k, _ in fields)
    body = ",\n".join(f"  {k.ljust(width)} = {{{v}}}" for k, v in fields)
    return f"@{kind}{{{paper.key},\n{body}\n}}\n"


def bibliography(kb: KnowledgeBase, entries: Mapping[str, str] | None = None) -> str:
    """Every paper's entry, by key; `entries` are those already made (`Index.bibtex`)."""
    return "\n".join(entries[k] if entries is not None else entry(kb.papers[k]) for k in sorted(kb.papers))


VENUE_FIELDS = ("booktitle", "journal", "howpublished")


def format_references(papers: list[Paper], entries: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(key, plain text) of each paper as a reference list entry, in pybtex's plain style, as a note shows it.

    The entries go through the same BibTeX text as `export bibtex`, so what a
    reader sees in a note's references is what they get when they cite it,
    with three changes for reading: titles as written (plain lower-cases
    them), the year once (a venue like "NeurIPS 2017" already has it, and the
    style adds it again) and no URL, DOI or arXiv id, which the page shows as links.
    `entries` are the entries already made (`Index.bibtex`).
    """
    if not papers:
        return []
    from pybtex.database import parse_string

    data = parse_string("\n".join(entries[p.key] if entries is not None else entry(p) for p in papers), "bibtex")
    for e in data.entries.values():
        year = e.fields.get("year", "")
        for name in VENUE_FIELDS:
            if year and name in e.fields:
                venue = re.sub(rf"[\s,]*\b{re.escape(year)}\b", "", e.fields[name]).strip(" ,")
                if venue:
                    e.fields[name] = venue
                else:
                    del e.fields[name]
    style = _reference_style()()
    return [(fe.key, fe.text.render_as("text")) for fe in style.format_bibliography(data)]


@functools.cache
def _reference_style():
    """pybtex's plain style with titles as written and no web references (pybtex imported on first use)."""
    from pybtex.style.formatting.plain import Style
    from pybtex.style.template import field, optional, sentence

    class Reference(Style):
        def format_title(self, e, which_field, as_sentence=True):
            title = field(which_field)
            return sentence[title] if as_sentence else title

        def format_web_refs(self, e):
            return optional[field("tlnotes-no-such-field")]  # never present: nothing

    return Reference

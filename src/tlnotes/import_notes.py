"""`tlnotes import notes`: turn a Markdown reading-notes page into records and topic notes.

Researchers keep notes as one page per area: headings for topics, one bullet
per paper, nested bullets of notes under it. This module reads that shape:

- headings become topics (nested headings nest);
- a bullet that cites a paper becomes a record tagged with the heading above;
  its sub-bullets become the summary, and a paper bullet nested under another
  paper becomes a record of its own, `related` to its parent;
- everything else (grouping bullets, prose) stays in the topic's note, with
  each paper bullet replaced by a citation of its record.

Parsing is separate from writing (`parse_notes` is pure), so the same result
can be checked, printed or written.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from .ids import academic_pdf, arxiv_id, doi_in_url, links_for, paper_host, url_year
from .markdown import FENCE_OPEN, split_front_matter
from .model import KnowledgeBase, TlnotesError
from .names import parse_authors, slugify
from .records import KnownPapers, NewRecord, make_key, refusal
from .schema import yaml_str

# ---------------------------------------------------------------- patterns

YEAR_RE = re.compile(r"(?<![\d.])((?:19|20)\d{2})[a-z]?(?![\d.])")
LINK_RE = re.compile(r"\[(?P<text>[^\[\]]*(?:\[[^\[\]]*\][^\[\]]*)*)\]\((?P<url>https?://[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)\)")
BARE_URL_RE = re.compile(r"https?://\S+")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
BULLET_RE = re.compile(r"^(?P<indent>[ \t]*)(?:[-*+]|\d+[.)])\s+(?P<text>.*)$")
SEPARATOR_RE = re.compile(r"^\s*(?:--?|–|—|:|,)\s*")
QUOTE_RE = re.compile(r"^[ \t]*(?:>[ \t]*)+")

# Bounds on what an import accepts, so that a hostile page ends with a message, not a hang or a crash.
MAX_NESTING = 20  # bullet or blockquote levels; a summary nested 20 deep is still far inside load.MAX_DEPTH
MAX_LINE_CHARS = 5_000  # a paper bullet is a few hundred characters; parsing one is quadratic at worst
MAX_NOTE_SOURCE_BYTES = 4 << 20  # a notes page to import: as large as load() accepts a note


class ImportRefused(TlnotesError):
    """The source file is beyond what an import accepts (or malformed), at `line`; nothing is imported."""

    line: int  # always known here, unlike TlnotesError's

    def __init__(self, line: int, message: str, path: object = None):
        super().__init__(message, path, line)


# ---------------------------------------------------------------- citations


def parse_cite(text: str) -> tuple[list[str], int | None, bool] | None:
    """`vaswani et al. 2017`, `dai & quoc le, 2015`, `2022, Adept`, `nakano, ..., 2022, OpenAI`."""
    text = re.sub(r"[()]", " ", text).strip()  # `Fedus et al. (2022)`
    if ";" in text or len(text) > 120:
        return None
    years = list(YEAR_RE.finditer(text))
    year = int(years[-1].group(1)) if years else None
    if years:
        y = years[-1]
        before, after = text[: y.start()].strip(" ,"), text[y.end() :].strip(" ,")
        author_text = before or after
    else:
        short = re.search(r"[,\s]'?(\d{2})\s*$", text)  # `mcmillan 20`: a year in two digits
        if short:
            year = 2000 + int(short.group(1))
        author_text = re.sub(r"[,\s]*'?\d+\s*$", "", text)  # also a mistyped year such as 203
    if not author_text or not re.search(r"[A-Za-z]", author_text):
        return None
    authors, abbreviated = parse_authors(author_text)
    if not authors:
        return None
    return authors, year, abbreviated


# ---------------------------------------------------------------- outline


@dataclass
class Item:
    """A bullet and its sub-bullets, with its line number in the source."""

    text: str
    line: int
    indent: int
    children: list[Item] = field(default_factory=list)


@dataclass
class Section:
    title: str
    level: int
    line: int
    items: list[Item] = field(default_factory=list)
    prose: list[tuple[int, str]] = field(default_factory=list)  # (position, text) outside bullets
    heading_links: list[tuple[str, str]] = field(default_factory=list)


def outline(text: str) -> list[Section]:
    """Headings with their bullet trees. A section 0 holds what precedes the first heading."""
    sections = [Section("", 0, 0)]
    stack: list[Item] = []
    in_fence = False
    after_blank = False
    paragraph: Item | None = None  # the open paragraph inside a bullet, if any
    for n, raw in enumerate(text.splitlines(), 1):
        if len(raw) > MAX_LINE_CHARS:
            raise ImportRefused(
                n, f"the line is {len(raw):,} characters long; tlnotes imports lines of at most {MAX_LINE_CHARS:,}"
            )
        quotes = QUOTE_RE.match(raw)
        if quotes and quotes.group(0).count(">") > MAX_NESTING:
            raise ImportRefused(
                n, f"blockquotes nest {quotes.group(0).count('>')} deep; tlnotes imports at most {MAX_NESTING} levels"
            )
        blank_before, after_blank = after_blank, not raw.strip()
        line = raw.replace("\t", "    ")
        if FENCE_OPEN.match(line.strip()):  # a fence inside a list item is indented with the item
            in_fence = not in_fence
            sections[-1].prose.append((len(sections[-1].items), raw))
            continue
        if in_fence:
            sections[-1].prose.append((len(sections[-1].items), raw))
            continue
        h = HEADING_RE.match(line)
        if h and not line.startswith(" "):
            title_text = h.group(2)
            sections.append(
                Section(
                    title_text, len(h.group(1)), n, heading_links=[(m["text"], m["url"]) for m in LINK_RE.finditer(title_text)]
                )
            )
            stack = []
            continue
        b = BULLET_RE.match(line)
        if b:
            paragraph = None
            indent = len(b.group("indent"))
            item = Item(b.group("text").strip(), n, indent)
            while stack and stack[-1].indent >= indent:
                stack.pop()
            (stack[-1].children if stack else sections[-1].items).append(item)
            stack.append(item)
            if len(stack) > MAX_NESTING:
                raise ImportRefused(n, f"bullets nest {len(stack)} deep; tlnotes imports at most {MAX_NESTING} levels")
            continue
        if not line.strip():
            continue
        lead = len(line) - len(line.lstrip())
        if stack and lead > stack[-1].indent:
            if blank_before:  # a paragraph of its own inside the bullet: a sub-item
                paragraph = Item(line.strip(), n, lead)
                stack[-1].children.append(paragraph)
            else:  # a wrapped line, of that paragraph or of the bullet itself
                wrapped = paragraph or stack[-1]
                wrapped.text += " " + line.strip()
                if len(wrapped.text) > MAX_LINE_CHARS:
                    raise ImportRefused(
                        wrapped.line,
                        f"the bullet runs to {len(wrapped.text):,} characters; "
                        f"tlnotes imports bullets of at most {MAX_LINE_CHARS:,}",
                    )
            continue
        stack = []
        sections[-1].prose.append((len(sections[-1].items), raw))
    return sections


# ---------------------------------------------------------------- papers


def _clean_title(title: str) -> str:
    title = re.sub(r"\*\*|__", "", title).strip()
    title = re.sub(r"^(?:e\.g\.|i\.e\.|see|also)\s*,?\s*", "", title, flags=re.I)
    title = title.strip(" -–—:,;").strip()
    if title.islower():
        title = title[:1].upper() + title[1:]
    return title


def paper_link(url: str, text: str = "") -> bool:
    """Whether a link cites a paper whatever its text: an arXiv id, a DOI, a proceedings or publisher page,
    or a .pdf on a university host when its text reads as a title."""
    if arxiv_id(url) or doi_in_url(url) or paper_host(url):
        return True
    return academic_pdf(url) and _reads_as_title(text)


# Link texts that name the kind of link, not the paper: the title is then outside the link.
GENERIC_LINK_TEXT = re.compile(r"^(?:pdf|paper|link|here|html|abs|arxiv|doi|preprint|openreview|acl|proceedings|code)$", re.I)


def _reads_as_title(text: str) -> bool:
    words = re.findall(r"[A-Za-z][\w'+-]*", text)
    return len(words) >= 3 and not re.search(r"\b(?:slides?|lecture|syllabus|homework|talk|video)\b", text, re.I)


def _generic(text: str) -> bool:
    """A link text that is a label (`pdf`) or the URL itself, not an author-year hint."""
    t = text.strip()
    return bool(GENERIC_LINK_TEXT.fullmatch(t) or "/" in t or re.match(r"^(?:https?:|www\.)", t))


# Author-year hints at the end of a link text: `Bayes by backprop (blundell et al. 2015)`, `Switch Fedus et al. (2022)`.
_PAREN_HINT = re.compile(r"^(?P<title>.*\S)\s*\((?P<hint>[^()]+)\)$")
_ETAL_HINT = re.compile(r"^(?P<title>.*\S)\s+(?P<hint>[A-Z][\w'-]+\s+et\.?\s+al\.?,?\s*\(?(?:19|20)\d{2}\)?)$")


def _split_hint(text: str) -> tuple[str, tuple | None, str | None]:
    """A link text as (title, parsed hint, hint as written); the hint, if any, is removed from the title."""
    for pattern in (_PAREN_HINT, _ETAL_HINT):
        m = pattern.match(text.strip())
        hint = m.group("hint") if m else ""
        if m and (YEAR_RE.search(hint) or re.search(r"et\.? al|\s'?\d{2}$", hint)):
            cite = parse_cite(hint)
            if cite:
                return m.group("title"), cite, hint
    return text, None, None


def _finish(title: str, cite: tuple | None, url: str | None, rest: str, line: int, raw_cite: str | None) -> NewRecord | None:
    """A record from what a bullet gives; without author-year hints only for a paper link (the look-up fills them)."""
    links = links_for(url)
    aid = links.get("arxiv")
    if cite is None and not (url and paper_link(url, title)):
        return None
    authors, year, abbreviated = cite if cite else ([], None, False)
    ay = url_year(url) if url else None
    if ay and (year is None or (aid and (year < ay or year > ay + 1))):
        year = ay
    title = _clean_title(title)
    if not title or len(title.split()) > 30:
        return None
    if (year is None or not authors) and not (url and paper_link(url, title)):
        return None
    rest = SEPARATOR_RE.sub("", rest.strip(), count=1).strip() if rest else ""
    return NewRecord(title, authors, year, links, rest, line, raw_cite if abbreviated else None)


def parse_paper(text: str, line: int = 0) -> NewRecord | None:
    """A paper citation in one bullet's text, in any of the common forms, or None."""
    text = " ".join(text.split())  # runs of spaces make the patterns below backtrack quadratically
    url_re = r"(?P<url>https?://[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)\s*"
    # [Title](url) (authors, 2020) rest  -- also with a short prefix: `GATO: [Title](url) (deepmind, 2022)`
    m = re.match(
        r"^(?P<prefix>[^\[\]]{0,40}?)\[(?P<title>[^\[\]]+)\]\(" + url_re + r"\)\s*\((?P<cite>[^()]+)\)(?P<rest>.*)$", text
    )
    if m:
        found = _finish(m.group("title"), parse_cite(m.group("cite")), m.group("url"), m.group("rest"), line, m.group("cite"))
        if found:
            return found
    # [Name](url) ([authors, 2020](paper-url)) rest: a project link, then the paper
    m = re.match(
        r"^\[(?P<title>[^\[\]]+)\]\(https?://[^\s()]*\)\s*\(\[(?P<cite>[^\[\]]+)\]\(" + url_re + r"\)\)(?P<rest>.*)$", text
    )
    if m and YEAR_RE.search(m.group("cite")):
        found = _finish(m.group("title"), parse_cite(m.group("cite")), m.group("url"), m.group("rest"), line, m.group("cite"))
        if found:
            return found
    # Title ([authors, 2020](url)) rest  |  Title [authors, 2020](url) rest  |  Title ([Fedus et al. (2022)](url))
    m = re.match(r"^(?P<title>[^\[\]]+?)\s*\(?\s*\[(?P<cite>[^\[\]]+)\]\(" + url_re + r"\)\s*\)?(?P<rest>.*)$", text)
    if m and m.group("title").strip(" -–—:("):
        cite = m.group("cite")
        # the link text must read as a citation: a year, or an author list on an arXiv link
        authorish = re.search(r"et\.? al|\.\.\.|…|&|,", cite) and arxiv_id(m.group("url"))
        if YEAR_RE.search(cite) or authorish:
            found = _finish(m.group("title"), parse_cite(cite), m.group("url"), m.group("rest"), line, cite)
            if found:
                return found
        if paper_link(m.group("url"), m.group("title")):  # `mcmillan 20`, `pdf`, the URL itself: the title is outside
            hint = None if _generic(cite) else parse_cite(cite)
            found = _finish(m.group("title"), hint, m.group("url"), m.group("rest"), line, cite)
            if found:
                return found
    # [Title (hints)](paper-url) rest -- the link text is the title, whatever else it holds
    m = re.match(r"^(?P<prefix>[^\[\]]{0,40}?)\[(?P<title>[^\[\]]+)\]\(" + url_re + r"\)(?P<rest>.*)$", text)
    if m and not _generic(m.group("title")) and paper_link(m.group("url"), _split_hint(m.group("title"))[0]):
        title, hint, raw = _split_hint(m.group("title"))
        found = _finish(title, hint, m.group("url"), m.group("rest"), line, raw)
        if found:
            return found
    # Title (authors, 2020) rest -- no link at all
    m = re.match(r"^(?P<title>[^()\[\]]+?)\s*\((?P<cite>[^()\[\]]*?(?:19|20)\d{2}[a-z]?[^()\[\]]*)\)(?P<rest>.*)$", text)
    if m and not LINK_RE.search(m.group("title")):
        found = _finish(m.group("title"), parse_cite(m.group("cite")), None, m.group("rest"), line, m.group("cite"))
        if found:
            return found
    return None


def looks_like_citation(text: str) -> bool:
    """Whether a bullet that is not a parsed paper still points at one (so failing to parse it matters)."""
    if LINK_RE.search(text) or BARE_URL_RE.search(text):
        return True
    return bool(re.search(r"\([^()]*[A-Za-z][^()]*(?:19|20)\d{2}[a-z]?\)", text))


# ---------------------------------------------------------------- the whole page


@dataclass
class ImportedTopic:
    id: str
    title: str
    parent: str | None
    body: list[str]
    line: int


@dataclass
class ImportResult:
    papers: dict[str, NewRecord] = field(default_factory=dict)
    topics: dict[str, ImportedTopic] = field(default_factory=dict)
    unparsed: list[tuple[int, str]] = field(default_factory=list)
    existing: list[tuple[int, str, str]] = field(default_factory=list)  # (line, title, existing file)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why): papers whose record would not pass check
    unlinked: list[tuple[int, str, str]] = field(default_factory=list)  # (line, destination, why): relative links kept as text
    copies: list[Copy] = field(default_factory=list)  # files beside the source page, for the caller to copy
    uncited: list[tuple[int, str]] = field(default_factory=list)  # (line, key): citations of keys this KB lacks, kept as text
    bullets: dict[str, str] = field(default_factory=dict)  # key: its bullet's source text, restored if it is dropped

    def drop_undated(self) -> None:
        """Records still without a year (nothing told it, no look-up found it) are skipped; their bullets stay as written."""
        for key, rec in list(self.papers.items()):
            if rec.year is not None:
                continue
            del self.papers[key]
            self.skipped.append((rec.line, f"{rec.title!r} skipped: no year (run without --offline or add it by hand)"))
            cite = f"- {rec.title} [@{key}]"
            for topic in self.topics.values():
                topic.body[:] = [line.replace(cite, f"- {self.bullets.get(key, rec.title)}") for line in topic.body]
            for other in self.papers.values():
                other.related = [k for k in other.related if k != key]

    def uncopy(self, copy: Copy, why: str) -> None:
        """A copy that could not be made: its links become plain text again."""
        self.copies.remove(copy)
        self.unlinked.append((copy.line, copy.dest, why))
        for topic in self.topics.values():
            for linked, as_text in copy.links:
                topic.body[:] = [line.replace(linked, as_text) for line in topic.body]


def _topic_title(text: str) -> str:
    from .schema import has_visible

    text = LINK_RE.sub(lambda m: m.group("text"), text)
    text = re.sub(r"\(\s*\)", "", text)
    # emoji, symbols and control characters
    text = "".join(c for c in text if unicodedata.category(c)[0] != "S" and unicodedata.category(c) != "Cc")
    text = re.sub(r"[*_`]", "", text).strip(" -:")
    return text[:1].upper() + text[1:] if has_visible(text) else "Notes"


_RELATIVE_LINK_RE = re.compile(r"(!?)\[([^\[\]\n]*)\]\(\s*(?:<([^<>\n]*)>|([^()\s<>]*))(?:\s+\"[^\"\n]*\")?\s*\)")

ASSETS_DIR = "docs/assets/imported"  # files beside a source page go to ASSETS_DIR/<source stem>/, under the site's docs/
MAX_ASSET_BYTES = 50 << 20  # a figure or a data file, not a data set


@dataclass
class Copy:
    """A file beside the source page that the import copies into the knowledge base, and the links to it."""

    source: Path
    rel: str  # below the source page's folder
    target: str  # relative to the knowledge base's root
    line: int  # where the source page first links it
    dest: str  # the link's destination as the source page wrote it
    links: list[tuple[str, str]] = field(default_factory=list)  # (the link as relinked, the same as plain text)


def _uncite_unknown(line: str, keys: set[str]) -> tuple[str, list[str]]:
    """Note text whose citations of keys this knowledge base lacks show as text (`&#64;` for `@`)."""
    from .citations import find_citations

    unknown = []
    out, pos = [], 0
    for c in find_citations(line):
        missing = [item.key for item in c.items if item.key not in keys]
        if not missing:
            continue
        unknown += missing
        out.append(line[pos : c.start])
        out.append(line[c.start : c.end].replace("@", "&#64;"))
        pos = c.end
    out.append(line[pos:])
    return "".join(out), unknown


def _beside(source_dir: Path | None, dest: str) -> tuple[Path, str] | str:
    """The file a relative link of the source page points at and its path below the page's folder, or why it is not copied.

    Only plain files inside that folder tree are copied: never through a symlink, never a hidden file or a
    page of the source (which is not imported), so an import publishes nothing the page did not show.
    """
    from urllib.parse import unquote, urlsplit

    path = unquote(urlsplit(dest).path)
    if not path:
        return "an anchor of the source page, whose headings become other topics"
    if source_dir is None:
        return "its target is not in this knowledge base"
    rel = posixpath.normpath(path)
    if path.startswith("/") or rel == ".." or rel.startswith("../") or "\\" in path:
        return "it leads outside the source page's folder"
    if PurePosixPath(rel).suffix.lower() in (".md", ".markdown"):
        return "a page of the source, which is not imported"
    if any(part.startswith(".") for part in rel.split("/")):
        return "a hidden file"
    here = source_dir
    for part in rel.split("/"):
        here = here / part
        if here.is_symlink():
            return "a symbolic link; copy the file in by hand"
    if not here.exists():
        return "no such file beside the source page"
    if not here.is_file():
        return "not a file"
    if here.stat().st_size > MAX_ASSET_BYTES:
        return f"over {MAX_ASSET_BYTES >> 20} MiB"
    return here, rel


def _relink_relative(text: str, source_dir: Path | None, stem: str) -> tuple[str, list[tuple[str, str, str]], list[Copy]]:
    """Note text whose relative links lead to copies of the files beside the source page, or are plain text.

    Returns the text, the links made text as (written link, destination, why), and the copies to make.
    The note is the site page topics/<id>.md, so a copy under docs/X is linked as ../X.
    """
    from urllib.parse import quote, urlsplit

    from .safe import is_local

    dropped: list[tuple[str, str, str]] = []
    copies: dict[str, Copy] = {}

    def relink(m: re.Match) -> str:
        group = 3 if m.group(3) is not None else 4
        dest = m.group(group)
        if not is_local(dest):
            return m.group(0)
        as_text = m.group(2) or ("" if m.group(1) else dest)
        found = _beside(source_dir, dest)
        if isinstance(found, str):
            dropped.append((m.group(0), dest, found))
            return as_text
        path, rel = found
        target = f"{ASSETS_DIR}/{stem}/{rel}"
        fragment = urlsplit(dest).fragment
        new_dest = "../" + quote(target.removeprefix("docs/")) + (f"#{fragment}" if fragment else "")
        angle = 1 if group == 3 else 0  # `<a b.png>`: the encoded destination needs no brackets
        start, end = m.start(group) - m.start() - angle, m.end(group) - m.start() + angle
        linked = m.group(0)[:start] + new_dest + m.group(0)[end:]
        copy = copies.setdefault(target, Copy(path, rel, target, 0, dest))
        copy.links.append((linked, as_text))
        return linked

    return _RELATIVE_LINK_RE.sub(relink, text), dropped, list(copies.values())


def _source_line(lines: list[str], start: int, written: str) -> int:
    """The line of the source file that holds `written`, searching from `start` (a heading's line)."""
    return next((n for n in range(max(start, 1), len(lines) + 1) if written in lines[n - 1]), start)


def parse_notes(
    text: str, kb: KnowledgeBase | None = None, source_name: str = "notes", source_dir: Path | None = None
) -> ImportResult:
    """Everything a notes page holds, as records and topics, checked against `kb`.

    Relative links to files in `source_dir` (the page's folder) are relinked to copies listed in `copies`, made
    by the caller; without it every relative link becomes text.
    """
    result = ImportResult()
    front, body, body_line = split_front_matter(text)
    text = "\n" * (body_line - 1) + body  # line numbers stay those of the file
    sections = outline(text)
    known = KnownPapers(kb)
    taken_topics = set(kb.topics) if kb else set()
    parents: list[tuple[int, str]] = []  # (level, topic id)
    root_topic = slugify(source_name)
    source_lines = text.splitlines()

    for section in sections:
        if section.level == 0 and not section.items:
            continue
        if section.level == 0:
            tid, title, parent = root_topic, _topic_title(source_name.replace("_", " ")), None
        else:
            while parents and parents[-1][0] >= section.level:
                parents.pop()
            parent = parents[-1][1] if parents else None
            title = _topic_title(section.title)
            tid = slugify(title)
            if tid in result.topics or (
                tid in taken_topics and kb and tid in kb.topics and parent and kb.topics[tid].parent != parent
            ):
                tid = f"{parent}-{tid}" if parent else f"{tid}-{section.line}"
            parents.append((section.level, tid))
        topic = result.topics.get(tid) or ImportedTopic(tid, title, parent, [], section.line)
        result.topics[tid] = topic
        for link_text, url in section.heading_links:
            if not known.find(links_for(url), link_text):
                result.unparsed.append((section.line, f"heading cites {link_text!r} ({url}) without authors and year"))
        prose_at: dict[int, list[str]] = dict()
        for pos, line in section.prose:
            prose_at.setdefault(pos, []).append(line)
        for i, item in enumerate(section.items):
            topic.body.extend(prose_at.pop(i, []))
            topic.body.extend(_walk(item, tid, None, 0, result, known))
        for rest in prose_at.values():
            topic.body.extend(rest)
        # read as a whole, as check will: an indented line may be code alone and list text in its note
        body, dropped, copies = _relink_relative("\n".join(topic.body), source_dir, root_topic)
        body, unknown = _uncite_unknown(body, known.keys)
        topic.body[:] = body.split("\n") if topic.body else []
        result.unlinked.extend((_source_line(source_lines, section.line, w), dest, why) for w, dest, why in dropped)
        for copy in copies:
            same = next((c for c in result.copies if c.target == copy.target), None)
            if same:
                same.links.extend(copy.links)
            else:
                copy.line = _source_line(source_lines, section.line, copy.dest)
                result.copies.append(copy)
        result.uncited.extend((section.line, key) for key in unknown)
    return result


def _summary(items: list[Item], topic: str, parent_key: str, result: ImportResult, known: KnownPapers) -> list:
    """Sub-bullets of a paper as summary bullets; nested papers become records of their own."""
    out = []
    for item in items:
        child = parse_paper(item.text, item.line)
        if child is not None:
            key = _add_paper(child, topic, item, parent_key, result, known)
            if key:
                result.bullets.setdefault(key, item.text)
            continue
        sub = _summary(item.children, topic, parent_key, result, known)
        out.append({item.text: sub} if sub else item.text)
    return out


def _add_paper(
    c: NewRecord, topic: str, item: Item, parent_key: str | None, result: ImportResult, known: KnownPapers
) -> str | None:
    existing = known.find(c.links, c.title)
    if existing is not None:
        if existing in result.papers:  # seen earlier on this page: one more topic, maybe more notes
            paper = result.papers[existing]
            if topic not in paper.topics:
                paper.topics.append(topic)
            if parent_key and parent_key != existing and parent_key not in paper.related:
                paper.related.append(parent_key)
            _summary(item.children, topic, existing, result, known)
        else:
            result.existing.append((item.line, c.title, known.paths.get(existing, existing)))
        return existing
    c.key = make_key(c, known.keys)
    c.topics, c.related = [topic], [parent_key] if parent_key else []
    key, paper = c.key, c
    # year and authors may still come from the look-up (records.enrich): check everything else now
    why = refusal(replace(c, year=c.year or 2000, authors=c.authors or ["Unknown"]))
    if why:
        result.skipped.append((item.line, f"{c.title!r} skipped: {why}"))
        return None
    known.add(key, c.links, c.title)
    result.papers[key] = paper
    summary = [c.rest] if c.rest else []
    summary += _summary(item.children, topic, key, result, known)
    paper.summary = summary
    return key


def _walk(item: Item, topic: str, parent_key: str | None, depth: int, result: ImportResult, known: KnownPapers) -> list[str]:
    """Body lines of the topic note for one bullet; records for the papers in it."""
    pad = "    " * depth
    c = parse_paper(item.text, item.line)
    if c is not None:
        key = _add_paper(c, topic, item, parent_key, result, known)
        if key:
            result.bullets.setdefault(key, item.text)
            return [f"{pad}- {c.title} [@{key}]"]
        # a paper that could not become a record (reported as skipped): its bullet stays as it was
    links = [(m["text"], m["url"]) for m in LINK_RE.finditer(item.text)]
    if c is None and looks_like_citation(item.text):
        found = [known.find(links_for(url), t) for t, url in links] if links else [None]
        if not all(found):
            result.unparsed.append((item.line, item.text))
    lines = [f"{pad}- {item.text}"]
    for child in item.children:
        lines.extend(_walk(child, topic, parent_key, depth + 1, result, known))
    return lines


# ---------------------------------------------------------------- writing


_YAML_RAW = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def note_md(t: ImportedTopic) -> str:
    body = "\n".join(t.body).strip()
    return f"---\ntitle: {yaml_str(t.title)}\n---\n\n{body}\n"


def note_path(root: Path, t: ImportedTopic, topics: dict[str, ImportedTopic]) -> Path:
    chain = []
    parent = t.parent
    while parent:
        chain.append(parent)
        parent = topics[parent].parent if parent in topics else None
    return root / "notes" / Path(*reversed(chain)) / f"{t.id}.md" if chain else root / "notes" / f"{t.id}.md"

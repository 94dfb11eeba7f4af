"""Papers like a given paper, each with the reason it is shown.

Three kinds of evidence, each a sparse vector per paper, scored through
inverted indexes so the cost follows the pairs that share something, not
all pairs:

- topics, weighted by how specific they are (idf: a topic holding half the
  KB says little; one holding four papers says a lot);
- co-citation: cited in the same note, more when in the same paragraph;
- words of title and summary, TF-IDF with cosine; English and generic
  research words ("model", "language", "large") are stop words, and so is
  any word in more than a tenth of a KB's papers.

A paper is shown only above THRESHOLD, at most MAX_SIMILAR: nothing is
padded, so a paper with nothing like it shows nothing.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from .citations import cited_keys
from .model import Bullet, KnowledgeBase, Paper

MAX_SIMILAR = 8
THRESHOLD = 0.3  # a single broad shared topic stays under it; two specific ones, or a paragraph and a topic, pass

TOPIC_WEIGHT = 0.5  # a topic's share: idf / log(N + 1), so one topic of four papers in 400 scores about .4
PARAGRAPH_WEIGHT = 0.4  # cited in the same paragraph of a note
NOTE_WEIGHT = 0.15  # cited in the same note only: one broad note is not enough on its own
TEXT_WEIGHT = 1.0  # cosine of the words, in [0, 1]
TITLE_REPEAT = 2  # a title word counts as two summary words

COMMON_FRACTION = 0.1  # a word in more of the KB's papers than this says nothing about any two of them
COMMON_SQRT = 2  # ... or than twice the square root of their number: 40 of 400, 110 of 3,000
COMMON_MIN_PAPERS = 30  # ... once the KB is big enough for either to mean anything
MAX_WORDS = 12  # a paper's most telling words: they decide, and the rest cost more than they tell
MAX_GROUP = 200  # a note or topic citing or holding more papers than this is skipped: cost, and it says little

STOP_WORDS = frozenset(
    # English function words
    """a about above across after again against all almost along also although always am among an and another
    any are around as at be because been before being below between both but by can cannot could did do does
    doing done down during each either else enough even ever every few for from further get gets given gives had
    has have having he her here hers him his how however i if in into is it its itself just least less like made
    make makes many may me might more most much must my near neither no nor not now of off often on once one only
    onto or other others our out over own per rather same several she should since so some such than that the
    their them themselves then there these they this those though three through thus to too two under until up
    upon us very via was we well were what when where whether which while who whom whose why will with within
    without would yet you your"""
    # words every research summary uses: never the reason two papers are alike
    """ ability able achieve achieves allow allows approach approaches based best better can demonstrate
    different effective existing find finds first framework general good high however improve improves improved
    include including introduce introduces key language large larger less low method methods model models modeling
    new novel paper papers perform performance performs present presents previous prior propose proposed proposes
    provide provides recent result results second several show shown shows significant significantly simple
    small state study studies task tasks use used uses using various way ways well work works
    add adding added built build builds full later likely little nearly often set sets showing time times
    far keep keeps kept lower higher run runs smaller faster""".split()
)

_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_NOISE = re.compile(r"\$[^$]*\$|`[^`]*`|\]\([^)]*\)|https?://\S+")  # math, code and link targets are not words


@dataclass(frozen=True)
class Similar:
    key: str
    score: float
    reason: str  # one line: "shares 2 topics: Attention, Scaling; similar words: retrieval, augmented"


def _stem(word: str) -> str:
    """Plural to singular, enough to match "retrievers" with "retriever"; never more."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "as", "os")):
        return word[:-1]
    return word


def _content_word(token: str) -> str | None:
    w = token.replace("'", "")
    if w in STOP_WORDS or len(w) < 3 or w.isdigit():
        return None
    w = _stem(w)
    return None if w in STOP_WORDS else w


def words(text: str, seen: dict[str, str | None] | None = None) -> list[str]:
    """The content words of `text`, lowercase and singular; stop words, numbers and short words out.

    `seen` remembers each token's word across calls: a KB repeats its vocabulary thousands of times.
    """
    seen = {} if seen is None else seen
    out = []
    for token in _WORD.findall(_NOISE.sub(" ", text).casefold()):
        w = seen[token] if token in seen else seen.setdefault(token, _content_word(token))
        if w:
            out.append(w)
    return out


def _bullet_text(items: tuple[Bullet, ...]) -> Iterable[str]:
    for b in items:
        yield b.text
        yield from _bullet_text(b.children)


Counted = dict[str, tuple[Paper, Counter]]  # key -> the paper as counted, and its words' counts


def _term_vectors(papers: list[Paper], counted: Counted | None = None) -> dict[str, dict[str, float]]:
    """Each paper's TF-IDF vector (sublinear tf, unit length) over the words that can tell papers apart.

    `counted` holds the word counts of an earlier call (a server's last build): a paper that is the same object
    is not read again. It is updated to this call's papers."""
    counts: dict[str, Counter] = {}
    df: Counter = Counter()
    seen: dict[str, str | None] = {}
    before = dict(counted) if counted is not None else {}
    for p in papers:
        hit = before.get(p.key)
        if hit is not None and hit[0] is p:
            c = hit[1]
        else:
            c = Counter(words(" ".join(_bullet_text(p.summary)), seen))
            for w in words(p.title, seen):
                c[w] += TITLE_REPEAT
        counts[p.key] = c
        df.update(c.keys())
    if counted is not None:
        counted.clear()
        counted.update((p.key, (p, counts[p.key])) for p in papers)
    n = len(papers)
    common = min(COMMON_FRACTION * n, COMMON_SQRT * math.sqrt(n)) if n >= COMMON_MIN_PAPERS else n
    idf = {w: math.log(n / d) for w, d in df.items() if 1 < d <= common and d < n}
    vectors = {}
    for key, c in counts.items():
        v = {w: (1 + math.log(tf)) * idf[w] for w, tf in c.items() if w in idf}
        v = dict(sorted(v.items(), key=lambda wx: (-wx[1], wx[0]))[:MAX_WORDS])
        norm = math.sqrt(sum(x * x for x in v.values()))
        vectors[key] = {w: x / norm for w, x in v.items()} if norm else {}
    return vectors


_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*+]|\d+[.)])\s)")  # a blank line, or the start of a list item


def _paragraphs(body: str) -> list[str]:
    """A note's paragraphs and list items: the places where citing two papers together means the most."""
    return [p for p in _PARAGRAPH.split(body) if "@" in p]


def similar_papers(
    kb: KnowledgeBase,
    by_topic: dict[str, list[Paper]],
    citations: dict[str, list[str]],
    exclude: dict[str, list[str]],
    counted: Counted | None = None,
) -> dict[str, list[Similar]]:
    """key -> the papers most like it, best first, none of `exclude[key]` (already shown as related).

    `by_topic` and `citations` (topic id -> cited keys) are the Index's, so nothing is derived twice; `counted`
    keeps each paper's word counts for the next call (`_term_vectors`).
    """
    papers = list(kb.papers.values())
    n = len(papers)
    if n < 2:
        return {p.key: [] for p in papers}
    scale = math.log(n + 1)
    topic_w = {t: math.log(n / len(ps)) / scale for t, ps in by_topic.items() if len(ps) <= MAX_GROUP}
    notes_of: dict[str, set[str]] = defaultdict(set)
    paragraphs_of: dict[str, set[tuple[str, int]]] = defaultdict(set)
    cite_pairs: dict[str, dict[str, float]] = defaultdict(dict)
    for tid, keys in citations.items():
        if 1 < len(keys) <= MAX_GROUP:
            for k in keys:
                notes_of[k].add(tid)
            for a in keys:  # a note says no more than its topic, when both papers carry that topic already
                row = cite_pairs[a]
                for b in keys:
                    if not (tid in kb.papers[a].topics and tid in kb.papers[b].topics):
                        row[b] = row.get(b, 0.0) + NOTE_WEIGHT
        body = kb.topics[tid].body if tid in kb.topics else ""
        for i, para in enumerate(_paragraphs(body)):
            pkeys = [k for k in dict.fromkeys(cited_keys(para)) if k in kb.papers]
            if not 1 < len(pkeys) <= MAX_GROUP:
                continue
            weight = PARAGRAPH_WEIGHT * min(1.0, 3 / (len(pkeys) - 1))  # two to four papers: a close tie; a long list less
            for a in pkeys:
                paragraphs_of[a].add((tid, i))
                row = cite_pairs[a]
                for b in pkeys:
                    row[b] = row.get(b, 0.0) + weight

    vectors = _term_vectors(papers, counted)
    postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for key, v in vectors.items():
        for w, x in v.items():
            postings[w].append((key, x))

    members = {t: frozenset(q.key for q in ps) for t, ps in by_topic.items() if t in topic_w}
    topics_of = {p.key: frozenset(p.topics) for p in papers}
    out: dict[str, list[Similar]] = {}
    for p in papers:
        acc: dict[str, float] = dict(cite_pairs.get(p.key, {}))
        for w, x in vectors[p.key].items():
            for q, y in postings[w]:
                acc[q] = acc.get(q, 0.0) + TEXT_WEIGHT * x * y
        mine = sorted((t for t in topics_of[p.key] if t in members), key=lambda t: (-topic_w[t], t))
        for group in _topic_groups(mine, topic_w):  # papers whose shared topics alone could pass
            for q in frozenset.intersection(*(members[t] for t in group)):
                acc.setdefault(q, 0.0)
        most = THRESHOLD - TOPIC_WEIGHT * sum(topic_w[t] for t in mine)  # below it, no shared topic can lift a paper
        for q, score in acc.items():
            if score >= most:
                shared = topics_of[q].intersection(mine)
                if shared:
                    acc[q] = score + TOPIC_WEIGHT * sum(topic_w[t] for t in shared)
        skip = {p.key, *exclude.get(p.key, ())}
        ranked = sorted(
            ((s, k) for k, s in acc.items() if s >= THRESHOLD and k not in skip),
            key=lambda sk: (-sk[0], sk[1]),
        )[:MAX_SIMILAR]
        out[p.key] = [
            Similar(k, round(s, 4), _reason(p, kb.papers[k], kb, topic_w, notes_of, paragraphs_of, vectors)) for s, k in ranked
        ]
    return out


def _topic_groups(topics: list[str], topic_w: dict[str, float]) -> list[tuple[str, ...]]:
    """The sets of these topics whose weights alone reach THRESHOLD, minimal ones only.

    A paper sharing only a broad topic cannot pass on it, so the members of
    broad topics are never visited: cost follows the specific topics.
    """
    groups: list[tuple[str, ...]] = []
    for size in range(1, len(topics) + 1):
        for group in combinations(topics, size):
            if TOPIC_WEIGHT * sum(topic_w[t] for t in group) >= THRESHOLD and not any(set(g) <= set(group) for g in groups):
                groups.append(group)
    return groups


def _reason(
    p: Paper,
    q: Paper,
    kb: KnowledgeBase,
    topic_w: dict[str, float],
    notes_of: dict[str, set[str]],
    paragraphs_of: dict[str, set[tuple[str, int]]],
    vectors: dict[str, dict[str, float]],
) -> str:
    """Why `q` is like `p`, strongest evidence first, in one line."""
    parts: list[tuple[float, str]] = []
    shared = sorted((t for t in set(p.topics) & set(q.topics) if topic_w.get(t)), key=lambda t: (-topic_w[t], t))
    if shared:
        names = ", ".join(kb.topics[t].title if t in kb.topics else t for t in shared)
        label = f"shares {len(shared)} topics: " if len(shared) > 1 else "shares the topic "
        parts.append((TOPIC_WEIGHT * sum(topic_w[t] for t in shared), label + names))
    same_para = {tid for tid, _ in paragraphs_of.get(p.key, set()) & paragraphs_of.get(q.key, set())}
    notes = same_para or (notes_of.get(p.key, set()) & notes_of.get(q.key, set())) - (set(p.topics) & set(q.topics))
    if notes:
        ordered = sorted(notes, key=lambda t: (kb.topics[t].title.casefold(), t))
        titles = ", ".join(kb.topics[t].title for t in ordered[:2]) + (" and others" if len(ordered) > 2 else "")
        how = "cited in one paragraph of " if same_para else "cited together in "
        parts.append((PARAGRAPH_WEIGHT if same_para else NOTE_WEIGHT * len(notes), how + titles))
    vp, vq = vectors.get(p.key, {}), vectors.get(q.key, {})
    common = sorted((w for w in vp.keys() & vq.keys()), key=lambda w: (-vp[w] * vq[w], w))
    if common:
        parts.append((TEXT_WEIGHT * sum(vp[w] * vq[w] for w in common), "similar words: " + ", ".join(common[:3])))
    parts.sort(key=lambda sp: -sp[0])
    return "; ".join(text for _, text in parts)

"""People's and organizations' names, defined once.

Author pages, record keys, BibTeX and both importers must agree that
`Le, Quoc`, `quoc le` and `Quoc Le` are one person and that `Meta AI` is not
a Mr AI; keeping every name rule here keeps them agreeing.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .schema import ET_AL

# letters that do not decompose into base letter + accent under NFKD
_FOLD = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
        "þ": "th",
        "Þ": "TH",
        "ð": "d",
        "Ð": "D",
    }
)
_ORG_WORDS = re.compile(
    r"\b(AI|Research|Institute|University|Lab|Labs|Team|Inc|Corporation|Academy|Foundation|"
    r"Group|Consortium|Collaboration|Workshop|Brain|DeepMind|OpenAI|Meta|Google|Microsoft)\b"
)
PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "del", "della", "la", "dos", "das", "ter", "zu"}
# how notes write organizations as authors, and the name a record gives each
ORGANIZATIONS = {
    "openai": "OpenAI",
    "deepmind": "DeepMind",
    "google": "Google",
    "google brain": "Google Brain",
    "google research": "Google Research",
    "meta": "Meta AI",
    "meta ai": "Meta AI",
    "facebook": "Facebook AI",
    "fair": "Facebook AI",
    "microsoft": "Microsoft",
    "anthropic": "Anthropic",
    "adept": "Adept",
    "nvidia": "NVIDIA",
    "ibm": "IBM",
    "allen ai": "Allen Institute for AI",
    "ai2": "Allen Institute for AI",
    "stanford": "Stanford",
    "huggingface": "Hugging Face",
    "hugging face": "Hugging Face",
    "eleutherai": "EleutherAI",
    "amazon": "Amazon",
    "apple": "Apple",
    "baidu": "Baidu",
    "alibaba": "Alibaba",
    "tsinghua": "Tsinghua University",
    "mosaicml": "MosaicML",
    "salesforce": "Salesforce",
    "cohere": "Cohere",
    "stability ai": "Stability AI",
    "bigscience": "BigScience",
}


def fold(text: str) -> str:
    """Lowercase ASCII-ish form of `text`, for matching and URLs."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug or "x"


@lru_cache(maxsize=1 << 16)  # asked for every author of every paper by the index and again by each page
def author_id(name: str) -> str:
    """One id for every spelling of a name: `Quoc Le`, `quoc le` and `Le, Quoc`."""
    name = " ".join(name.split())
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first.strip()} {last.strip()}"
    return slugify(name)


def display_name(name: str) -> str:
    """`Le, Quoc` reads as `Quoc Le`."""
    name = " ".join(name.split())
    if "," in name:
        last, _, first = name.partition(",")
        if first.strip():
            return f"{first.strip()} {last.strip()}"
    return name


def is_organization(name: str) -> bool:
    """`Meta AI`, `BigScience Workshop`: a name to keep whole, never split into first and last."""
    return " " in name.strip() and bool(_ORG_WORDS.search(name))


def family_name(name: str) -> str:
    return display_name(name).split(" ")[-1]


def _cap(word: str) -> str:
    return "-".join(p[:1].upper() + p[1:] for p in word.split("-")) if word.islower() else word


def person(name: str) -> str:
    """`quoc le` -> `Quoc Le`; names already capitalized stay as written."""
    words = name.split()
    return " ".join(
        w if (w.lower() in PARTICLES and i < len(words) - 1 and w.islower()) else _cap(w) for i, w in enumerate(words)
    )


def parse_authors(text: str) -> tuple[list[str], bool]:
    """Authors from a citation's author part; (names, abbreviated with `...`)."""
    text = text.strip().strip(",;").strip()
    text = re.sub(r"\s+", " ", text)
    if not text:
        return [], False
    abbreviated = "..." in text or "…" in text
    etal = bool(re.search(r"\bet\.? al\.?", text, re.I))
    text = re.sub(r",?\s*\bet\.? al\.?", "", text, flags=re.I)
    if abbreviated:
        first = re.split(r"\.\.\.|…", text)[0]
        first = first.split(",")[0].strip()
        names = [first] if first else []
        etal = True
    else:
        parts = re.split(r"\s*(?:,|&|\band\b)\s*", text)
        names = [p for p in (q.strip() for q in parts) if p]
    out = []
    for n in names:
        key = n.lower()
        out.append(ORGANIZATIONS.get(key) or person(n))
    if etal and out:
        out.append(ET_AL)
    return out, abbreviated

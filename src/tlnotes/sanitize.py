"""The last step before record and note text reaches a reader: an HTML allowlist.

`safe` keeps Markdown from turning record text into markup, but it predicts
what a Markdown processor will do, and a prediction can be wrong. Whatever
HTML a generated page ends up with, `clean` lets through only the tags,
attributes and URL schemes listed here, parsed the way a browser parses them
(nh3 binds ammonia, the html5ever-based sanitiser of the Rust ecosystem).
Images may only come from the site itself, so a page never loads anything
from another host.
"""

from __future__ import annotations

import nh3

from .safe import is_local

URL_SCHEMES = frozenset({"http", "https", "mailto"})

_TEXT = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "u",
    "ul",
    "var",
    "wbr",
}
_TABLES = {"table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td"}
_FILTERS = {"input", "select", "option", "label"}  # the all-papers table's filter bar
_CHART = {"svg", "g", "rect", "text", "tspan", "title"}  # the papers-per-year chart
TAGS = frozenset(_TEXT | _TABLES | _FILTERS | _CHART)

ATTRIBUTES = {
    "*": {"class", "id", "title", "role", "lang", "dir", "hidden"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "ol": {"start", "type"},
    "li": {"value"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style", "scope"},
    "details": {"open"},
    "input": {"type", "placeholder", "value", "name", "autocomplete"},
    "select": {"name"},
    "option": {"value", "selected"},
    "label": {"for"},
    "svg": {"viewbox", "viewBox", "width", "height", "xmlns"},
    "rect": {"x", "y", "width", "height"},
    "text": {"x", "y", "text-anchor", "transform"},
    "tspan": {"x"},
}
# Python-Markdown aligns table columns with `style="text-align: ..."`; nothing else may be styled
STYLE_PROPERTIES = frozenset({"text-align"})


def _filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not is_local(value):
        return None  # a remote image would make the page load from another host
    if attribute.startswith("data-pagefind"):
        return None  # only the site decides what search indexes and how much it weighs (mkdocs_plugin adds its own after this)
    if attribute == "id" and value.startswith("__"):
        return None  # Material's own elements (__config, __search, ...) must not be shadowed
    return value


_CLEANER = nh3.Cleaner(  # built once: each `nh3.clean` call builds its allowlist again, a sixth of its time
    tags=set(TAGS),
    attributes={k: set(v) for k, v in ATTRIBUTES.items()},
    generic_attribute_prefixes={"data-", "aria-"},
    url_schemes=set(URL_SCHEMES),
    attribute_filter=_filter,
    filter_style_properties=set(STYLE_PROPERTIES),
    link_rel=None,
    strip_comments=True,
)


def clean(html: str) -> str:
    """`html` with everything outside the allowlist removed, as a browser would read it."""
    return _CLEANER.clean(html)

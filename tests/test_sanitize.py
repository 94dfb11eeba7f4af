"""sanitize.clean: the allowlist every generated page passes last, tested directly."""

from __future__ import annotations

import pytest

from tlnotes.sanitize import clean


@pytest.mark.parametrize(
    "html, gone",
    [
        ('<a href="javascript:alert(1)">x</a>', "javascript"),
        ('<a href=" jav&#x61;script:alert(1)">x</a>', "script:"),
        ('<a href="vbscript:x">x</a>', "vbscript"),
        ('<a href="data:text/html,x">x</a>', "data:"),
        ('<img src="https://other.host/p.png">', "other.host"),
        ('<img src="//other.host/p.png">', "other.host"),
        ('<p onclick="alert(1)">x</p>', "onclick"),
        ("<script>alert(1)</script>", "alert"),
        ("<style>body{display:none}</style>", "display"),
        ('<iframe src="https://x.org"></iframe>', "iframe"),
        ('<form action="javascript:x"><button>b</button></form>', "form"),
        ('<td style="background:url(https://x.org/t.png)">c</td>', "url("),
        ('<h2 id="__config">x</h2>', "__config"),
        ("<!-- <script>alert(1)</script> -->", "alert"),
        ('<svg><a xlink:href="javascript:x">s</a></svg>', "javascript"),
        # what search indexes and weighs is the site's decision, never a record's
        ('<p data-pagefind-ignore="all">hide me from search</p>', "pagefind"),
        ('<span data-pagefind-weight="10">spam</span>', "pagefind"),
        ('<span data-pagefind-filter="author:hinton">x</span>', "pagefind"),
        ("<div data-pagefind-body>x</div>", "pagefind"),
        ('<i DATA-PAGEFIND-META="title:Fake">x</i>', "pagefind"),
    ],
)
def test_what_could_run_or_load_is_removed(html, gone):
    assert gone not in clean(html)


@pytest.mark.parametrize(
    "html, kept",
    [
        ('<a href="https://example.org/a_(b)">x</a>', 'href="https://example.org/a_(b)"'),
        ('<a href="../papers/k/#summary">x</a>', 'href="../papers/k/#summary"'),
        ('<a href="mailto:a@b.org">x</a>', 'href="mailto:a@b.org"'),
        ('<img src="../assets/fig.png" alt="a figure">', 'src="../assets/fig.png"'),
        ('<span class="arithmatex">\\(x\\)</span>', 'class="arithmatex"'),
        ('<table><tr><td style="text-align: right;">1</td></tr></table>', "text-align:right"),
        ('<h2 id="summary">Summary</h2>', 'id="summary"'),
        ('<tr data-status="to-read"><td>x</td></tr>', ""),
        ('<svg viewBox="0 0 1 1"><rect x="1" width="2"></rect></svg>', 'viewBox="0 0 1 1"'),
        ('<input type="search" id="tln-filter-text" aria-label="Filter">', 'aria-label="Filter"'),
    ],
)
def test_what_the_site_needs_is_kept(html, kept):
    assert kept in clean(html)

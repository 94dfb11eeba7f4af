"""Time `parse_bibtex` (what `tlnotes import bibtex` does before writing) against pybtex's bare parse.

    python benchmarks/bench_import_bibtex.py [N]

Generates N entries (default 3,000) with several authors each, accents and
braces included, and prints both times and their ratio. The baseline is
`pybtex.database.parse_string` of the same text: reading the file with no
decoding, dedupe or key making.
"""

from __future__ import annotations

import sys
import time


def make_bib(n: int) -> str:
    firsts = ['Ga{\\"e}l', "Jos\\'e", "Anna", "{\\O}ystein", "Quoc V.", "Jane"]
    lasts = ["Varoquaux", 'M{\\"u}ller', "Le", "{van der Berg}", "Smith", "Dupr{\\'e}"]
    out = []
    for i in range(n):
        authors = " and ".join(f"{lasts[(i + j) % 6]}, {firsts[(i * 7 + j) % 6]}" for j in range(5))
        out.append(
            f'@inproceedings{{entry{i},\n  title = {{Study {i} of {{Transformers}} and M{{\\"o}}bius maps}},\n'
            f"  author = {{{authors} and others}},\n  booktitle = {{Proceedings of Things}},\n"
            f"  year = {{{1990 + i % 30}}},\n  eprint = {{{2000 + i % 300:04d}.{i:05d}}},\n  archivePrefix = {{arXiv}},\n}}\n"
        )
    return "".join(out)


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    from pybtex.database import parse_string

    from tlnotes.import_bibtex import parse_bibtex

    text = make_bib(n)
    result = parse_bibtex(text, None, ["attention"])  # warm up imports, and check the work is real
    assert len(result.papers) == n, (len(result.papers), result.skipped[:3])
    base = best_of(lambda: parse_string(text, "bibtex"))
    ours = best_of(lambda: parse_bibtex(text, None, ["attention"]))
    print(f"{n} entries, 6 authors each ({len(text) / 1e6:.1f} MB)")
    print(f"pybtex parse_string: {base:.2f} s")
    print(f"parse_bibtex:        {ours:.2f} s")
    print(f"ratio:               {ours / base:.1f}x")


if __name__ == "__main__":
    main()

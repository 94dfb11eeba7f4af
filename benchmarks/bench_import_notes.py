"""Time `tlnotes import notes` of the seed notes with look-ups against a local fake arXiv and Crossref, and `--offline`.

    python benchmarks/bench_import_notes.py [NOTES.md]

The fake API answers every id it is asked about (a made-up title, three
authors, a year), so every record with an id is completed. Prints records
written, API calls made, wall time of both runs and their ratio. The arXiv
rate limit (one call every 3 s) is kept: it is part of what an import costs.
"""

from __future__ import annotations

import contextlib
import http.server
import io
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seed" / "ovw_transformers.md"
CALLS: list[str] = []


class AnswerEverything(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urlsplit(self.path)
        CALLS.append(url.path)
        if url.path == "/api/query":
            ids = [i for i in parse_qs(url.query).get("id_list", [""])[0].split(",") if i]
            entries = "".join(
                f"<entry><id>http://arxiv.org/abs/{i}v1</id><published>2020-01-01T00:00:00Z</published>"
                f"<title>Source title of {i}</title><summary>Abstract of {i}.</summary>"
                "<author><name>Ada Lovelace</name></author><author><name>Alan Turing</name></author>"
                "<author><name>Grace Hopper</name></author>"
                '<arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.LG"/></entry>'
                for i in ids
            )
            body = f'<feed xmlns="http://www.w3.org/2005/Atom">{entries}</feed>'.encode()
        else:
            doi = unquote(url.path.removeprefix("/works/"))
            work = {"DOI": doi, "title": [f"Source title of {doi}"], "author": [{"given": "Ada", "family": "Lovelace"}]}
            body = json.dumps({"message": {**work, "issued": {"date-parts": [[2020]]}, "container-title": ["J"]}}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def run_import(source: Path, *extra: str) -> tuple[int, float, str]:
    """(records written, wall seconds, stderr) of one import into a fresh knowledge base."""
    from tlnotes.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kb"
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            main(["init", str(root)])
        err = io.StringIO()
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            main(["import", "notes", str(source), "--dir", str(root), *extra])
        wall = time.perf_counter() - start
        return len(list((root / "papers").glob("*.yaml"))), wall, err.getvalue()


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SEED
    if not source.exists():
        print(f"skipped: {source} not found (the seed notes are not in this checkout)")
        return
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), AnswerEverything)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    os.environ.update(TLNOTES_ARXIV_API=base + "/api/query", TLNOTES_CROSSREF_API=base, TLNOTES_TIMEOUT="10")
    online, t_online, err = run_import(source)
    calls = list(CALLS)
    offline, t_offline, _ = run_import(source, "--offline")
    srv.shutdown()
    arxiv = sum(c == "/api/query" for c in calls)
    lacking = [line for line in err.splitlines() if "lack metadata" in line]
    print(f"source: {source}")
    print(f"look-ups: {online} records written, {arxiv} arXiv calls, {len(calls) - arxiv} Crossref calls, {t_online:.2f} s")
    print(f"--offline: {offline} records written, 0 calls, {t_offline:.2f} s")
    print(f"ratio (look-ups / offline): {t_online / t_offline:.1f}x")
    print(lacking[0] if lacking else "every record with an id got its metadata from the source")


if __name__ == "__main__":
    main()

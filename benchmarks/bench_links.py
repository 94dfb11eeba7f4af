"""`tlnotes links` on 1,000 URLs spread over 100 local hosts, against linkchecker.

    python benchmarks/bench_links.py

A server process opens 100 ports on 127.0.0.1 (one "host" each) that answer
every request after 50 ms and count how many requests each port serves at
once. A synthetic KB links 10 URLs on each. Reported: the first run of
`tlnotes links` (default limits, empty cache), the cached rerun, the peak
concurrency per host seen by the server, and linkchecker (from PyPI, in its
own virtualenv under benchmarks/out/) checking the same 1,000 URLs from an
HTML page. Goals (issue 7): first run within 10 s, cached rerun within 25% of it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HOSTS, PER_HOST, DELAY = 100, 10, 0.05
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def serve() -> None:
    import http.server
    import threading

    active, peak, total = {}, {}, [0]
    lock = threading.Lock()

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def answer(self, body=b""):
            port = self.server.server_address[1]
            if self.path == "/__stats":
                data = json.dumps({"peak": max(peak.values(), default=0), "requests": total[0]}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            with lock:
                active[port] = active.get(port, 0) + 1
                peak[port] = max(peak.get(port, 0), active[port])
                total[0] += 1
            time.sleep(DELAY)
            with lock:
                active[port] -= 1
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(body)

        def do_HEAD(self):
            self.answer()

        def do_GET(self):
            self.answer(b"<html><body>ok</body></html>")

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # clients that hang up early are not news

    servers = []
    for _ in range(HOSTS):
        s = Server(("127.0.0.1", 0), H)
        s.daemon_threads = True
        threading.Thread(target=s.serve_forever, daemon=True).start()
        servers.append(s)
    print(json.dumps([s.server_address[1] for s in servers]), flush=True)
    sys.stdin.read()  # serve until the parent closes our stdin


def stats(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__stats", timeout=5) as r:
        return json.loads(r.read())


def timed(cmd, **kw) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - start


def linkchecker() -> Path | None:
    venv = HERE / "out" / "linkchecker-venv"
    exe = venv / "bin" / "linkchecker"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        r = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "linkchecker"], capture_output=True)
        if r.returncode:
            return None
    return exe


def main() -> None:
    server = subprocess.Popen([sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        ports = json.loads(server.stdout.readline())
        skip_linkchecker = "--no-linkchecker" in sys.argv
        with tempfile.TemporaryDirectory() as tmp:
            kb = Path(tmp) / "kb"
            (kb / "papers").mkdir(parents=True)
            (kb / "notes").mkdir()
            (kb / "notes" / "t.md").write_text("---\ntitle: T\n---\n")
            urls = []
            for h, port in enumerate(ports):
                labels = "".join(f'  l{j}: "http://127.0.0.1:{port}/page{j}"\n' for j in range(PER_HOST))
                urls += [f"http://127.0.0.1:{port}/page{j}" for j in range(PER_HOST)]
                (kb / "papers" / f"p{h:03d}.yaml").write_text(
                    f'title: "Paper {h}"\nauthors: [A B]\nyear: 2020\ntopics: [t]\nsummary: [s]\nlinks:\n{labels}'
                )
            env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
            cmd = [str(BIN / "tlnotes"), "links", str(kb)]
            first = timed(cmd, env=env)
            peak = stats(ports[0])
            cached = timed(cmd, env=env)
            print(f"URLs: {len(urls)} on {HOSTS} hosts, {DELAY * 1000:.0f} ms per answer")
            print(
                f"tlnotes links, first run:   {first:.2f}s  (goal: <= 10 s); "
                f"peak concurrency per host seen by the server: {peak['peak']} (limit 2)"
            )
            print(f"tlnotes links, cached rerun: {cached:.2f}s  = {cached / first:.0%} of the first run (goal: <= 25%)")
            if skip_linkchecker:
                return
            exe = linkchecker()
            if exe is None:
                print("linkchecker: could not be installed from PyPI; no comparison")
                return
            page = Path(tmp) / "links.html"
            page.write_text("<html><body>" + "".join(f'<a href="{u}">{i}</a>' for i, u in enumerate(urls)) + "</body></html>")
            os.chmod(tmp, 0o755)
            os.chmod(page, 0o644)
            before = stats(ports[0])["requests"]
            lc = timed([str(exe), "--check-extern", "--no-status", "-o", "none", str(page)], cwd=tmp)
            after = stats(ports[0])
            print(
                f"linkchecker {'(default settings)':s}:     {lc:.2f}s  ({after['requests'] - before} requests; "
                f"peak concurrency per host {after['peak']})"
            )
            print(f"ratio linkchecker / tlnotes first run: {lc / first:.2f}")
    finally:
        server.stdin.close()
        server.wait(timeout=10)


if __name__ == "__main__":
    if "--serve" in sys.argv:
        serve()
    else:
        main()

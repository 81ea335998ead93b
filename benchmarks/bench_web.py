"""The counter: start-up to the first quote, a quote's latency with plain-Python and with
warm compiled kernels, and a bounded load on loopback.

- **first quote**: ``python -m motorsub serve`` as a subprocess, polled until
  ``POST /api/quote`` answers; the wall time from the spawn (target: within 3 s).
- **kernels**: the README's quote, 200 times in one process after one warm-up call, with
  the kernels as plain Python (what ``serve`` does) and compiled (numba, from the cache),
  p50 and p99 (target: p50 under 20 ms); each in a fresh subprocess.
- **one client**: ``SEQUENTIAL`` quotes over HTTP one after another (a quote's own time,
  the server's work and loopback HTTP; target p50 under 20 ms).
- **load**: against that server, ``QUOTES`` quotes from ``CLIENTS`` concurrent clients,
  then ``UPLOADS`` uploads of a ``UPLOAD_ROWS``-line CSV at once through
  ``POST /api/compute``; quotes per second, p50/p99 latency, errors (must be 0), the
  server's resident memory before and after. It stops by itself: a fixed number of
  requests, each with a timeout, and the server is terminated at the end.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks import _common as C

QUOTES, CLIENTS = 2_000, 50
UPLOADS, UPLOAD_ROWS = 3, 10_000
SEQUENTIAL = 200
BODY = {
    "motor_type": "lv_async", "kw": 11, "poles": 4, "grade": 2, "trade_in": True,
    "old_kw": 11, "old_efficiency": 87.6, "region": "CN-SH", "date": "2013-06-01",
    "hours": 4000, "load": 0.75, "tariff": 0.8, "price": 3800,
}  # fmt: skip
_LATENCY = """
import json, sys, time
from motorsub import _jit
if sys.argv[1] == "python":
    _jit.run_as_python()
from motorsub.engine.quote import from_fields
from motorsub.model.profile import load_profile
from motorsub.model.schemes import load_schemes
body = json.loads(sys.argv[2]); schemes = load_schemes(None); profile = load_profile(None)
from_fields(body, schemes, profile)
ts = []
for _ in range(200):
    t = time.perf_counter(); from_fields(body, schemes, profile); ts.append(time.perf_counter() - t)
ts.sort(); print(json.dumps({"p50": ts[len(ts) // 2], "p99": ts[int(len(ts) * 0.99)]}))
"""


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))]


def kernels() -> dict:
    out = {}
    for mode in ("python", "compiled"):
        proc = subprocess.run(
            [C.PYTHON, "-c", _LATENCY, mode, json.dumps(BODY)],
            cwd=C.ROOT, capture_output=True, text=True, check=True, timeout=600,
        )  # fmt: skip
        out[mode] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def _rss_mb(pid: int) -> float:
    import psutil

    return psutil.Process(pid).memory_info().rss / 1e6


async def _load(base: str, csv_bytes: bytes) -> dict:
    import httpx

    lat: list[float] = []
    errors = 0
    todo = iter(range(QUOTES))
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        one = []  # one client, one quote after another: a quote's own time over HTTP
        for _ in range(SEQUENTIAL):
            t = time.perf_counter()
            r = await client.post("/api/quote", json=BODY)
            one.append(time.perf_counter() - t)
            errors += r.status_code != 200

        async def worker():
            nonlocal errors
            for _ in todo:
                t = time.perf_counter()
                try:
                    r = await client.post("/api/quote", json=BODY)
                    ok = r.status_code == 200 and r.json()["total"] == 220.0
                except httpx.HTTPError:
                    ok = False
                lat.append(time.perf_counter() - t)
                errors += not ok

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CLIENTS)))
        wall = time.perf_counter() - t0

        async def upload(i):
            files = {"file": (f"ledger{i}.csv", csv_bytes, "text/csv")}
            t = time.perf_counter()
            r = await client.post("/api/compute", files=files, timeout=600)
            body = r.json() if r.status_code == 200 else {}
            ok = body.get("status") == "done" and body["summary"]["rows"]["read"] == UPLOAD_ROWS
            return time.perf_counter() - t, ok

        t1 = time.perf_counter()
        ups = await asyncio.gather(*(upload(i) for i in range(UPLOADS)))
        up_wall = time.perf_counter() - t1
    return {
        "one_client_p50_s": _pct(one, 0.5),
        "one_client_p99_s": _pct(one, 0.99),
        "quotes": QUOTES,
        "clients": CLIENTS,
        "quotes_per_s": QUOTES / wall,
        "p50_s": _pct(lat, 0.5),
        "p99_s": _pct(lat, 0.99),
        "errors": errors + sum(not ok for _, ok in ups),
        "uploads": UPLOADS,
        "upload_rows": UPLOAD_ROWS,
        "uploads_wall_s": up_wall,
    }


def run() -> dict:
    import httpx

    from motorsub.engine.synth import synth

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    work = Path(tempfile.mkdtemp(prefix="motorsub-bench-web-"))
    csv_path = work / "ledger.csv"
    synth(UPLOAD_ROWS, C.SEED, csv_path)
    t0 = time.perf_counter()
    server = subprocess.Popen(
        [C.PYTHON, "-m", "motorsub", "serve", "--port", str(port), "--jobs", "2"],
        cwd=C.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=dict(os.environ, MOTORSUB_TOKEN=""),
    )  # fmt: skip
    try:
        first = None
        while time.perf_counter() - t0 < 60 and first is None:
            try:
                r = httpx.post(f"{base}/api/quote", json=BODY, timeout=5)
                if r.status_code == 200:
                    first = time.perf_counter() - t0
            except httpx.HTTPError:
                time.sleep(0.02)
        if first is None:
            raise RuntimeError("motorsub serve gave no quote within 60 s")
        rss_before = _rss_mb(server.pid)
        load = asyncio.run(_load(base, csv_path.read_bytes()))
        rss_after = _rss_mb(server.pid)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
        for p in work.iterdir():
            p.unlink()
        work.rmdir()
    return {
        "first_quote_s": first,
        "kernels": kernels(),
        "load": load,
        "rss_before_mb": rss_before,
        "rss_after_mb": rss_after,
    }


def markdown(res: dict) -> str:
    k, ld = res["kernels"], res["load"]
    ms = 1e3
    rows = [
        ["first quote after `motorsub serve` starts", f"{res['first_quote_s']:.2f} s", "≤ 3 s"],
        ["quote p50, kernels as plain Python (serve's choice)",
         f"{k['python']['p50'] * ms:.1f} ms", "< 20 ms"],
        ["quote p99, kernels as plain Python", f"{k['python']['p99'] * ms:.1f} ms", ""],
        ["quote p50, compiled kernels (warm)", f"{k['compiled']['p50'] * ms:.1f} ms", ""],
        ["quote p99, compiled kernels (warm)", f"{k['compiled']['p99'] * ms:.1f} ms", ""],
        [f"one client, {SEQUENTIAL} quotes over HTTP: p50 / p99",
         f"{ld['one_client_p50_s'] * ms:.1f} / {ld['one_client_p99_s'] * ms:.1f} ms",
         "p50 < 20 ms"],
        [f"load: {ld['quotes']:,} quotes from {ld['clients']} clients",
         f"{ld['quotes_per_s']:.0f} quotes/s", ""],
        ["load: latency p50 / p99 (queueing included)",
         f"{ld['p50_s'] * ms:.0f} / {ld['p99_s'] * ms:.0f} ms", ""],
        [f"load: {ld['uploads']} uploads of {ld['upload_rows']:,} lines at once",
         f"{ld['uploads_wall_s']:.2f} s", ""],
        ["errors", str(ld["errors"]), "0"],
        ["server memory before / after the load",
         f"{res['rss_before_mb']:.0f} / {res['rss_after_mb']:.0f} MB", ""],
    ]  # fmt: skip
    return C.table(["what", "measured", "target"], rows)


if __name__ == "__main__":
    r = run()
    print(markdown(r))

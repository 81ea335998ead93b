"""Benchmark of ``motorsub audit``: time and peak memory at 1e5, 1e6 (and, asked for, 1e7)
claim lines, against 10 000 catalogue models, a buy-back line for every second claim line
and the manufacturers' quotas, with an SQLite ledger on disk.

The inputs come from the generator of the tests (``tests/audit/audit_data.py``: a clean
batch, so every line goes through every check and the ledger records almost all of them),
made a million lines at a time and written as Parquet. Each size is audited in a fresh
Python process, exactly as the command does (read, audit, write the findings, rejects,
summary, report and sample), so that its peak resident memory is the audit's own and not
the generator's; a second run of the same batch against the same ledger measures the
idempotent re-audit. ``--limit-gb`` caps each audit's address space (a run that needs more
fails instead of taking a shared machine's memory). Results are printed and saved as JSON
in ``benchmarks/results/audit.json``, with the machine's load beside every size.

Usage::

    python benchmarks/bench_audit.py [--claims 1e5,1e6] [--catalogue 10000]
                                     [--seed 1] [--limit-gb 6]
    python benchmarks/bench_audit.py --claims 1e7 --limit-gb 6

``python -m benchmarks.run`` calls :func:`run` (first audit of each size, under a cap).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Claim lines generated at a time (a larger set is made of such parts).
PART = 1_000_000


def generate_inputs(claims: int, catalogue: int, seed: int, out: Path) -> dict:
    """Write claims, catalogue, buy-backs and quotas as Parquet into ``out``; their sizes.

    A set larger than :data:`PART` is made of equal parts generated with the same seed
    (so they share one catalogue) and their own serial prefix and record ids; their
    quotas add up, so no part's lines exceed them.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    sys.path.insert(0, str(ROOT / "tests" / "audit"))
    from audit_data import generate

    parts = max(1, -(-claims // PART))
    size = claims // parts
    writers: dict[str, pq.ParquetWriter] = {}
    quotas, sizes = [], dict.fromkeys(("claims", "buybacks"), 0)
    cat = None
    for k in range(parts):
        data = generate(
            size,
            seed,
            prefix=f"P{k:02d}" if parts > 1 else "",
            makers=40,
            recyclers=12,
            catalogue_size=catalogue,
            buyback_size=size // 2,
        )
        if parts > 1:
            rid = data["claims"]["record_id"].str.split("-", n=1)
            data["claims"]["record_id"] = rid.str[0] + f"-P{k:02d}-" + rid.str[1]
        cat = data["catalogue"] if cat is None else cat
        quotas.append(data["quotas"])
        for name in ("claims", "buybacks"):
            table = pa.Table.from_pandas(data[name], preserve_index=False)
            if name not in writers:
                writers[name] = pq.ParquetWriter(out / f"{name}.parquet", table.schema)
            writers[name].write_table(table.cast(writers[name].schema))
            sizes[name] += table.num_rows
        del data
    for w in writers.values():
        w.close()
    quota = pd.concat(quotas).groupby(["manufacturer", "year"], as_index=False)["quota_kw"].sum()
    cat.to_parquet(out / "catalogue.parquet", index=False)
    quota.to_parquet(out / "quotas.parquet", index=False)
    return {
        "claim_lines": sizes["claims"],
        "catalogue_models": len(cat),
        "buyback_lines": sizes["buybacks"],
        "quota_rows": len(quota),
    }


def audit_child(folder: Path) -> dict:
    """Audit the inputs in ``folder`` twice against one ledger (in this process)."""
    from motorsub.audit import audit_files

    ledger = folder / "ledger.sqlite"
    runs = []
    for label in ("first audit", "re-audit (idempotent)"):
        t0, cpu0 = time.perf_counter(), time.process_time()
        summary = audit_files(
            folder / "claims.parquet",
            folder / "findings.parquet",
            catalogue=folder / "catalogue.parquet",
            buybacks=folder / "buybacks.parquet",
            quotas=folder / "quotas.parquet",
            ledger=ledger,
            summary_path=folder / "summary.json",
            report_path=folder / "report.md",
            sample_path=folder / "sample.parquet",
        )
        runs.append(
            {
                "run": label,
                "seconds": round(time.perf_counter() - t0, 2),
                "cpu_seconds": round(time.process_time() - cpu0, 2),
                "peak_rss_mb_so_far": round(_peak_rss_mb()),
                "ledger": summary["batches"][0]["ledger"],
            }
        )
    return {
        "runs": runs,
        "audited": summary["rows"]["audited"],
        "findings": summary["findings"],
        "reconciles": summary["reconciliation"]["reconciles"],
        "ledger_mb": round(ledger.stat().st_size / 2**20, 1),
        "peak_rss_mb": round(_peak_rss_mb()),
    }


def _peak_rss_mb() -> float:
    """Peak resident memory of this process so far [MiB] (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def bench(claims: int, catalogue: int, seed: int, limit_gb: float | None) -> dict:
    """Generate one size in a child process, audit it in another; timings and memory."""
    with tempfile.TemporaryDirectory(prefix="motorsub-bench-audit-") as tmp:
        started = time.perf_counter()
        sizes = json.loads(_child(["--generate", tmp, str(claims), str(catalogue), str(seed)]))
        generated = time.perf_counter() - started
        load_before = _load()
        result = json.loads(_child(["--audit", tmp], limit_gb))
    first = result["runs"][0]["seconds"]
    return {
        "sizes": sizes,
        "generate_seconds": round(generated, 2),
        **result,
        "lines_per_second_first_audit": round(result["audited"] / first) if first else None,
        "load_average_1_5_15": {"before": load_before, "after": _load()},
    }


def _child(args: list[str], limit_gb: float | None = None) -> str:
    """Run this file with ``args`` in a fresh interpreter; its standard output."""

    def limit():
        if limit_gb:
            cap = int(limit_gb * 1e9)
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    done = subprocess.run(
        [sys.executable, __file__, *args],
        check=True,
        stdout=subprocess.PIPE,
        preexec_fn=limit,
        cwd=ROOT,
    )
    return done.stdout.decode().strip().splitlines()[-1]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--generate":
        folder, claims, catalogue, seed = sys.argv[2:6]
        print(json.dumps(generate_inputs(int(claims), int(catalogue), int(seed), Path(folder))))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--audit":
        print(json.dumps(audit_child(Path(sys.argv[2]))))
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--claims", default="1e5,1e6", help="comma-separated sizes, e.g. 1e5,1e6,1e7")
    p.add_argument("--catalogue", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--limit-gb", type=float, default=None, help="address-space cap per audit")
    p.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "audit.json")
    a = p.parse_args()
    sizes = [int(float(x)) for x in a.claims.split(",")]
    results = [bench(n, a.catalogue, a.seed, a.limit_gb) for n in sizes]
    out = {
        "benchmark": "motorsub audit",
        "by_size": results,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "note": "load averages per size: a shared machine's figures are noisy",
        },
    }
    text = json.dumps(out, indent=2)
    print(text)
    a.output.parent.mkdir(parents=True, exist_ok=True)
    a.output.write_text(text + "\n")


if __name__ == "__main__":
    main()


#: Sizes below this are not audited by ``benchmarks.run`` (a start-up is all one measures).
RUN_MIN_CLAIMS = 100_000
#: Address-space cap of each audit in ``benchmarks.run`` [GB]: a run that needs more fails
#: and is reported as over the cap, instead of taking a shared machine's memory.
RUN_LIMIT_GB = 6.0


def run(sizes, catalogue: int = 10_000, seed: int = 1, limit_gb: float = RUN_LIMIT_GB) -> dict:
    """For ``benchmarks.run``: the first audit of each size (≥ 1e5) in its own process."""
    rows = []
    for n in [n for n in sizes if n >= RUN_MIN_CLAIMS]:
        try:
            r = bench(n, catalogue, seed, limit_gb)
        except subprocess.CalledProcessError:
            rows.append({"size": n, "over_cap": True, "peak_rss_gb": limit_gb})
            continue
        first = r["runs"][0]
        rows.append(
            {
                "size": n,
                "seconds": first["seconds"],
                "cpu_s": first["cpu_seconds"],
                "rows_per_s": n / first["seconds"],
                "reaudit_seconds": r["runs"][1]["seconds"],
                "peak_rss_gb": r["peak_rss_mb"] * 2**20 / 1e9,  # MiB → 10⁹ bytes
                "load": r["load_average_1_5_15"]["before"][0],
            }
        )
        print(f"  audit {n:,} done", flush=True)
    return {"rows": rows, "limit_gb": limit_gb}


def markdown(res: dict) -> str:
    rows = []
    for r in res["rows"]:
        if r.get("over_cap"):
            rows.append([f"{r['size']:,}", "—", "—", "—", "—", f"> {res['limit_gb']:g} (cap)"])
            continue
        rows.append(
            [
                f"{r['size']:,}",
                f"{r['seconds']:.1f} s",
                f"{r['cpu_s']:.1f} s",
                f"{r['rows_per_s'] / 1e3:,.0f} k/s",
                f"{r['reaudit_seconds']:.1f} s",
                f"{r['peak_rss_gb']:.2f}",
            ]
        )
    head = ["claims", "first audit", "CPU", "lines/s", "re-audit", "peak RSS GB"]
    return (
        "`audit_files` (claims, catalogue, buy-backs, quotas, SQLite ledger on disk, every "
        "output written) in a fresh process per size, then the same batch again (the "
        "idempotent re-audit); peak RSS of that process, GB = 10⁹ bytes.\n\n"
        + "\n".join(
            ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
            + ["| " + " | ".join(r) + " |" for r in rows]
        )
    )

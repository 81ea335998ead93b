"""Benchmark of ``motorsub audit``: 1 million claim lines against 10 000 catalogue models,
500 000 buy-back lines and the manufacturers' quotas, with an SQLite ledger on disk.

The inputs come from the generator of the tests (``tests/audit/audit_data.py``: a clean
batch, so every line goes through every check and the ledger records almost all of them),
written as Parquet, then audited exactly as the command does (read, audit, write the
findings, rejects, summary, report and sample). A second run of the same batch against the
same ledger measures the idempotent re-audit. Results are printed and saved as JSON in
``benchmarks/results/audit.json``.

Usage::

    python benchmarks/bench_audit.py [--claims 1000000] [--catalogue 10000]
                                     [--buybacks 500000] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "audit"))

from audit_data import generate  # noqa: E402

from motorsub.audit import audit_files  # noqa: E402


def _peak_rss_mb() -> float:
    """Peak resident memory of this process so far [MiB] (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(claims: int, catalogue: int, buybacks: int, seed: int) -> dict:
    """Generate, write and audit; return the timings [s] and sizes."""
    started = time.perf_counter()
    data = generate(
        claims, seed, makers=40, recyclers=12, catalogue_size=catalogue, buyback_size=buybacks
    )
    generated = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="motorsub-bench-audit-") as tmp:
        tmp = Path(tmp)
        paths = {}
        for name, df in data.items():
            paths[name] = tmp / f"{name}.parquet"
            df.to_parquet(paths[name], index=False)
        ledger = tmp / "ledger.sqlite"
        runs = []
        for label in ("first audit", "re-audit (idempotent)"):
            t0, cpu0 = time.perf_counter(), time.process_time()
            summary = audit_files(
                paths["claims"],
                tmp / "findings.parquet",
                catalogue=paths["catalogue"],
                buybacks=paths["buybacks"],
                quotas=paths["quotas"],
                ledger=ledger,
                summary_path=tmp / "summary.json",
                report_path=tmp / "report.md",
                sample_path=tmp / "sample.parquet",
            )
            runs.append(
                {
                    "run": label,
                    "seconds": round(time.perf_counter() - t0, 2),
                    "cpu_seconds": round(time.process_time() - cpu0, 2),
                    "ledger": summary["batches"][0]["ledger"],
                }
            )
        ledger_mb = ledger.stat().st_size / 2**20
    rows = summary["rows"]
    return {
        "benchmark": "motorsub audit",
        "sizes": {
            "claim_lines": len(data["claims"]),
            "catalogue_models": len(data["catalogue"]),
            "buyback_lines": len(data["buybacks"]),
            "quota_rows": len(data["quotas"]),
        },
        "generate_seconds": round(generated, 2),
        "runs": runs,
        "lines_per_second_first_audit": round(rows["audited"] / runs[0]["seconds"]),
        "audited": rows["audited"],
        "findings": summary["findings"],
        "reconciles": summary["reconciliation"]["reconciles"],
        "ledger_mb": round(ledger_mb, 1),
        "peak_rss_mb": round(_peak_rss_mb()),
        "machine": {
            "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--claims", type=int, default=1_000_000)
    p.add_argument("--catalogue", type=int, default=10_000)
    p.add_argument("--buybacks", type=int, default=500_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "audit.json")
    a = p.parse_args()
    result = bench(a.claims, a.catalogue, a.buybacks, a.seed)
    text = json.dumps(result, indent=2)
    print(text)
    a.output.parent.mkdir(parents=True, exist_ok=True)
    a.output.write_text(text + "\n")


if __name__ == "__main__":
    main()

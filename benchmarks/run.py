"""Run the benchmark suite: print the tables, save ``results/latest.json`` and ``latest.md``.

Usage::

    python -m benchmarks.run [--sizes 1e5,1e6,1e7] [--quick] [--only subsidy,savings]

``--quick`` runs 1e5 and 1e6 only (a smoke test, smaller triad arrays). The kernel
benchmarks (subsidy, savings) run at the sizes up to 1e7; ``compute`` runs at every size,
so ``--sizes 1e5,1e6,1e7,2e7`` adds one 2e7 Parquet run to show peak memory flat in N.
See ``benchmarks/README.md`` for what each benchmark measures and what *floor* means.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
from pathlib import Path

from benchmarks import _common as C
from benchmarks import (
    bench_api,
    bench_audit,
    bench_cluster,
    bench_compute,
    bench_memory,
    bench_savings,
    bench_startup,
    bench_subsidy,
    bench_web,
)

#: Every section: its title in the report and its module (``memory`` runs first, always).
SECTIONS = {
    "memory": ("Memory bandwidth", bench_memory),
    "subsidy": ("Subsidy kernel", bench_subsidy),
    "savings": ("Full compute: subsidies and savings", bench_savings),
    "compute": ("End to end", bench_compute),
    "api": ("In memory: motorsub.compute against pandas", bench_api),
    "startup": ("Start-up", bench_startup),
    "audit": ("Audit: time and memory", bench_audit),
    "cluster": ("One process against a LocalCluster", bench_cluster),
    "web": ("The counter (web)", bench_web),
}
CLUSTER_MIN_ROWS = 1_000_000  # below, a cluster's start-up is all one would measure
KERNEL_MAX_ROWS = 10_000_000


def _largest(rows: list[dict], **match) -> dict | None:
    """The row at the largest size up to 1e7 among those matching ``match``."""
    rows = [r for r in rows if r["size"] <= KERNEL_MAX_ROWS]
    rows = [r for r in rows if all(r.get(k) == v for k, v in match.items())]
    return max(rows, key=lambda r: r["size"]) if rows else None


def _row_value(section: str, key: str, **match):
    def read(res: dict):
        r = _largest(res.get(section, {}).get("rows", []), **match)
        return (r[key], r["size"]) if r and r.get(key) is not None else (None, None)

    return read


def _full(key: str):
    def read(res: dict):
        r = _largest(res.get("savings", {}).get("rows", []))
        if r is None:
            return None, None
        rows = [x for x in res["savings"]["rows"] if x["size"] == r["size"]]
        full = next(x for x in rows if x["variant"].startswith("full"))
        if key in ("x_floor", "vs_subsidy_only"):
            return full[key], r["size"]
        return next(x["vs_full"] for x in rows if x["variant"] == key), r["size"]

    return read


def _startup(key: str):
    def read(res: dict):
        value = res.get("startup", {}).get(key)
        return (value, None) if value is not None else (None, None)

    return read


#: (description, how to read the measure from the results, limit, "max"/"min", unit)
TARGETS = (
    ("subsidy kernel within 4× its bandwidth floor",
     _row_value("subsidy", "x_floor", contender="motorsub"), 4.0, "max", "×"),
    ("full kernel (subsidy + savings) within 3× its bandwidth floor", _full("x_floor"), 3.0,
     "max", "×"),
    ("subsidy kernel ≥ 10× faster than pandas",
     _row_value("subsidy", "vs_motorsub", contender="pandas"), 10.0, "min", "×"),
    ("subsidy kernel ≥ 3× faster than polars",
     _row_value("subsidy", "vs_motorsub", contender="polars"), 3.0, "min", "×"),
    ("full compute ≥ 10× faster than pandas", _full("pandas full"), 10.0, "min", "×"),
    ("full compute ≤ 2× subsidy only", _full("vs_subsidy_only"), 2.0, "max", "×"),
    ("compute Parquet→Parquet within 1.5× the I/O floor",
     _row_value("compute", "x_floor", input="parquet"), 1.5, "max", "×"),
    ("compute Parquet→Parquet at least as fast as polars (time ÷ polars')",
     _row_value("compute", "x_polars", input="parquet"), 1.0, "max", "×"),
    ("compute CSV→Parquet within 1.3× polars' CSV→Parquet",
     _row_value("compute", "x_polars", input="csv"), 1.3, "max", "×"),
    ("motorsub.compute(pandas frame) ≥ 3× faster than the analyst's pandas",
     _row_value("api", "x_pandas", contender="motorsub", input="pandas"), 3.0, "min", "×"),
    ("`motorsub warmup` on an empty cache within 30 s", _startup("first_run_warmup_s"), 30.0,
     "max", " s"),
    ("first compute on an empty cache: at most 10 s compiling",
     _startup("first_compute_compile_s"), 10.0, "max", " s"),
    ("audit of 1e7 claims: peak RSS under 4 GB",
     _row_value("audit", "peak_rss_gb", size=10_000_000), 4.0, "max", " GB"),
)  # fmt: skip


def targets(res: dict) -> list[dict]:
    out = []
    for text, read, limit, kind, unit in TARGETS:
        value, n = read(res)
        if value is None:
            continue
        ok = value <= limit if kind == "max" else value >= limit
        out.append(
            {"target": text, "size": n, "value": value, "limit": limit, "kind": kind,
             "unit": unit, "met": ok}
        )  # fmt: skip
    return out


def markdown(res: dict) -> str:
    m = res["machine"]
    parts = [
        "## Benchmarks",
        "",
        f"Measured {res['finished'][:16].replace('T', ' ')} UTC, {C.code_text(m)}, on "
        f"{C.machine_text(m)}. Load average before/after: {res['loadavg_start'][0]:.2f} / "
        f"{res['loadavg_end'][0]:.2f}; *others*: the share of the machine's CPU that other "
        "processes used during a measurement (0 % = undisturbed). "
        "Run `python -m benchmarks.run`; see `benchmarks/README.md`.",
    ]
    for key, (name, module) in SECTIONS.items():
        if key in res:
            parts += ["", f"### {name}", "", module.markdown(res[key])]
    if res.get("targets"):
        rows = [
            [
                t["target"],
                C.label(t["size"]) if t["size"] else "—",
                f"{t['value']:.2f}{t.get('unit', '×')}",
                f"{'≤' if t['kind'] == 'max' else '≥'} {t['limit']:g}{t.get('unit', '×')}",
                "met" if t["met"] else "**missed**",
            ]
            for t in res["targets"]
        ]
        parts += ["", "### Targets", "", C.table(["target", "N", "measured", "target", ""], rows)]
    return "\n".join(parts) + "\n"


def save(res: dict, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    res["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    res["loadavg_end"] = os.getloadavg()
    res["targets"] = targets(res)
    (out_dir / "latest.json").write_text(json.dumps(res, indent=2, default=float) + "\n")
    (out_dir / "latest.md").write_text(markdown(res))


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1e5,1e6,1e7", help="comma-separated row counts")
    p.add_argument("--quick", action="store_true", help="1e5 and 1e6 only (smoke test)")
    p.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    p.add_argument("--out", type=Path, default=C.RESULTS, help="folder of latest.json/.md")
    p.add_argument("--cache", type=Path, default=C.CACHE, help="folder of synthetic inputs")
    p.add_argument(
        "--render",
        action="store_true",
        help="measure nothing: rewrite latest.md from latest.json in --out",
    )
    p.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="before each section, wait up to this long for other processes to go quiet",
    )
    args = p.parse_args(argv)
    if args.render:
        res = json.loads((args.out / "latest.json").read_text())
        res["targets"] = targets(res)
        (args.out / "latest.json").write_text(json.dumps(res, indent=2, default=float) + "\n")
        (args.out / "latest.md").write_text(markdown(res))
        print(markdown(res))
        return res
    sizes = C.QUICK_SIZES if args.quick else C.parse_sizes(args.sizes)
    kernel_sizes = [n for n in sizes if n <= KERNEL_MAX_ROWS]
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        known = ", ".join(SECTIONS)
        p.error(f"--only: unknown section(s) {', '.join(sorted(unknown))}; known: {known}")

    res: dict = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": C.machine(),
        "sizes": list(sizes),
        "quick": args.quick,
        "loadavg_start": os.getloadavg(),
    }
    print(C.machine_text(res["machine"]), flush=True)
    print(C.code_text(res["machine"]), flush=True)
    t0 = time.perf_counter()
    # the bandwidth and the kernels' bytes per row are needed for every floor
    C.wait_idle(args.wait_idle)
    res["memory"] = bench_memory.run(quick=args.quick)
    bandwidth = res["memory"]["bandwidth_gb_per_s"]
    kbytes = res["memory"]["kernels"]
    steps = {
        "subsidy": lambda: bench_subsidy.run(kernel_sizes, bandwidth, kbytes),
        "savings": lambda: bench_savings.run(kernel_sizes, bandwidth, kbytes),
        "compute": lambda: bench_compute.run(sizes, args.cache),
        "startup": lambda: bench_startup.run(args.cache),
        "cluster": lambda: bench_cluster.run(
            [n for n in sizes if n >= CLUSTER_MIN_ROWS], args.cache
        ),
        "web": bench_web.run,
        "api": lambda: bench_api.run(kernel_sizes, args.cache),
        "audit": lambda: bench_audit.run([n for n in sizes if n <= KERNEL_MAX_ROWS]),
    }
    if "memory" in only:
        print("\n" + bench_memory.markdown(res["memory"]) + "\n", flush=True)
    for name in list(SECTIONS)[1:]:
        if name not in only:
            continue
        if args.wait_idle:
            C.wait_idle(args.wait_idle)
        print(f"{name} ...", flush=True)
        with C.Others() as others:
            res[name] = steps[name]()
        res[name]["others_cpu_share"] = others.share
        module = SECTIONS[name][1]
        print("\n" + module.markdown(res[name]) + "\n", flush=True)
        save(res, args.out)  # keep what is done if a later step fails
    if "memory" not in only:
        res.pop("memory")
    res["elapsed_s"] = time.perf_counter() - t0
    save(res, args.out)
    print(markdown(res).split("### Targets", 1)[-1] if res["targets"] else "", flush=True)
    print(f"saved {args.out / 'latest.json'} and {args.out / 'latest.md'} "
          f"({res['elapsed_s']:.0f} s)")  # fmt: skip
    return res


if __name__ == "__main__":
    main()

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
    bench_cluster,
    bench_compute,
    bench_memory,
    bench_savings,
    bench_startup,
    bench_subsidy,
    bench_web,
)

SECTIONS = ("memory", "subsidy", "savings", "compute", "startup", "cluster", "web", "api")
CLUSTER_MIN_ROWS = 1_000_000  # below, a cluster's start-up is all one would measure
KERNEL_MAX_ROWS = 10_000_000
#: (description, section, how to read the measure, limit)
TARGETS = (
    ("subsidy kernel within 3× its bandwidth floor", "subsidy", "x_floor", 3.0, "max"),
    ("full kernel (subsidy + savings) within 3× its bandwidth floor", "savings", "x_floor",
     3.0, "max"),
    ("subsidy kernel ≥ 10× faster than pandas", "subsidy", "pandas", 10.0, "min"),
    ("subsidy kernel ≥ 3× faster than polars", "subsidy", "polars", 3.0, "min"),
    ("full compute ≥ 10× faster than pandas", "savings", "pandas full", 10.0, "min"),
    ("full compute ≤ 2× subsidy only", "savings", "full/subsidy", 2.0, "max"),
    ("compute Parquet→Parquet within 1.5× the I/O floor", "compute", "x_floor", 1.5, "max"),
)  # fmt: skip


def _measure(res: dict, section: str, key: str) -> tuple[float | None, int | None]:
    """The measure a target reads, at the largest size measured, and that size."""
    rows = res.get(section, {}).get("rows", [])
    if not rows:
        return None, None
    n = max(r["size"] for r in rows if section != "compute" or r["size"] <= KERNEL_MAX_ROWS)
    at = [r for r in rows if r["size"] == n]
    if section == "subsidy":
        if key == "x_floor":
            return next(r["x_floor"] for r in at if r["contender"] == "motorsub"), n
        return next(r["vs_motorsub"] for r in at if r["contender"] == key), n
    if section == "savings":
        full = next(r for r in at if r["variant"].startswith("full"))
        if key == "x_floor":
            return full["x_floor"], n
        if key == "full/subsidy":
            return full["vs_subsidy_only"], n
        return next(r["vs_full"] for r in at if r["variant"] == key), n
    return next(r["x_floor"] for r in at if r["input"] == "parquet"), n


def targets(res: dict) -> list[dict]:
    out = []
    for text, section, key, limit, kind in TARGETS:
        value, n = _measure(res, section, key)
        if value is None:
            continue
        ok = value <= limit if kind == "max" else value >= limit
        out.append(
            {"target": text, "size": n, "value": value, "limit": limit, "kind": kind, "met": ok}
        )
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
    for name, module in (
        ("Memory bandwidth", bench_memory),
        ("Subsidy kernel", bench_subsidy),
        ("Full compute: subsidies and savings", bench_savings),
        ("End to end", bench_compute),
        ("Start-up", bench_startup),
        ("One process against a LocalCluster", bench_cluster),
        ("The counter (web)", bench_web),
        ("In memory: motorsub.compute against pandas", bench_api),
    ):
        key = module.__name__.rsplit("_", 1)[1]
        if key in res:
            parts += ["", f"### {name}", "", module.markdown(res[key])]
    if res.get("targets"):
        rows = [
            [
                t["target"],
                C.label(t["size"]),
                f"{t['value']:.2f}×",
                f"{'≤' if t['kind'] == 'max' else '≥'} {t['limit']:g}×",
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
        p.error(f"--only: unknown section(s) {', '.join(sorted(unknown))}; known: {SECTIONS}")

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
    }
    if "memory" in only:
        print("\n" + bench_memory.markdown(res["memory"]) + "\n", flush=True)
    for name in SECTIONS[1:]:
        if name not in only:
            continue
        if args.wait_idle:
            C.wait_idle(args.wait_idle)
        print(f"{name} ...", flush=True)
        with C.Others() as others:
            res[name] = steps[name]()
        res[name]["others_cpu_share"] = others.share
        module = {"subsidy": bench_subsidy, "savings": bench_savings,
                  "compute": bench_compute, "startup": bench_startup,
                  "cluster": bench_cluster, "web": bench_web, "api": bench_api}[name]  # fmt: skip
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

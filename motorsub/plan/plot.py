"""``--plot``: savings, stock and budget per year, with the uncertainty band (matplotlib).

matplotlib is imported only here, and only its object-oriented API: a ``Figure`` that is
not registered with pyplot renders to its file through the format's own canvas, so motorsub
neither sets the process's matplotlib backend nor opens a window, and a program that uses
motorsub keeps its own backend.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from motorsub import io
from motorsub.errors import InputError
from motorsub.plan.project import Projection

SUFFIXES = (".png", ".svg", ".pdf")


def _scaled(values, unit: str) -> tuple[float, str]:
    top = np.nanmax(np.abs(values)) if np.isfinite(values).any() else 0.0
    for div, prefix in ((1e9, "billion "), (1e6, "million "), (1e3, "thousand ")):
        if top >= div:
            return div, f"{prefix}{unit}"
    return 1.0, unit


def plot(p: Projection, path: str | Path, other: Projection | None = None) -> None:
    """Draw the projection (and ``other``'s savings and outlay, dashed) into ``path``.

    Parameters
    ----------
    p : Projection
    path : str or Path
        ``.png``, ``.svg`` or ``.pdf``; written atomically.
    other : Projection, optional
        A plan compared with ``p``.

    Raises
    ------
    InputError
        An unknown file type, or matplotlib is not installed.
    """
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise InputError(f"{path}: --plot writes {', '.join(SUFFIXES)}")
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise InputError("--plot needs matplotlib: pip install matplotlib") from None

    c = p.columns
    years = c["year"]
    fig = Figure(figsize=(10, 11))
    ax1, ax2, ax3 = fig.subplots(3, 1, sharex=True)
    fig.suptitle(f"{p.plan.title}\n{p.plan.source_file}", fontsize=11)

    # savings per year
    div, unit = _scaled(np.concatenate([c["kwh"], c["kwh_run_rate"]]), "kWh")
    if p.samples:
        ax1.fill_between(
            years, c["kwh_p10"] / div, c["kwh_p90"] / div, color="tab:green", alpha=0.2,
            label=f"P10-P90 ({p.samples:,} samples)",
        )  # fmt: skip
        ax1.plot(years, c["kwh_p50"] / div, color="tab:green", lw=1, ls=":", label="P50")
    ax1.plot(
        years, c["kwh"] / div, color="tab:green", lw=2, marker="o", ms=3, label="saved in the year"
    )
    ax1.plot(
        years,
        c["kwh_run_rate"] / div,
        color="tab:olive",
        lw=1,
        ls="--",
        label="run rate of the year-end stock",
    )
    if other is not None:
        ax1.plot(
            other.years,
            other.columns["kwh"] / div,
            color="black",
            lw=1,
            ls="-.",
            label=f"saved: {other.plan.id}",
        )
    for t in p.targets:
        if t["quantity"] == "kwh_per_year":
            ax1.plot(
                [t["year"]],
                [t["published"] / div],
                "r*",
                ms=14,
                zorder=5,
                label=f"published {t['year']}",
            )
    ax1.set_ylabel(unit)
    coal = c["coal_kgce_per_kwh"]
    if np.all(coal == coal[0]):
        tdiv, tunit = _scaled(c["kwh"] * coal[0] / 1000.0, "tce")
        k = div * coal[0] / 1000.0 / tdiv  # [tce unit per kWh unit]
        ax1.secondary_yaxis("right", functions=(lambda x: x * k, lambda y: y / k)).set_ylabel(
            f"{tunit} (at {coal[0]:.3f} kgce/kWh)"
        )
    ax1.set_title("electricity saved per year", fontsize=10, loc="left")
    ax1.legend(fontsize=8, loc="best")
    ax1.grid(alpha=0.3)
    ax1.set_ylim(bottom=0)

    # stock
    div, unit = _scaled(np.concatenate([c["kw_in_service"], c["kw_promoted"]]), "kW")
    ax2.bar(years, c["kw_promoted"] / div, color="tab:blue", alpha=0.6, label="promoted")
    ax2.bar(years, -c["kw_retired"] / div, color="tab:gray", alpha=0.6, label="retired (below 0)")
    ax2.plot(
        years, c["kw_in_service"] / div, color="tab:blue", lw=2, label="in service at year end"
    )
    if p.samples:
        ax2.fill_between(
            years,
            c["kw_in_service_p10"] / div,
            c["kw_in_service_p90"] / div,
            color="tab:blue",
            alpha=0.15,
            label="in service P10-P90",
        )
    ax2.axhline(0, color="black", lw=0.5)
    ax2.set_ylabel(unit)
    ax2.set_title("stock of promoted motors", fontsize=10, loc="left")
    ax2.legend(fontsize=8, loc="best")
    ax2.grid(alpha=0.3)

    # budget
    money = np.concatenate([c["outlay_central"] + c["outlay_local"], [1.0]])
    div, unit = _scaled(money, "CNY")
    ax3.bar(
        years,
        c["outlay_central"] / div,
        color="tab:red",
        alpha=0.7,
        label="central budget (known part)",
    )
    ax3.bar(
        years,
        c["outlay_local"] / div,
        bottom=c["outlay_central"] / div,
        color="tab:orange",
        alpha=0.7,
        label="local budget (known part)",
    )
    unpriced = c["unpriced_kw_central"] + c["unpriced_kw_local"]
    partial = unpriced > 0
    if partial.any():
        kdiv, kunit = _scaled(unpriced, "kW")
        top = (c["outlay_central"] + c["outlay_local"]) / div
        ax3.plot(
            years[partial],
            top[partial],
            "kx",
            ms=8,
            label=f"+ unknown: {unpriced.sum() / kdiv:,.3g} {kunit} eligible at a rate no "
            "source gives (NO_RATE)",
        )
    if other is not None:
        ax3.plot(
            other.years,
            other.columns["outlay_total"] / div,
            color="black",
            lw=1,
            ls="-.",
            marker=".",
            label=f"total: {other.plan.id}",
        )
    ax3.set_ylabel(unit)
    ax3.set_ylim(bottom=0, top=max(ax3.get_ylim()[1], 1.0))
    ax3.set_title(
        "subsidy outlay per year (paid in the year of promotion)", fontsize=10, loc="left"
    )
    ax3.legend(fontsize=8, loc="best")
    ax3.grid(alpha=0.3)
    ax3.set_xlabel("year")
    ax3.xaxis.get_major_locator().set_params(integer=True)

    fig.tight_layout()
    with io.atomic_path(path) as tmp:
        fig.savefig(tmp, format=path.suffix.lower().lstrip("."), dpi=120)

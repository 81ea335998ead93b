"""``--plot``: savings, stock and budget per year, with the uncertainty band (matplotlib).

matplotlib is imported only here, and only its object-oriented API: a ``Figure`` that is
not registered with pyplot renders to its file through the format's own canvas, so motorsub
neither sets the process's matplotlib backend nor opens a window, and a program that uses
motorsub keeps its own backend.

Chinese words need a font with Chinese glyphs, which matplotlib's own fonts lack: the
first of :data:`CJK_FAMILIES` that ``matplotlib.font_manager`` knows (or finds among the
system's fonts, when its font cache predates the font's installation) draws them. Without
one, the figure keeps its English words and :func:`font_warning` says what to install.
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path

import numpy as np

from motorsub import i18n, io
from motorsub.errors import InputError
from motorsub.plan.project import Projection
from motorsub.render.plan import has_spread, quantity

SUFFIXES = (".png", ".svg", ".pdf")

#: Font families with the Chinese glyphs, most wanted first: Debian's and Ubuntu's
#: fonts-noto-cjk (:data:`CJK_PACKAGE`) installs the first; the others are its Adobe twin
#: and the common Chinese sans-serif fonts of Linux, Windows and macOS.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
)
#: The Debian package that brings :data:`CJK_FAMILIES`' first font.
CJK_PACKAGE = "fonts-noto-cjk"


@functools.cache
def cjk_font() -> str | None:
    """The first of :data:`CJK_FAMILIES` that matplotlib can draw with, or None.

    matplotlib lists the fonts it knows in a cache built once; a font installed since is
    added from the system's fonts (``font_manager.findSystemFonts``) on the first look-up.
    """
    from matplotlib import font_manager as fm

    def known() -> str | None:
        names = {f.name for f in fm.fontManager.ttflist}
        return next((name for name in CJK_FAMILIES if name in names), None)

    if (found := known()) is not None:
        return found
    listed = {f.fname for f in fm.fontManager.ttflist}
    for path in fm.findSystemFonts():
        if path not in listed:
            with contextlib.suppress(Exception):  # a font file matplotlib cannot parse
                fm.fontManager.addfont(path)
    return known()


def words_language(lang: str | None) -> str:
    """The language of the words on the figure: ``lang``, except English where Chinese is
    asked for and no Chinese font is found."""
    lang = i18n.negotiate(lang)
    return "en" if lang == "zh" and cjk_font() is None else lang


def font_warning(lang: str | None) -> str | None:
    """One line, in ``lang``, saying that the figure is labelled in English for want of a
    Chinese font and which package brings one; None when nothing is amiss."""
    lang = i18n.negotiate(lang)
    if words_language(lang) == lang:
        return None
    _ = i18n.translator(lang)
    return _(
        "no font with Chinese characters found: the plot is labelled in English; "
        "install one, e.g. the Debian package {package} (sudo apt install {package})"
    ).format(package=CJK_PACKAGE)


@contextlib.contextmanager
def _fonts(words: str):
    """matplotlib's settings while the figure is built and drawn: the Chinese font first
    for Chinese words, else after matplotlib's own, so that a plan's Chinese title shows
    in an English figure too. Text keeps the family it was made with; the settings are
    restored afterwards."""
    from matplotlib import rc_context

    font = cjk_font()
    if font is None:
        yield
        return
    family = [font, "sans-serif"] if words == "zh" else ["sans-serif", font]
    with rc_context({"font.family": family}):
        yield


def _scaled(values, unit: str, _=str) -> tuple[float, str]:
    """A divisor and the axis unit it gives ("million kWh")."""
    top = np.nanmax(np.abs(values)) if np.isfinite(values).any() else 0.0
    for div, words in (
        (1e9, _("billion {unit}")),
        (1e6, _("million {unit}")),
        (1e3, _("thousand {unit}")),
    ):
        if top >= div:
            return div, words.format(unit=unit)
    return 1.0, unit


def plot(
    p: Projection, path: str | Path, other: Projection | None = None, lang: str = "en"
) -> str | None:
    """Draw the projection (and ``other``'s savings and outlay, dashed) into ``path``.

    The figure is titled by the plan's own title, and draws (and names in its legends)
    only what exists: the P10-P90 band and the P50 line only when samples were drawn and
    the plan states a spread; the budget only where some of it is known, and where it is
    unknown the panel says so.

    Parameters
    ----------
    p : Projection
    path : str or Path
        ``.png``, ``.svg`` or ``.pdf``; written atomically.
    other : Projection, optional
        A plan compared with ``p``.
    lang : str
        Language of the words on the figure (``zh`` or ``en``); Chinese needs a Chinese
        font (:func:`cjk_font`), else the words stay English.

    Returns
    -------
    str or None
        :func:`font_warning`: a line to show when Chinese was asked for and no Chinese
        font was found.

    Raises
    ------
    InputError
        An unknown file type, or matplotlib is not installed.
    """
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        _ = i18n.translator()
        raise InputError(
            _("{path}: --plot writes {suffixes}").format(path=path, suffixes=", ".join(SUFFIXES))
        )
    fig = figure(p, other, lang)
    with _fonts(words_language(lang)), io.atomic_path(path) as tmp:
        fig.savefig(tmp, format=path.suffix.lower().lstrip("."), dpi=120)
    return font_warning(lang)


def figure(p: Projection, other: Projection | None = None, lang: str = "en"):
    """The figure :func:`plot` writes (a matplotlib ``Figure``, not registered with pyplot),
    its words in ``lang`` where a Chinese font is found for Chinese (:func:`words_language`).

    Raises
    ------
    InputError
        matplotlib is not installed.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        _ = i18n.translator()
        raise InputError(_("--plot needs matplotlib: pip install matplotlib")) from None
    words = words_language(lang)
    with _fonts(words):
        return _figure(p, other, i18n.translator(words))


def _figure(p: Projection, other: Projection | None, _):
    from matplotlib.figure import Figure

    c = p.columns
    years = c["year"]
    band = bool(p.samples) and has_spread(p)
    fig = Figure(figsize=(10, 11))
    ax1, ax2, ax3 = fig.subplots(3, 1, sharex=True)
    fig.suptitle(p.plan.title, fontsize=11)

    # savings per year
    div, unit = _scaled(np.concatenate([c["kwh"], c["kwh_run_rate"]]), "kWh", _)
    if band:
        ax1.fill_between(
            years, c["kwh_p10"] / div, c["kwh_p90"] / div, color="tab:green", alpha=0.2,
            label=_("P10-P90 ({n} samples)").format(n=f"{p.samples:,}"),
        )  # fmt: skip
        ax1.plot(years, c["kwh_p50"] / div, color="tab:green", lw=1, ls=":", label="P50")
    ax1.plot(
        years,
        c["kwh"] / div,
        color="tab:green",
        lw=2,
        marker="o",
        ms=3,
        label=_("saved in the year"),
    )
    ax1.plot(
        years,
        c["kwh_run_rate"] / div,
        color="tab:olive",
        lw=1,
        ls="--",
        label=_("run rate of the year-end stock"),
    )
    if other is not None:
        ax1.plot(
            other.years,
            other.columns["kwh"] / div,
            color="black",
            lw=1,
            ls="-.",
            label=_("saved: {plan}").format(plan=other.plan.title),
        )
    for t in p.targets:
        if t["quantity"] == "kwh_per_year":
            ax1.plot(
                [t["year"]],
                [t["published"] / div],
                "r*",
                ms=14,
                zorder=5,
                label=_("published {year}").format(year=t["year"]),
            )
    ax1.set_ylabel(unit)
    coal = c["coal_kgce_per_kwh"]
    if np.all(coal == coal[0]):
        tdiv, tunit = _scaled(c["kwh"] * coal[0] / 1000.0, "tce", _)
        k = div * coal[0] / 1000.0 / tdiv  # [tce unit per kWh unit]
        ax1.secondary_yaxis("right", functions=(lambda x: x * k, lambda y: y / k)).set_ylabel(
            _("{unit} (at {factor} kgce/kWh)").format(unit=tunit, factor=quantity(coal[0]))
        )
    ax1.set_title(_("electricity saved per year"), fontsize=10, loc="left")
    ax1.legend(fontsize=8, loc="best")
    ax1.grid(alpha=0.3)
    ax1.set_ylim(bottom=0)

    # stock
    div, unit = _scaled(np.concatenate([c["kw_in_service"], c["kw_promoted"]]), "kW", _)
    ax2.bar(years, c["kw_promoted"] / div, color="tab:blue", alpha=0.6, label=_("promoted"))
    if (c["kw_retired"] > 0).any():
        ax2.bar(
            years,
            -c["kw_retired"] / div,
            color="tab:gray",
            alpha=0.6,
            label=_("retired (below 0)"),
        )
    ax2.plot(
        years, c["kw_in_service"] / div, color="tab:blue", lw=2, label=_("in service at year end")
    )
    if band and not np.allclose(c["kw_in_service_p10"], c["kw_in_service_p90"]):
        ax2.fill_between(
            years,
            c["kw_in_service_p10"] / div,
            c["kw_in_service_p90"] / div,
            color="tab:blue",
            alpha=0.15,
            label=_("in service P10-P90"),
        )
    ax2.axhline(0, color="black", lw=0.5)
    ax2.set_ylabel(unit)
    ax2.set_title(_("stock of promoted motors"), fontsize=10, loc="left")
    ax2.legend(fontsize=8, loc="best")
    ax2.grid(alpha=0.3)

    # budget
    _budget(ax3, p, other, _)
    ax3.set_xlabel(_("year"))
    ax3.xaxis.get_major_locator().set_params(integer=True)

    fig.tight_layout()
    return fig


def _budget(ax, p: Projection, other: Projection | None, _) -> None:
    """The outlay per year: the known part as bars, the unknown part marked or, when nothing
    of the budget is known, said in words (no empty axis)."""
    c = p.columns
    years = c["year"]
    central = c["outlay_central_fen"] / 100.0
    local = c["outlay_local_fen"] / 100.0
    known = central + local
    unpriced = c["unpriced_kw_central"] + c["unpriced_kw_local"]
    ax.set_title(
        _("subsidy outlay per year (paid in the year of promotion)"), fontsize=10, loc="left"
    )
    others = other is not None and (other.columns["outlay_total_fen"] > 0).any()
    if not (known > 0).any() and not others:
        text = _("budget unknown: no rate is known for what the plan promotes")
        if unpriced.sum() > 0:
            text += "\n" + _(
                "{kw} kW eligible at a rate no source gives (NO_RATE): not guessed"
            ).format(kw=quantity(unpriced.sum()))
        ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=10)
        ax.set_yticks([])
        return
    div, unit = _scaled(np.concatenate([known, other.columns["outlay_total_fen"] / 100.0])
                        if others else known, "CNY", _)  # fmt: skip
    if (central > 0).any():
        ax.bar(
            years, central / div, color="tab:red", alpha=0.7, label=_("central budget (known part)")
        )
    if (local > 0).any():
        ax.bar(
            years,
            local / div,
            bottom=central / div,
            color="tab:orange",
            alpha=0.7,
            label=_("local budget (known part)"),
        )
    partial = unpriced > 0
    if partial.any():
        ax.plot(
            years[partial],
            known[partial] / div,
            "kx",
            ms=8,
            clip_on=False,
            zorder=5,
            label=_("+ unknown: {kw} kW eligible at a rate no source gives (NO_RATE)").format(
                kw=quantity(unpriced.sum())
            ),
        )
    if others:
        ax.plot(
            other.years,
            other.columns["outlay_total_fen"] / 100.0 / div,
            color="black",
            lw=1,
            ls="-.",
            marker=".",
            label=_("total: {plan}").format(plan=other.plan.title),
        )
    ax.set_ylabel(unit)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)

"""``motorsub quote``: price one sale line at the counter."""

from __future__ import annotations

import json

import click

from motorsub import vocab
from motorsub.cli.options import (
    errors,
    lang_option,
    savings_options,
    schemes_option,
    settings_from,
)

#: the exit codes a quote can return (it reads no file of records, so never 4)
QUOTE_EPILOG = "Exit codes: 0 done, 2 bad usage or input, 3 invalid scheme."


@click.command(epilog=QUOTE_EPILOG)
@click.option("--motor-type", required=True, type=click.Choice(vocab.MOTOR_TYPES))
@click.option("--kw", required=True, type=float, help="Rated output of one motor [kW].")
@click.option(
    "--grade",
    type=click.IntRange(min(vocab.GRADES), max(vocab.GRADES)),
    help="GB 18613 grade (1 best); lv_async needs it.",
)
@click.option("--kind", type=click.Choice(vocab.KINDS), default="new", show_default=True)
@click.option("--qty", type=click.IntRange(min=1), default=1, show_default=True)
@click.option(
    "--trade-in/--no-trade-in",
    default=False,
    show_default=True,
    help="An old motor is handed to an authorised recycler.",
)
@click.option("--old-kw", type=float, help="Rated output of one old motor [kW].")
@click.option(
    "--old-qty", type=click.IntRange(min=1), help="Old motors handed in (default: --qty)."
)
@click.option("--region", required=True, help="ISO 3166-2 code of the place of use, e.g. CN-SH.")
@click.option("--date", "sale_date", required=True, help="Invoice date, YYYY-MM-DD.")
@click.option("--price", type=float, help="List price of one new motor [CNY].")
@click.option(
    "--poles", type=click.Choice([str(p) for p in vocab.POLES]), help="Poles of the new motor."
)
@click.option("--efficiency", type=float, help="Declared efficiency of the new motor [%].")
@click.option("--old-efficiency", type=float, help="Efficiency of the old motor [%].")
@click.option(
    "--old-series",
    help=f"Series of the old motor for its baseline: {', '.join(vocab.BASELINE_SERIES)}.",
)
@click.option(
    "--old-poles", type=click.Choice([str(p) for p in vocab.POLES]), help="Poles of the old motor."
)
@schemes_option
@savings_options
@click.option(
    "--compare",
    is_flag=True,
    help="Compare a new motor, a remanufactured one and keeping the old motor (a trade-in "
    "of --old-kw, default --kw).",
)
@click.option(
    "--repair-cost", type=float, help="With --compare: cost of repairing the old motor [CNY]."
)
@click.option(
    "--reman-price",
    type=float,
    help="With --compare: list price of one remanufactured motor [CNY].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the quote as JSON.")
@lang_option
@errors
def quote(
    motor_type,
    kw,
    grade,
    kind,
    qty,
    trade_in,
    old_kw,
    old_qty,
    region,
    sale_date,
    price,
    poles,
    efficiency,
    old_efficiency,
    old_series,
    old_poles,
    scheme_paths,
    profile_path,
    hours,
    load,
    coal_factor,
    grid_factor,
    part_load,
    tariff,
    compare,
    repair_cost,
    reman_price,
    as_json,
    lang,
):
    """Price one sale line at the counter: every component, its rate and why.

    \b
    Examples:
      motorsub quote --motor-type lv_async --kw 15 --grade 2 --region CN-JS --date 2010-09-01
      motorsub quote --motor-type lv_async --kw 11 --poles 4 --grade 2 --trade-in \\
          --old-kw 11 --old-efficiency 87.6 --region CN-SH --date 2013-06-01 \\
          --hours 4000 --load 0.75 --tariff 0.8 --price 3800
      motorsub quote --motor-type lv_async --kw 11 --poles 4 --grade 2 --old-kw 11 \\
          --old-efficiency 87.6 --region CN-SH --date 2013-06-01 --hours 4000 \\
          --load 0.75 --tariff 0.8 --price 3800 --compare --reman-price 2600 \\
          --repair-cost 900

    The old motor's values (--old-kw, --old-qty, --old-efficiency, --old-series,
    --old-poles) count only on a trade-in: give --trade-in with them (--compare implies it).
    """
    from motorsub import i18n
    from motorsub.cli import lean as _lean

    _lean.start()
    from motorsub.engine import quote as engine
    from motorsub.render.quote import render, render_comparison

    if not compare and (repair_cost is not None or reman_price is not None):
        _ = i18n.translator()
        raise click.UsageError(_("--repair-cost and --reman-price go with --compare"))
    line = dict(
        motor_type=motor_type, kw=kw, grade=grade, kind=kind, qty=qty, trade_in=trade_in,
        old_kw=old_kw, old_qty=old_qty, region=region, date=sale_date, price=price,
        poles=None if poles is None else int(poles), efficiency=efficiency,
        old_efficiency=old_efficiency, old_series=old_series,
        old_poles=None if old_poles is None else int(old_poles), hours=hours, load=load,
        schemes=list(scheme_paths) or None,
        savings=settings_from(profile_path, None, None, coal_factor, grid_factor, part_load,
                              tariff),
    )  # fmt: skip
    if compare:
        line.pop("kind")
        c = engine.compare(**line, repair_cost=repair_cost, reman_price=reman_price)
        out = c.to_dict() if as_json else render_comparison(c, lang)
    else:
        q = engine.quote(**line)
        out = q.to_dict() if as_json else render(q, lang)
    click.echo(json.dumps(out, indent=2, ensure_ascii=False) if as_json else out)

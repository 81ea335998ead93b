"""``motorsub quote``: price one sale line at the counter."""

from __future__ import annotations

import json

import click

from motorsub import vocab
from motorsub.cli.options import (
    EPILOG,
    errors,
    lang_option,
    savings_options,
    schemes_option,
    settings_from,
)


@click.command(epilog=EPILOG)
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
@click.option("--old-series", help="Series of the old motor (e.g. Y) for its baseline.")
@click.option(
    "--old-poles", type=click.Choice([str(p) for p in vocab.POLES]), help="Poles of the old motor."
)
@schemes_option
@savings_options
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
    """
    from motorsub.cli import lean as _lean

    _lean.start()
    from motorsub.engine.quote import quote as make_quote
    from motorsub.render.quote import render

    q = make_quote(
        motor_type=motor_type, kw=kw, grade=grade, kind=kind, qty=qty, trade_in=trade_in,
        old_kw=old_kw, old_qty=old_qty, region=region, date=sale_date, price=price,
        poles=poles, efficiency=efficiency, old_efficiency=old_efficiency,
        old_series=old_series, old_poles=old_poles, hours=hours, load=load,
        schemes=list(scheme_paths) or None,
        savings=settings_from(profile_path, None, None, coal_factor, grid_factor, part_load,
                          tariff),
    )  # fmt: skip
    click.echo(
        json.dumps(q.to_dict(), indent=2, ensure_ascii=False) if as_json else render(q, lang)
    )

"""What every ``motorsub`` command shares: options, the exit-code epilog and error mapping.

Exit codes: 0 done (rows may have been rejected), 2 usage error or unreadable input or a
missing required column, 3 invalid scheme, 4 rejected rows under ``--strict``
(docs/rules.md section 8).
"""

from __future__ import annotations

import contextlib
import functools
import sys
import unicodedata
from pathlib import Path

import click

from motorsub import _jit
from motorsub.backends import DEFAULT_BATCH_ROWS
from motorsub.errors import MotorsubError

__all__ = [
    "DEFAULT_BATCH_ROWS",
    "EPILOG",
    "aliases_option",
    "errors",
    "headers_option",
    "lang_option",
    "output_option",
    "savings_options",
    "schemes_option",
    "settings_from",
    "sheet_option",
]

EPILOG = "Exit codes: 0 done, 2 bad usage or input, 3 invalid scheme, 4 rejects under --strict."


def _shown(text: str) -> str:
    """A message as printed: control characters a file brought in (a form feed in a
    header, say) escaped, so that they neither break the message's lines nor reach the
    terminal; the message's own line breaks stay."""
    return "".join(
        c if c == "\n" or unicodedata.category(c) != "Cc" else repr(c)[1:-1] for c in text
    )


#: The optional parts (extras) and the modules each brings.
EXTRAS = {
    "web": ("fastapi", "starlette", "uvicorn", "jinja2", "multipart", "python_multipart"),
    "cluster": ("dask", "distributed", "fsspec", "bokeh"),
}


def _extra(module: str | None) -> str | None:
    top = (module or "").split(".")[0]
    return next((name for name, mods in EXTRAS.items() if top in mods), None)


def errors(func):
    """Turn motorsub's own errors into a message on stderr and the documented exit code.

    The command runs in the language of its ``--lang`` (:func:`motorsub.i18n.speaking`), so
    that errors raised deep in the library, which name no language, speak it too."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from motorsub import i18n

        with i18n.speaking(kwargs.get("lang")):
            _ = i18n.translator()
            notice = (
                _jit.when_compiling(lambda: click.echo(_jit.compiling_words(_), err=True))
                if func.__name__ != "warmup"  # which says what it compiles itself
                else contextlib.nullcontext()
            )
            try:
                with notice:
                    return func(*args, **kwargs)
            except MotorsubError as exc:
                _fail(_("motorsub: error: {message}").format(message=exc), exc.exit_code)
            except ModuleNotFoundError as exc:
                extra = _extra(exc.name)
                if extra is None:
                    raise
                _fail(
                    _("motorsub: error: this needs the optional part motorsub[{extra}] (no "
                      'module {module!r} here): pip install "motorsub[{extra}]"')
                    .format(extra=extra, module=exc.name),
                    2,
                )  # fmt: skip
            except BrokenPipeError:
                raise  # the reader closed the pipe: the command group ends quietly
            except OSError as exc:  # a file that cannot be read or written: disk full, no right
                where = f"{exc.filename}: " if exc.filename else ""
                message = f"{where}{exc.strerror or exc}"
                _fail(_("motorsub: error: {message}").format(message=message), 2)

    return wrapper


def closing_line(text: str) -> None:
    """The command's last line, on stderr, after everything it printed on stdout (a pipe
    that carries both would otherwise show it inside stdout's last, still buffered, line)."""
    sys.stdout.flush()
    click.echo(text, err=True)


def _fail(message: str, code: int):
    click.echo(_shown(message), err=True)
    sys.exit(code)


schemes_option = click.option(
    "--schemes",
    "scheme_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="A folder of *.toml scheme files (or one file) that adds to or overrides the "
    "shipped schemes; repeatable.",
)


def _lang(ctx, param, value):
    from motorsub import i18n

    try:
        return i18n.negotiate(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


lang_option = click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    callback=_lang,
    is_eager=True,  # known before the other options are checked: their errors speak it
    help="Language of what is printed and reported: zh or en [default: the locale's, else en].",
)


def sheet_option(what: str = "INPUT"):
    """``--sheet NAME``: the sheet of the .xlsx file ``what`` to read."""
    return click.option(
        "--sheet", help=f"The sheet of an .xlsx {what} to read [default: the first]."
    )


aliases_option = click.option(
    "--aliases",
    "aliases_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A CSV of more spellings of column names and codes (what,alias,value,note), "
    "added to the shipped table motorsub/data/aliases.csv.",
)


def headers_option(files: str = "output and rejects files"):
    """``--headers id|zh``: the column headers of the tables a command writes."""
    return click.option(
        "--headers",
        type=click.Choice(["id", "zh"]),
        default="id",
        show_default=True,
        help=f"Column headers of the {files}: the stable ids, or Chinese.",
    )


output_option = click.option(
    "-o",
    "--output",
    "output_path",
    required=True,
    type=click.Path(path_type=Path),
    help="Output file, .csv, .parquet or .xlsx.",
)


def savings_options(func):
    """The options that set the savings assumptions, shared by compute and quote."""
    options = [
        click.option(
            "--profile",
            "profile_path",
            type=click.Path(exists=True, path_type=Path),
            help="A savings profile TOML replacing the shipped one.",
        ),
        click.option(
            "--hours", type=float, help="Operating hours per year for lines without their own [h]."
        ),
        click.option(
            "--load", type=float, help="Mean load (fraction of rating) for lines without their own."
        ),
        click.option(
            "--coal-factor",
            help="Coal factor by name (equivalent, calorific, "
            "thermal_2010, thermal_2011) or in kgce/kWh [default: equivalent].",
        ),
        click.option(
            "--grid-factor",
            help="Grid CO2 factor by name (e.g. shanghai) or in "
            "kgCO2/kWh [default: each region's grid].",
        ),
        click.option(
            "--part-load", is_flag=True, help="Take both motors' efficiencies at their actual load."
        ),
        click.option(
            "--tariff", type=float, help="Electricity price [CNY/kWh]: bill saving and payback."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def settings_from(
    profile_path, hours, load, coal_factor, grid_factor, part_load, tariff, life_years=None
):
    from motorsub.model.profile import settings  # pydantic: only when a command runs

    return settings(
        profile_path,
        hours=hours,
        load=load,
        coal_factor=coal_factor,
        grid_factor=grid_factor,
        part_load=part_load,
        tariff=tariff,
        life_years=life_years,
    )

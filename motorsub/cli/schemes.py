"""``motorsub schemes``: list, show and validate subsidy schemes."""

from __future__ import annotations

from pathlib import Path

import click

from motorsub.cli.options import EPILOG, errors, lang_option, schemes_option


@click.group(epilog=EPILOG)
def schemes():
    """List, show and validate subsidy schemes.

    \b
    Examples:
      motorsub schemes list
      motorsub schemes show cn_sh_tradein
      motorsub schemes validate my_scheme.toml
    """


@schemes.command("list")
@schemes_option
@lang_option
@errors
def schemes_list(scheme_paths, lang):
    """List the schemes in force with their versions and components.

    \b
    Examples:
      motorsub schemes list
      motorsub schemes list --lang zh
    """
    from motorsub.model.schemes import load_schemes
    from motorsub.render.schemes import schemes_list_text

    click.echo(schemes_list_text(load_schemes(list(scheme_paths) or None), lang))


@schemes.command("show")
@click.argument("scheme_id")
@schemes_option
@lang_option
@errors
def schemes_show(scheme_id, scheme_paths, lang):
    """Show every version, rate, source and status of SCHEME_ID, and the cells with no rate.

    \b
    Examples:
      motorsub schemes show cn_sh_tradein
      motorsub schemes show cn_sh_tradein --lang zh
    """
    from motorsub.errors import InputError, SchemeError
    from motorsub.model.schemes import load_schemes
    from motorsub.render.schemes import scheme_text

    loaded = load_schemes(list(scheme_paths) or None)  # a broken scheme file: exit 3
    try:
        scheme = loaded.scheme(scheme_id)
    except SchemeError as exc:  # an id not loaded is a usage error (exit 2), same words
        raise InputError(str(exc)) from None
    click.echo(scheme_text(scheme, lang))


@schemes.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@lang_option
@errors
def schemes_validate(paths, lang):
    """Check scheme files (or folders of them); exit 3 with the file and key if one is invalid.

    \b
    Examples:
      motorsub schemes validate my_scheme.toml
      motorsub schemes validate schemes/ --lang zh
    """
    from motorsub import i18n
    from motorsub.model.schemes import load_schemes

    loaded = load_schemes(list(paths), defaults=False)
    for s in loaded.schemes:
        _ = i18n.translator(lang)
        click.echo(
            _(
                "ok  {id}  ({file}): {versions} version(s), {components} component(s)"
            ).format(
                id=s.id, file=s.source_file, versions=len(s.versions),
                components=len(s.components),
            )
        )  # fmt: skip

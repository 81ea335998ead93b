"""click's usage errors (no such option, a missing argument, an invalid value) in the user's
language.

click words its own errors in English. Where the user speaks another language, each error
is read by its kind (click's exception class and the parameter's type) and worded again,
in motorsub's own words, through the one catalogue; the value given is taken from the
command line. English keeps click's own words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import click

from motorsub import i18n

_CLICK_TYPES = (
    click.Choice,
    click.IntRange,
    click.FloatRange,
    click.types.IntParamType,
    click.types.FloatParamType,
    click.types.BoolParamType,
    click.Path,
    click.File,
    click.DateTime,
)


def language(args: Sequence[str]) -> str | None:
    """The ``--lang`` of a command line, read before click parses it (a usage error may
    stop click before it reaches ``--lang``); None where none is given or it is unknown."""
    value = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
    try:
        return i18n.negotiate(value) if value is not None else None
    except ValueError:
        return None


def one_dash(command: click.Command, args: Sequence[str]) -> str | None:
    """The message for a long option written with one dash (``-out`` for ``--output``),
    the first on the command line; None if there is none.

    click reads such a word as a short option with its value glued on (``-out`` as
    ``-o ut``), and the command goes on with a puzzling error or none: the output file
    is called ``ut`` and the file meant becomes a second input. A word is taken for one when
    its first letter is a short option of the command and, given two dashes, it starts one
    of the command's long options."""
    opts = [o for p in command.params if isinstance(p, click.Option) for o in p.opts]
    shorts = {o for o in opts if re.fullmatch(r"-[A-Za-z]", o)}
    longs = [o for o in opts if o.startswith("--")]
    for arg in args:
        if arg == "--":
            break
        if not re.fullmatch(r"-[A-Za-z][A-Za-z-]+", arg) or arg[:2] not in shorts:
            continue
        meant = [o for o in longs if o.startswith("-" + arg)]
        if meant:
            _ = i18n.translator()
            return _(
                "{given}: with one dash this reads as {short} {rest}; write {meant} (two "
                "dashes), or {short} and its value"
            ).format(given=arg, short=arg[:2], rest=arg[2:], meant=" / ".join(meant))
    return None


class TranslatedUsageError(click.UsageError):
    """A usage error already worded in the user's language: shown with the command's usage
    line and where to find help, in that language."""

    def show(self, file=None) -> None:
        _ = i18n.translator()
        ctx = self.ctx
        if ctx is not None:
            pieces = " ".join(ctx.command.collect_usage_pieces(ctx))
            click.echo(
                _("Usage: {command} {arguments}").format(
                    command=ctx.command_path, arguments=pieces
                ),
                err=True,
            )
            names = ctx.command.get_help_option_names(ctx)
            if ctx.command.get_help_option(ctx) is not None and names:
                click.echo(
                    _("Run '{command} {option}' for help.").format(
                        command=ctx.command_path, option=max(names, key=len)
                    ),
                    err=True,
                )
        click.echo(_("Error: {message}").format(message=self.format_message()), err=True)


def translated(exc: click.UsageError, args: Sequence[str]) -> click.UsageError:
    """``exc`` worded in the language spoken (:func:`motorsub.i18n.negotiate`); ``exc``
    itself in English. ``args`` is the command line, where a wrong value is read from."""
    if isinstance(exc, TranslatedUsageError) or i18n.negotiate() == "en":
        return exc
    out = TranslatedUsageError(_message(exc, list(args)), exc.ctx)
    out.exit_code = exc.exit_code
    return out


def _hint(param: click.Parameter | None) -> str:
    if param is None:
        return ""
    if isinstance(param, click.Option):
        return " / ".join(param.opts)
    return param.human_readable_name


def _given(param: click.Parameter, args: list[str], message: str) -> str | None:
    """The value given to ``param`` on the command line (the last one, as click keeps)."""
    if isinstance(param, click.Option):
        value = None
        for i, arg in enumerate(args):
            for opt in param.opts:
                if arg == opt and i + 1 < len(args):
                    value = args[i + 1]
                elif arg.startswith(opt + "=") and opt.startswith("--"):
                    value = arg[len(opt) + 1 :]
        if value is not None:
            return value
    quoted = re.search(r"'([^']*)'", message)  # click quotes the value of an argument
    return quoted.group(1) if quoted else None


def _message(exc: click.UsageError, args: list[str]) -> str:
    _ = i18n.translator()
    if isinstance(exc, click.NoSuchOption):
        text = _("no such option {option}").format(option=exc.option_name)
        if exc.possibilities:
            text += _(" (did you mean {options}?)").format(options=", ".join(exc.possibilities))
        return text
    if isinstance(exc, click.MissingParameter):
        hint = _hint(exc.param)
        if isinstance(exc.param, click.Option):
            return _("missing option {option}").format(option=hint)
        return _("missing argument {argument}").format(argument=hint)
    if isinstance(exc, click.BadOptionUsage):
        if "does not take a value" in exc.message:
            return _("option {option} takes no value").format(option=exc.option_name)
        if "requires" in exc.message:
            return _("option {option} needs a value").format(option=exc.option_name)
        return _("option {option} is used wrongly").format(option=exc.option_name)
    if isinstance(exc, click.BadArgumentUsage):
        extra = re.search(r"\((.*)\)\s*$", exc.message)
        if extra:
            return _("unexpected extra argument(s): {arguments}").format(arguments=extra[1])
        return exc.message
    if isinstance(exc, click.BadParameter):
        return _bad_value(exc, args)
    command = re.fullmatch(r"No such command '(.*)'\.", exc.message)
    if command:
        names = exc.ctx.command.list_commands(exc.ctx) if exc.ctx else []
        return _("no such command {name!r}; the commands: {names}").format(
            name=command[1], names=", ".join(names)
        )
    return exc.message  # motorsub's own: worded in the language spoken when raised


def _bad_value(exc: click.BadParameter, args: list[str]) -> str:
    _ = i18n.translator()
    param = exc.param
    hint = _hint(param)
    kind = param.type if param is not None else None
    if kind is None or not isinstance(kind, _CLICK_TYPES):
        # a check of motorsub's own: its message is worded in the language spoken
        return _("{parameter}: invalid value: {message}").format(
            parameter=hint or "?", message=exc.message
        )
    value = _given(param, args, exc.message)
    shown = repr(value) if value is not None else _("the value given")
    if isinstance(kind, click.Choice):
        what = _("is not one of {choices}").format(choices=", ".join(map(str, kind.choices)))
    elif isinstance(kind, click.IntRange | click.FloatRange):
        what = _("is not a number from {low} to {high}").format(
            low="-∞" if kind.min is None else kind.min, high="∞" if kind.max is None else kind.max
        )
    elif isinstance(kind, click.types.IntParamType):
        what = _("is not a whole number")
    elif isinstance(kind, click.types.FloatParamType):
        what = _("is not a number")
    elif isinstance(kind, click.types.BoolParamType):
        what = _("is not yes or no (true/false, 1/0)")
    elif isinstance(kind, click.Path) and "does not exist" in exc.message:
        what = _("does not exist")
    elif isinstance(kind, click.DateTime):
        what = _("is not a date written {formats}").format(formats=", ".join(kind.formats))
    else:
        what = _("cannot be used here")
    return _("{parameter}: {value} {what}").format(parameter=hint, value=shown, what=what)

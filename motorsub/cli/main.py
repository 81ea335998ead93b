"""The ``motorsub`` command line: one module per command, imported only when it runs.

Each command parses its options, calls one library function and shows the result; the
library's own errors become a message and the documented exit code
(:func:`motorsub.cli.options.errors`).
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from importlib import import_module
from typing import ClassVar

import click

from motorsub.cli.options import EPILOG


def _quiet_exit() -> None:
    """Exit 0 with stdout and stderr pointed at /dev/null, so that flushing what is left at
    shutdown does not raise again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError, AttributeError):
            pass
    sys.exit(0)


class _LazyGroup(click.Group):
    """A group whose commands are imported only when asked for (click's pattern)."""

    lazy: ClassVar[dict[str, str]] = {
        "audit": "motorsub.cli.audit:audit",
        "compute": "motorsub.cli.compute:compute",
        "project": "motorsub.cli.project:project",
        "quote": "motorsub.cli.quote:quote",
        "schemes": "motorsub.cli.schemes:schemes",
        "serve": "motorsub.cli.serve:serve",
        "synth": "motorsub.cli.synth:synth",
        "warmup": "motorsub.cli.warmup:warmup",
    }

    def main(self, args=None, *rest, **options):
        """Run the command line in the language of its ``--lang`` (else the locale's): the
        usage errors click finds before the command runs speak it too."""
        from motorsub import i18n
        from motorsub.cli import usage

        self._args = list(sys.argv[1:] if args is None else args)
        with i18n.speaking(usage.language(self._args)):
            return super().main(self._args, *rest, **options)

    def _translated(self, exc: click.UsageError) -> click.UsageError:
        from motorsub.cli import usage

        return usage.translated(exc, getattr(self, "_args", ()))

    def make_context(self, *args, **kwargs):
        """The group's own options parsed; a usage error in the language spoken."""
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            raise self._translated(exc) from None

    def invoke(self, ctx):
        """Run the command; a usage error is shown in the language spoken, and a reader that
        closes the pipe (``motorsub ... | head``) ends it quietly with exit 0, as the
        conventional SIGPIPE behaviour does."""
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise self._translated(exc) from None
        except BrokenPipeError:
            _quiet_exit()

    def resolve_command(self, ctx, args):
        """The command asked for; a long option of it written with one dash (``-out``) is
        a usage error, worded in the language spoken (:func:`usage.one_dash`)."""
        from motorsub.cli import usage

        name, command, rest = super().resolve_command(ctx, args)
        problem = usage.one_dash(command, rest) if command is not None else None
        if problem:  # shown with the command's usage line
            raise usage.TranslatedUsageError(problem, click.Context(command, ctx, name))
        return name, command, rest

    def list_commands(self, ctx):
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx, name):
        if name in self.lazy:
            module, attr = self.lazy[name].split(":")
            return getattr(import_module(module), attr)
        return super().get_command(ctx, name)


@click.group(
    cls=_LazyGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(package_name="motorsub")
def main():
    """Price, project and audit China's high-efficiency motor subsidies.

    \b
    Examples:
      motorsub compute examples/records.csv -o results.csv
      motorsub quote --motor-type lv_async --kw 15 --grade 2 --region CN-JS --date 2010-09-01
      motorsub schemes show cn_national
      motorsub synth --rows 1000000 --seed 1 -o records.parquet
    """


def run() -> None:
    """The ``motorsub`` program (console script and ``python -m motorsub``): the command
    line, then an exit that skips the interpreter's teardown.

    When a command returns, its files are closed and its results written; what is left is
    teardown. pyarrow's I/O threads may still hold the last reference to a CSV reader read
    moments before, and releasing it needs the GIL: during teardown such a thread is
    stopped mid-release and the process aborts ("terminate called without an active
    exception", exit 134) after finishing its work. So the other threads are ended as the
    interpreter ends them (:func:`_shutdown_threads`), the exit handlers run, the standard
    streams are flushed and the process ends with the command's own exit code. In-process
    callers (``click.testing``, the web app) use :func:`main` and are unaffected.
    """
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): printed, exit 1
        print(code, file=sys.stderr)
        code = 1
    _shutdown_threads()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            pass
    os._exit(code)


def _shutdown_threads() -> None:
    """End the other Python threads as the interpreter does at exit: thread pools are told
    to stop (``concurrent.futures`` registers that with :mod:`threading`), then every
    non-daemon thread is joined. Joining first would wait forever on an idle pool's
    workers."""
    shutdown = getattr(threading, "_shutdown", None)
    if shutdown is not None:
        shutdown()
        return
    for thread in threading.enumerate():  # an interpreter without the hook
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()

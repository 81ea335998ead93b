"""``motorsub serve``: the counter's web page and JSON API."""

from __future__ import annotations

import ipaddress

import click

from motorsub.cli.options import errors, schemes_option

SERVE_EPILOG = "Exit codes: 0 stopped, 2 bad usage (e.g. a non-loopback host without a token)."


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command(epilog=SERVE_EPILOG)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--token",
    envvar="MOTORSUB_TOKEN",
    help="Access token every request must carry (?token=, a cookie, or the header "
    "X-Motorsub-Token); required on a non-loopback host [env: MOTORSUB_TOKEN].",
)
@click.option(
    "--jobs", type=click.IntRange(1, 64), default=2, show_default=True,
    help="Batch files computed at once.",
)  # fmt: skip
@click.option(
    "--max-upload", type=click.IntRange(1), default=200, show_default=True,
    help="Largest upload [MB].",
)  # fmt: skip
@click.option(
    "--valid-days", type=click.IntRange(1), default=30, show_default=True,
    help="Validity of a printed quote [days].",
)  # fmt: skip
@schemes_option
@errors
def serve(host, port, token, jobs, max_upload, valid_days, scheme_paths):
    """Serve the counter: price trade-ins in a browser (Chinese first), print the quote
    sheet, compute uploaded files, and a JSON API (documented at /docs).

    \b
    Examples:
      motorsub serve                       # http://127.0.0.1:8000/quote
      MOTORSUB_TOKEN=s3cret motorsub serve --host 0.0.0.0 --port 8080
    """
    if not _loopback(host) and not token:
        from motorsub import i18n

        _ = i18n.translator()
        raise click.UsageError(
            _(
                "--host {host} is reachable from other machines: give --token (or set "
                "MOTORSUB_TOKEN) so that every request must carry it"
            ).format(host=host)
        )
    from motorsub.cli import lean

    lean.start()  # quotes run the kernels as plain Python: see benchmarks/bench_web.py
    import uvicorn

    from motorsub.web.app import MIB, Config, create_app

    app = create_app(
        Config(
            token=token or None,
            jobs=jobs,
            max_upload=max_upload * MIB,
            scheme_paths=list(scheme_paths),
            valid_days=valid_days,
        )
    )
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"motorsub counter on http://{shown}:{port}/quote (Ctrl-C stops it)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)

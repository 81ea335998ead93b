"""Back ends: where the batches of a ``compute`` run are computed.

A back end takes a :class:`Job` (what to read, what to write, under which schemes and
assumptions) and runs every batch of the input through the one per-batch function,
:func:`motorsub.engine.batch.compute_batch`, then merges the batches' exact totals
(:meth:`motorsub.kernels.totals.Totals.merge`) into the summary. It holds no rule of its
own. :mod:`motorsub.backends.local` runs one process (a reader thread, the kernels on
every core, a writer thread); :mod:`motorsub.cluster.compute` runs the input's fragments
as tasks on a Dask cluster (``compute --cluster``). A back end is a module with a
``run(job, progress)`` function, registered in :data:`BACKENDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from motorsub.errors import InputError

if TYPE_CHECKING:  # annotations only: the command line imports this module at start-up
    from motorsub.model.profile import Settings
    from motorsub.model.schemes import SchemeSet

#: Lines per batch: about 0.8 GB peak with the kernels' arrays.
DEFAULT_BATCH_ROWS = 250_000

#: Back end name → module with a ``run(job, progress) -> dict`` function.
BACKENDS = {"local": "motorsub.backends.local", "dask": "motorsub.cluster.compute"}

#: Called after each batch with (rows done, total rows or an estimate, or None).
Progress = Callable[[int, "int | None"], None]


@dataclass(frozen=True)
class Job:
    """One ``compute`` run: its files, schemes and assumptions."""

    input_path: str | Path | tuple[str, ...]  # as given; a cluster takes several
    output_path: Path  # a cluster's OUTDIR (a path or an fsspec URL)
    rejects_path: Path
    summary_path: Path | None
    schemes: SchemeSet
    settings: Settings
    strict: bool = False
    encoding: str | None = None
    batch_rows: int = DEFAULT_BATCH_ROWS
    aliases: Path | None = None  # more spellings of columns and codes (--aliases)
    sheet: str | None = None  # the sheet of an .xlsx input (default: the first)
    headers: str = "id"  # output column headers: "id" (stable names) or "zh" (Chinese)
    cluster: str | None = None  # a cluster's spec (motorsub.cluster.parse)
    overwrite: bool = False  # a cluster run may replace an existing OUTDIR
    lang: str = "en"  # language of the rejects file's messages
    compression: str | None = None  # a Parquet output's (--compression; None: the default)


def make_job(
    input_path, output_path, rejects_path, schemes, savings, summary_path=None, **options
) -> Job:
    """A :class:`Job`; ``schemes`` as :func:`motorsub.engine.batch.as_schemes` takes them,
    ``savings`` None for the shipped profile's settings."""
    from motorsub.engine.batch import as_schemes  # the engine only once a run is made
    from motorsub.model.profile import settings

    return Job(
        input_path=input_path,
        output_path=output_path,
        rejects_path=rejects_path,
        summary_path=Path(summary_path) if summary_path else None,
        schemes=as_schemes(schemes),
        settings=savings if savings is not None else settings(),
        **options,
    )


def default_rejects_path(output: Path) -> Path:
    """``results.csv`` → ``results.rejects.csv``, beside the output."""
    return output.with_name(f"{output.stem}.rejects.csv")


def backend(name: str):
    """The module of back end ``name``."""
    if name not in BACKENDS:
        from motorsub import i18n

        _ = i18n.translator()
        raise InputError(
            _("unknown back end {name!r}; known: {known}").format(
                name=name, known=", ".join(BACKENDS)
            )
        )
    return import_module(BACKENDS[name])

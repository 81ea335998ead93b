"""Back ends: where the batches of a ``compute`` run are computed.

A back end takes a :class:`Job` (what to read, what to write, under which schemes and
assumptions) and runs every batch of the input through the one per-batch function,
:func:`motorsub.engine.batch.compute_batch`, then merges the batches' exact totals
(:meth:`motorsub.kernels.totals.Totals.merge`) into the summary. It holds no rule of its
own. Today's back end is :mod:`motorsub.backends.local` (one process, a reader thread, the
kernels on every core, a writer thread); another (a cluster) is one new module with a
``run(job, progress)`` function, registered in :data:`BACKENDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from motorsub.errors import InputError
from motorsub.model.profile import Settings
from motorsub.model.schemes import SchemeSet

#: Lines per batch: about 0.8 GB peak with the kernels' arrays.
DEFAULT_BATCH_ROWS = 250_000

#: Back end name → module with a ``run(job, progress) -> dict`` function.
BACKENDS = {"local": "motorsub.backends.local"}

#: Called after each batch with (rows done, total rows or an estimate, or None).
Progress = Callable[[int, "int | None"], None]


@dataclass(frozen=True)
class Job:
    """One ``compute`` run: its files, schemes and assumptions."""

    input_path: str | Path  # as given: messages and the summary name it so
    output_path: Path
    rejects_path: Path
    summary_path: Path | None
    schemes: SchemeSet
    settings: Settings
    strict: bool = False
    encoding: str | None = None
    batch_rows: int = DEFAULT_BATCH_ROWS
    lang: str = "en"  # language of the rejects file's messages


def default_rejects_path(output: Path) -> Path:
    """``results.csv`` → ``results.rejects.csv``, beside the output."""
    return output.with_name(f"{output.stem}.rejects.csv")


def backend(name: str):
    """The module of back end ``name``."""
    if name not in BACKENDS:
        raise InputError(f"unknown back end {name!r}; known: {', '.join(BACKENDS)}")
    return import_module(BACKENDS[name])

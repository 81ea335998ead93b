"""``compute`` on a Dask cluster: one task per input fragment, parts written by the tasks.

The input is cut into fragments (:func:`motorsub.io.fragments.plan`: a file, or a run of a
Parquet file's row groups). Each task streams its fragment through the one per-batch
function, :func:`motorsub.engine.batch.compute_batch`, in batches of ``batch_rows``, and
writes its results and rejects as Parquet part files, ``results/part-NNNNNN.parquet`` and
``rejects/part-NNNNNN.parquet`` (NNNNNN = the fragment's place in input order, so the
names sort in input order), under a temporary folder beside OUTDIR. Only its exact
:class:`~motorsub.kernels.totals.Totals` travels back; the client merges them
(:meth:`Totals.merge`, integer fen) into ``summary.json``. When every task is done, the
temporary folder is renamed to OUTDIR; if a task fails, it is removed and OUTDIR is left
as it was.

A part is written under an in-progress name and renamed when complete, so a task rerun
after its worker died (Dask reruns the tasks a lost worker held) writes the same part again
and no half-written part survives; leftovers of killed attempts are removed before the
final rename.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pyarrow as pa

from motorsub import i18n, io
from motorsub.backends import DEFAULT_BATCH_ROWS, Job, Progress, make_job
from motorsub.cluster import connect, kernels
from motorsub.engine import aliases, columns
from motorsub.engine.aliases import Aliases
from motorsub.engine.batch import Scratch, compute_batch
from motorsub.errors import InputError
from motorsub.io import fragments
from motorsub.io.fragments import TASK_ROWS, Fragment
from motorsub.io.parquet import Sink
from motorsub.kernels.totals import Totals
from motorsub.model.profile import Settings
from motorsub.model.schemes import SchemeSet

RESULTS, REJECTS, SUMMARY = "results", "rejects", "summary.json"
IN_PROGRESS = ".inprogress"  # suffix of a part being written
#: Column of the rejects parts naming the file of a rejected row, when several CSV files
#: are read (each numbers its rows from its own header).
SOURCE_FILE = "source_file"


@dataclass(frozen=True)
class Spec:
    """What every task needs besides its fragment; pickled into each task (a few kB)."""

    token: str  # one run: a worker keeps one set of kernel buffers per run and thread
    schemes: SchemeSet
    settings: Settings
    workdir: str  # the temporary folder (a path or an fsspec URL)
    width: int  # digits of the part numbers
    strict: bool = False
    encoding: str | None = None
    batch_rows: int = DEFAULT_BATCH_ROWS
    name_files: bool = False  # add SOURCE_FILE to the rejects
    aliases: Aliases | None = None  # spellings of columns and codes (default: the packaged)
    headers: str = "id"  # output column headers: "id" or "zh"
    lang: str = "en"  # language of the rejects file's messages


def part_name(index: int, width: int) -> str:
    return f"part-{index:0{width}d}.parquet"


_local = threading.local()


def _scratch(spec: Spec) -> Scratch:
    """This thread's kernel buffers for this run (kept between its tasks)."""
    if getattr(_local, "token", None) != spec.token:
        _local.token, _local.scratch = spec.token, Scratch(spec.schemes)
    return _local.scratch


class _Part:
    """A Parquet part written under an in-progress name, renamed into place on commit."""

    def __init__(self, fs, folder: str, name: str, plain=()):
        self.fs, self.final = fs, f"{folder}/{name}"
        self.tmp = f"{folder}/.{name}.{uuid.uuid4().hex}{IN_PROGRESS}"
        self.plain = frozenset(plain)
        self._file = self._sink = None

    def write(self, table: pa.Table) -> None:
        if self._sink is None:
            self._file = self.fs.open(self.tmp, "wb")
            self._sink = Sink(self._file, table.schema, self.plain)
        self._sink.write(table)

    def commit(self) -> None:
        self._sink.close()
        self._file.close()
        self.fs.mv(self.tmp, self.final)

    def abort(self) -> None:
        for closing in (self._sink, self._file):
            if closing is not None:
                try:
                    closing.close()
                except Exception:  # already failing: the part is thrown away anyway
                    pass
        if self.fs.exists(self.tmp):
            self.fs.rm(self.tmp)


def compute_fragment(frag: Fragment, spec: Spec) -> Totals:
    """Compute one fragment on a worker: write its two parts, return its totals."""
    fs, workdir = fragments.filesystem(spec.workdir)
    name = part_name(frag.index, spec.width)
    out = _Part(fs, f"{workdir}/{RESULTS}", name, columns.UNIQUE_OUTPUT)
    rej = _Part(fs, f"{workdir}/{REJECTS}", name)
    totals = Totals(spec.schemes)
    st, done = spec.settings, 0
    try:
        for chunk in fragments.read_chunks(frag, spec.batch_rows, spec.encoding):
            table = chunk.table
            with kernels():
                batch = compute_batch(
                    table, spec.schemes, st, source=frag.name, offset=frag.offset + done,
                    strict=spec.strict, scratch=_scratch(spec), aliases=spec.aliases,
                    row_numbers=chunk.rows, bad_lines=chunk.bad_lines, blank=chunk.blank,
                )  # fmt: skip
                totals.add(batch)
                rejects = columns.rejects_table(batch, spec.lang)
                rejects = columns.with_headers(rejects, spec.headers)
                output = columns.output_table(batch, st)
                out.write(columns.with_headers(output, spec.headers))  # before buffers reuse
            if spec.name_files:
                names = pa.array([frag.name] * rejects.num_rows, pa.string())
                rejects = rejects.add_column(1, SOURCE_FILE, names)
            rej.write(rejects)
            done += table.num_rows
        out.commit()
        rej.commit()
    except BaseException:
        out.abort()
        rej.abort()
        raise
    return totals


def check_outdir(outdir: str | Path, overwrite: bool):
    """(file system, path) of OUTDIR.

    Raises
    ------
    InputError
        OUTDIR exists and ``overwrite`` is false.
    """
    fs, out = fragments.filesystem(str(outdir))
    out = out.rstrip("/")
    if fs.exists(out) and not overwrite:
        _ = i18n.translator()
        raise InputError(
            _("{path}: already exists; give --overwrite to replace it").format(path=outdir)
        )
    return fs, out


def _token(schemes: SchemeSet, st: Settings) -> str:
    return hashlib.sha256(pickle.dumps((schemes, st, uuid.uuid4().hex))).hexdigest()[:16]


def _workdir(fs, outdir: str) -> str:
    parent, name = PurePosixPath(outdir).parent, PurePosixPath(outdir).name
    return f"{parent}/.{name}.{uuid.uuid4().hex[:12]}.tmp"


def _progress_total(frags: list[Fragment], done_bytes: int, done_rows: int) -> int | None:
    """Rows of the whole input: exact for Parquet, estimated from bytes for CSV."""
    if all(f.rows is not None for f in frags):
        return sum(f.rows for f in frags)
    if not done_bytes:
        return None
    return max(done_rows, round(done_rows * sum(f.size for f in frags) / done_bytes))


def run(job: Job, progress: Progress | None = None, *, client=None, task_rows=TASK_ROWS) -> dict:
    """Compute ``job`` on a cluster (``client``, else ``job.cluster`` connected for the
    run); write OUTDIR (``job.output_path``) and return the summary.

    Raises
    ------
    InputError
        OUTDIR exists without ``job.overwrite``; an input cannot be read (the message
        names the file); nothing is then written under OUTDIR.
    RejectedRowsError
        ``job.strict`` and a row is rejected.
    """
    inputs = job.input_path if isinstance(job.input_path, tuple) else (job.input_path,)
    inputs = tuple(str(i) for i in inputs)
    outdir = str(job.output_path)
    fs, out = check_outdir(outdir, job.overwrite)
    frags = fragments.plan(inputs, task_rows)
    work = _workdir(fs, out)
    spec = Spec(
        token=_token(job.schemes, job.settings),
        schemes=job.schemes,
        settings=job.settings,
        workdir=fragments.url_of(fs, work),
        width=max(6, len(str(len(frags) - 1))),
        strict=job.strict,
        encoding=job.encoding,
        batch_rows=job.batch_rows,
        name_files=len(frags) > 1 and frags[0].format == "csv",
        aliases=aliases.load(job.aliases),
        headers=job.headers,
        lang=job.lang,
    )
    fs.makedirs(f"{work}/{RESULTS}", exist_ok=True)
    fs.makedirs(f"{work}/{REJECTS}", exist_ok=True)
    try:
        if client is None:
            with connect(job.cluster or "local") as own:
                totals = _run_tasks(own, frags, spec, job.schemes, progress)
        else:
            totals = _run_tasks(client, frags, spec, job.schemes, progress)
        summary = totals.summary() | {"assumptions": job.settings.describe()}
        summary["files"] = {
            "input": inputs[0] if len(inputs) == 1 else list(inputs),
            "output": f"{outdir.rstrip('/')}/{RESULTS}",
            "rejects": f"{outdir.rstrip('/')}/{REJECTS}",
        }
        text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
        with fs.open(f"{work}/{SUMMARY}", "w", encoding="utf-8") as f:
            f.write(text)
        for folder in (RESULTS, REJECTS):  # leftovers of attempts on a lost worker
            for p in fs.ls(f"{work}/{folder}", detail=False):
                if p.endswith(IN_PROGRESS):
                    fs.rm(p)
        _replace(fs, work, out)
    except BaseException:
        if fs.exists(work):
            fs.rm(work, recursive=True)
        raise
    if job.summary_path:
        with io.atomic_path(job.summary_path) as tmp:
            tmp.write_text(text, encoding="utf-8")
    return summary


def _replace(fs, work: str, out: str) -> None:
    """Rename ``work`` to ``out``; an existing ``out`` is moved aside first and removed
    only once the new one is in place."""
    if not fs.exists(out):
        fs.mv(work, out, recursive=True)
        return
    aside = _workdir(fs, out) + ".old"
    fs.mv(out, aside, recursive=True)
    try:
        fs.mv(work, out, recursive=True)
    except BaseException:
        fs.mv(aside, out, recursive=True)
        raise
    fs.rm(aside, recursive=True)


def _run_tasks(client, frags, spec: Spec, schemes: SchemeSet, progress) -> Totals:
    """One task per fragment; merge their totals as they complete."""
    from distributed import KilledWorker, as_completed

    totals = Totals(schemes)
    futures = client.map(compute_fragment, frags, spec=spec, pure=False)
    size = {f.key: frag for f, frag in zip(futures, frags)}
    done_rows = done_bytes = 0
    try:
        for future in as_completed(futures):
            try:
                part = future.result()  # a task's error is raised here, naming its file
            except KilledWorker as exc:
                frag = size.get(getattr(exc, "task", None), size[future.key])
                _ = i18n.translator()
                raise InputError(
                    _(
                        "{name}: the task of this fragment ended its worker process again "
                        "and again (Dask gave up after its retries); a worker out of memory "
                        "is the usual cause: give --batch-rows a smaller value or the "
                        "workers more memory"
                    ).format(name=frag.name)
                ) from None
            totals.merge(part)
            frag = size[future.key]
            done_rows += part.read
            done_bytes += frag.size if frag.rows is None else 0
            future.release()  # not kept: a lost worker's finished tasks need no rerun
            if progress:
                progress(done_rows, _progress_total(frags, done_bytes, done_rows))
    except BaseException:
        client.cancel(futures)
        raise
    return totals


def compute_dataset(
    inputs: str | Path | Sequence[str | Path],
    outdir: str | Path,
    schemes: SchemeSet | str | Path | list | None = None,
    *,
    cluster: str = "local",
    client=None,
    overwrite: bool = False,
    summary_path: str | Path | None = None,
    strict: bool = False,
    encoding: str | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    task_rows: int = TASK_ROWS,
    progress: Progress | None = None,
    savings: Settings | None = None,
    aliases_path: str | Path | None = None,
    headers: str = "id",
    lang: str = "en",
) -> dict:
    """Compute a dataset on a Dask cluster into OUTDIR (``results/``, ``rejects/``,
    ``summary.json``); return the summary.

    Parameters
    ----------
    inputs : path, URL or glob, or several
        Parquet files, folders or globs, or CSV files (:mod:`motorsub.io.fragments`).
    cluster : str
        ``local``, ``local:N``, ``tcp://HOST:PORT`` or a scheduler file; ignored when
        ``client`` (a :class:`distributed.Client`) is given.
    task_rows : int
        Rows per task at most (a Parquet file is cut at row-group boundaries).
    """
    many = inputs if isinstance(inputs, list | tuple) else [inputs]
    job = make_job(
        tuple(str(i) for i in many), outdir, Path(str(outdir)) / REJECTS, schemes, savings,
        summary_path, strict=strict, encoding=encoding, batch_rows=batch_rows,
        cluster=cluster, overwrite=overwrite,
        aliases=Path(aliases_path) if aliases_path else None, headers=headers, lang=lang,
    )  # fmt: skip
    return run(job, progress, client=client, task_rows=task_rows)

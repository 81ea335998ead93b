"""The local back end: one process streams a file of any size in bounded memory.

Batch k is written in a writer thread while batch k + 1 is computed (the kernels on every
core) and batch k + 2 read in a reader thread; pyarrow's readers and writers release the
GIL. Memory is bounded by the batch size, not by the input.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from motorsub import io
from motorsub.backends import DEFAULT_BATCH_ROWS, Job, Progress, default_rejects_path, make_job
from motorsub.engine import aliases, columns
from motorsub.engine.batch import Scratch, compute_batch
from motorsub.engine.result import BatchResult
from motorsub.kernels.totals import Totals
from motorsub.model.profile import Settings
from motorsub.model.schemes import SchemeSet


def run(job: Job, progress: Progress | None = None) -> dict:
    """Compute ``job`` and write its output, rejects and summary; return the summary.

    The output and rejects files appear under their names only when the whole run
    succeeds.
    """
    st = job.settings
    io.check_distinct([job.input_path], [job.output_path, job.rejects_path, job.summary_path])
    al = aliases.load(job.aliases)
    totals = Totals(job.schemes)
    # the writers before the reader: a CSV reader reads ahead in pyarrow's own threads,
    # which must not be left running by an error in opening an output
    out_writer = io.batch_writer(
        job.output_path, plain=columns.UNIQUE_OUTPUT, compression=job.compression
    )
    rej_writer = None
    try:
        rej_writer = io.batch_writer(job.rejects_path)
        reader = io.batch_reader(job.input_path, job.batch_rows, job.encoding, sheet=job.sheet)
    except BaseException:
        for opened in (out_writer, rej_writer):
            if opened is not None:
                opened.abort()
        raise

    def tables(batch: BatchResult, first: bool) -> tuple:
        """The batch's output and rejects tables, built from its typed result in the
        compute thread (the writer thread only writes, as the reader only reads). A batch
        with no rejected row after the first has no rejects table (the first gives the
        rejects file its columns)."""
        output = columns.with_headers(columns.output_table(batch, st), job.headers)
        if not (first or len(batch.rejected_rows) or batch.bad_lines):
            return output, None
        rejects = columns.with_headers(columns.rejects_table(batch, job.lang), job.headers)
        return output, rejects

    def write(output, rejects) -> None:
        out_writer.write(output)
        if rejects is not None:
            rej_writer.write(rejects)

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="motorsub-writer")
    read_ahead = ThreadPoolExecutor(max_workers=1, thread_name_prefix="motorsub-reader")
    scratch = Scratch(job.schemes)
    try:
        offset, writing = 0, None
        chunks = reader.chunks()
        reading = read_ahead.submit(next, chunks, None)
        while (chunk := reading.result()) is not None:
            reading = read_ahead.submit(next, chunks, None)
            table = chunk.table
            batch = compute_batch(
                table,
                job.schemes,
                st,
                source=str(job.input_path),
                offset=offset,
                strict=job.strict,
                scratch=scratch,
                aliases=al,
                row_numbers=chunk.rows,
                bad_lines=chunk.bad_lines,
                blank=chunk.blank,
            )
            built = tables(batch, first=offset == 0)
            if writing is not None:
                writing.result()
            writing = pool.submit(write, *built)
            totals.add(batch)
            del batch  # the typed result holds the input batch: not kept while reading on
            offset += table.num_rows
            if progress:
                progress(offset, reader.total_rows)
        if writing is not None:
            writing.result()
        summary = totals.summary() | {"assumptions": st.describe()}
        summary["files"] = {
            "input": str(job.input_path),
            "output": str(job.output_path),
            "rejects": str(job.rejects_path),
        }
        if job.summary_path:
            with io.atomic_path(job.summary_path) as tmp:
                text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
                tmp.write_text(text, encoding="utf-8")
        out_writer.commit()
        rej_writer.commit()
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        read_ahead.shutdown(wait=True, cancel_futures=True)
        out_writer.abort()
        rej_writer.abort()
        raise
    finally:
        pool.shutdown(wait=True)
        read_ahead.shutdown(wait=True)
    return summary


def compute_file(
    input_path: str | Path,
    output_path: str | Path,
    schemes: SchemeSet | str | Path | list | None = None,
    *,
    rejects_path: str | Path | None = None,
    summary_path: str | Path | None = None,
    strict: bool = False,
    encoding: str | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    progress: Progress | None = None,
    savings: Settings | None = None,
    aliases: str | Path | None = None,
    sheet: str | None = None,
    headers: str = "id",
    lang: str = "en",
    compression: str | None = None,
) -> dict:
    """Stream records from a file through the engine and write output, rejects and summary.

    Memory is bounded by ``batch_rows``, not by the size of the input. The output and
    rejects files appear under their names only when the whole run succeeds.

    Parameters
    ----------
    lang : str
        Language of the rejects file's messages (``en`` or ``zh``).
    progress : callable, optional
        Called after each batch with (rows done, total rows or an estimate, or None).
    aliases : path, optional
        A CSV of more spellings of columns and codes (``motorsub/data/aliases.csv``'s form).
    sheet : str, optional
        The sheet of an .xlsx input (default: the first).
    headers : {"id", "zh"}
        Output and rejects column headers: the stable ids, or Chinese.
    compression : {"zstd", "snappy", "lz4", "none"}, optional
        A Parquet output's compression (default zstd, :data:`motorsub.io.parquet.COMPRESSION`).

    Returns
    -------
    dict
        The summary (as written to ``summary_path``).
    """
    output_path = Path(output_path)
    io.writer_format(output_path)
    io.check_compression(output_path, compression)
    rejects_path = Path(rejects_path) if rejects_path else default_rejects_path(output_path)
    job = make_job(
        input_path, output_path, rejects_path, schemes, savings, summary_path,
        strict=strict, encoding=encoding, batch_rows=batch_rows,
        aliases=Path(aliases) if aliases else None, sheet=sheet, headers=headers, lang=lang,
        compression=compression,
    )  # fmt: skip
    return run(job, progress)

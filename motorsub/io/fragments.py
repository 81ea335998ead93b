"""An input cut into fragments, each read on its own: what a cluster's tasks compute.

An input is one or more fsspec URLs (a local path, ``file://``, ``s3://``, ...):

- a Parquet file, or a folder of them read recursively like the one-process reader reads a
  folder (every file whose name and folders do not start with ``.`` or ``_``, in sorted
  order); folders named ``key=value`` (hive partitions) add a text column ``key``;
- a glob (``data/*.parquet``, ``2013/**/*.csv``), expanded in sorted order; hive folders
  below the glob's fixed prefix count as in a folder;
- CSV files (``.csv``, ``.txt``), read exactly as the one-process reader reads one.

:func:`plan` lists the fragments in input order: a CSV file is one fragment (its rows can
only be found by reading it from the start); a Parquet file is cut into runs of whole row
groups of at most ``task_rows`` rows (one row group at least), from the row counts in its
footer. A Parquet fragment's ``offset`` counts the rows of every fragment before it, so its
rows are numbered as the one-process reader numbers them across a folder; a CSV file's rows
are numbered in that file (a spreadsheet's row numbers). :func:`read` yields a fragment's
rows in tables of at most ``batch_rows`` rows, typed as the one-process readers type them.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.parquet as pq

from motorsub import i18n
from motorsub.errors import InputError
from motorsub.io import FORMATS, BatchReader, Chunk
from motorsub.io.csv import wrong_field_count
from motorsub.io.parquet import dictionary_text, read_schema
from motorsub.io.text import text_type

#: The formats a dataset is cut into fragments of (a workbook is read whole, by one process).
FRAGMENT_FORMATS = ("parquet", "csv")

#: Rows per task, at most (a Parquet file is cut at row-group boundaries).
TASK_ROWS = 1_000_000
#: Names (and folder names) a dataset folder's listing skips, as pyarrow's does.
IGNORED_PREFIXES = (".", "_")
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
_FOOTER_THREADS = 16  # footers read at once from a shared store


@dataclass(frozen=True)
class Fragment:
    """One task's share of the input: a file, or a run of a Parquet file's row groups."""

    index: int  # position in input order; names the task's part files
    url: str  # the file, as an fsspec URL
    format: str  # "parquet" or "csv"
    row_groups: tuple[int, ...] | None  # None: the whole file
    rows: int | None  # None for CSV: known once read
    offset: int  # rows numbered before this fragment's first
    size: int  # bytes of the file (CSV: for progress estimates)
    partitions: tuple[tuple[str, str | None], ...] = ()  # hive (key, value) of its folders

    @property
    def name(self) -> str:
        """The file as messages name it."""
        return self.url


def filesystem(url: str):
    """(fsspec file system, path within it) of ``url``."""
    import fsspec

    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:
        _ = i18n.translator()
        raise InputError(
            _("{url}: cannot open this location: {reason}").format(url=url, reason=exc)
        ) from None


def _is_local(fs) -> bool:
    return "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,))


def url_of(fs, path: str) -> str:
    """The URL of ``path`` on ``fs`` (a plain path for a local file)."""
    return path if _is_local(fs) else fs.unstrip_protocol(path)


def _skipped(relative: str) -> bool:
    return any(part.startswith(IGNORED_PREFIXES) for part in PurePosixPath(relative).parts)


def _partitions(relative: str) -> tuple[tuple[str, str | None], ...]:
    """The hive ``key=value`` folders of a file's path below its dataset's root."""
    out = []
    for part in PurePosixPath(relative).parts[:-1]:
        key, sep, value = part.partition("=")
        if sep and key:
            value = unquote(value)
            out.append((unquote(key), None if value == HIVE_NULL else value))
    return tuple(out)


def _format(url: str, in_folder: bool) -> str:
    suffix = PurePosixPath(url).suffix.lower()
    if FORMATS.get(suffix) in FRAGMENT_FORMATS:
        return FORMATS[suffix]
    if in_folder:
        return "parquet"
    _ = i18n.translator()
    raise InputError(
        _("{url}: unknown input format {suffix!r} for a dataset; accepted: {accepted} or a "
          "folder of Parquet files")
        .format(url=url, suffix=suffix or _("(no extension)"),
                accepted=", ".join(s for s, f in FORMATS.items() if f in FRAGMENT_FORMATS))
    )  # fmt: skip


def files(inputs: Sequence[str]) -> list[tuple[str, str, tuple]]:
    """Every file of ``inputs`` in order: (URL, format, hive partitions).

    Raises
    ------
    InputError
        An input that does not exist, matches nothing, or has an unknown format; inputs
        of different formats.
    """
    out: list[tuple[str, str, tuple]] = []
    for given in inputs:
        fs, path = filesystem(str(given))
        if any(c in path for c in "*?["):
            root = path.split("*")[0].split("?")[0].split("[")[0].rsplit("/", 1)[0]
            found = sorted(p for p in fs.glob(path) if fs.isfile(p))
            if not found:
                _ = i18n.translator()
                raise InputError(_("{path}: no file matches").format(path=given))
            for p in found:
                rel = p[len(root) :].lstrip("/") if p.startswith(root) else p
                out.append((url_of(fs, p), _format(p, False), _partitions(rel)))
        elif fs.isdir(path):
            base = path.rstrip("/")
            found = [p for p in sorted(fs.find(base)) if not _skipped(p[len(base) :].lstrip("/"))]
            if not found:
                _ = i18n.translator()
                raise InputError(_("{path}: the folder holds no file").format(path=given))
            for p in found:
                rel = p[len(base) :].lstrip("/")
                out.append((url_of(fs, p), _format(p, True), _partitions(rel)))
        elif fs.exists(path):
            out.append((url_of(fs, path), _format(path, False), ()))
        else:
            _ = i18n.translator()
            raise InputError(_("{path}: no such file").format(path=given))
    kinds = {f for _, f, _ in out}
    if len(kinds) > 1:
        _ = i18n.translator()
        raise InputError(
            _("{paths}: CSV and Parquet inputs cannot be mixed in one run")
            .format(paths=", ".join(map(str, inputs)))
        )  # fmt: skip
    return out


def _footer(url: str) -> tuple[list[int], int]:
    """Rows per row group and the size of a Parquet file, from its footer."""
    fs, path = filesystem(url)
    try:
        with fs.open(path, "rb") as f:
            meta = pq.ParquetFile(f).metadata
            groups = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        return groups, fs.size(path)
    except (pa.ArrowException, OSError) as exc:
        _ = i18n.translator()
        raise InputError(
            _("{url}: not a readable Parquet file: {reason}").format(url=url, reason=exc)
        ) from None


def plan(inputs: Sequence[str], task_rows: int = TASK_ROWS) -> list[Fragment]:
    """The fragments of ``inputs``, in input order (see the module's description)."""
    listed = files(inputs)
    if listed and listed[0][1] == "csv":
        out = []
        for i, (url, fmt, parts) in enumerate(listed):
            fs, path = filesystem(url)
            out.append(Fragment(i, url, fmt, None, None, 0, fs.size(path), parts))
        return out
    with ThreadPoolExecutor(_FOOTER_THREADS) as pool:
        footers = list(pool.map(_footer, [url for url, _, _ in listed]))
    out, offset = [], 0
    for (url, fmt, parts), (groups, size) in zip(listed, footers):
        run: list[int] = []
        rows = 0
        for g, n in enumerate(groups):
            if run and rows + n > task_rows:
                out.append(Fragment(len(out), url, fmt, tuple(run), rows, offset, size, parts))
                offset, run, rows = offset + rows, [], 0
            run.append(g)
            rows += n
        if run or not groups:
            out.append(Fragment(len(out), url, fmt, tuple(run), rows, offset, size, parts))
            offset += rows
    return out


def _with_partitions(table: pa.Table, frag: Fragment) -> pa.Table:
    for key, value in frag.partitions:
        if key in table.column_names:
            _ = i18n.translator()
            raise InputError(
                _("{name}: the partition folder {key}= names a column the file also has").format(
                    name=frag.name, key=key
                )
            )
        column = pa.array([value] * table.num_rows, pa.string()).cast(text_type(key))
        table = table.append_column(key, column)
    return table


def _parquet_tables(frag: Fragment, batch_rows: int) -> Iterator[pa.Table]:
    fs, path = filesystem(frag.url)
    with contextlib.ExitStack() as stack:
        # a local file through pyarrow's own reads; a remote one through fsspec
        source = path if _is_local(fs) else stack.enter_context(fs.open(path, "rb"))
        arrow_schema = pq.read_schema(source)
        text = dictionary_text(arrow_schema)
        schema = read_schema(arrow_schema, text)
        pf = stack.enter_context(pq.ParquetFile(source, pre_buffer=False, read_dictionary=text))
        groups = list(frag.row_groups) if frag.row_groups is not None else None
        produced = False
        if groups is None or groups:
            for batch in pf.iter_batches(batch_size=batch_rows, row_groups=groups):
                table = pa.Table.from_batches([batch])
                if table.schema != schema:
                    table = table.cast(schema)
                produced = True
                yield table
        if not produced:
            yield schema.empty_table()


def _csv_chunks(frag: Fragment, batch_rows: int, encoding: str | None) -> Iterator[Chunk]:
    """A CSV file's chunks as one process reads them: each row with its spreadsheet number,
    the lines whose values do not match the header set aside, empty lines counted."""
    fs, path = filesystem(frag.url)
    if _is_local(fs):
        yield from BatchReader(path, batch_rows, encoding).chunks()
        return
    with tempfile.TemporaryDirectory(prefix="motorsub-") as tmp:  # CSV is read from the start
        local = os.path.join(tmp, PurePosixPath(path).name)
        fs.get(path, local)
        try:
            yield from BatchReader(local, batch_rows, encoding).chunks()
        except InputError as exc:
            raise InputError(str(exc).replace(local, frag.url)) from None


def read_chunks(frag: Fragment, batch_rows: int, encoding: str | None = None) -> Iterator[Chunk]:
    """The rows of ``frag`` as :class:`motorsub.io.Chunk` s of at most ``batch_rows`` rows,
    with its hive partition columns: a CSV file's chunks carry their rows' spreadsheet
    numbers, bad lines and skipped empty lines (as one process reads them); a Parquet
    fragment's rows are numbered by the task from the fragment's offset.

    Raises
    ------
    InputError
        The file cannot be read (the message names it).
    """
    try:
        if frag.format == "csv":
            for chunk in _csv_chunks(frag, batch_rows, encoding):
                yield replace(chunk, table=_with_partitions(chunk.table, frag))
        else:
            for table in _parquet_tables(frag, batch_rows):
                table = _with_partitions(table, frag)
                yield Chunk(table, rows=None)
    except (pa.ArrowException, OSError) as exc:
        _ = i18n.translator()
        raise InputError(
            _("{name}: not a readable {format} file: {reason}").format(
                name=frag.name, format=frag.format, reason=exc
            )
        ) from None


def read(frag: Fragment, batch_rows: int, encoding: str | None = None) -> Iterator[pa.Table]:
    """The rows of ``frag`` in tables of at most ``batch_rows`` rows (at least one table,
    empty if the fragment has no row), with its hive partition columns; a CSV line whose
    values do not match the header is an error here (:func:`read_chunks` hands it out).

    Raises
    ------
    InputError
        The file cannot be read (the message names it).
    """
    for chunk in read_chunks(frag, batch_rows, encoding):
        if chunk.bad_lines:
            raise InputError(wrong_field_count(chunk.bad_lines[0], frag.name))
        yield chunk.table

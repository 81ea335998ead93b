"""Reading records and writing results: CSV (UTF-8 or GBK/GB18030) and Parquet.

Readers return pyarrow tables; CSV columns are read as text so that every original value
survives into the rejects file. Writers put a file under a temporary name and rename it
into place, so an interrupted run never leaves a half-written file under the final name.
CSV is written in UTF-8 with a byte-order mark, which Excel needs to show Chinese text.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from motorsub.errors import InputError

CSV_SUFFIXES = (".csv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")
ENCODINGS = ("utf-8", "gb18030")
BOM = b"\xef\xbb\xbf"


def file_format(path: str | Path, what: str = "input") -> str:
    """``'csv'`` or ``'parquet'`` from the file name (a folder is a Parquet dataset)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in PARQUET_SUFFIXES or (what == "input" and p.is_dir()):
        return "parquet"
    raise InputError(
        f"{path}: unknown {what} format {suffix or '(no extension)'!r}; "
        f"accepted: {', '.join(CSV_SUFFIXES + PARQUET_SUFFIXES)}"
        + (" or a folder of Parquet files" if what == "input" else "")
    )


def _csv_header(path: Path, encoding: str) -> list[str]:
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    first = next(csv.reader(io.StringIO(text)), [])
    return first


def read_csv(path: str | Path, encoding: str | None = None) -> pa.Table:
    """Read a CSV file with every column as text (empty cells are null).

    Parameters
    ----------
    encoding : str, optional
        Force an encoding; by default UTF-8 (with or without BOM) is tried, then GB18030
        (a superset of GBK, what Chinese Excel writes).
    """
    path = Path(path)
    tries = [encoding] if encoding else list(ENCODINGS)
    last: Exception | None = None
    for enc in tries:
        try:
            names = _csv_header(path, enc)
            if not names:
                raise InputError(f"{path}: the file is empty; expected a header row")
            convert = pacsv.ConvertOptions(
                column_types={n.strip(): pa.string() for n in names},
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
            )
            read = pacsv.ReadOptions(encoding=enc, block_size=1 << 24)
            return pacsv.read_csv(path, read_options=read, convert_options=convert)
        except FileNotFoundError:
            raise InputError(f"{path}: no such file") from None
        except (OSError, LookupError) as exc:
            raise InputError(f"{path}: cannot read: {exc}") from None
        except pa.ArrowInvalid as exc:
            last = exc
            if "UTF8" in str(exc) or "decode" in str(exc).lower():
                continue
            raise InputError(f"{path}: not a readable CSV file: {exc}") from None
    raise InputError(
        f"{path}: cannot decode as {' or '.join(tries)}; give --encoding "
        f"(e.g. utf-8, gb18030) ({last})"
    )


def read_parquet(path: str | Path) -> pa.Table:
    """Read a Parquet file or a folder of Parquet files as one table."""
    try:
        return pq.read_table(path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{path}: not a readable Parquet file: {exc}") from None


def read_table(path: str | Path, encoding: str | None = None) -> pa.Table:
    """Read records from CSV or Parquet, by extension."""
    if not Path(path).exists():
        raise InputError(f"{path}: no such file")
    if file_format(path) == "csv":
        return read_csv(path, encoding)
    return read_parquet(path)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it into place only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_table(table: pa.Table, path: str | Path) -> None:
    """Write a table as CSV (UTF-8 with BOM) or Parquet, by extension, atomically."""
    fmt = file_format(path, what="output")
    with atomic_path(path) as tmp:
        if fmt == "csv":
            with open(tmp, "wb") as f:
                f.write(BOM)
                pacsv.write_csv(table, f)
        else:
            pq.write_table(table, tmp)

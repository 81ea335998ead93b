"""How readers type the text columns they read."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from motorsub import vocab


def text_type(name: str) -> pa.DataType:
    """Dictionary-encoded if the engine reads the column and its values repeat
    (:data:`motorsub.vocab.REPEATING`), else plain strings."""
    if vocab.normal_name(name) in vocab.REPEATING:
        return pa.dictionary(pa.int32(), pa.string())
    return pa.string()


#: A text cell starting with one of these is read by a spreadsheet as a formula (OWASP's
#: list for CSV injection: = + - @, tab, carriage return).
FORMULA_START = r"^[=+\-@\t\r]"


def _safe_array(arr: pa.Array) -> pa.Array:
    if pa.types.is_dictionary(arr.type):
        return pa.DictionaryArray.from_arrays(arr.indices, _safe_array(arr.dictionary))
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return arr
    risky = pc.fill_null(pc.match_substring_regex(arr, FORMULA_START), False)
    if not pc.any(risky).as_py():
        return arr
    quoted = pc.binary_join_element_wise(pa.scalar("'", arr.type), arr, pa.scalar("", arr.type))
    return pc.if_else(risky, quoted, arr)


def formula_safe(table: pa.Table) -> pa.Table:
    """``table`` with a ``'`` before every text value a spreadsheet would run as a
    formula (``=1+2`` → ``'=1+2``); numbers, dates and other text are left as they are."""
    columns = []
    for column in table.columns:
        chunks = [_safe_array(chunk) for chunk in column.chunks]
        columns.append(pa.chunked_array(chunks, column.type))
    return pa.Table.from_arrays(columns, schema=table.schema)

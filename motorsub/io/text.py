"""How readers type the text columns they read."""

from __future__ import annotations

import pyarrow as pa

from motorsub import vocab


def text_type(name: str) -> pa.DataType:
    """Dictionary-encoded if the engine reads the column and its values repeat
    (:data:`motorsub.vocab.REPEATING`), else plain strings."""
    if vocab.normal_name(name) in vocab.REPEATING:
        return pa.dictionary(pa.int32(), pa.string())
    return pa.string()

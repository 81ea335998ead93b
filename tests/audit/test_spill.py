"""Keys waiting on disk (``motorsub.audit.spill.SpilledText``): read back as written, as
often as asked, and the file gone once the keys are dropped."""

import gc
import os

import pyarrow as pa

from motorsub.audit.spill import SpilledText


def test_keys_come_back_as_written_and_their_file_goes_with_them():
    keys = pa.chunked_array([["SN1", None, ""], ["序列号2", "SN1"]], pa.large_string())
    waiting = SpilledText(keys)
    name = waiting._name
    assert os.path.exists(name)
    for _ in range(2):  # the ledger may read them after the duplicate checks did
        back = waiting.load()
        assert back.to_pylist() == ["SN1", None, "", "序列号2", "SN1"]
        assert back.type == pa.large_string()
    del waiting, back
    gc.collect()
    assert not os.path.exists(name)

"""A Dask LocalCluster of two worker processes, started once for the cluster tests, and
a three-file Parquet dataset with rejected rows (helpers: cluster_helpers.py)."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

pytest.importorskip("distributed", reason="the cluster extra (dask[distributed]) is missing")

from cluster_helpers import FILES, ROW_GROUP, ROWS_PER_FILE, synthetic


@pytest.fixture(scope="session")
def dataset(tmp_path_factory):
    """A folder of three Parquet files (row groups of 500 rows) and its row count."""
    folder = tmp_path_factory.mktemp("dataset")
    for f in range(FILES):
        table = synthetic(f * ROWS_PER_FILE, ROWS_PER_FILE, seed=f)
        pq.write_table(table, folder / f"sales-{f}.parquet", row_group_size=ROW_GROUP)
    return folder, FILES * ROWS_PER_FILE


@pytest.fixture(scope="session")
def client():
    """A LocalCluster of 2 worker processes through motorsub's own connect().

    The kernels are loaded (or compiled, on a fresh checkout) in this process first, so
    that the workers find them in numba's on-disk cache.
    """
    from motorsub import cluster

    cluster.warm()
    with cluster.connect("local:2", dashboard=":0") as c:
        yield c

"""The inspection sample: coverage per stratum, every high-risk line, reproducible by seed."""

from __future__ import annotations

import numpy as np
import pytest

from motorsub.audit.sample import HIGH_VALUE, NOT, RANDOM, REJECTED, draw


def _data(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    value = rng.integers(0, 200_000, n)  # fen
    value[rng.random(n) < 0.1] = 0
    stratum = rng.integers(0, 7, n)
    rejected = rng.random(n) < 0.03
    return value, stratum, rejected


@pytest.mark.parametrize("share", [0.0, 0.05, 0.1, 0.5, 1.0])
def test_each_stratum_covers_the_share(share):
    value, stratum, rejected = _data()
    s = draw(value, stratum, rejected, share=share, high_value_fen=190_000, seed=1)
    sel = s.selected
    for k in range(7):
        m = stratum == k
        # at least ceil(share × value) of each stratum, in exact integers
        assert value[m & sel].sum() * 1_000_000 >= value[m].sum() * round(share * 1_000_000)
    assert sel[rejected].all()
    assert (s.why[rejected] == REJECTED).all()
    assert sel[value > 190_000].all()
    assert not ((s.why == RANDOM) & (value == 0)).any()
    if share == 0.0:
        assert set(np.unique(s.why)) <= {NOT, REJECTED, HIGH_VALUE}


def test_seeded_and_reproducible():
    value, stratum, rejected = _data()
    a = draw(value, stratum, rejected, share=0.1, high_value_fen=10**9, seed=7)
    b = draw(value, stratum, rejected, share=0.1, high_value_fen=10**9, seed=7)
    c = draw(value, stratum, rejected, share=0.1, high_value_fen=10**9, seed=8)
    assert np.array_equal(a.why, b.why)
    assert not np.array_equal(a.why, c.why)


def test_sample_is_small_when_lines_are_many():
    value, stratum, rejected = _data(20_000, 3)
    rejected[:] = False
    s = draw(value, stratum, rejected, share=0.1, high_value_fen=10**9, seed=0)
    covered = value[s.selected].sum() / value.sum()
    assert 0.1 <= covered < 0.102  # overshoot is at most one line per stratum


def test_share_out_of_range():
    with pytest.raises(ValueError, match="between 0 and 1"):
        draw(
            np.zeros(1, np.int64),
            np.zeros(1, np.int64),
            np.zeros(1, bool),
            share=1.5,
            high_value_fen=0,
            seed=0,
        )

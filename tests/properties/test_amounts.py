"""The two amount functions of the subsidy kernel agree: ``_amount_fen`` (signed, read by
the audit's range bounds) and ``_paid_fen`` (unsigned, the kernel's paid lines) share one
reading of the basis (``_basis_micro``) and must round to the same fen.

Hand-worked: 35 CNY/kW = 3 500 fen/kW × 15 kW × 1 = 52 500 fen; 20 CNY/kW × 5.5 kW × 3 =
2 000 × 16.5 = 33 000 fen; 1 fen/kW × 258.3383335 kW (the seventh decimal a 5, read half
up to 258.338334 kW) × 1 = 258.338334 fen → 258 fen, and × 2 = 516.676668 → 517 fen.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motorsub.kernels.subsidy import _amount_fen, _basis_micro, _paid_fen


@pytest.mark.parametrize(
    ("rate", "kw", "units", "fen"),
    [(3500, 15.0, 1, 52_500), (2000, 5.5, 3, 33_000), (1, 258.3383335, 1, 258),
     (1, 258.3383335, 2, 517)],
)  # fmt: skip
def test_amounts_worked_by_hand(rate, kw, units, fen):
    assert _amount_fen(rate, kw, units) == fen
    assert _paid_fen(rate, kw, units) == fen


def test_the_basis_is_read_half_up_as_written():
    assert _basis_micro(258.3383335) == 258_338_334
    assert _basis_micro(258.3383334) == 258_338_333
    assert _basis_micro(0.55) == 550_000


@settings(max_examples=500, deadline=None)
@given(
    rate=st.integers(1, 100_000),
    kw=st.floats(1e-6, 30_000, allow_nan=False, allow_infinity=False),
    units=st.integers(1, 10_000),
)
def test_paid_and_signed_amounts_agree(rate, kw, units):
    assert _paid_fen(rate, kw, units) == _amount_fen(rate, kw, units)

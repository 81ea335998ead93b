"""The money and energy output columns derived from the kernels' results, in one pass.

:func:`motorsub.engine.columns.computed_columns` writes, per line: the subsidy total
(the components' amounts in fen, summed, in CNY), the net price (price × units − total),
and with the profile's figures the lifetime savings (per year × years), the yearly bill
saving (kWh × tariff) and the payback time (net price ÷ bill saving, where that is
positive). With numpy that is a dozen passes over the batch and their temporaries;
:func:`money` makes one. Each figure is the same IEEE operation on the same operands as
numpy's, so the results are the same to the bit (tested against the numpy form, which
stays for kernels run as plain Python).
"""

from __future__ import annotations

import numpy as np

from motorsub._jit import kernel


@kernel(chunk=True)
def money(
    start, stop, fen, price, qty, kwh, tce, tco2, life, tariff,
    total, net, kwh_life, tce_life, tco2_life, bill, payback,
):  # fmt: skip
    """Lines ``start:stop``: ``total`` [CNY] from ``fen`` [component, line], ``net``;
    the lifetime columns unless ``kwh_life`` is empty; ``bill`` and ``payback`` unless
    ``bill`` is empty."""
    lives = len(kwh_life) > 0
    bills = len(bill) > 0
    for i in range(start, stop):
        fen_total = 0
        for c in range(fen.shape[0]):
            fen_total += fen[c, i]
        t = fen_total / 100.0
        total[i] = t
        v = price[i] * qty[i] - t
        net[i] = v
        if lives:
            kwh_life[i] = kwh[i] * life
            tce_life[i] = tce[i] * life
            tco2_life[i] = tco2[i] * life
        if bills:
            b = kwh[i] * tariff
            bill[i] = b
            payback[i] = v / b if b > 0 else np.nan

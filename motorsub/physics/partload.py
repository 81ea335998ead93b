"""Part-load efficiency: the US DOE AMO model's ratio of efficiency at a load to full load.

For each class (STANDARD, ENERGY_EFFICIENT, PREMIUM), pole count and size range (<= 125 hp,
> 125 hp), efficiency at 25/50/75/100 % load is ``(a + b e^(-c hp) + d e^(-e hp)) / 100``
(``partload_amo_coefficients.csv``), at 125 % 0.99 x full load. Fitted to 60 Hz US motors:
motorsub uses it only as a ratio applied to a rated efficiency.

References
----------
US DOE Advanced Manufacturing Office, MotorMaster+ / MEASUR (AMO-Tools-Suite,
MotorEfficiency.cpp, determinePartialLoadCoefficients).
"""

from __future__ import annotations

import functools
import math
import re
from typing import NamedTuple

import numpy as np

from motorsub._jit import kernel
from motorsub.physics.efficiency import EtaFlag as _EtaFlag
from motorsub.physics.tables import EfficiencyDataError
from motorsub.physics.tables import fail as _fail
from motorsub.physics.tables import flat as _flat
from motorsub.physics.tables import floats as _floats
from motorsub.physics.tables import ints as _ints
from motorsub.physics.tables import names as _names
from motorsub.physics.tables import number as _number
from motorsub.physics.tables import poles as _poles
from motorsub.physics.tables import read_rows as _read

#: Motor classes of ``partload_amo_coefficients.csv``.
PARTLOAD_CLASSES = ("STANDARD", "ENERGY_EFFICIENT", "PREMIUM")
KW_PER_HP = 0.746  # [kW/hp]
OVERLOAD_LOAD, OVERLOAD_FACTOR = 1.25, 0.99  # eta(125 %) = 0.99 x eta(100 %) [-]
ZERO_LOAD_LOSS_FACTOR = 0.8  # losses at zero load / losses at 25 % load [-]
MAX_RATIO = 1.2  # a part-load ratio above this is non-physical [-]
PARTLOAD_POLES = (2, 4, 6, 8, 10, 12)
_PARTLOAD = "partload_amo_coefficients.csv"
F_UNKNOWN = np.uint8(_EtaFlag.UNKNOWN)


class _Partload(NamedTuple):
    coef: np.ndarray  # [class, pole index, hp range, load point, a..e]
    hp_split: float  # [hp]
    loads: np.ndarray  # load points [-], ascending


def _partload():
    """coef[class, pole, hp range, load point, a..e], the hp split and load points [-]."""
    points = ("load25", "load50", "load75", "load100")
    coef = np.full((len(PARTLOAD_CLASSES), len(PARTLOAD_POLES), 2, len(points), 5), np.nan)
    splits = set()
    for line, row in _read(_PARTLOAD, ("cls", "range", "poles", "coef", *points)):
        hp = re.fullmatch(r"hp(<=|>)([\d.]+)", row["range"])
        if row["cls"] not in PARTLOAD_CLASSES or row["coef"] not in tuple("abcde") or not hp:
            raise _fail(_PARTLOAD, line, f"cls/range/coef {row['cls']!r}/{row['range']!r}")
        splits.add(float(hp[2]))
        cls = PARTLOAD_CLASSES.index(row["cls"])
        pole = PARTLOAD_POLES.index(_poles(_PARTLOAD, line, row, PARTLOAD_POLES))
        cell = coef[cls, pole, int(hp[1] == ">"), :, "abcde".index(row["coef"])]
        if not np.isnan(cell).all():
            raise _fail(_PARTLOAD, line, "duplicate coefficient")
        cell[:] = [_number(_PARTLOAD, line, row, c) for c in points]
    if len(splits) != 1:
        raise EfficiencyDataError(f"{_PARTLOAD}: hp ranges split at {sorted(splits)}")
    loads = [int(c.removeprefix("load")) / 100 for c in points] + [OVERLOAD_LOAD]
    return coef, splits.pop(), np.array(loads)


@functools.cache
def model() -> _Partload:
    """The part-load model, loaded once; numba passes the NamedTuple of arrays as is."""
    return _Partload(*_partload())


@kernel(inline=True)
def _amo_eta(coef, g, k, hp):
    """Model efficiency [-] of coefficient set ``g = (class, pole, range)`` at load point
    ``k``; the last point is 0.99 x full load. (Indices, not a view of ``coef``: a view
    would take a reference, an atomic operation per record on every thread.)"""
    c, p, r = g
    m = min(k, 3)
    eta = (
        coef[c, p, r, m, 0]
        + coef[c, p, r, m, 1] * math.exp(-coef[c, p, r, m, 2] * hp)
        + coef[c, p, r, m, 3] * math.exp(-coef[c, p, r, m, 4] * hp)
    ) / 100
    return eta * OVERLOAD_FACTOR if k == 4 else eta


@kernel(inline=True)
def _partload_one(coef, g, hp, load, loads):
    """eta(load) / eta(full load) [-], NaN where non-physical."""
    full = _amo_eta(coef, g, 3, hp)
    if not (0.0 < full < 1.0 and 0.0 <= load <= loads[-1]):
        return np.nan
    j = max(np.searchsorted(loads, load), 1)
    e1 = _amo_eta(coef, g, j - 1, hp)
    if load < loads[0]:  # losses [per unit of rated output] fall linearly to zero load
        loss1 = loads[0] * (1.0 / e1 - 1.0)
        loss = loss1 * (ZERO_LOAD_LOSS_FACTOR + (1 - ZERO_LOAD_LOSS_FACTOR) * load / loads[0])
        eta, e2 = load / (load + loss), e1
    else:
        e2 = _amo_eta(coef, g, j, hp)
        eta = e1 + (e2 - e1) * (load - loads[j - 1]) / (loads[j] - loads[j - 1])
    ratio = eta / full
    return ratio if 0.0 < e1 < 1.0 and 0.0 < e2 < 1.0 and 0.0 < ratio <= MAX_RATIO else np.nan


@kernel(inline=True)
def partload_one(cls, poles, kw, load, model):
    """eta(load) / eta(full load) [-] of one record, NaN where unknown or non-physical."""
    p, hp = poles // 2 - 1, kw / KW_PER_HP
    if cls < 0 or poles % 2 != 0 or not 0 <= p < 6 or not hp > 0.0:
        return np.nan
    g = (cls, p, 0 if hp <= model.hp_split else 1)
    if np.isnan(model.coef[g[0], g[1], g[2], 0, 0]):
        return np.nan
    return _partload_one(model.coef, g, hp, load, model.loads)


@kernel()  # serial: small arrays, and a parallel loop costs seconds to compile
def _partload_kernel(cls, poles, kw, load, model):
    out, flags = np.empty(kw.size), np.empty(kw.size, np.uint8)
    for i in range(kw.size):
        out[i] = partload_one(cls[i], poles[i], kw[i], load[i], model)
        flags[i] = F_UNKNOWN if np.isnan(out[i]) else 0
    return out, flags


def partload_ratio(motor_class, poles, kw, load) -> tuple[np.ndarray, np.ndarray]:
    """Efficiency at part load divided by full-load efficiency (US DOE AMO model).

    Parameters
    ----------
    motor_class : array of str
        One of :data:`PARTLOAD_CLASSES` [-]; unknown or missing names give UNKNOWN.
    poles : array of int
        Pole count 2-12 [-] (PREMIUM: 2, 4, 6).
    kw : array of float
        Rated output [kW]; ``hp = kw / KW_PER_HP`` picks the file's hp range.
    load : array of float
        Output / rated output [-], within (0, 1.25].

    Returns
    -------
    ratio : array of float64
        eta(load) / eta(full load) [-]; NaN where not covered or non-physical (an
        efficiency used outside (0, 1), a ratio <= 0 or > MAX_RATIO).
    flags : array of uint8
        :class:`motorsub.physics.efficiency.EtaFlag` bits [-]: UNKNOWN where NaN, else 0.

    Notes
    -----
    Efficiency at 25/50/75/100 % load is ``(a + b exp(-c hp) + d exp(-e hp)) / 100``, at
    125 % 0.99 x full load; between points it is interpolated linearly (the model uses a
    smooth curve; the points are 25 % apart). Below 25 % load the losses fall linearly
    from the 25 %-load loss to 0.8 x that loss at zero load, so the ratio tends to 0 (NaN
    at 0). The model was fitted to 60 Hz US motors: use it only as a ratio.
    """
    classes = _names(motor_class, PARTLOAD_CLASSES)
    (c, p, k, f), shape = _flat(classes, _ints(poles), _floats(kw), _floats(load))
    ratio, flags = _partload_kernel(c, p, k, f, model())
    return ratio.reshape(shape), flags.reshape(shape)

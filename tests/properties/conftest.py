"""Hypothesis profiles for the property tests.

``ci`` (loaded when the ``CI`` environment variable is set): many examples, reproducible
(derandomized) and without deadlines, since the first example pays numba's compile time.
``dev`` (otherwise): fewer examples for a quick local run. ``HYPOTHESIS_PROFILE`` names a
profile explicitly.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "print_blob": True,
    "suppress_health_check": (HealthCheck.too_slow, HealthCheck.data_too_large),
}

settings.register_profile("ci", max_examples=200, derandomize=True, **_COMMON)
settings.register_profile("dev", max_examples=40, **_COMMON)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)

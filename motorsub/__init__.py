"""motorsub: price, project and audit China's high-efficiency motor subsidies.

The public API is imported lazily, so that ``motorsub --help`` starts fast:
:func:`compute`, :func:`compute_file`, :func:`run`, :func:`quote`, :func:`load_schemes`.
"""

from importlib import import_module

__version__ = "0.1.0"

_API = {
    "compute": "motorsub.engine.frames",
    "compute_file": "motorsub.backends.local",
    "run": "motorsub.engine.batch",
    "quote": "motorsub.engine.quote",
    "load_schemes": "motorsub.model.schemes",
    "MotorsubError": "motorsub.errors",
    "InputError": "motorsub.errors",
    "SchemeError": "motorsub.errors",
    "RejectedRowsError": "motorsub.errors",
    "CompilingNotice": "motorsub.errors",
}
__all__ = sorted(_API)


def __getattr__(name):
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'motorsub' has no attribute {name!r}")

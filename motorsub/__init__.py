"""motorsub: price, project and audit China's high-efficiency motor subsidies."""

from motorsub.compute import compute, compute_file, run
from motorsub.errors import InputError, MotorsubError, RejectedRowsError, SchemeError
from motorsub.schemes import load_schemes

__all__ = [
    "InputError",
    "MotorsubError",
    "RejectedRowsError",
    "SchemeError",
    "compute",
    "compute_file",
    "load_schemes",
    "run",
]
__version__ = "0.1.0"

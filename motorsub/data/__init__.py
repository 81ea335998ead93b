"""The packaged data: efficiency tables, regions, the savings profile and the shipped schemes.

One way in for a source checkout and an installed wheel alike: :func:`path` for a file of
this folder and :func:`schemes_dir` for the shipped scheme files. The schemes live at the
top of the repository (``schemes/``, where people edit them) and travel inside the wheel
as ``motorsub/data/schemes`` (``pyproject.toml``, ``force-include``).
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path


def path(*parts: str) -> Traversable:
    """A packaged data file, e.g. ``path("efficiency", "gb18613_editions.csv")``."""
    out = files(__name__)
    for part in parts:
        out = out / part
    return out


def locale_dir() -> Path:
    """The gettext catalogues (``motorsub/data/locale/<lang>/LC_MESSAGES/motorsub.mo``)."""
    return Path(__file__).resolve().parent / "locale"


def schemes_dir() -> Path:
    """The folder of the shipped scheme files (wheel: packaged; checkout: ``schemes/``)."""
    packaged = Path(str(files(__name__))) / "schemes"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "schemes"

"""The ``motorsub`` command line (:mod:`motorsub.cli.main`); ``main`` is its entry point."""

from motorsub.cli.main import main

__all__ = ["main"]

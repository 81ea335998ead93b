"""The exceptions motorsub raises, one base class, each with its CLI exit code.

=====  ===========================================================================
code   meaning
=====  ===========================================================================
0      done (rows may have been rejected: see the rejects file and the summary)
2      usage error, unreadable or unknown input, a missing required column
3      an invalid scheme file
4      rows were rejected and ``--strict`` was given
=====  ===========================================================================
"""

from __future__ import annotations


class MotorsubError(Exception):
    """Base class of every error motorsub raises on purpose."""

    exit_code = 1


class InputError(MotorsubError):
    """An input file cannot be read, has an unknown format or lacks a required column."""

    exit_code = 2


class SchemeError(MotorsubError):
    """A scheme file is invalid; the message names the file and the key."""

    exit_code = 3


class RejectedRowsError(MotorsubError):
    """Rows were rejected while ``strict`` was asked for."""

    exit_code = 4


class CompilingNotice(UserWarning):
    """Said once when a call from Python starts compiling motorsub's kernels (the first
    call after an install, about 10 s): ``motorsub warmup`` compiles them ahead of time.
    ``warnings.simplefilter("ignore", motorsub.CompilingNotice)`` silences it."""

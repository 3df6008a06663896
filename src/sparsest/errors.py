"""Exception and warning types shared by every part of :mod:`sparsest`.

All user-facing errors derive from :class:`SparsestError`; the command-line interface turns them
into one line on stderr and exit code 2. Anything else escaping a command is a bug (exit code 1).
"""

from __future__ import annotations

__all__ = [
    "BackendNotAvailableError",
    "ConvergenceWarning",
    "DataError",
    "DuplicatePointsWarning",
    "ModelFileError",
    "OutputError",
    "ParameterError",
    "SolverError",
    "SparsestError",
]


class SparsestError(Exception):
    """Base class of every error caused by the user's input or environment."""


class DataError(SparsestError, ValueError):
    """The data cannot be used: unreadable file, NaN/inf, non-numeric cell, shape mismatch, ..."""


class ParameterError(SparsestError, ValueError):
    """A parameter is outside its allowed range; the message names parameter, range and value."""


class ModelFileError(SparsestError, ValueError):
    """A model file is corrupt, truncated, of an unknown format version, or not a model file."""


class OutputError(SparsestError, OSError):
    """An output cannot be written (a directory given as file, missing folder, permission)."""


class SolverError(SparsestError, RuntimeError):
    """A solver failed in a way that is not a status (for example an internal solver error)."""


class BackendNotAvailableError(SparsestError, ImportError):
    """An optional backend is not installed; the message names the extra that installs it."""


class ConvergenceWarning(UserWarning):
    """An iterative method hit its iteration limit without fitting the data."""


class DuplicatePointsWarning(UserWarning):
    """Duplicate inputs with equal targets were merged into one point."""


def check_p(p: float, *, name: str = "p", allow_zero: bool = True, allow_one: bool = True) -> float:
    """Validate an exponent ``p`` of the ℓp path norm and return it as a float.

    Parameters
    ----------
    p : float
        The exponent. Allowed range is ``[0, 1]`` (ends controlled by ``allow_zero`` / ``allow_one``).
    name : str
        Parameter name used in the error message.
    allow_zero, allow_one : bool
        Whether the closed ends of the range are admitted.

    Raises
    ------
    ParameterError
        If ``p`` is not a finite number inside the allowed range.
    """
    try:
        value = float(p)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number in [0, 1], got {p!r}") from None
    lo = "[" if allow_zero else "("
    hi = "]" if allow_one else ")"
    ok = value == value and (value > 0 or (allow_zero and value == 0))
    ok = ok and (value < 1 or (allow_one and value == 1))
    if not ok:
        raise ParameterError(f"{name} must be in {lo}0, 1{hi}, got {p!r}")
    return value

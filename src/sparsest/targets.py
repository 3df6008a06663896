"""Targets: what the data demand of a fitted function, as per-point bounds ``lo_i ≤ f(x_i) ≤ hi_i``.

One concept serves four uses (``shared/docs/targets.md`` §1):

* **interpolation** — ``lo = hi = y`` (the paper's problem; every solver keeps its exact path for it);
* **tolerance** — ``y ± ε`` with ``ε ≥ 0`` a scalar or one value per point (absolute, in the target's
  units);
* **bounds** — explicit ``lo`` and ``hi`` (either side may be infinite), optionally with a reference
  target ``y`` used only for reporting residuals;
* **classification** — a two-valued label mapped to ``t_i ∈ {−1, +1}`` (the smaller value is ``−1``)
  with margins ``t_i f(x_i) ≥ 1``: bounds ``[1, ∞)`` for ``+1`` and ``(−∞, −1]`` for ``−1``. Counts
  are invariant under ``f → c f`` (``c > 0``), so any positive margin gives the same sparsest count.

Repeated inputs: for interpolation the usual rule holds (equal targets merge, different targets are
an error); with bounds the points' intervals are intersected, and only an empty intersection is an
error, naming the input (:func:`merge_repeated`).

This module is numpy-only (no torch, no scipy) and is imported by every solver, ``certify``, the
model file's metadata and the plots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import DataError, ParameterError

__all__ = ["KINDS", "Targets", "make_targets", "merge_repeated"]

#: The kinds of targets, in the order of the list above.
KINDS = ("interpolation", "tolerance", "bounds", "classification")


@dataclass(frozen=True)
class Targets:
    """Per-point bounds on ``f(x_i)``.

    Attributes
    ----------
    lo, hi : ndarray of shape (N,)
        Bounds, ``lo_i ≤ hi_i``; ``lo_i`` may be ``-inf`` and ``hi_i`` may be ``+inf``.
    y : ndarray of shape (N,) or None
        Reference target (the data's ``y``; for classification the labels ``t_i ∈ {−1, +1}``), used
        for residuals and RMSE. ``None`` for explicit bounds without a target column.
    kind : str
        One of :data:`KINDS`.
    tol : float or None
        The tolerance ``ε`` for ``kind == "tolerance"`` (the largest one when per point).
    classes : tuple of float or None
        For classification, the original label values ``(negative, positive)``.
    """

    lo: np.ndarray
    hi: np.ndarray
    y: np.ndarray | None
    kind: str
    tol: float | None = None
    classes: tuple[float, float] | None = None

    # ------------------------------------------------------------------------------- constructors
    @classmethod
    def interpolation(cls, y) -> Targets:
        """``lo = hi = y``."""
        y = _finite_vector(y, "y")
        return cls(y, y, y, "interpolation")

    @classmethod
    def tolerance(cls, y, eps) -> Targets:
        """``y − ε ≤ f(x_i) ≤ y + ε``; ``ε`` a scalar or an array of shape (N,), finite and ``≥ 0``."""
        y = _finite_vector(y, "y")
        e = np.asarray(eps, dtype=np.float64)
        if e.ndim > 1 or (e.ndim == 1 and e.shape != y.shape):
            raise ParameterError(f"tolerance must be a number or one value per point, got shape {e.shape}")
        if not np.all(np.isfinite(e)) or np.any(e < 0):
            bad = e if e.ndim == 0 else e[~(np.isfinite(e) & (e >= 0))][0]
            raise ParameterError(f"tolerance (--tol) must be a finite number >= 0, got {float(bad)!r}")
        e = np.broadcast_to(e, y.shape)
        if not np.any(e):  # ε = 0 is interpolation, on its exact path
            return cls.interpolation(y)
        return cls(y - e, y + e, y, "tolerance", tol=float(np.max(e)))

    @classmethod
    def bounds(cls, lo, hi, y=None) -> Targets:
        """Explicit bounds (``-inf`` / ``+inf`` allowed on their side), optional reference ``y``."""
        lo = np.array(lo, dtype=np.float64).reshape(-1)
        hi = np.array(hi, dtype=np.float64).reshape(-1)
        if lo.shape != hi.shape:
            raise DataError(f"shape mismatch: {lo.size} lower bounds but {hi.size} upper bounds")
        for name, arr, forbidden in (("lower", lo, np.inf), ("upper", hi, -np.inf)):
            bad = np.isnan(arr) | (arr == forbidden)
            if np.any(bad):
                i = int(np.flatnonzero(bad)[0])
                raise DataError(f"{name} bound is {arr[i]} at data row {i + 1}")
        wrong = lo > hi
        if np.any(wrong):
            i = int(np.flatnonzero(wrong)[0])
            raise DataError(f"lower bound > upper bound at data row {i + 1} ({lo[i]:g} > {hi[i]:g})")
        if y is not None:
            y = _finite_vector(y, "y")
            if y.shape != lo.shape:
                raise DataError(f"shape mismatch: {y.size} targets but {lo.size} bounds")
        return cls(lo, hi, y, "bounds")

    @classmethod
    def classification(cls, labels) -> Targets:
        """Margins ``t_i f(x_i) ≥ 1`` for a two-valued label (smaller value → ``t = −1``)."""
        lab = _finite_vector(labels, "labels")
        vals = np.unique(lab)
        if vals.size != 2:
            shown = ", ".join(f"{v:g}" for v in vals[:5]) + (", ..." if vals.size > 5 else "")
            raise DataError(
                f"--classify needs a target with exactly two classes, found {vals.size} ({shown})"
            )
        t = np.where(lab == vals[1], 1.0, -1.0)
        lo = np.where(t > 0, 1.0, -np.inf)
        hi = np.where(t > 0, np.inf, -1.0)
        return cls(lo, hi, t, "classification", classes=(float(vals[0]), float(vals[1])))

    # ------------------------------------------------------------------------------------ views
    @property
    def n_points(self) -> int:
        return int(self.lo.size)

    @property
    def is_interpolation(self) -> bool:
        """``lo = hi`` everywhere (the exact-interpolation path applies)."""
        return self.kind == "interpolation"

    @property
    def center(self) -> np.ndarray:
        """A representative value per point: ``y`` when known, else the midpoint of finite bounds
        (the finite end of a half-infinite interval)."""
        if self.y is not None:
            return self.y
        return _center(self.lo, self.hi)

    def take(self, index) -> Targets:
        """The targets of the points ``index`` (an integer index array or boolean mask)."""
        y = None if self.y is None else self.y[index]
        return Targets(self.lo[index], self.hi[index], y, self.kind, self.tol, self.classes)

    def violation(self, pred) -> np.ndarray:
        """Distance of each ``pred_i`` outside ``[lo_i, hi_i]`` (0 inside), shape (N,)."""
        pred = np.asarray(pred, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            v = np.maximum(np.maximum(self.lo - pred, pred - self.hi), 0.0)
        return np.where(np.isnan(pred), np.inf, v)

    def scale(self) -> float:
        """``max |finite bound or target|`` (the size of the values the bounds speak about)."""
        # one pass per array, no copies of the finite parts (max |.| does not depend on order)
        m = 0.0
        for arr in (self.lo, self.hi) if self.y is None else (self.lo, self.hi, self.y):
            if arr.size:
                a = np.abs(arr)
                m = max(m, float(np.max(a, where=np.isfinite(a), initial=0.0)))
        return m

    def describe(self) -> str:
        """One phrase for reports, e.g. ``'within ±0.1 of y'``."""
        if self.kind == "interpolation":
            return "interpolating"
        if self.kind == "tolerance":
            return f"within ±{self.tol:.6g} of y"
        if self.kind == "classification":
            neg, pos = self.classes
            return f"classifying {pos:g} vs {neg:g} with margin 1"
        return "within the given bounds"

    def to_metadata(self) -> dict:
        """Model-file metadata: ``targets`` (the kind), ``tol`` and ``classes`` where they apply."""
        out: dict = {"targets": self.kind}
        if self.tol is not None:
            out["tol"] = self.tol
        if self.classes is not None:
            out["classes"] = list(self.classes)
        return out


def make_targets(
    y=None,
    *,
    tol=None,
    lower=None,
    upper=None,
    classify: bool = False,
) -> Targets:
    """Build :class:`Targets` from the user's options (the one place flags are combined).

    Parameters
    ----------
    y : array_like of shape (N,), optional
        The target column (required unless ``lower``/``upper`` are given).
    tol : float or array_like of shape (N,), optional
        Tolerance ``ε ≥ 0``: bounds ``y ± ε``.
    lower, upper : array_like of shape (N,), optional
        Explicit bounds; one of them alone leaves the other side infinite.
    classify : bool
        Map a two-valued ``y`` to margins ``t_i f(x_i) ≥ 1``.

    Raises
    ------
    ParameterError
        Incompatible options (bounds with ``tol`` or ``classify``, ``tol`` with ``classify``), a bad
        tolerance.
    DataError
        ``lo > hi``, NaN bounds, not exactly two classes, a missing target.
    """
    has_bounds = lower is not None or upper is not None
    given = [
        name
        for name, on in (
            ("--tol", tol is not None),
            ("--lower/--upper", has_bounds),
            ("--classify", classify),
        )
        if on
    ]
    if len(given) > 1:
        raise ParameterError(f"{' and '.join(given)} cannot be combined: give one kind of target")
    if has_bounds:
        n = np.size(lower if lower is not None else upper)
        lo = np.full(n, -np.inf) if lower is None else lower
        hi = np.full(n, np.inf) if upper is None else upper
        return Targets.bounds(lo, hi, y)
    if y is None:
        raise DataError("no target column: give one, or bounds with --lower/--upper")
    if classify:
        return Targets.classification(y)
    if tol is not None:
        return Targets.tolerance(y, tol)
    return Targets.interpolation(y)


def merge_repeated(x: np.ndarray, targets: Targets, *, where: str = "data") -> tuple[np.ndarray, Targets]:
    """Sort univariate points and intersect the bounds of repeated inputs.

    Parameters
    ----------
    x : ndarray of shape (N,)
    targets : Targets
        Not interpolation (interpolation keeps :func:`sparsest.data.prepare_1d`'s rule).

    Returns
    -------
    x : ndarray of shape (M,)
        Strictly increasing.
    targets : Targets
        Of the M distinct points; ``y`` (when present) is the mean of the repeated targets.

    Raises
    ------
    DataError
        When the intersection at a repeated input is empty (naming the input).
    """
    order = np.argsort(x, kind="stable")
    xs = x[order]
    t = targets.take(order)
    if xs.size < 2 or not np.any(xs[1:] == xs[:-1]):
        return xs, t
    new = np.empty(xs.size, dtype=bool)
    new[0] = True
    new[1:] = xs[1:] != xs[:-1]
    starts = np.flatnonzero(new)
    lo = np.maximum.reduceat(t.lo, starts)
    hi = np.minimum.reduceat(t.hi, starts)
    empty = lo > hi
    if np.any(empty):
        i = int(np.flatnonzero(empty)[0])
        raise DataError(
            f"{where}: repeated x={xs[starts[i]]:g} with bounds that do not overlap "
            f"(the intersection [{lo[i]:g}, {hi[i]:g}] is empty)"
        )
    y = None
    if t.y is not None:
        counts = np.diff(np.append(starts, xs.size))
        y = np.add.reduceat(t.y, starts) / counts
    if starts.size < 2:
        raise DataError(f"{where}: need at least 2 distinct points, got {starts.size}")
    return xs[starts], Targets(lo, hi, y, t.kind, t.tol, t.classes)


# ---------------------------------------------------------------------------------- internals
def _finite_vector(v, name: str) -> np.ndarray:
    try:
        arr = np.array(v, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise DataError(f"{name} must be numeric") from None
    bad = ~np.isfinite(arr)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        kind = "NaN" if np.isnan(arr[i]) else "inf"
        raise DataError(f"{name} contains {kind} (first at data row {i + 1})")
    return arr


def _center(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    out = np.zeros(lo.shape)
    both = np.isfinite(lo) & np.isfinite(hi)
    out[both] = 0.5 * (lo[both] + hi[both])
    only_lo = np.isfinite(lo) & ~np.isfinite(hi)
    out[only_lo] = lo[only_lo]
    only_hi = ~np.isfinite(lo) & np.isfinite(hi)
    out[only_hi] = hi[only_hi]
    return out

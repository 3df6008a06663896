"""Compiled (numba) support sweep of the ℓ0 polish's coordinate descent (:func:`.l0polish._cd`).

One sweep over the support coordinates ``idx`` of :class:`.l0polish._State`: for each ``j``,
``b = (q_j − g_j + G_jj β_j) / G_jj``; a counted entry is set to 0 when ``b² G_jj / S`` does not
exceed its cost ``c_j + c_n·[no other entry of its neuron is nonzero]``; when ``β_j`` changes,
``g ← g + G_j (b − β_j)`` and the neuron's entry count are updated. Every float64 operation is the
one the Python loop performs, in the same order (no fused multiply-add), so the states — and the
polished networks — are bit-identical to the pure-Python path.

The one function is both paths: :data:`python_sweep` runs it as plain Python (numpy row updates),
:data:`support_sweep` compiled. Without numba the module still imports (:data:`HAVE_NUMBA` is
``False``) and ``_cd`` runs the plain one; ``SPARSEST_NO_NUMBA=1`` forces it (:func:`enabled`, the
switch of :mod:`sparsest.exact._tube_nb`, shared). The
plain path is the reference: the core install (no ``fast`` extra) runs it.
"""

from __future__ import annotations

import numpy as np

# one numba switch for the package: the tube solver's (import guard, SPARSEST_NO_NUMBA, njit(cache))
from ..exact._tube_nb import HAVE_NUMBA, _njit, enabled

__all__ = ["HAVE_NUMBA", "MIN_SUPPORT", "enabled", "python_sweep", "support_sweep"]

#: below this many support coordinates the Python loop is as fast (no dispatch overhead)
MIN_SUPPORT = 8


def _support_sweep(
    idx: np.ndarray,
    beta: np.ndarray,
    g: np.ndarray,
    cnt: np.ndarray,
    G: np.ndarray,
    q: np.ndarray,
    diag: np.ndarray,
    is_free: np.ndarray,
    group: np.ndarray,
    cw: np.ndarray,
    cost_n: float,
    scale: float,
) -> bool:
    """One sweep (module docstring); updates ``beta`` (F,), ``g`` (F,) and ``cnt`` (K,) in place and
    returns whether an entry was thresholded to zero. ``G`` is (F, F), ``idx`` int64 of the support."""
    changed = False
    for t in range(idx.shape[0]):
        j = idx[t]
        Gjj = diag[j]
        old = beta[j]
        b = (q[j] - g[j] + Gjj * old) / Gjj
        if not is_free[j]:
            k = group[j]
            others = cnt[k] - (1 if old != 0 else 0)
            cost = cw[j] + (cost_n if others == 0 else 0.0)
            if b * b * Gjj / scale <= cost:
                b = 0.0
                changed = True
            if b != old:
                cnt[k] += (1 if b != 0 else 0) - (1 if old != 0 else 0)
        if b != old:
            g += G[j] * (b - old)
            beta[j] = b
    return changed


#: the sweep as plain Python (numpy row updates): the reference, and the path without numba
python_sweep = _support_sweep
#: the sweep compiled with numba (``cache=True``), or the plain one when numba does not import
support_sweep = _njit(_support_sweep)

"""Fixed-pattern exact re-solve ("polish") of a trained ReLU network.

Once training has settled the neurons' hyperplanes, fix every neuron's *activation pattern* on the
data, ``A_{ik} = 1[w_k^T x_i + b_k > 0]``, and its output sign ``s_k``. Writing the path-product
vector ``u_k = |v_k| [w_k; b_k] ∈ ℝ^{d+1}`` and ``x̄_i = [x_i; 1]``, the network is then *linear* in the
``u_k`` on the data (Pilanci–Ergen / paper Lemma 4.1, restricted to the network's own patterns):

.. math::

    f(x_i) = Σ_k s_k A_{ik}\\, u_k^T x̄_i + a^T x_i + c ,\\qquad
    (2A_{ik} − 1)\\, u_k^T x̄_i ≥ 0 \\;\\; (\\text{pattern consistency}).

Interpolation ``f(x_i) = y_i`` is a set of linear equalities, so on a fixed pattern set:

1. **reweighted ℓ1** (a sequence of small LPs, HiGHS) minimizes ``Σ ω |u|`` with weights
   ``ω = (|u| + ε)^{p−1}`` from the previous iterate, a standard majorization of the ℓp objective
   (per entry for the ``nonzeros`` objective, per neuron for ``neurons``);
2. **deletion**: every remaining neuron (then every remaining weight) is tentatively removed and the
   LP re-solved; a removal is kept when the data can still be fitted, so the count never increases;
3. **exact re-solve**: on the final support, tight pattern constraints become equalities and the
   interpolation equations are solved by a float64 least-squares solve, so the fit is exact to
   rounding (LP tolerances are ~1e-9); the result is re-checked by the float64 forward pass and
   rejected when it does not interpolate to ``fit_rtol (1 + max|y|)``.

Every candidate pattern is a hyperplane of the trained network (active neurons, and the last
hyperplanes of neurons the training switched off): the polish optimizes the network, it never
enumerates the data's patterns (that is the exact solver's job, :mod:`sparsest.exact`).
"""

from __future__ import annotations

import contextlib
import itertools
import time
from dataclasses import dataclass

import numpy as np
import scipy.linalg  # loads SciPy's BLAS now, so that single_threaded_blas() limits it too
import scipy.sparse as sp

from ..exact.backends import new_highs
from ..network import ReLUNetwork

__all__ = [
    "PolishResult",
    "lower_bound_1d",
    "merge_knots_1d",
    "n_knots",
    "output_layer_fit",
    "parity_shift_1d",
    "polish",
    "polish_windows_1d",
    "refit_lines_1d",
    "single_threaded_blas",
]


_CURVATURE_MIN_N = 48  # univariate LPs above this size use the curvature rows of _Problem
#: ... and above this size their LPs try HiGHS's methods in turn, each under a time limit
_CASCADE_MIN_N = 1500
#: compact univariate LPs: the dense least-squares re-solve only below N × unknowns entries
_MAX_DENSE_RESOLVE = 4_000_000
#: a curvature-form simplex point this close to feasible is accepted (see _Problem._solve_curvature)
_NEAR_FEASIBLE = 1e-7


@dataclass(frozen=True)
class PolishResult:
    """Outcome of :func:`polish`.

    Attributes
    ----------
    network : ReLUNetwork
        The polished network (or the input network when nothing better was found).
    interpolates : bool
        ``max_i |f(x_i) − y_i| ≤ fit_rtol (1 + max|y|)`` by the float64 forward pass.
    max_residual : float
    n_active : int
    n_nonzero : int
    n_lp : int
        Number of LPs solved.
    seconds : float
    """

    network: ReLUNetwork
    interpolates: bool
    max_residual: float
    n_active: int
    n_nonzero: int
    n_lp: int
    seconds: float


class _Problem:
    """The LP data for one fixed set of activation patterns.

    Parameters
    ----------
    H : ndarray of shape (J, d+1)
        Candidate hyperplanes ``[w; b]``; their activation patterns on the data are the candidates.
    sign_mask : ndarray of bool, shape (J, 2), optional
        Output signs allowed per hyperplane (``[+, −]``); default both.
    neighbor_cols : int
        The patterns of the first ``neighbor_cols`` hyperplanes also contribute their Hamming-1
        neighbours (one data point's activation flipped: the hyperplane moved across one point);
        ``neighbor_mode="shrink"`` only switches points off.
    extra_patterns : ndarray of bool, shape (N, J'), optional
        Explicit patterns (an unrealizable one only ever gets ``u = 0``), with ``extra_signs``.
    compact : bool, optional
        Store the patterns as gaps of the sorted data instead of a dense ``(N, J)`` boolean matrix
        (see below). Default: whenever the LP is in curvature form (:meth:`_curvature_form`) and
        neither ``neighbor_cols`` nor ``extra_patterns`` is given. ``False`` forces the dense
        construction (which gives the same LP; kept for the tests).

    Notes
    -----
    **Compact univariate patterns.** With one input, sorted points ``x_(0) < … < x_(N−1)`` and a
    hyperplane ``w x + b`` (``w ≠ 0``), the activation ``1[w x + b > 0]`` is monotone along the sorted
    points, so its pattern is fixed by the gap index ``g ∈ {0..N}``: the number of sorted points
    before the change (``w > 0``: the points ``≥ x_(g)`` are active; ``w < 0``: those ``≤ x_(g−1)``).
    ``g`` is found by bisection in ``O(log N)`` per hyperplane (the float64 ``x w + b`` is monotone
    in ``x``, so this is exactly the pattern the dense ``pre > 0`` gives). A root within ``1e-9``
    (relative) of data points adds the variant with those points active (a neighbouring gap), as
    the dense construction does. With a free affine term a pattern and its complement are the same
    candidate, and ``g ∈ {0, N}`` (all or no points active) is affine; so the candidates are the
    distinct gaps ``g ∈ {1..N−1}``, at most ``N − 1`` of them, in order of first appearance, each
    oriented (``right``: active set ``{x_(g)..x_(N−1)}``, else ``{x_(0)..x_(g−1)}``) so that the
    first data point (``X[0]``) is inactive, as in the dense construction. Everything the LP needs
    (:meth:`_curvature_rows`, the two inequality rows per column next to the change) is built from
    ``(gap, right)`` in ``O(N + J)`` memory; :meth:`pattern_cols` materializes a few columns.
    """

    def __init__(
        self,
        X,
        y,
        H,
        skip,
        include_bias,
        objective,
        neighbor_cols=0,
        neighbor_mode="all",
        extra_patterns=None,
        sign_mask=None,
        extra_signs=None,
        lo=None,
        hi=None,
        compact: bool | None = None,
    ):
        self.X = X
        self.y = y
        # the LP's rows: lo ≤ f(x_i) ≤ hi (interpolation: lo = hi = y)
        self.row_lo = y if lo is None else np.asarray(lo, dtype=np.float64)
        self.row_hi = y if hi is None else np.asarray(hi, dtype=np.float64)
        N, d = X.shape
        self.N, self.d, self.D = N, d, d + 1
        self.Xb = np.c_[X, np.ones(N)]
        self.skip = skip
        self.include_bias = include_bias
        self.objective = objective
        S = np.ones((H.shape[0], 2), dtype=bool) if sign_mask is None else np.asarray(sign_mask, bool)
        if compact is None:
            plain = neighbor_cols == 0 and (extra_patterns is None or not extra_patterns.shape[1])
            compact = plain and self._curvature_form()
        elif compact and not self._curvature_form():
            raise ValueError("compact patterns need a univariate interpolation LP in curvature form")
        self.compact = bool(compact)
        self.A: np.ndarray | None = None  # (N, J) patterns; None when compact
        if self.compact:
            self._init_gaps(np.asarray(H, dtype=np.float64), S)
            self._build()
            return
        pre = self.Xb @ H.T  # (N, J)
        A = pre > 0
        # a hyperplane through (or within rounding of) data points is compatible with those points
        # on either side: add the variant with them active
        scale = np.abs(self.Xb) @ np.abs(H.T)
        on = np.abs(pre) <= 1e-9 * scale
        if np.any(on):
            cols = np.flatnonzero(on.any(axis=0))
            A = np.concatenate([A, A[:, cols] | on[:, cols]], axis=1)
            S = np.concatenate([S, S[cols]])
        if neighbor_cols:
            core = A[:, :neighbor_cols]
            flips = np.repeat(core, N, axis=1)  # (N, n_core * N): column j*N + i flips point i
            ii = np.tile(np.arange(N), neighbor_cols)
            jj = np.arange(flips.shape[1])
            keepf = flips[ii, jj] if neighbor_mode == "shrink" else np.ones(jj.size, dtype=bool)
            flips[ii, jj] ^= True
            A = np.concatenate([A, flips[:, keepf]], axis=1)
            S = np.concatenate([S, np.repeat(S[:neighbor_cols], N, axis=0)[keepf]])
        if extra_patterns is not None and extra_patterns.shape[1]:
            A = np.concatenate([A, extra_patterns.astype(bool)], axis=1)
            es = np.ones((extra_patterns.shape[1], 2), dtype=bool) if extra_signs is None else extra_signs
            S = np.concatenate([S, es])
        if skip:
            # with a free affine term an all-active or all-inactive pattern is affine on the data,
            # and a pattern is equivalent to its complement (same output sign): keep one of each
            keep = A.any(axis=0) & ~A.all(axis=0)
            A, S = A[:, keep], S[keep]
            A = np.where(A[0:1, :], ~A, A)
        else:
            keep = A.any(axis=0)
            A, S = A[:, keep], S[keep]
        # duplicate patterns: keep the first, allowing every sign any duplicate allowed
        key = np.packbits(A, axis=0).T
        _, first, inv = np.unique(key, axis=0, return_index=True, return_inverse=True)
        inv = inv.reshape(-1)
        S2 = np.zeros((first.size, 2), dtype=bool)
        np.logical_or.at(S2, inv, S)
        order = np.argsort(first)
        A, S = A[:, first[order]], S2[order]
        J = A.shape[1]
        self.J = J
        self.A = A
        # pattern-sign columns: (pattern index, sign) for every allowed pair
        self._set_columns(S)
        self._build()

    def _set_columns(self, S: np.ndarray) -> None:
        """Pattern-sign columns ``(col_pat, signs)`` from the allowed signs ``S`` (J, 2) per pattern:
        every pattern with ``+`` first, then every pattern with ``−``."""
        pat = np.concatenate([np.flatnonzero(S[:, 0]), np.flatnonzero(S[:, 1])])
        self.col_pat = pat
        self.signs = np.concatenate([np.ones(int(S[:, 0].sum())), -np.ones(int(S[:, 1].sum()))])
        self.P = pat.size

    def _init_gaps(self, H: np.ndarray, S: np.ndarray) -> None:
        """The compact univariate patterns (class Notes): ``gap`` and ``right``, both of shape (J,),
        ``order`` (N,) (sorting permutation of the data) and ``rank`` (N,) (its inverse)."""
        N = self.N
        order = np.argsort(self.X[:, 0], kind="stable")
        xs = self.X[order, 0]
        gap, var = _gap_patterns(xs, H[:, 0], H[:, -1])
        new = var != gap  # root on data points: the variant with them active
        g = np.concatenate([gap, var[new]])
        S = np.concatenate([S, S[new]])
        keep = (g >= 1) & (g <= N - 1)  # g = 0 or N: all or no points active (affine)
        g, S = g[keep], S[keep]
        # duplicate patterns: keep the first, allowing every sign any duplicate allowed
        _, first, inv = np.unique(g, return_index=True, return_inverse=True)
        S2 = np.zeros((first.size, 2), dtype=bool)
        np.logical_or.at(S2, inv.reshape(-1), S)
        srt = np.argsort(first)
        self.gap = g[first[srt]]
        self.order = order
        self.rank = np.empty(N, dtype=np.intp)
        self.rank[order] = np.arange(N)
        # orientation: the first data point inactive (a pattern and its complement are one candidate)
        self.right = self.rank[0] < self.gap
        self.J = int(self.gap.size)
        self._set_columns(S2[srt])

    def _act_sorted(self, q: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Activations (compact patterns) of the pattern-sign columns ``cols`` at the sorted
        positions ``q`` (same shape, or broadcastable): a bool array."""
        g = self.gap[self.col_pat[cols]]
        return np.where(self.right[self.col_pat[cols]], q >= g, q < g)

    def pattern_cols(self, cols: np.ndarray) -> np.ndarray:
        """Activation patterns of the pattern-sign columns ``cols`` (K,) on the data in its
        original order: a bool array of shape (N, K) (the columns of ``A[:, col_pat]``)."""
        cols = np.asarray(cols, dtype=np.intp)
        if not self.compact:
            return self.A[:, self.col_pat[cols]]
        return self._act_sorted(self.rank[:, None], cols[None, :])

    def hamming(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Hamming distances between the patterns of the pattern-sign columns ``a`` (K₁,) and
        ``b`` (K₂,), shape (K₁, K₂). Compact: gaps ``g, g'`` of one orientation differ on
        ``|g − g'|`` points, of opposite orientations on ``N − |g − g'|``."""
        a, b = np.asarray(a, dtype=np.intp), np.asarray(b, dtype=np.intp)
        if not self.compact:
            A2 = self.A[:, self.col_pat].T.astype(np.int8)  # (P, N)
            return (A2[a][:, None, :] != A2[b][None, :, :]).sum(axis=2)
        ga, gb = self.gap[self.col_pat[a]], self.gap[self.col_pat[b]]
        ra, rb = self.right[self.col_pat[a]], self.right[self.col_pat[b]]
        dg = np.abs(ga[:, None] - gb[None, :])
        return np.where(ra[:, None] == rb[None, :], dg, self.N - dg)

    def _build(self):
        N, D, P = self.N, self.D, self.P
        self.curvature = self._curvature_form()  # (before the rows' right-hand side changes)
        if self.compact:
            cols = np.arange(P)
            g = self.gap[self.col_pat]
            Eu, skip_rows, rhs = self._curvature_rows(lambda q: self._act_sorted(q, cols), g)
            self.row_lo = self.row_hi = rhs
            # inequality rows: the two points next to the change, (point, column) in row-major order
            q = np.concatenate([g - 1, g])
            pp = np.concatenate([cols, cols])
            ii = self.order[q]
            srt = np.lexsort((pp, ii))
            ii, pp, q = ii[srt], pp[srt], q[srt]
            sv = np.where(self._act_sorted(q, pp), -1.0, 1.0)
            self._build_ub(ii, pp, sv)
            self._build_eq(Eu, skip_rows)
            return
        A2 = self.A[:, self.col_pat]  # (N, P)
        if self.curvature:
            order = np.argsort(self.X[:, 0], kind="stable")
            As = A2[order]  # (N, P), each column one change of activation
            # m: first sorted index whose activation differs from the first point's
            m = np.argmax(As != As[0:1, :], axis=0)  # (P,)
            cols = np.arange(P)
            Eu, skip_rows, rhs = self._curvature_rows(lambda q: As[q, cols], m)
            self.row_lo = self.row_hi = rhs
        else:
            # equality: sum_k s_k A_ik xb_i . u_k  (u = up - um)
            rows = np.repeat(np.arange(N), P * D)
            cols = np.tile(np.arange(P * D), N)
            vals = (A2[:, :, None] * self.signs[None, :, None] * self.Xb[:, None, :]).reshape(-1)
            nz = vals != 0
            Eu = sp.csr_matrix((vals[nz], (rows[nz], cols[nz])), shape=(N, P * D))
            skip_rows = self.Xb
        self._build_eq(Eu, skip_rows)
        # inequalities: (1 - 2A_ik) xb_i . u_k <= 0 for each (i, pattern-sign column)
        sgn = np.where(A2, -1.0, 1.0)  # (N, P)
        keep = np.ones((N, P), dtype=bool)
        if self.d == 1:
            # u^T xb is affine in x: its sign pattern on sorted points is decided by the two points
            # next to the sign change, so the other rows are implied
            order = np.argsort(self.X[:, 0])
            As = A2[order]
            change = np.zeros((N, P), dtype=bool)
            diff = As[1:] != As[:-1]
            change[1:] |= diff
            change[:-1] |= diff
            keep = np.zeros((N, P), dtype=bool)
            keep[order] = change
        ii, pp = np.nonzero(keep)
        self._build_ub(ii, pp, sgn[ii, pp])

    def _build_eq(self, Eu: sp.csr_matrix, skip_rows: np.ndarray) -> None:
        """``A_eq = [Eu, −Eu, skip_rows]`` (``u = u⁺ − u⁻``; the skip block only with a skip term)."""
        blocks = [Eu, -Eu]
        if self.skip:
            blocks.append(sp.csr_matrix(skip_rows))  # a (d) and c (1)
        self.A_eq = sp.hstack(blocks, format="csr")

    def _build_ub(self, ii: np.ndarray, pp: np.ndarray, sv: np.ndarray) -> None:
        """Pattern-consistency rows ``sv_t x̄_{ii_t}ᵀ u_{pp_t} ≤ 0`` (``sv = 1 − 2A``), one per entry
        of ``ii, pp, sv`` (each of shape (n_rows,)), and the LP's sizes."""
        P, D = self.P, self.D
        nrow = ii.size
        rr = np.repeat(np.arange(nrow), D)
        cc = (pp[:, None] * D + np.arange(D)[None, :]).reshape(-1)
        vv = (sv[:, None] * self.Xb[ii]).reshape(-1)
        Iu = sp.csr_matrix((vv, (rr, cc)), shape=(nrow, P * D))
        blocks = [Iu, -Iu]
        if self.skip:
            blocks.append(sp.csr_matrix((nrow, self.D)))
        self.A_ub = sp.hstack(blocks, format="csr")
        self.n_u = P * D
        self.nvar = 2 * P * D + (self.D if self.skip else 0)
        self._highs = None
        # _solve_curvature's state: a simplex basis to warm-start from; the weights' fixed jitter
        self._basis = False
        self._jitter: np.ndarray | None = None

    def _curvature_form(self) -> bool:
        """Whether the equality rows are written in curvature form (see :meth:`_curvature_rows`)."""
        return (
            self.d == 1
            and self.skip
            and self.N > _CURVATURE_MIN_N
            and self.row_lo is self.y
            and self.row_hi is self.y
            and bool(np.all(np.diff(np.sort(self.X[:, 0])) > 0))
        )

    def _curvature_rows(self, act, m: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
        """Interpolation rows of a univariate LP with a skip term, in curvature form.

        Sort the points (``x_0 < … < x_{N−1}``, gaps ``h_k``). The rows ``f(x_i) = y_i`` are
        replaced by the equivalent ``f(x_0) = y_0``, ``f(x_1) = y_1`` and, for ``k = 1..N−2``,
        ``Δ_k f = Δ_k y`` with ``Δ_k g = (g_{k+1} − g_k)/h_k − (g_k − g_{k−1})/h_{k−1}`` (an
        invertible row transform: the two values and the slope changes give every value back).
        ``Δ_k`` annihilates the affine skip term, and a neuron whose pattern changes between
        ``x_{m−1}`` and ``x_m`` is affine on either side of the change, so its column has
        ``Δ_k ≠ 0`` only for ``k ∈ {m − 1, m}``: about 6 entries per column instead of ``N/2``
        (measured at N = 1000 with 5,000 candidates: an LP in well under a second instead of 14 s).
        The right-hand side becomes ``[y_0, y_1, Δ_k y]``.

        Parameters
        ----------
        act : callable
            ``act(q)`` for sorted positions ``q`` of shape (P,) (one per pattern-sign column, in
            ``0..N−1``): the columns' activations there, bool of shape (P,).
        m : ndarray of int, shape (P,)
            Per column the first sorted position whose activation differs from position 0's.

        Returns
        -------
        Eu : sparse matrix of shape (N, P·D)
            The neuron block of the equality rows (row order: the two values, then ``Δ_1..Δ_{N−2}``).
        skip_rows : ndarray of shape (N, D)
            The skip block (``[x, 1]`` in the two value rows, zero below).
        rhs : ndarray of shape (N,)
            ``[y_0, y_1, Δ_1 y, …, Δ_{N−2} y]``.
        """
        N, D, P = self.N, self.D, self.P
        order = np.argsort(self.X[:, 0], kind="stable")
        xs = self.X[order, 0]
        h = np.diff(xs)
        Xs = self.Xb[order]  # (N, D)
        rows, cols, vals = [], [], []
        col_ids = np.arange(P)[:, None] * D + np.arange(D)[None, :]  # (P, D)
        for r in (0, 1):  # value rows at the first two sorted points
            g = act(np.full(P, r))[:, None] * self.signs[:, None] * Xs[r][None, :]  # (P, D)
            rows.append(np.full(P * D, r))
            cols.append(col_ids.reshape(-1))
            vals.append(g.reshape(-1))

        def gval(q):  # (P, D) values of the columns at sorted points q (P,), zero out of range
            inr = (q >= 0) & (q < N)
            qc = np.clip(q, 0, N - 1)
            a = act(qc) & inr
            return a[:, None] * self.signs[:, None] * Xs[qc]

        for k in (m - 1, m):
            ok = (k >= 1) & (k <= N - 2)
            kc = np.clip(k, 1, N - 2)
            dlt = (gval(kc + 1) - gval(kc)) / h[kc][:, None] - (gval(kc) - gval(kc - 1)) / h[kc - 1][:, None]
            rows.append(np.repeat(np.where(ok, kc + 1, 0), D))  # Δ_k is row k + 1
            cols.append(col_ids.reshape(-1))
            vals.append(np.where(ok[:, None], dlt, 0.0).reshape(-1))
        rows, cols, vals = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
        nz = vals != 0
        Eu = sp.csr_matrix((vals[nz], (rows[nz], cols[nz])), shape=(N, P * D))
        skip_rows = np.zeros((N, D))
        skip_rows[:2] = Xs[:2]
        ys = self.y[order]
        sec = np.diff(ys) / h
        return Eu, skip_rows, np.r_[ys[:2], np.diff(sec)]

    def _model(self):
        import highspy

        h = new_highs()
        h.setOptionValue("primal_feasibility_tolerance", 1e-10)
        h.setOptionValue("dual_feasibility_tolerance", 1e-10)
        # the LPs are re-solved many times with new costs and bounds from the previous basis:
        # presolve would discard that warm start (measured: 2x fewer simplex runs in d-D)
        h.setOptionValue("presolve", "off")
        M = sp.vstack([self.A_eq, self.A_ub], format="csc")
        lp = highspy.HighsLp()
        lp.num_col_ = self.nvar
        lp.num_row_ = M.shape[0]
        inf = highspy.kHighsInf
        lp.col_cost_ = np.zeros(self.nvar)
        lo = np.zeros(self.nvar)
        hi = np.full(self.nvar, inf)
        lo[2 * self.n_u :] = -inf
        lp.col_lower_ = lo
        lp.col_upper_ = hi
        neq = self.A_eq.shape[0]
        lp.row_lower_ = np.concatenate([np.maximum(self.row_lo, -inf), np.full(M.shape[0] - neq, -inf)])
        lp.row_upper_ = np.concatenate([np.minimum(self.row_hi, inf), np.zeros(M.shape[0] - neq)])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = M.indptr.astype(np.int32)
        lp.a_matrix_.index_ = M.indices.astype(np.int32)
        lp.a_matrix_.value_ = M.data
        h.passModel(lp)
        self._highs = h
        self._idx = np.arange(2 * self.n_u, dtype=np.int32)
        self._inf = inf
        return h

    deadline: float | None = None

    def solve(self, weights: np.ndarray, allowed: np.ndarray, central: bool = False):
        """min Σ weights·|u| over allowed entries. weights, allowed: (P, D). Returns U (P, D), skip.

        ``central=True`` uses the interior-point method without crossover, which returns a point in
        the relative interior of the optimal face when the optimum is not unique (ties split evenly).
        """
        import highspy

        if self.curvature and self.N > _CASCADE_MIN_N:
            return self._solve_curvature(weights, allowed)
        h = self._highs or self._model()
        mode = "ipm" if central else "simplex"
        if getattr(self, "_mode", None) != mode:  # changing options costs the warm start: only on change
            h.setOptionValue("solver", mode)
            h.setOptionValue("run_crossover", "off" if central else "on")
            self._mode = mode
        self._set_costs(h, weights, allowed)
        if self.deadline is not None:
            h.setOptionValue("time_limit", max(0.05, self.deadline - time.perf_counter()))
        h.run()
        ok = highspy.HighsModelStatus.kOptimal
        if h.getModelStatus() != ok and central:
            # the interior-point method can stall on badly scaled data: use the simplex method
            h.setOptionValue("solver", "simplex")
            h.setOptionValue("run_crossover", "on")
            self._mode = "simplex"
            h.run()
        if h.getModelStatus() != ok:
            # a stale basis can make a re-solve fail: retry once from scratch
            h.clearSolver()
            h.run()
            if h.getModelStatus() != ok:
                return None
        z = np.asarray(h.getSolution().col_value)
        U = (z[: self.n_u] - z[self.n_u : 2 * self.n_u]).reshape(self.P, self.D)
        skip = z[2 * self.n_u :] if self.skip else None
        return U, skip

    def _set_costs(self, h, weights: np.ndarray, allowed: np.ndarray) -> None:
        w = np.where(allowed, weights, 0.0).reshape(-1)
        ub = np.where(allowed.reshape(-1), self._inf, 0.0)
        n = 2 * self.n_u
        h.changeColsCost(n, self._idx, np.concatenate([w, w]))
        h.changeColsBounds(n, self._idx, np.zeros(n), np.concatenate([ub, ub]))

    def _solve_curvature(self, weights: np.ndarray, allowed: np.ndarray):
        """:meth:`solve` for curvature-form LPs above ``_CASCADE_MIN_N`` univariate points.

        The reweighted-ℓ1 LP with equal weights (the first one: ``Σ|u|`` is the total variation of
        the slope, the same on every convex run whatever the knots) is massively dual degenerate:
        measured at N = 2000 (sorted ``tanh``), the dual simplex ran over 60 s, the interior-point
        method with crossover over 60 s, without crossover 1.7 s (23 s at N = 10⁴). With the
        weights of each pattern scaled by a fixed factor ``1 + 10⁻² ξ_k`` (``ξ_k ∈ [0, 1)``, one
        draw per problem, so that the reweighting's ties are broken the same way every time) the
        dual simplex takes 0.5 s at N = 2000 and 3.3 s at N = 10⁴, and the reweighted LPs after
        it about as long. So: the dual simplex warm-started from the last basis when there is
        one, then from scratch (a warm start can fail on the new costs: "excessive dual values",
        measured), each under a time limit ``5 + N/200`` s; when both fail, the interior-point
        method without crossover (a feasible point that need not be a vertex: the networks made from it are
        re-fitted by :func:`refit_lines_1d` and re-checked by the float64 forward pass anyway).
        HiGHS's ``time_limit`` counts the instance's total run time, so each limit is set on top
        of the time already run. A point is accepted when HiGHS reports it primal feasible (or
        the simplex reports it optimal).
        """
        import highspy

        h = self._highs or self._model()
        if self._jitter is None:
            self._jitter = 1.0 + 1e-2 * np.random.default_rng(0).random((self.P, 1))
        self._set_costs(h, weights * self._jitter, allowed)
        cap = 5.0 + self.N / 200.0
        feasible = int(highspy.SolutionStatus.kSolutionStatusFeasible)
        for mode in (["warm"] if self._basis else []) + ["simplex", "ipm"]:
            limit = cap if self.deadline is None else max(0.05, min(cap, self.deadline - time.perf_counter()))
            h.setOptionValue("time_limit", h.getRunTime() + limit)
            h.setOptionValue("solver", "ipm" if mode == "ipm" else "simplex")
            h.setOptionValue("run_crossover", "off")
            h.setOptionValue("presolve", "on" if mode == "ipm" else "off")
            if mode != "warm":
                h.clearSolver()
            h.run()
            # the simplex can end "optimal" with infeasibilities just above the tolerance after
            # unscaling (measured at N = 5000): a vertex all the same, which the re-fit makes exact
            optimal = mode != "ipm" and h.getModelStatus() == highspy.HighsModelStatus.kOptimal
            # ... or stop "unknown" after that clean-up with a vertex a hair outside the tolerance
            # (measured at N = 5000: one row off by 2.2e-10; the cold simplex and the interior
            # point method after it took 50 s); the line re-fit and repair make such a point exact
            info = h.getInfo()
            near = (
                mode != "ipm"
                and h.getModelStatus() == highspy.HighsModelStatus.kUnknown
                and info.basis_validity == 1
                and 0 <= info.max_primal_infeasibility <= _NEAR_FEASIBLE
            )
            if optimal or near or info.primal_solution_status == feasible:
                self._basis = mode != "ipm"
                z = np.asarray(h.getSolution().col_value)
                U = (z[: self.n_u] - z[self.n_u : 2 * self.n_u]).reshape(self.P, self.D)
                return U, (z[2 * self.n_u :] if self.skip else None)
            self._basis = False
        return None

    def resolve_without(self, V: np.ndarray, banned: np.ndarray, reweight, iters: int):
        """Reweighted-ℓ1 re-solve with the ``banned`` entries fixed at zero, starting from the
        weights of ``V``; returns (last LP solution or None, number of LPs)."""
        w = reweight(V)
        out, n = None, 0
        for _ in range(iters):
            n += 1
            o = self.solve(w, ~banned)
            if o is None:
                break
            out = o
            w = reweight(o[0])
        return out, n

    def exact_resolve(self, U: np.ndarray, skip_vals, rtol: float):
        """Least-squares re-solve on the support of ``U`` with tight pattern constraints as equalities.

        Unknowns: the entries of ``U`` on its support (and the skip term). Equations: interpolation
        at every point, and ``u_k^T x̄_i = 0`` wherever the LP left a pattern constraint tight (so
        that rounding cannot flip an activation). The LP point is corrected by the least-norm
        solution of the residual system, which makes the fit exact to float64 rounding.
        """
        scale = max(1.0, float(np.max(np.abs(U)))) if U.size else 1.0
        support = np.abs(U) > 1e-12 * scale
        ks, js = np.nonzero(support)  # unknowns, column-major within each neuron
        nU = ks.size
        nS = self.D if self.skip else 0
        if nU + nS == 0:
            return None
        if self.compact and self.N * (nU + nS) > _MAX_DENSE_RESOLVE:
            return None  # the dense solve costs O(N (nU + nS)²): the 1-D line re-fit's job
        used = support.any(axis=1)
        if self.compact:
            # only the used columns (the others are zero): O(N K) instead of O(N P)
            eq = self.pattern_cols(ks) * self.signs[ks] * self.Xb[:, js]  # (N, nU)
            uc = np.flatnonzero(used)
            pre_u = self.Xb @ U[uc].T  # (N, K)
            ti, tu = np.nonzero(np.abs(pre_u) <= 1e-9 * (np.abs(self.Xb) @ np.abs(U[uc]).T + 1e-300))
            tk = uc[tu]
        else:
            A2 = self.A[:, self.col_pat]
            eq = A2[:, ks] * self.signs[ks] * self.Xb[:, js]  # (N, nU)
            pre = self.Xb @ U.T  # (N, P)
            tight_tol = 1e-9 * (np.abs(self.Xb) @ np.abs(U).T + 1e-300)
            ti, tk = np.nonzero((np.abs(pre) <= tight_tol) & used[None, :])
        if nS:
            eq = np.concatenate([eq, self.Xb], axis=1)
        # tight row t: x̄_{ti[t]} on the unknowns of neuron tk[t]
        tight = (ks[None, :] == tk[:, None]) * self.Xb[ti][:, js]
        if nS:
            tight = np.concatenate([tight, np.zeros((ti.size, nS))], axis=1)
        M = np.concatenate([eq, tight], axis=0)
        rhs = np.concatenate([self.y, np.zeros(ti.size)])
        z0 = np.concatenate([U[ks, js], np.asarray(skip_vals, dtype=np.float64) if nS else np.zeros(0)])
        dz = _lstsq(M, rhs - M @ z0)
        z = z0 + dz
        U2 = np.zeros_like(U)
        U2[ks, js] = z[:nU]
        return U2, (z[nU:] if nS else None)

    def network(self, U: np.ndarray, skip_vals) -> ReLUNetwork:
        norms = np.linalg.norm(U, axis=1)
        keep = norms > 0
        Uk, nk, sk = U[keep], norms[keep], self.signs[keep]
        g = np.sqrt(nk)
        W = Uk[:, :-1] / g[:, None]
        b = Uk[:, -1] / g
        v = sk * g
        if self.skip:
            return ReLUNetwork(W, b, v, a=skip_vals[:-1], c=float(skip_vals[-1]), skip=True)
        return ReLUNetwork(W, b, v, skip=False)


def _gap_patterns(xs: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gap indices of univariate hyperplanes on sorted points (see :class:`_Problem`, Notes).

    Parameters
    ----------
    xs : ndarray of shape (N,)
        Sorted points.
    w, b : ndarray of shape (J,)
        Hyperplanes ``w x + b``.

    Returns
    -------
    gap : ndarray of int, shape (J,)
        ``w > 0``: the first sorted position with ``w x + b > 0`` (the active points are those from
        there on); ``w < 0``: the first with ``w x + b ≤ 0`` (the active points are those before);
        ``w = 0``: 0 or N (constant). Found by bisection on the monotone float64 ``x w + b``.
    variant : ndarray of int, shape (J,)
        The gap after also activating the points within ``1e-9 (|x||w| + |b|)`` of the hyperplane
        next to the change (the root lies on them): ``gap`` minus (``w > 0``) or plus (``w < 0``)
        the length of that run; ``gap`` itself when there is none.
    """
    N, J = xs.size, w.size
    pos = w > 0
    lo = np.zeros(J, dtype=np.intp)
    hi = np.full(J, N, dtype=np.intp)
    while True:  # first position where the predicate holds (N: nowhere); O(J log N)
        act = lo < hi
        if not act.any():
            break
        mid = (lo + hi) // 2
        pre = xs[np.minimum(mid, N - 1)] * w + b
        pred = np.where(pos, pre > 0, pre <= 0)
        hi = np.where(act & pred, mid, hi)
        lo = np.where(act & ~pred, mid + 1, lo)
    gap = lo
    var = gap.copy()
    cand = np.flatnonzero(w != 0)
    while cand.size:  # runs of points on the hyperplane next to the change (usually none)
        q = var[cand] - pos[cand]  # w > 0: the inactive point left of the change; w < 0: right
        inr = (q >= 0) & (q < N)
        qc = np.clip(q, 0, N - 1)
        wc, bc = w[cand], b[cand]
        pre = xs[qc] * wc + bc
        on = inr & (np.abs(pre) <= 1e-9 * (np.abs(xs[qc]) * np.abs(wc) + np.abs(bc)))
        cand = cand[on]
        var[cand] += np.where(pos[cand], -1, 1)
    return gap, var


@contextlib.contextmanager
def single_threaded_blas():
    """Run the block with one BLAS thread. The polish's dense solves are small (hundreds of
    rows): a second OpenBLAS thread only adds synchronization, and on a busy machine its
    spin-waits made a 284 × 286 least-squares solve take 0.7-2.9 s instead of 15 ms (measured)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _lstsq(M: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Least-norm least-squares solution of ``M z = r`` (rank-revealing QR, LAPACK ``gelsy``:
    several times faster than NumPy's SVD-based ``gelsd`` on the polish's systems)."""
    if M.size == 0:
        return np.zeros(M.shape[1])
    return scipy.linalg.lstsq(M, r, lapack_driver="gelsy", check_finite=False)[0]


def _counts(net: ReLUNetwork, include_bias: bool) -> tuple[int, int]:
    return net.n_active_neurons(include_bias), net.n_nonzero(include_bias)


def polish(
    net: ReLUNetwork,
    X: np.ndarray,
    y: np.ndarray,
    *,
    objective: str = "neurons",
    include_bias: bool | None = None,
    extra_hyperplanes: np.ndarray | None = None,
    p: float = 0.4,
    reweight_iters: int = 4,
    delete: bool = True,
    fit_rtol: float = 1e-10,
    eps_rel: float = 1e-3,
    max_chain: int = 8,
    central_start: bool = True,
    central_iters: int = 1,
    eps_start: float = 1e-3,
    bias_weight: float = 1e-3,
    neighbors: bool | str = False,
    merges: bool = False,
    native_signs: bool = False,
    target: int | None = None,
    deadline: float | None = None,
    lp_budget: int = 4000,
) -> PolishResult:
    """Re-solve a trained network exactly on its own activation patterns (module docstring).

    Parameters
    ----------
    net : ReLUNetwork
        Trained network (its neurons supply the candidate hyperplanes and the initial weights).
    X : ndarray of shape (N, d)
    y : ndarray of shape (N,)
    objective : {"neurons", "nonzeros"}
        What to make sparse: active neurons, or nonzero path products.
    include_bias : bool, optional
        Whether bias entries count as nonzeros (default: ``d > 1``, as :class:`ReLUNetwork`).
    extra_hyperplanes : ndarray of shape (J, d+1), optional
        Further hyperplanes ``[w; b]`` of the same training run (e.g. neurons it switched off).
    p : float
        Exponent of the reweighting ``ω = (|u| + ε)^{p−1}``.
    reweight_iters : int
        Number of reweighted-ℓ1 LPs before the deletion pass.
    delete : bool
        Run the deletion pass.
    fit_rtol : float
        Required accuracy of the final fit, relative to ``1 + max|y|``.
    neighbors : bool or "shrink"
        Also offer the Hamming-1 neighbours of the input neurons' patterns ("shrink": only
        switching a point off).
    merges : bool
        Also offer the union of the active sets of every two same-sign input neurons.
    native_signs : bool
        Input neurons keep their output sign (otherwise both signs are offered).
    target : int, optional
        Stop searching once the count reaches it (a known lower bound).
    deadline : float, optional
        ``time.perf_counter()`` value after which the search stops (the best exact fit so far is
        returned).
    lp_budget : int
        Most LPs of the ejection-chain search.

    Returns
    -------
    PolishResult
        Never worse than the input: when the polish fails to produce an interpolating network with
        at most the input's count, the input network is returned.
    """
    t0 = time.perf_counter()
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    y = np.asarray(y, dtype=np.float64)
    d = X.shape[1]
    ib = (d > 1) if include_bias is None else bool(include_bias)
    tol = fit_rtol * (1.0 + float(np.max(np.abs(y))))
    H = np.c_[net.W, net.b]
    norms = np.linalg.norm(net.W, axis=1)
    H = H[norms > 0] / norms[norms > 0, None]
    # an active neuron keeps its own output sign (native_signs); others may take either sign
    vs = np.sign(net.v[norms > 0])
    if native_signs:
        sign_mask = np.c_[vs >= 0, vs <= 0]
    else:
        sign_mask = np.ones((H.shape[0], 2), dtype=bool)
    n_core = H.shape[0] if neighbors else 0
    if extra_hyperplanes is not None and len(extra_hyperplanes):
        E = np.asarray(extra_hyperplanes, dtype=np.float64).reshape(-1, d + 1)
        en = np.linalg.norm(E[:, :-1], axis=1)
        H = np.concatenate([H, E[en > 0] / en[en > 0, None]])
        sign_mask = np.concatenate([sign_mask, np.ones((int((en > 0).sum()), 2), dtype=bool)])
    base_ok = net.max_residual(X, y) <= tol
    base_count = _counts(net, ib)
    n_lp = 0

    def done(result_net, ok):
        na, nn = _counts(result_net, ib)
        return PolishResult(
            result_net, ok, result_net.max_residual(X, y), na, nn, n_lp, time.perf_counter() - t0
        )

    if H.shape[0] == 0:
        return done(net, base_ok)
    extra_A = None
    if merges and net.width >= 2:
        # merge move: the union of the active sets of two same-sign neurons
        act = net.active_mask(ib)
        Aact = (np.c_[X, np.ones(X.shape[0])] @ np.c_[net.W, net.b][act].T) > 0
        sg = np.sign(net.v[act])
        cols = [
            Aact[:, i] | Aact[:, j]
            for i in range(Aact.shape[1])
            for j in range(i + 1, Aact.shape[1])
            if sg[i] == sg[j]
        ]
        extra_A = np.array(cols).T if cols else None
        pair_sign = [
            sg[i] for i in range(Aact.shape[1]) for j in range(i + 1, Aact.shape[1]) if sg[i] == sg[j]
        ]
        extra_S = np.array([[s_ >= 0, s_ <= 0] for s_ in pair_sign], dtype=bool).reshape(-1, 2)
    else:
        extra_S = None
    prob = _Problem(
        X,
        y,
        H,
        net.skip,
        ib,
        objective,
        neighbor_cols=n_core,
        neighbor_mode=neighbors if isinstance(neighbors, str) else "all",
        extra_patterns=extra_A,
        sign_mask=sign_mask,
        extra_signs=extra_S,
    )
    prob.deadline = deadline
    if prob.J == 0:
        return done(net, base_ok)
    P, D = prob.P, prob.D
    allowed = np.ones((P, D), dtype=bool)
    if not ib:
        pass  # bias entries are allowed, just not penalized much (see weights below)
    bias_w = 1.0 if ib else bias_weight
    # initial weights from the trained network: patterns used by active neurons are cheap
    weights = np.ones((P, D))
    weights[:, -1] *= bias_w
    ref = float(np.max(np.abs(y))) + 1e-300
    eps = eps_rel * ref

    def reweight(U, e=None):
        e = eps if e is None else e
        if objective == "neurons":
            g = np.abs(U).sum(axis=1, keepdims=True)
            w = (g + e) ** (p - 1.0) * np.ones((1, D))
        else:
            w = (np.abs(U) + e) ** (p - 1.0)
        w[:, -1] *= bias_w
        return w

    sol = None
    n_it = max(1, reweight_iters)
    for it in range(n_it):
        if it > 0 and deadline is not None and time.perf_counter() > deadline:
            break
        n_lp += 1
        out = prob.solve(weights, allowed, central=(it < central_iters and central_start))
        if out is None:
            break
        sol = out
        # ε-continuation: from eps_start (nearly ℓ1) down to eps
        e = ref * eps_start * (eps_rel / eps_start) ** ((it + 1) / n_it)
        weights = reweight(sol[0], e)
    if sol is None:
        return done(net, base_ok)

    def finalize(U, skip_vals):
        if prob.curvature:
            # many univariate points: the O(N) re-fit of the lines between the LP's knots (the
            # dense least-squares re-solve below costs O(N K²))
            Ut = np.where(thresh(U), U, 0.0)
            cand = refit_lines_1d(prob.network(Ut, skip_vals), X, y, fit_rtol=fit_rtol).network
            if cand.max_residual(X, y) <= tol:
                return cand
        fixed = prob.exact_resolve(U, skip_vals, fit_rtol)
        if fixed is not None:
            cand = prob.network(*fixed)
            if cand.max_residual(X, y) <= tol:
                return cand
        if prob.curvature:
            # last resort: the LP point's wrong segments become piecewise-linear interpolants
            # (more knots, an exact fit; the count-reducing moves come after)
            return repair_lines_1d(prob.network(Ut, skip_vals), X, y, fit_rtol=fit_rtol)
        return None

    def thresh(U):
        scale = float(np.max(np.abs(U))) if U.size else 0.0
        return np.abs(U) > 1e-9 * max(scale, 1e-300)

    U, skip_vals = sol
    best = finalize(U, skip_vals)
    key = 0 if objective == "neurons" else 1

    if delete and best is not None:
        best, U, skip_vals, n_more = _ejection_chains(
            prob,
            U,
            skip_vals,
            best,
            reweight,
            finalize,
            thresh,
            key,
            max_chain=max_chain,
            target=target,
            deadline=deadline,
            lp_budget=lp_budget,
        )
        n_lp += n_more
        if key == 1:
            best, U, skip_vals, n_more = _entry_deletion(
                prob, U, skip_vals, best, reweight, finalize, thresh, target=target, deadline=deadline
            )
            n_lp += n_more
    if best is None:
        return done(net, base_ok)
    best = best.canonicalize(ib, merge_tol=0.0)
    if base_ok and _counts(best, ib)[key] > base_count[key]:
        return done(net, True)
    ok = best.max_residual(X, y) <= tol
    return done(best, ok)


def _ejection_chains(
    prob,
    U,
    skip_vals,
    best,
    reweight,
    finalize,
    thresh,
    key,
    *,
    max_chain=8,
    iters=2,
    max_branch=2,
    lp_budget=4000,
    target=None,
    deadline=None,
):
    """Count-reducing local search by ejection chains.

    Ban one unit (neuron, or weight for ``nonzeros``) and re-solve. If the count did not drop, the
    re-solve had to open new patterns: ban an old unit nearest to them (activation-pattern Hamming
    distance) so that its mass can move into the new pattern, and repeat — an augmenting path in
    the space of activation patterns. Ties in distance branch (depth-first, at most ``max_branch``
    candidates per step); the count may rise by at most one along a chain.
    """
    n_lp = 0
    P, D = U.shape

    def count(V):
        sup = thresh(V)
        return int(sup.any(axis=1).sum()) if key == 0 else int(sup.sum())

    def solve_from(V, banned):
        nonlocal n_lp
        out, n = prob.resolve_without(V, banned, reweight, iters)
        n_lp += n
        return out

    def late():
        return deadline is not None and time.perf_counter() > deadline

    def chain(V, banned, used0, cur, depth):
        """Depth-first search for a ban sequence that lowers the count; returns an LP solution."""
        if depth > max_chain or n_lp > lp_budget or late():
            return None
        out = solve_from(V, banned)
        if out is None:
            return None
        V2 = out[0]
        c2 = count(V2)
        if c2 < cur:
            return out
        if c2 > cur + 1:
            return None
        used2 = thresh(V2).any(axis=1)
        new = np.flatnonzero(used2 & ~used0)
        old = np.flatnonzero(used2 & used0 & ~banned.any(axis=1))
        if new.size == 0 or old.size == 0:
            return None
        dist = prob.hamming(new, old).min(axis=0)  # per old unit
        cands = old[np.argsort(dist, kind="stable")]
        dmin = dist.min()
        cands = [j for j in cands if dist[np.flatnonzero(old == j)[0]] == dmin][:max_branch]
        for j in cands:
            b2 = banned.copy()
            b2[j] = True
            res = chain(V2, b2, used0, cur, depth + 1)
            if res is not None:
                return res
        return None

    improved = True
    while improved and n_lp <= lp_budget and not late():
        improved = False
        tried: set[int] = set()
        while n_lp <= lp_budget and not late():
            cur = count(U)
            if target is not None and cur <= target:
                return best, U, skip_vals, n_lp
            used = thresh(U).any(axis=1)
            order = [k for k in np.argsort(np.abs(U).sum(axis=1)) if used[k] and k not in tried]
            if not order:
                break
            k0 = order[0]
            tried.add(k0)
            banned = np.zeros((P, D), dtype=bool)
            banned[k0] = True
            out = chain(U, banned, used, cur, 1)
            if out is None:
                continue
            cand = finalize(*out)
            if cand is not None:
                best, U, skip_vals = cand, out[0], out[1]
                improved = True
    return best, U, skip_vals, n_lp


def _entry_deletion(
    prob,
    U,
    skip_vals,
    best,
    reweight,
    finalize,
    thresh,
    *,
    iters=2,
    lp_budget=2000,
    target=None,
    deadline=None,
):
    """For the ``nonzeros`` objective: remove single weights while an exact fit remains."""
    n_lp = 0
    improved = True
    while improved and n_lp < lp_budget:
        if deadline is not None and time.perf_counter() > deadline:
            break
        improved = False
        sup = thresh(U)
        cur = int(sup.sum())
        if target is not None and cur <= target:
            break
        ks, js = np.nonzero(sup)
        for m in np.argsort(np.abs(U[ks, js])):
            if deadline is not None and time.perf_counter() > deadline:
                break
            banned = np.zeros_like(sup)
            banned[ks[m], js[m]] = True
            out, n = prob.resolve_without(U, banned, reweight, iters)
            n_lp += n
            if out is None or int(thresh(out[0]).sum()) >= cur:
                continue
            cand = finalize(*out)
            if cand is None:
                continue
            best, U, skip_vals = cand, out[0], out[1]
            improved = True
            break
    return best, U, skip_vals, n_lp


def output_layer_fit(
    net: ReLUNetwork,
    X: np.ndarray,
    y: np.ndarray,
    *,
    objective: str = "neurons",
    include_bias: bool | None = None,
    fit_rtol: float = 1e-10,
    deadline: float | None = None,
) -> PolishResult:
    """Exact fit by re-solving only the output layer (and skip term) of ``net``.

    With the hidden layer fixed, ``f(x_i) = Σ_k v_k φ_ik + a^T x_i + c`` with
    ``φ_ik = (w_k^T x_i + b_k)_+`` is linear in ``v``; the LP ``min Σ_k ω_k |v_k|`` subject to
    interpolation (``ω_k = 1`` for neurons, the neuron's nonzero count for nonzeros) picks a sparse
    exact fit among the trained neurons, followed by a float64 least-squares correction on the
    support. ``N`` equality rows only, so it scales to large ``N`` where the pattern polish does
    not; it never moves a hyperplane.
    """
    import highspy

    t0 = time.perf_counter()
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    y = np.asarray(y, dtype=np.float64)
    N, d = X.shape
    ib = (d > 1) if include_bias is None else bool(include_bias)
    tol = fit_rtol * (1.0 + float(np.max(np.abs(y))))
    keep = np.linalg.norm(net.W, axis=1) > 0
    W, b = net.W[keep], net.b[keep]
    Phi = np.maximum(X @ W.T + b, 0.0)  # (N, K)
    K = W.shape[0]
    if objective == "neurons":
        omega = np.ones(K)
    else:
        omega = (np.abs(W) > 0).sum(axis=1) + (ib & (b != 0)).astype(float)
    Sk = np.c_[X, np.ones(N)] if net.skip else np.zeros((N, 0))
    nS = Sk.shape[1]
    M = np.concatenate([Phi, -Phi, Sk], axis=1)
    inf = highspy.kHighsInf
    h = new_highs()
    if deadline is not None:
        h.setOptionValue("time_limit", max(0.05, deadline - time.perf_counter()))
    lp = highspy.HighsLp()
    lp.num_col_ = 2 * K + nS
    lp.num_row_ = N
    lp.col_cost_ = np.concatenate([omega, omega, np.zeros(nS)])
    lp.col_lower_ = np.concatenate([np.zeros(2 * K), np.full(nS, -inf)])
    lp.col_upper_ = np.full(2 * K + nS, inf)
    lp.row_lower_ = y
    lp.row_upper_ = y
    Mc = sp.csc_matrix(M)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = Mc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = Mc.indices.astype(np.int32)
    lp.a_matrix_.value_ = Mc.data
    h.passModel(lp)
    h.run()
    out_net = net
    if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        z = np.asarray(h.getSolution().col_value)
        v = z[:K] - z[K : 2 * K]
        sup = np.abs(v) > 1e-12 * max(1.0, float(np.max(np.abs(v))))
        A = np.concatenate([Phi[:, sup], Sk], axis=1)
        z0 = np.concatenate([v[sup], z[2 * K :]])
        dz = _lstsq(A, y - A @ z0)
        z1 = z0 + dz
        vs = z1[: int(sup.sum())]
        skip_vals = z1[int(sup.sum()) :]
        cand = ReLUNetwork(
            W[sup],
            b[sup],
            vs,
            a=skip_vals[:-1] if net.skip else None,
            c=float(skip_vals[-1]) if net.skip else 0.0,
            skip=net.skip,
        ).balanced(ib)
        if cand.max_residual(X, y) <= tol:
            out_net = cand
    resid = out_net.max_residual(X, y)
    return PolishResult(
        out_net,
        resid <= tol,
        resid,
        out_net.n_active_neurons(ib),
        out_net.n_nonzero(ib),
        1,
        time.perf_counter() - t0,
    )


def lower_bound_1d(X: np.ndarray, y: np.ndarray, objective: str, skip: bool, fit_rtol: float) -> int | None:
    """A proven lower bound on the active neurons of any 1-D interpolant with a skip term.

    Sort the data. A point ``i`` whose value is off the chord of its neighbours by more than
    ``3 τ`` (``τ = fit_rtol (1 + max|y|)``, the fit tolerance: within it a line could fit the three
    points) forces a knot in ``(x_{i−1}, x_{i+1})`` whose jump has the sign ``σ_i`` of the discrete
    curvature there (the jumps in that interval sum to ``s_i − s_{i−1}``). Knots of opposite sign are
    different neurons, and disjoint intervals hold different knots, so the bound is
    ``Σ_σ`` (largest set of pairwise disjoint intervals of sign σ), found greedily (intervals of
    points ``i`` and ``i'`` are disjoint when ``i' ≥ i + 2``). On a maximal run of ``r`` points of
    one curvature sign the greedy choice takes ``⌈r/2⌉`` of them, so the bound is the count
    ``Σ ⌈r/2⌉`` of Debarre et al. — here only a proof that no interpolant has fewer neurons: the
    trainer uses it to stop searching, never to build a network. ``None`` outside 1-D neurons.

    Parameters
    ----------
    X : ndarray of shape (N, 1)
    y : ndarray of shape (N,)
    """
    if X.shape[1] != 1 or objective != "neurons" or not skip or X.shape[0] < 3:
        return None
    order = np.argsort(X[:, 0], kind="stable")
    x, v = X[order, 0], y[order]
    sign = _curvature_signs(x, v, fit_rtol * (1.0 + float(np.max(np.abs(y)))))
    total = 0
    for sg in (1, -1):
        last = -2
        for i in np.flatnonzero(sign == sg):
            if i >= last + 2:
                total += 1
                last = i
    return total


def polish_windows_1d(
    net: ReLUNetwork,
    X: np.ndarray,
    y: np.ndarray,
    hyperplanes: np.ndarray,
    *,
    window: int = 16,
    sweeps: int = 6,
    p: float = 0.4,
    fit_rtol: float = 1e-10,
    deadline: float | None = None,
    max_lp: int | None = None,
    **polish_options,
) -> PolishResult:
    """Windowed neuron-count polish of a univariate interpolant with a skip term (large ``N``).

    Sort the data. Let ``f`` interpolate it with knots ``u_k`` and jumps ``c_k``. Pick a window of
    points ``i..j`` such that ``f`` has no knot in ``[x_{i−1}, x_i]`` and none in ``[x_j, x_{j+1}]``
    (at the ends of the data the outer condition is dropped). Any CPWL ``g`` that interpolates the
    points ``i−1..j+1`` with knots only in ``(x_i, x_j)`` is linear on ``[x_{i−1}, x_i]`` and on
    ``[x_j, x_{j+1}]``, there following the same secants as ``f``; so replacing ``f``'s knots in
    ``(x_i, x_j)`` by ``g``'s gives an interpolant of all the data. ``g`` is found by :func:`polish`
    on the window's points, with the candidate hyperplanes of ``hyperplanes`` whose knots lie
    inside the window, starting from ``f`` itself; a window is replaced when ``g`` has fewer
    knots. Windows whose knot count already meets the window's :func:`lower_bound_1d` are skipped.
    Each window LP has ``O(window)`` rows, so a sweep costs ``O(N)``; sweeps alternate the
    windows' offsets (and widen) until one finds nothing.

    Parameters
    ----------
    net : ReLUNetwork
        Univariate interpolant with a skip term.
    X : ndarray of shape (N, 1)
    y : ndarray of shape (N,)
    hyperplanes : ndarray of shape (J, 2)
        Candidate hyperplanes ``[w, b]`` (knots ``−b/w``) from training.
    window : int
        Points per window (at least; a window grows until its ends are free of knots).
    sweeps : int
        Maximal number of passes over the data (offsets alternate; from the third pass on the
        windows are twice as wide). The passes end early when one finds nothing.
    max_lp : int, optional
        Most LPs in all (each window's search gets at most what is left): the search stops when
        they are spent. Measured without a cap at N = 2000 (sorted ``tanh``, a fit 4 knots above
        the optimum whose excess no window can remove): 55,000 LPs in 68 s, nothing found.

    Returns
    -------
    PolishResult
        Never worse than ``net``: the float64 forward pass on all data re-checks the final
        network, and ``net`` is returned when that check fails.
    """
    t0 = time.perf_counter()
    X, y, xs, ys, tol, delta, (knots, jumps, slope, intercept) = _knot_view(net, X, y, fit_rtol)
    N = xs.size
    Hn = np.asarray(hyperplanes, dtype=np.float64).reshape(-1, 2)
    Hn = Hn[Hn[:, 0] != 0]
    pool = np.sort(-Hn[:, 1] / Hn[:, 0])
    pool = np.unique(pool[np.isfinite(pool)])
    n_lp = 0
    lb_opts = ("neurons", True, fit_rtol)
    tried: set[tuple] = set()  # windows searched without success (same points, same knots)

    def late():
        spent = max_lp is not None and n_lp >= max_lp
        return spent or (deadline is not None and time.perf_counter() > deadline)

    def try_window(i: int, j: int) -> bool:
        """Search the window of points ``i..j`` (ends free of knots); True when it lost knots."""
        nonlocal knots, jumps, slope, intercept, n_lp
        lo_x = -np.inf if i == 0 else xs[i] + delta
        hi_x = np.inf if j == N - 1 else xs[j] - delta
        inside = (knots > lo_x) & (knots < hi_x)
        m = int(inside.sum())
        a, b = max(i - 1, 0), min(j + 1, N - 1)
        Xw, yw = xs[a : b + 1, None], ys[a : b + 1]
        key = (a, b, knots[inside].tobytes(), jumps[inside].tobytes())
        lb_w = lower_bound_1d(Xw, yw, *lb_opts) or 0
        if m < 2 or m <= lb_w or key in tried:
            return False
        tried.add(key)
        left = knots < lo_x
        s0 = slope + float(jumps[left].sum())
        c0 = intercept - float((jumps[left] * knots[left]).sum())
        g0 = ReLUNetwork.from_knots(knots[inside], jumps[inside], s0, c0)
        cand = pool[(pool > lo_x) & (pool < hi_x)]
        opts = dict(polish_options)
        if max_lp is not None:
            opts["lp_budget"] = max(1, min(int(opts.get("lp_budget", 4000)), max_lp - n_lp))
        pr = polish(
            g0,
            Xw,
            yw,
            objective="neurons",
            include_bias=False,
            extra_hyperplanes=np.c_[np.ones(cand.size), -cand],
            p=p,
            fit_rtol=fit_rtol,
            target=lb_w,
            deadline=deadline,
            **opts,
        )
        n_lp += pr.n_lp
        if not pr.interpolates or pr.n_active >= m:
            return False
        gk = pr.network.knots_1d(merge_tol=0.0)
        if gk.knots.size and (gk.knots.min() <= lo_x - delta or gk.knots.max() >= hi_x + delta):
            return False
        if i == 0:  # the window holds the left end: g's affine part becomes f's
            slope, intercept = gk.slope, gk.intercept
        knots, jumps = _splice(knots, jumps, inside, gk.knots, gk.jumps)
        return True

    def anchor_left(i: int) -> int:
        # move i right until it is 0 or [x_{i-1}, x_i] is free of knots
        while 0 < i < N - 1 and _has_knot(knots, xs[i - 1] - delta, xs[i] + delta):
            i += 1
        return i

    def anchor_right(j: int) -> int:
        while j < N - 1 and _has_knot(knots, xs[j] - delta, xs[j + 1] + delta):
            j += 1
        return j

    for sweep in range(max(1, sweeps)):
        improved = False
        size = window * (1 + sweep // 2)  # sweeps 3, 4 use windows twice as wide, ...
        i = 0 if sweep % 2 == 0 else size // 2
        while i < N - 1 and not late():
            i = anchor_left(i)
            j = anchor_right(min(i + size, N - 1))
            improved |= try_window(i, j)
            if j >= N - 1:
                break
            i = j if j > i else i + 1
        if not improved and sweep >= 1:
            break
    return _knots_result(net, (knots, jumps, slope, intercept), X, y, tol, n_lp, t0)


def parity_shift_1d(
    net: ReLUNetwork, X: np.ndarray, y: np.ndarray, *, fit_rtol: float = 1e-10, rounding: bool = False
) -> PolishResult:
    """Remove parity defects from a univariate interpolant with a skip term (one knot per defect pair).

    Sort the data; ``s_k`` is the secant slope on ``[x_k, x_{k+1}]`` of ``f``'s own values (on the
    two outer gaps of a move, where ``f`` is linear, ``f``'s slope itself: difference quotients of
    rounded values on a short gap would tilt the function beyond the move). On a run of points of one
    strict curvature sign ``σ`` an interpolant covers two consecutive points ``k, k+1`` with one
    knot, where the secant lines ``k − 1`` and ``k + 1`` cross (strictly inside ``(x_k, x_{k+1})``
    for points of one strict sign), and a lone point ``k`` with a knot at ``x_k``. Trained networks
    often pair a run out of step: lone knots at points ``k₁ < k₂`` of the run with pair knots in
    between. When ``f`` is linear on ``[x_{k₁−1}, x_{k₁}]`` and on ``[x_{k₂}, x_{k₂+1}]`` (so it
    follows the secants there) and every point ``k₁..k₂`` has sign ``σ`` with ``k₂ − k₁`` odd, the
    knots of ``f`` in ``[x_{k₁}, x_{k₂}]`` are replaced by the pair knots of ``(k₁, k₁+1), (k₁+2,
    k₁+3), …, (k₂−1, k₂)`` — jumps ``s_{k+1} − s_{k−1}``, which sum to ``s_{k₂} − s_{k₁−1}`` like
    ``f``'s — one knot fewer whenever ``f`` had more than ``(k₂ − k₁ + 1)/2`` there. The move only
    re-pairs what the training left out of step between two of its lone knots; it never builds a
    network from the data alone. Moves repeat until none applies; each is checked on its window by
    the float64 forward pass, the result on all data.

    Parameters
    ----------
    net : ReLUNetwork
        Univariate interpolant with a skip term.
    X : ndarray of shape (N, 1)
    y : ndarray of shape (N,)
    rounding : bool
        Large-N mode: windows are evaluated in extended precision (:func:`_knots_value_ext`) and
        pass when no point is worse than before beyond the tolerance (as in
        :func:`~sparsest.train.slopes1d.pair_runs_1d`); the final check allows the float64
        rounding of :func:`fits_within`.

    Returns
    -------
    PolishResult
        Never worse than ``net`` (``net`` itself when the final check fails); ``n_lp`` is 0.
    """
    t0 = time.perf_counter()
    X, y, xs, ys, tol, delta, (knots, jumps, slope, intercept) = _knot_view(net, X, y, fit_rtol)
    N = xs.size
    if N >= 4 and knots.size >= 2 and np.all(np.diff(xs) > 0):
        sign = np.r_[0, _curvature_signs(xs, ys, tol), 0]  # sign of point k, (N,)

        def value(xq, kn, ju):
            if rounding:
                return _knots_value_ext(xq, kn, ju, slope, intercept)
            return _knots_value(xq, kn, ju, slope, intercept)

        # a knot within LP accuracy of a point is on it (as in refit_lines_1d): the LP's lone
        # knots sit up to ~1e-8 off their points (measured at N = 2000), and a move that is wrong
        # for such a knot fails the window's float64 check
        delta = max(delta, 1e-7 * (1.0 + float(np.max(np.abs(xs)))))
        changed = True
        while changed:
            changed = False
            pt = _nearest_point(xs, knots)
            lone = np.flatnonzero((np.abs(xs[pt] - knots) <= delta) & (pt >= 1) & (pt <= N - 2))
            for q1, q2 in itertools.pairwise(lone):
                k1, k2 = int(pt[q1]), int(pt[q2])
                sg = int(np.sign(jumps[q1]))
                if (k2 - k1) % 2 == 0 or np.sign(jumps[q2]) != sg or np.any(sign[k1 : k2 + 1] != sg):
                    continue
                if _has_knot(knots, xs[k1 - 1] + delta, xs[k1] - delta) or _has_knot(
                    knots, xs[k2] + delta, xs[k2 + 1] - delta
                ):
                    continue
                inside = (knots >= xs[k1] - delta) & (knots <= xs[k2] + delta)
                if int(inside.sum()) <= (k2 - k1 + 1) // 2:
                    continue
                # the secants of f's own values (not of y): the new knots then reproduce f at the
                # window's points and its line beyond them, so no misfit is carried to the right
                xw = xs[k1 - 1 : k2 + 2]
                fw = value(xw, knots, jumps)
                un, ju = _pair_knots(xw, fw, knots, jumps, slope)
                nk, nj = _splice(knots, jumps, inside, un, ju)
                yw = ys[k1 - 1 : k2 + 2]
                allowed = tol
                if rounding:  # no point worse than before, beyond the tolerance
                    allowed = np.maximum(tol, np.abs(fw - yw) + 1e-3 * tol)
                if np.any(np.abs(value(xw, nk, nj) - yw) > allowed):
                    continue
                knots, jumps, changed = nk, nj, True
                break  # the lone knots moved: find them again
    return _knots_result(net, (knots, jumps, slope, intercept), X, y, tol, 0, t0, rounding)


def _knots_value(
    xq: np.ndarray, kn: np.ndarray, ju: np.ndarray, slope: float, intercept: float
) -> np.ndarray:
    """``slope · x + intercept + Σ_k ju_k (x − kn_k)₊`` at the points ``xq`` (n,): shape (n,)."""
    return slope * xq + intercept + np.maximum(xq[:, None] - kn[None, :], 0.0) @ ju


def _knots_value_ext(
    xq: np.ndarray, kn: np.ndarray, ju: np.ndarray, slope: float, intercept: float
) -> np.ndarray:
    """:func:`_knots_value` summed in extended precision, shape (n,).

    The terms ``ju_k (x − kn_k)₊`` of a noisy interpolant at N = 10⁴ cancel heavily (jumps up to
    ~10⁵ on tiny gaps where ``f`` is ~1): float64 products and sums are off by up to ~1e-9, more
    than the fit tolerance, while the network's 1-D forward pass on all data (prefix sums in
    extended precision) is accurate to ~1e-13. Here differences, products and sums are all formed
    in extended precision (error ~1e-14 there), of the stored float64 knots and jumps, so a move
    that keeps ``f`` in exact arithmetic passes the check when ``f`` did. The knots left of all
    the points are summed once into a line, those among them per point (``(n, K_between)``
    temporaries), so a window costs ``O(K + n K_between)``."""
    ld = np.longdouble
    lo = int(np.searchsorted(kn, float(np.min(xq)), side="left"))
    hi = int(np.searchsorted(kn, float(np.max(xq)), side="left"))
    # the knots left of every point are one line: slope + Σ ju, intercept − Σ ju·kn
    jl, kl = ju[:lo].astype(ld), kn[:lo].astype(ld)
    x = xq.astype(ld)
    line = (ld(slope) + jl.sum()) * x + (ld(intercept) - (jl * kl).sum())
    terms = np.maximum(x[:, None] - kn[None, lo:hi].astype(ld), 0.0) @ ju[lo:hi].astype(ld)
    return (line + terms).astype(np.float64)


def _nearest_point(xs: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Index of the sorted point ``xs`` (N ≥ 2) nearest to each knot (ties: the right one), (K,)."""
    pt = np.clip(np.searchsorted(xs, knots), 1, xs.size - 1)
    return np.where(np.abs(xs[pt - 1] - knots) < np.abs(xs[pt] - knots), pt - 1, pt)


def _pair_knots(xw, fw, knots, jumps, slope, ends=None) -> tuple[np.ndarray, np.ndarray]:
    """Pair knots of a window of points ``k₁ … k₂`` (an even number) of one strict curvature sign.

    ``xw``, ``fw``: shape ``(k₂ − k₁ + 3,)``, the points ``k₁ − 1 … k₂ + 1`` and ``f``'s values there;
    ``f`` is linear on the two outer gaps. Returns the knots and jumps, shape ``((k₂ − k₁ + 1)/2,)``:
    for the pair ``(k, k+1)`` the crossing of the secant lines of gaps ``k − 1`` and ``k + 1``, with
    jump ``s_{k+1} − s_{k−1}``; on the outer gaps ``s`` is ``f``'s own slope, not a difference quotient
    of rounded values (which on a short gap would tilt everything to the right). ``ends``: the two
    outer slopes when given (then ``xw[0]``, ``fw[0]``, ``xw[-1]``, ``fw[-1]`` are not used)."""
    sec = np.diff(fw) / np.diff(xw)  # sec[j]: gap k1 − 1 + j
    for j in (0, -1):
        if ends is None:
            sec[j] = slope + float(jumps[knots < 0.5 * (xw[j] + xw[j - 1 if j else 1])].sum())
        else:
            sec[j] = ends[j]
    k = np.arange(0, xw.size - 3, 2)  # window offsets of the pairs' left points, minus 1
    ju = sec[k + 2] - sec[k]
    un = (fw[k + 2] - sec[k + 2] * xw[k + 2] - fw[k + 1] + sec[k] * xw[k + 1]) / -ju
    return un, ju


def merge_knots_1d(
    net: ReLUNetwork, X: np.ndarray, y: np.ndarray, *, fit_rtol: float = 1e-10, rounding: bool = False
) -> PolishResult:
    """Merge neighbouring knots of one sign with no data point between them (an ℓp descent step).

    Let ``u₁ < u₂`` be consecutive knots of a univariate ``f`` with jumps ``c₁, c₂`` of one sign and
    no data point strictly inside ``(u₁, u₂)``. Replace both by one knot

    .. math::  u^* = (c_1 u_1 + c_2 u_2) / (c_1 + c_2) ∈ [u_1, u_2]

    with jump ``c₁ + c₂``. Outside ``(u₁, u₂)`` the two functions agree
    (``(c₁ + c₂)(x − u^*) = c₁(x − u₁) + c₂(x − u₂)`` for ``x ≥ u₂``, both zero for ``x ≤ u₁``), so the
    values at every data point are unchanged, one neuron less is used, and the ℓp path norm falls
    strictly for ``p < 1`` (``|c₁ + c₂|^p < |c₁|^p + |c₂|^p``): the ℓp objective is concave along the
    segment that joins the two configurations, and this is its end point. Where two data points
    ``x_k < x_{k+1}`` of one curvature sign carry knots at both, the merged knot is the crossing of
    the secants on either side. The sweep is left to right, a merged knot can merge again with its
    right neighbour; the result is re-checked by the float64 forward pass on all data.

    Parameters
    ----------
    net : ReLUNetwork
        Univariate interpolant (skip term or not).
    X : ndarray of shape (N, 1)
    y : ndarray of shape (N,)
    rounding : bool
        The final check allows the float64 rounding of :func:`fits_within`.

    Returns
    -------
    PolishResult
        Never worse than ``net`` (``net`` itself when the final check fails); ``n_lp`` is 0.
    """
    t0 = time.perf_counter()
    X, y, xs, _, tol, delta, (knots, jumps, slope, intercept) = _knot_view(net, X, y, fit_rtol)
    if knots.size >= 2:
        out_k, out_j = [float(knots[0])], [float(jumps[0])]
        for u2, c2 in zip(knots[1:].tolist(), jumps[1:].tolist(), strict=True):
            u1, c1 = out_k[-1], out_j[-1]
            lo = int(np.searchsorted(xs, u1 + delta, side="right"))
            between = lo < xs.size and xs[lo] < u2 - delta
            if c1 * c2 > 0 and not between:
                out_k[-1] = (c1 * u1 + c2 * u2) / (c1 + c2)
                out_j[-1] = c1 + c2
            else:
                out_k.append(u2)
                out_j.append(c2)
        knots, jumps = np.asarray(out_k), np.asarray(out_j)
    return _knots_result(net, (knots, jumps, slope, intercept), X, y, tol, 0, t0, rounding)


def refit_lines_1d(
    net: ReLUNetwork, X: np.ndarray, y: np.ndarray, *, fit_rtol: float = 1e-10
) -> PolishResult:
    """Re-fit the lines of a univariate network with a skip term between its knots, in ``O(N + K)``.

    ``f`` is a line ``L_j`` on each segment between consecutive knots (segment ``j`` holds the data
    points strictly between knots ``j`` and ``j + 1``; a point on a knot, within ``1e-7``
    relative (LP accuracy), belongs to both segments). Keeping that structure, each line is
    re-fitted to the data: through its points by least squares when a segment holds two or more
    (exactly through two), through its one point with ``f``'s slope when it holds one, unchanged
    when it holds none. The knots become the crossings of consecutive lines and the jumps the
    slope changes. When ``f`` fits the data to within LP tolerances (``~1e-7``) this makes the fit
    exact to rounding at the cost of moving knots by as little; a move that breaks the structure
    (a crossing outside its gap) shows in the float64 re-check on all data, and then ``net``
    itself is returned.

    Parameters
    ----------
    net : ReLUNetwork
        Univariate network with a skip term.
    X : ndarray of shape (N, 1)
    y : ndarray of shape (N,)

    Returns
    -------
    PolishResult
        The re-fitted network when its float64 residual is within ``fit_rtol (1 + max|y|)`` with no
        more knots, else ``net`` (``interpolates`` says which).
    """
    t0 = time.perf_counter()
    X, y, xs, ys, tol, _, (knots, jumps, slope, intercept) = _knot_view(net, X, y, fit_rtol)
    # a point within LP accuracy of a knot is on it: both lines pass through it, so their crossing
    # stays on the point (a knot the LP put on a data point is not pushed past it). That can tie
    # three points to one line where the LP's knot sits just off a point (by less than its
    # accuracy, measured at N = 5000 with gaps down to 1e-8): then each point on one side only
    out = None
    for near in (1e-7 * (1.0 + float(np.max(np.abs(xs)))), 0.0):
        kv = _refit_lines(xs, ys, knots, jumps, slope, intercept, near)
        out = _knots_result(net, kv, X, y, tol, 0, t0)
        if out.network is not net:
            break
    return out


def _segment_lines(x, yv, seg, K: int, S, C) -> tuple[np.ndarray, np.ndarray]:
    """Per-segment lines ``S_j x + C_j`` (``j = 0..K``) re-fitted to the points ``(x, yv)`` (n,)
    with segment ids ``seg`` (n,): least squares where a segment holds two or more distinct
    abscissae, through its mean point with the given slope ``S_j`` where it holds one, the given
    ``(S_j, C_j)`` where it holds none. Returns the new ``S, C`` (each of shape (K + 1,))."""
    cnt = np.bincount(seg, minlength=K + 1)
    mx = np.divide(np.bincount(seg, x, K + 1), cnt, out=np.zeros(K + 1), where=cnt > 0)
    my = np.divide(np.bincount(seg, yv, K + 1), cnt, out=np.zeros(K + 1), where=cnt > 0)
    dx = x - mx[seg]
    sxx = np.bincount(seg, dx * dx, K + 1)
    sxy = np.bincount(seg, dx * (yv - my[seg]), K + 1)
    two = (cnt >= 2) & (sxx > 0)
    S = np.where(two, np.divide(sxy, sxx, out=np.zeros(K + 1), where=two), S)
    return S, np.where(cnt >= 1, my - S * mx, C)


def _refit_lines(xs, ys, knots, jumps, slope, intercept, near: float) -> tuple:
    """:func:`refit_lines_1d`'s new ``(knots, jumps, slope, intercept)``: points within ``near`` of
    a knot belong to the segments on both sides."""
    K = knots.size
    S = slope + np.r_[0.0, np.cumsum(jumps)]  # slope of segment j = 0..K
    C = intercept - np.r_[0.0, np.cumsum(jumps * knots)]
    lo = np.searchsorted(knots, xs - near, side="left")  # first segment of each point
    hi = np.searchsorted(knots, xs + near, side="right")  # last segment (> lo: on a knot)
    seg = np.concatenate([lo, hi[hi > lo]])
    pts = np.concatenate([np.arange(xs.size), np.flatnonzero(hi > lo)])
    S, C = _segment_lines(xs[pts], ys[pts], seg, K, S, C)
    ju = np.diff(S)
    with np.errstate(divide="ignore", invalid="ignore"):
        kn = (C[:-1] - C[1:]) / ju
    keep = ju != 0
    kv = (kn[keep], ju[keep], float(S[0]), float(C[0]))
    if not np.all(np.isfinite(kv[0])):
        return knots, jumps, slope, intercept
    return kv


def repair_lines_1d(
    net: ReLUNetwork, X: np.ndarray, y: np.ndarray, *, fit_rtol: float = 1e-10
) -> ReLUNetwork | None:
    """An exact univariate interpolant from a near one (skip term), possibly with more knots.

    :func:`refit_lines_1d` first. When its fit still misses points (the LP's knot set is wrong
    there, as with the inaccurate LP points measured at N ≥ 5000), the function is rebuilt from
    ``net``'s segments (the points between consecutive knots): each segment's least-squares line
    (through its one point with ``net``'s slope when it has one) is kept where it fits all its
    points to ``fit_rtol / 4`` and where it crosses the next segment's line between their points;
    every other point (a segment that misfits, the two points next to a crossing outside its gap)
    and the points next to those (on a kept line) are interpolated by secants, a knot on each.
    Knots sit at the crossings of consecutive lines, so the pieces join without drift. ``O(N + K)``.

    Returns
    -------
    ReLUNetwork or None
        The re-fitted or rebuilt network when the float64 forward pass fits all data within
        ``fit_rtol (1 + max|y|)``, else None.
    """
    ref = refit_lines_1d(net, X, y, fit_rtol=fit_rtol)
    if ref.interpolates:
        return ref.network
    X, y, xs, ys, tol, _, (knots, jumps, slope, intercept) = _knot_view(net, X, y, fit_rtol)
    N, K = xs.size, knots.size
    if N < 2:
        return None
    seg = np.searchsorted(knots, xs, side="left")  # segment of each point (0..K)
    S0 = slope + np.r_[0.0, np.cumsum(jumps)]  # net's line per segment
    C0 = intercept - np.r_[0.0, np.cumsum(jumps * knots)]
    S, C = _segment_lines(xs, ys, seg, K, S0, C0)
    miss = np.abs(S[seg] * xs + C[seg] - ys) > 0.25 * tol
    bad_seg = np.zeros(K + 1, dtype=bool)
    bad_seg[seg[miss]] = True
    r0 = bad_seg[seg]
    # consecutive kept segments must cross between their points
    jk = np.flatnonzero(seg[:-1] != seg[1:])
    a_, b_ = seg[jk], seg[jk + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        u = (C[b_] - C[a_]) / (S[a_] - S[b_])
    same = (S[a_] == S[b_]) & (C[a_] == C[b_])
    off = ~(same | (np.isfinite(u) & (u >= xs[jk]) & (u <= xs[jk + 1])))
    r0[jk[off]] = True
    r0[jk[off] + 1] = True
    reg = r0.copy()  # and the points next to them (on a kept line)
    reg[1:] |= r0[:-1]
    reg[:-1] |= r0[1:]
    # the line on either part of each gap k (points k, k + 1): a secant (id K + 1 + k), a
    # segment's line (id = segment), or two segments' lines crossing inside the gap
    k = np.arange(N - 1)
    h = np.diff(xs)
    sec = reg[:-1] & reg[1:]
    ss = np.diff(ys) / h
    cs = ys[:-1] - ss * xs[:-1]
    idL = np.where(sec, K + 1 + k, seg[:-1])
    idR = np.where(sec, K + 1 + k, seg[1:])
    SL, CL = np.where(sec, ss, S[seg[:-1]]), np.where(sec, cs, C[seg[:-1]])
    SR, CR = np.where(sec, ss, S[seg[1:]]), np.where(sec, cs, C[seg[1:]])
    ids = np.c_[idL, idR].reshape(-1)
    Sq, Cq = np.c_[SL, SR].reshape(-1), np.c_[CL, CR].reshape(-1)
    # transition t (entries t, t + 1): even t = 2k inside gap k, odd t = 2k + 1 at point k + 1
    t = np.flatnonzero(ids[:-1] != ids[1:])
    kk = t // 2
    lo = xs[kk]
    hi = np.where(t % 2 == 0, xs[kk + 1], xs[np.minimum(kk + 2, N - 1)])
    with np.errstate(divide="ignore", invalid="ignore"):
        uu = (Cq[t + 1] - Cq[t]) / (Sq[t] - Sq[t + 1])
    inside = np.isfinite(uu) & (uu >= lo) & (uu <= hi)
    uu = np.where(inside, uu, np.where(t % 2 == 0, 0.5 * (xs[kk] + xs[kk + 1]), xs[kk + 1]))
    jj = Sq[t + 1] - Sq[t]
    nz = jj != 0
    srt = np.argsort(uu[nz], kind="stable")
    out = ReLUNetwork.from_knots(uu[nz][srt], jj[nz][srt], float(Sq[0]), float(Cq[0]))
    return out if out.max_residual(X, y) <= tol else None


def n_knots(net: ReLUNetwork) -> int:
    """Knots of a univariate network: every neuron with a nonzero jump, however small (the reported
    ``n_active_neurons`` ignores path products below ``1e-6`` of the largest; an interpolant may need
    such jumps, and the 1-D lower bounds count them)."""
    return net.n_active_neurons(False, rtol=0.0)


def _knot_view(net: ReLUNetwork, X, y, fit_rtol: float):
    """Float64 data, its sorted copy ``(xs, ys)``, the fit tolerance, the knot tolerance and the
    knots, jumps, slope and intercept of the univariate ``net`` (shared by the 1-D moves)."""
    X = np.asarray(X, dtype=np.float64).reshape(-1, 1)
    y = np.asarray(y, dtype=np.float64)
    order = np.argsort(X[:, 0], kind="stable")
    xs, ys = X[order, 0], y[order]
    tol = fit_rtol * (1.0 + float(np.max(np.abs(y))))
    delta = 1e-9 * (1.0 + float(np.max(np.abs(xs))))
    kv = net.knots_1d(merge_tol=0.0)
    return X, y, xs, ys, tol, delta, (kv.knots.copy(), kv.jumps.copy(), kv.slope, kv.intercept)


def _splice(knots, jumps, inside, new_knots, new_jumps) -> tuple[np.ndarray, np.ndarray]:
    """Knots and jumps with the entries marked ``inside`` replaced by the new ones, sorted by knot."""
    nk = np.concatenate([knots[~inside], new_knots])
    nj = np.concatenate([jumps[~inside], new_jumps])
    srt = np.argsort(nk, kind="stable")
    return nk[srt], nj[srt]


def fits_within(net: ReLUNetwork, X, y, tol: float, rounding: bool = False) -> tuple[bool, float]:
    """Whether the float64 forward pass of ``net`` fits every point within ``tol``, and the largest
    residual. With ``rounding``, point ``i`` may also be off by the rounding allowance
    ``8 ε √(K + 1) B_i`` of :func:`sparsest.verify.check_interpolation` (``B_i`` the evaluation
    scale): the product's interpolation standard, which only matters where the interpolating
    slopes are enormous (noisy data with nearly coincident inputs: there no float64 network
    fits a 1e-10 tolerance, since a knot's rounding ``ε |u|`` times a jump of 10⁶ is already
    ~1e-10)."""
    if not rounding:
        resid = net.max_residual(X, y)
        return bool(resid <= tol), resid
    pred, scale = net.predict_with_scale(X)
    r = np.abs(pred - np.asarray(y, dtype=np.float64).reshape(-1))
    allow = 8.0 * np.finfo(np.float64).eps * np.sqrt(net.width + 1.0) * scale
    return bool(np.all(r <= tol + allow)), float(np.max(r, initial=0.0))


def _knots_result(
    net: ReLUNetwork, kv: tuple, X, y, tol: float, n_lp: int, t0: float, rounding: bool = False
) -> PolishResult:
    """The result of a 1-D move: the network of ``kv = (knots, jumps, slope, intercept)`` when the
    float64 forward pass on all data fits it within ``tol`` (:func:`fits_within`, with
    ``rounding``) with no more knots than ``net`` (every nonzero jump counted), else ``net``
    itself."""
    out = ReLUNetwork.from_knots(*kv)
    ok, resid = fits_within(out, X, y, tol, rounding)
    if not ok or n_knots(out) > n_knots(net):
        out = net
        ok, resid = fits_within(net, X, y, tol, rounding)
    return PolishResult(
        out,
        ok,
        resid,
        out.n_active_neurons(False),
        out.n_nonzero(False),
        n_lp,
        time.perf_counter() - t0,
    )


def _curvature_signs(x: np.ndarray, y: np.ndarray, tau: float) -> np.ndarray:
    """Discrete curvature signs of sorted data, shape (N − 2,): ``+1`` where point ``i`` lies below
    the chord of its neighbours by more than ``3 τ`` (a positive jump is needed nearby), ``−1``
    above, ``0`` within (a line could fit the three points to the tolerance ``τ``)."""
    t = (x[1:-1] - x[:-2]) / (x[2:] - x[:-2])
    off = y[1:-1] - ((1 - t) * y[:-2] + t * y[2:])
    return np.where(off < -3 * tau, 1, np.where(off > 3 * tau, -1, 0))


def _has_knot(knots: np.ndarray, lo: float, hi: float) -> bool:
    """Whether the sorted ``knots`` have an entry in ``[lo, hi]``."""
    k = int(np.searchsorted(knots, lo, side="left"))
    return k < knots.size and knots[k] <= hi

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

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..network import ReLUNetwork

__all__ = ["PolishResult", "polish"]


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
    """The LP data for one fixed pattern set."""

    def __init__(self, X, y, H, skip, include_bias, objective):
        # H: (J, d+1) candidate hyperplanes [w; b]; each is used with both output signs
        self.X = X
        self.y = y
        N, d = X.shape
        self.N, self.d, self.D = N, d, d + 1
        self.Xb = np.c_[X, np.ones(N)]
        pre = self.Xb @ H.T  # (N, J)
        A = pre > 0
        # a hyperplane through (or within rounding of) data points is compatible with those points
        # on either side: add the variant with them active
        scale = np.abs(self.Xb) @ np.abs(H.T)
        on = np.abs(pre) <= 1e-9 * scale
        if np.any(on):
            cols = np.flatnonzero(on.any(axis=0))
            A = np.concatenate([A, A[:, cols] | on[:, cols]], axis=1)
            H = np.concatenate([H, H[cols]])
        # duplicate patterns (and their sign twins) are redundant: keep one of each
        key = np.packbits(A, axis=0).T
        _, first = np.unique(key, axis=0, return_index=True)
        first = np.sort(first)
        A = A[:, first]
        H = H[first]
        if skip:
            # with a free affine term, an all-active or all-inactive pattern is affine on the data
            keep = A.any(axis=0) & ~A.all(axis=0)
            A, H = A[:, keep], H[keep]
            # and pattern A is then equivalent to its complement: keep one orientation
            canon = np.where(A[0:1, :], ~A, A)
            key = np.packbits(canon, axis=0).T
            _, first = np.unique(key, axis=0, return_index=True)
            first = np.sort(first)
            A, H = A[:, first], H[first]
        else:
            keep = A.any(axis=0)
            A, H = A[:, keep], H[keep]
        J = A.shape[1]
        self.J = J
        self.A = A
        self.H = H
        self.signs = np.concatenate([np.ones(J), -np.ones(J)])
        self.P = 2 * J  # pattern-sign columns
        self.skip = skip
        self.include_bias = include_bias
        self.objective = objective
        self._build()

    def _build(self):
        N, D, P, J = self.N, self.D, self.P, self.J
        A2 = np.concatenate([self.A, self.A], axis=1)  # (N, P)
        # equality: sum_k s_k A_ik xb_i . u_k  (u = up - um)
        rows = np.repeat(np.arange(N), P * D)
        cols = np.tile(np.arange(P * D), N)
        vals = (A2[:, :, None] * self.signs[None, :, None] * self.Xb[:, None, :]).reshape(-1)
        nz = vals != 0
        Eu = sp.csr_matrix((vals[nz], (rows[nz], cols[nz])), shape=(N, P * D))
        blocks = [Eu, -Eu]
        if self.skip:
            blocks.append(sp.csr_matrix(self.Xb))  # a (d) and c (1)
        self.A_eq = sp.hstack(blocks, format="csr")
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
        nrow = ii.size
        rr = np.repeat(np.arange(nrow), D)
        cc = (pp[:, None] * D + np.arange(D)[None, :]).reshape(-1)
        vv = (sgn[ii, pp][:, None] * self.Xb[ii]).reshape(-1)
        Iu = sp.csr_matrix((vv, (rr, cc)), shape=(nrow, P * D))
        blocks = [Iu, -Iu]
        if self.skip:
            blocks.append(sp.csr_matrix((nrow, self.D)))
        self.A_ub = sp.hstack(blocks, format="csr")
        self.n_u = P * D
        self.nvar = 2 * P * D + (self.D if self.skip else 0)
        self._highs = None

    def _model(self):
        import highspy

        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("primal_feasibility_tolerance", 1e-10)
        h.setOptionValue("dual_feasibility_tolerance", 1e-10)
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
        lp.row_lower_ = np.concatenate([self.y, np.full(M.shape[0] - neq, -inf)])
        lp.row_upper_ = np.concatenate([self.y, np.zeros(M.shape[0] - neq)])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = M.indptr.astype(np.int32)
        lp.a_matrix_.index_ = M.indices.astype(np.int32)
        lp.a_matrix_.value_ = M.data
        h.passModel(lp)
        self._highs = h
        self._idx = np.arange(2 * self.n_u, dtype=np.int32)
        self._inf = inf
        return h

    def solve(self, weights: np.ndarray, allowed: np.ndarray, central: bool = False):
        """min Σ weights·|u| over allowed entries. weights, allowed: (P, D). Returns U (P, D), skip.

        ``central=True`` uses the interior-point method without crossover, which returns a point in
        the relative interior of the optimal face when the optimum is not unique (ties split evenly).
        """
        import highspy

        h = self._highs or self._model()
        h.setOptionValue("solver", "ipm" if central else "simplex")
        h.setOptionValue("run_crossover", "off" if central else "on")
        w = np.where(allowed, weights, 0.0).reshape(-1)
        cost = np.concatenate([w, w])
        ub = np.where(allowed.reshape(-1), self._inf, 0.0)
        ub = np.concatenate([ub, ub])
        n = 2 * self.n_u
        h.changeColsCost(n, self._idx, cost)
        h.changeColsBounds(n, self._idx, np.zeros(n), ub)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            # a stale basis can make a re-solve fail: retry once from scratch
            h.clearSolver()
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None
        z = np.asarray(h.getSolution().col_value)
        U = (z[: self.n_u] - z[self.n_u : 2 * self.n_u]).reshape(self.P, self.D)
        skip = z[2 * self.n_u :] if self.skip else None
        return U, skip

    def exact_resolve(self, U: np.ndarray, skip_vals, rtol: float):
        """Least-squares re-solve on the support of U with tight pattern constraints as equalities."""
        N, D = self.N, self.D
        scale = max(1.0, float(np.max(np.abs(U)))) if U.size else 1.0
        support = np.abs(U) > 1e-12 * scale
        active_cols = np.flatnonzero(support.any(axis=1))
        A2 = np.concatenate([self.A, self.A], axis=1)
        # unknowns: U entries on the support, plus the skip term
        idx = [(k, j) for k in active_cols for j in range(D) if support[k, j]]
        nU = len(idx)
        nS = D if self.skip else 0
        if nU + nS == 0:
            return None
        rows = []
        rhs = []
        for i in range(N):
            row = np.zeros(nU + nS)
            for m, (k, j) in enumerate(idx):
                if A2[i, k]:
                    row[m] = self.signs[k] * self.Xb[i, j]
            if nS:
                row[nU:] = self.Xb[i]
            rows.append(row)
            rhs.append(self.y[i])
        pre = self.Xb @ U.T  # (N, P)
        tight_tol = 1e-9 * (np.abs(self.Xb) @ np.abs(U).T + 1e-300)
        for k in active_cols:
            for i in range(N):
                if abs(pre[i, k]) <= tight_tol[i, k]:
                    row = np.zeros(nU + nS)
                    for m, (kk, j) in enumerate(idx):
                        if kk == k:
                            row[m] = self.Xb[i, j]
                    rows.append(row)
                    rhs.append(0.0)
        M = np.asarray(rows)
        z0 = np.array([U[k, j] for k, j in idx] + (list(skip_vals) if nS else []))
        rhs = np.asarray(rhs)
        # minimal correction of the LP point: solve M dz = rhs - M z0 in the least-norm sense
        dz, *_ = np.linalg.lstsq(M, rhs - M @ z0, rcond=None)
        z = z0 + dz
        U2 = np.zeros_like(U)
        for m, (k, j) in enumerate(idx):
            U2[k, j] = z[m]
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
    del_eps_rel: float = 1e-3,
    del_iters: int = 2,
    max_chain: int = 8,
    central_start: bool = True,
    central_iters: int = 1,
    eps_start: float = 1e-3,
    bias_weight: float = 1e-3,
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
    if extra_hyperplanes is not None and len(extra_hyperplanes):
        E = np.asarray(extra_hyperplanes, dtype=np.float64).reshape(-1, d + 1)
        en = np.linalg.norm(E[:, :-1], axis=1)
        H = np.concatenate([H, E[en > 0] / en[en > 0, None]])
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
    prob = _Problem(X, y, H, net.skip, ib, objective)
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
        fixed = prob.exact_resolve(U, skip_vals, fit_rtol)
        if fixed is None:
            return None
        cand = prob.network(*fixed)
        if cand.max_residual(X, y) <= tol:
            return cand
        return None

    def thresh(U):
        scale = float(np.max(np.abs(U))) if U.size else 0.0
        return np.abs(U) > 1e-9 * max(scale, 1e-300)

    U, skip_vals = sol
    best = finalize(U, skip_vals)
    eps_del = del_eps_rel * ref
    key = 0 if objective == "neurons" else 1

    def count_of(U):
        sup = thresh(U)
        return int(sup.any(axis=1).sum()) if key == 0 else int(sup.sum())

    if delete and best is not None:
        best, U, skip_vals, n_more = _ejection_chains(
            prob, U, skip_vals, best, reweight, finalize, thresh, key, max_chain=max_chain
        )
        n_lp += n_more
    if best is None:
        return done(net, base_ok)
    best = best.canonicalize(ib, merge_tol=0.0)
    if base_ok and _counts(best, ib)[key] > base_count[key]:
        return done(net, True)
    ok = best.max_residual(X, y) <= tol
    return done(best, ok)


def _ejection_chains(prob, U, skip_vals, best, reweight, finalize, thresh, key, *, max_chain=8, iters=2):
    """Count-reducing local search: ban a unit; if the count does not drop, ban the old unit nearest
    (in activation-pattern Hamming distance) to each newly used pattern, and repeat."""
    n_lp = 0
    P, D = U.shape
    A2 = np.concatenate([prob.A, prob.A], axis=1).T.astype(np.int8)  # (P, N)

    def count(V):
        sup = thresh(V)
        return int(sup.any(axis=1).sum()) if key == 0 else int(sup.sum())

    def solve_from(V, banned):
        nonlocal n_lp
        w = reweight(V)
        out = None
        for _ in range(iters):
            n_lp += 1
            o = prob.solve(w, ~banned)
            if o is None:
                break
            out = o
            w = reweight(o[0])
        return out

    improved = True
    while improved:
        improved = False
        tried: set[int] = set()
        while True:
            cur = count(U)
            used = thresh(U).any(axis=1)
            order = [k for k in np.argsort(np.abs(U).sum(axis=1)) if used[k] and k not in tried]
            if not order:
                break
            k0 = order[0]
            tried.add(k0)
            banned = np.zeros((P, D), dtype=bool)
            banned[k0] = True
            V = U
            for _ in range(max_chain):
                out = solve_from(V, banned)
                if out is None:
                    break
                V2 = out[0]
                c2 = count(V2)
                if c2 < cur:
                    cand = finalize(*out)
                    if cand is not None:
                        best, U, skip_vals = cand, V2, out[1]
                        improved = True
                    break
                used2 = thresh(V2).any(axis=1)
                new = np.flatnonzero(used2 & ~used)
                old = np.flatnonzero(used2 & used & ~banned.any(axis=1))
                if new.size == 0 or old.size == 0 or c2 > cur + 1:
                    break
                dist = (A2[new][:, None, :] != A2[old][None, :, :]).sum(axis=2)  # (new, old)
                j = old[int(np.argmin(dist.min(axis=0)))]
                banned[j] = True
                V = V2
    return best, U, skip_vals, n_lp

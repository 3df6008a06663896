"""Count-penalized least squares on fixed activation patterns (the polish of penalized fits).

With every neuron's activation pattern ``D_{ik} = 1[σ_k u_k^T x̄_i > 0]`` and output sign ``σ_k``
fixed, a single-hidden-layer network is linear in its path products ``u_k = |v_k| [w_k; b_k]``
(``x̄_i = [x_i; 1]``)::

    f(x_i) = Σ_k D_{ik} u_k^T x̄_i + β_free^T φ_i        (φ_i: unpenalized features, e.g. the skip term)

so the penalized objective of ``shared/docs/targets.md`` §5 becomes an ℓ0-regularized linear
regression over the features ``Φ_{i,(k,j)} = D_{ik} x̄_{ij}``::

    J(β) = ||y − Φ β||² / S + c_w · #{nonzero entries} + c_n · #{neurons with a nonzero entry}

(``S = N · var(y)``; d-D ``nonzeros``: ``c_w = α, c_n = 0``; 1-D ``neurons``: ``c_w = 0, c_n = α``).
It is solved as L0Learn / Hazimeh–Mazumder solve ℓ0 regression, on the Gram matrix
``G = Φ^T Φ`` (computed in row chunks, so memory is ``O(F²)`` for ``F`` features, never ``O(N F)``):

1. **coordinate descent with hard thresholding**: an entry is kept iff its least-squares value
   ``b = ρ_j / G_jj`` lowers the residual term by more than its cost (``b² G_jj / S > c``, where ``c``
   includes ``c_n`` when it is the neuron's only entry); zero entries are scanned vectorized and the
   best one worth its cost enters (active-set form);
2. **least-squares re-fit** of the support (``G_SS β_S = q_S``) whenever the support is stable;
3. **swaps**: each support entry is tried against the best entry outside the support (CDPSI-1),
   kept when the objective falls after a re-fit;
4. **neuron drops**: each neuron is removed as a whole and the rest re-fitted; kept when ``J`` falls;
5. **whole-neuron additions and swaps** (with ``templates``: a support per neuron, e.g. a pool of
   neurons gathered from several restarts): an unused neuron enters with all the entries of its
   template at once (a single entry of a new neuron rarely pays its cost, so coordinate moves cannot
   add it), alone or in place of a used neuron; candidates are ranked by the exact least-squares gain
   of their template given the current residual, the best few are settled and kept when ``J`` falls.

6. **a budget** (``max_count = K``: at most ``K`` counted units): every move above keeps the count
   within ``K``; a start above it is first reduced by backward elimination (least-squares re-fits,
   :func:`_reduce`), and with entries counted the exact single-entry additions and swaps of
   :func:`_best_entry_moves` (each scored by its exact least-squares gain through the Schur
   complement of the support's Gram matrix, every swap at once by rank-one downdates of one
   factorization) refill it. With a tiny ``c_w`` this is the
   least-squares fit within ``K`` entries — counts a penalty cannot reach (they are off the lower
   convex hull of (count, RSS)).

Every accepted move lowers ``J``, so the polish never raises the objective of its start. Pattern
consistency (the polished weights may move hyperplanes across points) is the caller's float64
re-check: :func:`sparsest.train.penalized` re-derives the patterns from the polished network and
keeps only networks whose *actual* forward-pass objective fell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from . import _l0_nb

__all__ = ["L0Problem", "L0Solution", "l0_polish"]

#: rows per chunk when forming the Gram matrix (a chunk's feature block is rows × F floats)
_CHUNK = 8192


@dataclass(frozen=True)
class L0Solution:
    """Outcome of :func:`l0_polish`.

    Attributes
    ----------
    U : ndarray of shape (K, d + 1)
        Path products ``u_k`` (zero rows: neurons dropped).
    free : ndarray of shape (m,)
        Coefficients of the unpenalized features.
    objective : float
        ``J`` on the fixed patterns.
    rss : float
        ``||y − Φ β||²`` on the fixed patterns.
    n_entries, n_neurons : int
        Nonzero entries and neurons with a nonzero entry.
    """

    U: np.ndarray
    free: np.ndarray
    objective: float
    rss: float
    n_entries: int
    n_neurons: int


class L0Problem:
    """The fixed-pattern ℓ0 problem (module docstring) as Gram-matrix data.

    Parameters
    ----------
    Xb : ndarray of shape (N, d + 1)
        Inputs with a trailing column of ones.
    y : ndarray of shape (N,)
    D : ndarray of bool, shape (N, K)
        Activation patterns.
    free : ndarray of shape (N, m)
        Unpenalized features (``m = 0`` for none).
    scale : float
        ``S`` of the objective (``N · var(y)``).
    cost_w : float or ndarray of shape (d + 1,)
        Cost of a nonzero entry (per entry position: weights, then the bias).
    cost_n : float
        Cost of a neuron with at least one nonzero entry.
    entry_mask : ndarray of bool, shape (d + 1,), optional
        Entries a neuron may use; default all.
    max_count : int, optional
        Budget: at most this many counted units (an entry counts when its cost is positive, a
        neuron when ``cost_n`` is). Every move keeps the count within it, and a start above it
        is first reduced by backward elimination (:func:`_reduce`); ``None``: no budget.
    """

    def __init__(
        self,
        Xb: np.ndarray,
        y: np.ndarray,
        D: np.ndarray,
        free: np.ndarray,
        scale: float,
        cost_w: float | np.ndarray,
        cost_n: float,
        entry_mask: np.ndarray | None = None,
        max_count: int | None = None,
    ) -> None:
        N, d1 = Xb.shape
        K = D.shape[1]
        m = free.shape[1]
        self.K, self.d1, self.m = K, d1, m
        F = K * d1 + m
        G = np.zeros((F, F))
        q = np.zeros(F)
        for s in range(0, N, _CHUNK):
            e = min(N, s + _CHUNK)
            Phi = self.features(Xb[s:e], D[s:e], free[s:e])
            G += Phi.T @ Phi
            q += Phi.T @ y[s:e]
        self.G, self.q = G, q
        self.yy = float(y @ y)
        self.scale = float(scale)
        cw = np.broadcast_to(np.asarray(cost_w, dtype=float), (d1,))
        self.cost_n = float(cost_n)
        self.cw = np.concatenate([np.tile(cw, K), np.zeros(m)])
        diag = np.diag(G).copy()
        usable = diag > 1e-12 * max(1.0, float(diag.max(initial=0.0)))
        if entry_mask is not None:
            em = np.tile(np.asarray(entry_mask, dtype=bool), K)
            usable[: K * d1] &= em
        self.diag = np.where(usable, diag, np.inf)
        self.usable = usable
        self.is_free = np.zeros(F, dtype=bool)
        self.is_free[K * d1 :] = True
        self.group = np.full(F, -1)
        self.group[: K * d1] = np.repeat(np.arange(K), d1)
        # the budget's units: an entry counts when it costs, a neuron when neurons cost
        self.unit = ((self.cw > 0) & ~self.is_free).astype(float)
        self.unit_n = 1.0 if self.cost_n > 0 else 0.0
        self.max_count = None if max_count is None else float(max_count)

    def features(self, Xb: np.ndarray, D: np.ndarray, free: np.ndarray) -> np.ndarray:
        """``Φ`` of shape (n, K (d + 1) + m) for rows ``Xb`` (n, d + 1), ``D`` (n, K), ``free`` (n, m)."""
        n = Xb.shape[0]
        Phi = (D[:, :, None] * Xb[:, None, :]).reshape(n, -1)
        return np.concatenate([Phi, free], axis=1) if free.shape[1] else Phi

    # --------------------------------------------------------------------------- objective
    def rss(self, beta: np.ndarray, g: np.ndarray) -> float:
        """``||y − Φ β||²`` from ``g = G β``."""
        return max(0.0, self.yy - 2.0 * float(beta @ self.q) + float(beta @ g))

    def cost(self, beta: np.ndarray) -> float:
        nz = (beta != 0) & ~self.is_free
        n_neu = int(np.count_nonzero(np.bincount(self.group[nz], minlength=self.K)))
        return float(self.cw[nz].sum()) + self.cost_n * n_neu

    def objective(self, beta: np.ndarray, g: np.ndarray) -> float:
        return self.rss(beta, g) / self.scale + self.cost(beta)


def _cho(Gs: np.ndarray):
    """Cholesky factor of the Gram block ``Gs`` (n, n) with a relative ridge ``1e-12 tr(Gs)/n``
    (for :func:`scipy.linalg.cho_solve`), or ``None`` when it is not positive definite."""
    n = Gs.shape[0]
    try:
        return scipy.linalg.cho_factor(Gs + 1e-12 * np.trace(Gs) / n * np.eye(n), check_finite=False)
    except np.linalg.LinAlgError:
        return None


def _refit(P: L0Problem, beta: np.ndarray) -> np.ndarray:
    """Least squares on the support of ``beta`` (and every usable free feature)."""
    S = np.flatnonzero(((beta != 0) | P.is_free) & P.usable)
    out = np.zeros_like(beta)
    if S.size == 0:
        return out
    Gs = P.G[np.ix_(S, S)]
    cf = _cho(Gs)
    if cf is not None:
        out[S] = scipy.linalg.cho_solve(cf, P.q[S], check_finite=False)
    else:
        out[S] = scipy.linalg.lstsq(Gs, P.q[S], lapack_driver="gelsy", check_finite=False)[0]
    return out


class _State:
    """``β``, ``g = G β`` and the per-neuron entry counts, updated one coordinate at a time."""

    def __init__(self, P: L0Problem, beta: np.ndarray) -> None:
        self.P = P
        self.beta = np.where(P.usable, beta, 0.0)
        self.g = P.G @ self.beta
        self.cnt = np.bincount(P.group[(self.beta != 0) & ~P.is_free], minlength=P.K)

    def copy(self) -> _State:
        s = object.__new__(_State)
        s.P, s.beta, s.g, s.cnt = self.P, self.beta.copy(), self.g.copy(), self.cnt.copy()
        return s

    def set(self, j: int, value: float) -> None:
        old = self.beta[j]
        if value == old:
            return
        self.g += self.P.G[j] * (value - old)
        if not self.P.is_free[j]:
            k = self.P.group[j]
            self.cnt[k] += int(value != 0) - int(old != 0)
        self.beta[j] = value

    def objective(self) -> float:
        return self.P.objective(self.beta, self.g)

    def count(self) -> float:
        """Counted units in use (entries with a cost, plus neurons when neurons cost)."""
        P = self.P
        return float(P.unit[self.beta != 0].sum()) + P.unit_n * float(np.count_nonzero(self.cnt))

    def room(self) -> float:
        """Units the budget still allows (``inf`` without a budget)."""
        return np.inf if self.P.max_count is None else self.P.max_count - self.count()

    def entry_cost(self, j: int) -> float:
        """Cost of entry ``j`` being nonzero given the other entries of its neuron."""
        P = self.P
        if P.is_free[j]:
            return 0.0
        others = self.cnt[P.group[j]] - int(self.beta[j] != 0)
        return P.cw[j] + (P.cost_n if others == 0 else 0.0)

    def zero_gains(self) -> np.ndarray:
        """Net objective gain of switching on each zero entry (``−inf`` where not allowed, or where
        it would take the count over the budget)."""
        P = self.P
        rho = P.q - self.g
        gain = rho * rho / P.diag / P.scale
        new_neuron = self.cnt[np.maximum(P.group, 0)] == 0
        cost = P.cw + np.where(new_neuron, P.cost_n, 0.0)
        gain = gain - cost
        gain[(self.beta != 0) | P.is_free | ~P.usable] = -np.inf
        if P.max_count is not None:
            gain[P.unit + np.where(new_neuron, P.unit_n, 0.0) > self.room() + 1e-9] = -np.inf
        return gain


def _cd(st: _State, max_sweeps: int = 8) -> None:
    """Coordinate descent with hard thresholding (active-set form) until a sweep leaves the support
    unchanged (the coefficients are then converged exactly by the least-squares re-fit).

    Each support coordinate ``j`` is set to ``b = ρ_j / G_jj`` (``ρ_j = q_j − g_j + G_jj β_j``), or to
    0 when ``b² G_jj / S`` does not pay its cost (:meth:`_State.entry_cost`); then the zero entry
    of largest net gain (:meth:`_State.zero_gains`) is switched on if it gains. The sweep over the
    support is :func:`._l0_nb.python_sweep` (:meth:`_State.set` written out on local arrays: same
    arithmetic, less call overhead), compiled with numba (the ``fast`` extra) from
    ``_l0_nb.MIN_SUPPORT`` coordinates up (bit-identical)."""
    P = st.P
    scale, G, q, diag, cw, cost_n = P.scale, P.G, P.q, P.diag, P.cw, P.cost_n
    is_free, group = P.is_free, P.group
    beta, g, cnt = st.beta, st.g, st.cnt
    compiled = _l0_nb.enabled()
    for _ in range(max_sweeps):
        idx = np.flatnonzero((beta != 0) | (is_free & P.usable))
        sweep = _l0_nb.support_sweep if compiled and idx.size >= _l0_nb.MIN_SUPPORT else _l0_nb.python_sweep
        changed = bool(sweep(idx, beta, g, cnt, G, q, diag, is_free, group, cw, cost_n, scale))
        gains = st.zero_gains()
        j = int(np.argmax(gains)) if gains.size else -1
        if j >= 0 and gains[j] > 0:
            st.set(j, (q[j] - g[j]) / diag[j])
            changed = True
        if not changed:
            break


def _settle(st: _State) -> _State:
    """CD, then least-squares re-fit of the support, repeated while the support changes; returns
    the best state seen (objective never above the start)."""
    best = st.copy()
    best_obj = best.objective()
    for _ in range(12):
        _cd(st)
        supp = st.beta != 0
        ls = _refit(st.P, st.beta)
        trial = _State(st.P, ls)
        if trial.objective() <= st.objective():
            st = trial
        obj = st.objective()
        if obj < best_obj - 1e-15 * max(1.0, abs(best_obj)):
            best, best_obj = st.copy(), obj
        _cd(st, max_sweeps=1)
        if np.array_equal(st.beta != 0, supp):
            break
    if st.objective() < best_obj:
        best = st.copy()
    return best


def _reduce(st: _State, exact_below: int = 48) -> _State:
    """Backward elimination to the budget: while the count exceeds it, re-fit the support by least
    squares and remove the unit (an entry when entries count, else a whole neuron) whose removal
    raises ``||y − Φβ||²`` least. With at most ``exact_below`` units left that is decided by
    re-fitting without each unit in turn; above, by the one-step estimate (after a re-fit the
    residual is orthogonal to the support, so removing entry ``j`` alone raises it by
    ``β_j² G_jj``, neuron ``k`` by ``u_k^T G_kk u_k``)."""
    P = st.P
    by_entry = bool(P.unit.any())
    while st.room() < -1e-9:
        st = _State(P, _refit(P, st.beta))
        if st.room() >= -1e-9:
            break
        if by_entry:
            units = [np.array([j]) for j in np.flatnonzero((st.beta != 0) & (P.unit > 0))]
        else:
            units = [np.arange(k * P.d1, (k + 1) * P.d1) for k in np.flatnonzero(st.cnt > 0)]
        if len(units) <= exact_below:
            rises = []
            for idx in units:
                b = st.beta.copy()
                b[idx] = 0.0
                b = _refit(P, b)
                rises.append(P.rss(b, P.G @ b))
        else:
            rises = [float(st.beta[idx] @ P.G[np.ix_(idx, idx)] @ st.beta[idx]) for idx in units]
        for j in units[int(np.argmin(rises))]:
            st.set(int(j), 0.0)
    return st


def _best_entry_moves(st: _State, max_moves: int = 64) -> tuple[_State, bool]:
    """Exact single-entry additions and swaps for a budget (entries counted), best first.

    With support ``S`` (re-fitted by least squares; every usable free feature included) the
    residual sum of squares after adding a column ``l`` is ``RSS(S) − ρ_l² / s_l`` with
    ``ρ = q − G β_S`` and the Schur complement ``s_l = G_ll − G_{lS} G_{SS}⁻¹ G_{Sl}``. A swap drops
    ``j ∈ S`` first; with ``H = G_{SS}⁻¹``, ``M = H G_{S,Z}`` (``Z`` the zero entries) and
    ``h = H_jj`` the rank-one downdate gives, for ``S' = S − {j}``,

        RSS(S') = RSS(S) + β_j² / h,   ρ_l(S') = ρ_l + β_j M_jl / h,   s_l(S') = s_l + M_jl² / h,

    so additions (when the budget has room) and all swaps are scored exactly, for every usable zero
    entry, from one factorization: O(|S| |Z|) per move. The move lowering ``J`` most is made, the
    support re-fitted (the move is kept only when the re-fit's ``J`` is lower), and this repeated.
    Returns the new state and whether it improved.
    """
    P = st.P
    improved = False
    cand_ok = P.usable & ~P.is_free
    freecols = np.flatnonzero(P.is_free & P.usable)
    for _ in range(max_moves):
        st = _State(P, _refit(P, st.beta))
        cur = st.objective()
        supp = np.flatnonzero((st.beta != 0) & ~P.is_free)
        zero = np.flatnonzero(cand_ok & (st.beta == 0))
        if zero.size == 0:
            break
        room = st.room()
        S = np.r_[supp, freecols].astype(int)
        ns = supp.size
        if S.size:
            GSS = P.G[np.ix_(S, S)]
            cf = _cho(GSS)
            if cf is None:
                break
            GSZ = P.G[np.ix_(S, zero)]
            M = scipy.linalg.cho_solve(cf, GSZ, check_finite=False)  # (|S|, |Z|)
            bS = scipy.linalg.cho_solve(cf, P.q[S], check_finite=False)
            h = np.diag(scipy.linalg.cho_solve(cf, np.eye(S.size), check_finite=False))[:ns]
            schur0 = P.diag[zero] - np.einsum("kl,kl->l", GSZ, M)
            rho0 = P.q[zero] - bS @ GSZ
            rss0 = max(0.0, P.yy - 2.0 * float(bS @ P.q[S]) + float(bS @ GSS @ bS))
        else:
            M, bS, h = np.zeros((0, zero.size)), np.zeros(0), np.ones(0)
            schur0, rho0, rss0 = P.diag[zero].copy(), P.q[zero].copy(), P.yy
        # row 0: pure additions; row 1 + t: swap out supp[t]
        Mt = M[:ns]
        schur = np.vstack([schur0, schur0 + Mt * Mt / h[:, None]])
        rho = np.vstack([rho0, rho0 + (bS[:ns] / h)[:, None] * Mt])
        rss_base = np.r_[rss0, rss0 + bS[:ns] ** 2 / h]
        with np.errstate(divide="ignore", invalid="ignore"):
            drop_rss = np.where(schur > 1e-12 * P.diag[zero], rho * rho / schur, 0.0)
        rss = rss_base[:, None] - drop_rss
        # costs: the kept support's, and each added entry's given it (its neuron may be new)
        gsup, gz = P.group[supp], P.group[zero]
        lone = st.cnt[gsup] == 1  # dropping supp[t] empties its neuron
        base_cost = P.cost(st.beta) - np.r_[0.0, P.cw[supp] + np.where(lone, P.cost_n, 0.0)]
        new_neu = np.vstack(
            [st.cnt[gz] == 0, (st.cnt[gz] == 0)[None, :] | ((gz[None, :] == gsup[:, None]) & lone[:, None])]
        )
        add_cost = P.cw[zero] + np.where(new_neu, P.cost_n, 0.0)
        add_units = P.unit[zero] + np.where(new_neu, P.unit_n, 0.0)
        freed = np.r_[0.0, P.unit[supp] + np.where(lone, P.unit_n, 0.0)]
        ok = add_units <= room + freed[:, None] + 1e-9  # (a dropped entry is not a zero entry: no re-add)
        val = np.where(ok, rss / P.scale + base_cost[:, None] + add_cost, np.inf)
        r, i = np.unravel_index(int(np.argmin(val)), val.shape)
        if not val[r, i] < cur - 1e-14 * max(1.0, abs(cur)):
            break
        beta = st.beta.copy()
        if r > 0:
            beta[supp[r - 1]] = 0.0
        beta[zero[i]] = 1.0  # marks the support; the re-fit sets the values
        trial = _State(P, _refit(P, beta))
        if not trial.objective() < cur - 1e-14 * max(1.0, abs(cur)) or trial.room() < -1e-9:
            break
        st, improved = trial, True
    return st, improved


def _template_gains(st: _State, templates: np.ndarray, exclude: int = -1) -> tuple[np.ndarray, list]:
    """Net gain of switching on each unused neuron with all the entries of its template.

    For neuron ``k`` with template entries ``T`` (and no entry in use) the least-squares values
    given the current residual are ``b_T = G_TT⁻¹ ρ_T`` (``ρ = q − G β``), lowering the residual term
    by ``ρ_T^T b_T / S``; the gain subtracts the entries' and the neuron's costs. Returns the gains
    (``−inf`` for used neurons, empty templates, ``exclude`` and templates the budget has no room
    for) and the values ``b_T`` per neuron.
    """
    P = st.P
    rho = P.q - st.g
    room = st.room()
    gains = np.full(P.K, -np.inf)
    vals: list = [None] * P.K
    for k in np.flatnonzero((st.cnt == 0) & templates.any(axis=1)):
        if k == exclude:
            continue
        T = k * P.d1 + np.flatnonzero(templates[k])
        T = T[P.usable[T]]
        if T.size == 0 or float(P.unit[T].sum()) + P.unit_n > room + 1e-9:
            continue
        cf = _cho(P.G[np.ix_(T, T)])
        if cf is None:
            continue
        b = scipy.linalg.cho_solve(cf, rho[T], check_finite=False)
        gains[k] = float(rho[T] @ b) / P.scale - float(P.cw[T].sum()) - P.cost_n
        vals[k] = (T, b)
    return gains, vals


def _best_template(base: _State, cands, vals, bar: float) -> _State | None:
    """Each candidate template ``k`` (entries and values ``vals[k]``) switched on in a copy of
    ``base`` and settled; the settled state of least objective below ``bar``, or None."""
    best, best_obj = None, bar
    for k in cands:
        trial = base.copy()
        T, b = vals[k]
        for j, bj in zip(T, b, strict=True):
            trial.set(int(j), float(bj))
        trial = _settle(trial)
        obj = trial.objective()
        if obj < best_obj:
            best, best_obj = trial, obj
    return best


def _neuron_moves(st: _State, templates: np.ndarray, n_try: int) -> tuple[_State, bool]:
    """Whole-neuron additions, then whole-neuron swaps (module docstring, step 5); every accepted
    move lowers ``J``. Returns the new state and whether it improved."""
    P = st.P
    improved = False
    # additions: the n_try best templates by least-squares gain, each settled; the best kept
    gains, vals = _template_gains(st, templates)
    cands = [k for k in np.argsort(-gains, kind="stable")[:n_try] if np.isfinite(gains[k])]
    best = _best_template(st, cands, vals, st.objective() - 1e-14)
    if best is not None:
        st, improved = best, True
    # swaps: each used neuron against the best few unused templates on the rest's residual
    for i in np.flatnonzero(st.cnt > 0):
        if st.cnt[i] == 0:
            continue
        cur = st.objective()
        base = st.copy()
        for j in range(i * P.d1, (i + 1) * P.d1):
            base.set(j, 0.0)
        gains, vals = _template_gains(base, templates, exclude=int(i))
        cands = [k for k in np.argsort(-gains, kind="stable")[: max(1, n_try // 2)] if np.isfinite(gains[k])]
        best = _best_template(base, cands, vals, cur - 1e-14)
        if best is not None:
            st, improved = best, True
    return st, improved


def l0_polish(
    P: L0Problem,
    U0: np.ndarray,
    free0: np.ndarray,
    *,
    swaps: bool = True,
    drops: bool = True,
    templates: np.ndarray | None = None,
    n_try: int = 6,
) -> L0Solution:
    """Minimize ``J`` (module docstring) from the start ``(U0, free0)``; ``J`` never rises.

    Parameters
    ----------
    P : L0Problem
    U0 : ndarray of shape (K, d + 1)
        Starting path products.
    free0 : ndarray of shape (m,)
    swaps, drops : bool
        Run the swap and the neuron-drop local searches.
    templates : ndarray of bool, shape (K, d + 1), optional
        Support of each neuron for the whole-neuron additions and swaps (step 5); ``None``: no
        such moves.
    n_try : int
        Candidate neurons settled per addition (half as many per swap).

    Returns
    -------
    L0Solution
    """
    beta0 = np.concatenate([np.asarray(U0, float).reshape(-1), np.asarray(free0, float).reshape(-1)])
    start = _State(P, beta0)
    # a start above the budget is infeasible: it never wins, and is first reduced to the budget
    start_obj = start.objective() if start.room() >= -1e-9 else np.inf
    st = _settle(_reduce(start.copy()))
    improved = True
    rounds = 0
    while improved and rounds < 4:
        improved = False
        rounds += 1
        if drops:
            # neurons, least useful first (smallest ||Φ_k u_k||² contribution)
            act = np.flatnonzero(st.cnt > 0)
            contrib = []
            for k in act:
                sl = slice(k * P.d1, (k + 1) * P.d1)
                u = st.beta[sl]
                contrib.append(float(u @ P.G[sl, sl] @ u))
            for k in act[np.argsort(contrib)]:
                if st.cnt[k] == 0:
                    continue
                trial = st.copy()
                for j in range(k * P.d1, (k + 1) * P.d1):
                    trial.set(j, 0.0)
                trial = _settle(trial)
                if trial.objective() < st.objective() - 1e-14:
                    st, improved = trial, True
        if swaps:
            for j in np.flatnonzero((st.beta != 0) & ~P.is_free):
                if st.beta[j] == 0:
                    continue
                cur = st.objective()
                trial = st.copy()
                trial.set(j, 0.0)
                gains = trial.zero_gains()
                gains[j] = -np.inf
                lbest = int(np.argmax(gains))
                rho_j = P.q[j] - trial.g[j]
                gain_j = rho_j * rho_j / P.diag[j] / P.scale - trial.entry_cost(j)
                if not (gains[lbest] > gain_j + 1e-14):
                    continue
                trial.set(lbest, (P.q[lbest] - trial.g[lbest]) / P.diag[lbest])
                trial = _settle(trial)
                if trial.objective() < cur - 1e-14:
                    st, improved = trial, True
        if templates is not None:
            st, moved = _neuron_moves(st, np.asarray(templates, dtype=bool), int(n_try))
            improved = improved or moved
        if P.max_count is not None and P.unit.any():
            st, moved = _best_entry_moves(st)
            improved = improved or moved
    if st.objective() > start_obj:
        st = start
    beta = st.beta
    K, d1 = P.K, P.d1
    U = beta[: K * d1].reshape(K, d1)
    nz = U != 0
    return L0Solution(
        U=U.copy(),
        free=beta[K * d1 :].copy(),
        objective=st.objective(),
        rss=P.rss(beta, st.g),
        n_entries=int(nz.sum()),
        n_neurons=int(nz.any(axis=1).sum()),
    )

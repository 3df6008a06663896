"""Fewest knots of a continuous piecewise-linear function within per-point bounds: the level-set DP.

Problem (``shared/docs/targets.md`` §2). Sorted ``x_0 < … < x_{n−1}`` with *doors*
``[lo_i, hi_i]`` (either side may be infinite); find a CPWL ``f`` with the fewest knots such that
``lo_i ≤ f(x_i) ≤ hi_i``. Knots may sit anywhere; some optimal ``f`` has at most one knot in every
gap ``[x_g, x_{g+1}]``.

Method
------
Lines ``z = a·x + c`` are points ``(a, c)`` of the dual plane; the lines through door ``i`` form the
slab ``H_i = {lo_i ≤ a x_i + c ≤ hi_i}``. Let ``T_k(g)`` be the set of lines that can be the last
piece of an ``f`` with at most ``k`` knots that satisfies doors ``0..g`` (all its knots before
``x_g``). Then

* ``T_k(g+1) = (T_k(g) ∪ Reach_g(T_{k−1}(g))) ∩ H_{g+1}`` (no knot, or one knot in gap ``g``), where
  ``Reach_g(S)`` are the lines that cross some line of ``S`` inside ``[x_g, x_{g+1}]``. For a convex
  ``S`` this is the union of two convex sets, ``S + cone{(1, −x_{g+1}), (1, −x_g)}`` (crossing from
  below) and its mirror ``S − cone{…}`` (from above): in the coordinates
  ``(ℓ(x_g), ℓ(x_{g+1}))`` they are the Minkowski sums of ``S`` with the two anti-quadrants.
* With ``k*(g)`` the least ``k`` with ``T_k(g) ≠ ∅``, ``T_{k*+2}(g+1) = H_{g+1}``: from any line of
  ``T_{k*}(g)``, two knots inside gap ``g`` reach every line through door ``g+1``.

So only two levels are explicit, ``cur = T_{k*}`` and ``nxt = T_{k*+1}``, each a union of convex
polygons; when ``cur`` dies (``cur ∩ H_{g+1} = ∅``) ``k*`` grows by one, ``nxt`` becomes ``cur`` and
the universal slab ``H_{g+1}`` becomes the new ``nxt``. Unions stay short because polygons whose union
is convex are merged into their hull (exactly: the hull's area equals the area of the union) and
polygons inside another are dropped. ``k*(n−1)`` is the answer; it never exceeds the interpolation
count. The polygons are bounded by a box on ``(a, c)``: slopes up to ``10^4`` times the data's scale
(value range over ``x`` range) or four times the steepest slope two consecutive doors force,
whichever is larger. This is the one modelling bound of the solver (a fit whose pieces must be
steeper than that is not considered); it keeps every coordinate well inside float64 precision —
the slope through a gap of ``10^-10`` of the range would otherwise swamp the intercepts.

Events: a polygon changes only at doors that cut it; vectorized look-ahead finds the next such door,
and on a stretch where a polygon of the minimal level is unchanged its reach over the whole stretch
is one convex polygon (crossing from below: ``P + cone{(1, −x_b), (1, −x_a)}`` cut by the *upper*
bounds inside the stretch only, since after the crossing the line lies above a valid line; from
above, the mirror image), so the work is proportional to the number of cutting events.

Cost: ``O(n + e·m·v)`` for ``e`` cutting events and ``m`` polygons of ``v`` vertices (small in
practice), ``O(n)`` memory: the DP keeps each level's windows (a polygon and its stretch).

Reconstruction: pick an interior, least steep line of the final ``cur``; for level ``k`` find a
window of level ``k − 1`` with a line crossing it inside the window's stretch after the last door the
line misses; failing that the line came from the universal slab and two knots are placed in the gap
where level ``k − 2`` died. The caller re-checks the resulting function in float64.

Engines: the forward pass (and the reconstruction's window search) also exists compiled with numba
(:mod:`._tube_nb`, the ``fast`` extra), performing the same float64 operations in the same order;
:func:`tube_dp` uses it when numba imports and ``SPARSEST_NO_NUMBA`` is unset (``engine=``
overrides). Both engines give the same counts, windows and reconstructed functions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._polygon import (
    Point,
    Polygon,
    area,
    bbox_area,
    box,
    centroid,
    clip,
    contains,
    hull,
    intersect,
    plus_cone,
)

__all__ = ["TubeDP", "tube_dp"]


@dataclass
class TubeDP:
    """Outcome of :func:`tube_dp` (normalized coordinates).

    Attributes
    ----------
    count : int
        Fewest knots.
    lines : list of (a, c)
        The pieces ``z = a·x + c`` from left to right.
    knots : list of float
        Knot positions (increasing), one fewer than ``lines``.
    max_polygons : int
        Largest number of polygons held at once (diagnostic).
    events : int
        Number of doors that cut a polygon (diagnostic; the work is ``O(n + events·m·v)``).
    """

    count: int
    lines: list[Point] = field(default_factory=list)
    knots: list[float] = field(default_factory=list)
    max_polygons: int = 0
    events: int = 0


@dataclass
class _Window:
    """A polygon of the minimal level, unchanged on gaps ``a..b`` (valid through door ``b``)."""

    poly: Polygon
    a: int
    b: int = -1


@dataclass
class _Live:
    """A polygon held by the DP with the next door that cuts it (``cut == n``: none)."""

    poly: Polygon
    cut: int
    a: int = 0  # minimal level: window start; next level: the last door it was clipped at


@dataclass
class _Level:
    windows: list[_Window] = field(default_factory=list)
    box_door: int = 0  # lines of the universal slab of this level satisfy doors from here on


class _Doors:
    """Doors ``lo_i ≤ a·x_i + c ≤ hi_i`` with vectorized look-ahead, and the dual-plane geometry."""

    def __init__(
        self, x: np.ndarray, lo: np.ndarray, hi: np.ndarray, slack: float, A: float, C: float, span: float
    ):
        self.x, self.lo, self.hi = x, lo, hi
        self.xl, self.lol, self.hil = x.tolist(), lo.tolist(), hi.tolist()
        self.n = x.size
        self.slack = slack
        self.A, self.C = A, C
        self.span = span
        self.reach_len = 4.0 * (A + C) + 1.0
        self.box = box(A, C)
        self.lo_s = lo - slack
        self.hi_s = hi + slack

    @classmethod
    def for_reconstruction(
        cls, x: np.ndarray, lo: np.ndarray, hi: np.ndarray, A: float, span: float, recon_tol: float
    ) -> _Doors:
        """Only what :func:`_reconstruct` reads (``x, xl, lo, hi, n, A, span, recon_tol``): the
        compiled forward pass needs none of the DP's own lists."""
        D = cls.__new__(cls)
        D.x, D.lo, D.hi, D.xl = x, lo, hi, x.tolist()
        D.n, D.A, D.span, D.recon_tol = x.size, A, span, recon_tol
        return D

    def clip(self, P: Polygon, i: int, side: int = 0) -> Polygon:
        """``P`` cut by door ``i`` (``side``: ``+1`` upper bound only, ``-1`` lower only, ``0`` both)."""
        x, s = self.xl[i], self.slack
        if side >= 0 and self.hil[i] < math.inf:
            P = clip(P, x, 1.0, self.hil[i], s)
        if side <= 0 and P and self.lol[i] > -math.inf:
            P = clip(P, -x, -1.0, -self.lol[i], s)
        return P

    def next_cut(self, P: Polygon, start: int, stop: int | None = None, side: int = 0) -> int:
        """First door ``j`` in ``[start, stop)`` whose bound ``P`` crosses (``stop`` if none)."""
        stop = self.n if stop is None else stop
        if start >= stop:
            return stop
        a = np.array([p[0] for p in P])[:, None]
        c = np.array([p[1] for p in P])[:, None]
        j, step = start, 16
        while j < stop:
            k = min(stop, j + step)
            vals = a * self.x[j:k] + c
            bad = np.zeros(k - j, dtype=bool)
            if side >= 0:
                bad |= vals.max(axis=0) > self.hi_s[j:k]
            if side <= 0:
                bad |= vals.min(axis=0) < self.lo_s[j:k]
            hit = np.flatnonzero(bad)
            if hit.size:
                return j + int(hit[0])
            j, step = k, min(4 * step, 1 << 16)
        return stop

    def clip_range(self, P: Polygon, start: int, stop: int, side: int) -> Polygon:
        """``P`` cut by the bounds of doors ``start..stop−1`` on one ``side`` (``+1`` upper, ``−1`` lower).

        The lines below every point ``(x_i, hi_i)`` are the lines below the lower convex hull of
        those points (a line under a convex chain's vertices is under the chain), so only the hull
        vertices among the doors that ``P`` crosses are applied; one vectorized pass finds those.
        """
        if not P or start >= stop:
            return P
        a = np.array([p[0] for p in P])[:, None]
        c = np.array([p[1] for p in P])[:, None]
        vals = a * self.x[start:stop] + c
        if side > 0:
            cand = np.flatnonzero(vals.max(axis=0) > self.hi_s[start:stop])
            z = self.hil
        else:
            cand = np.flatnonzero(vals.min(axis=0) < self.lo_s[start:stop])
            z = self.lol
        if cand.size == 0:
            return P
        idx = (cand + start).tolist()
        for i in _chain(self.xl, z, idx, side):
            P = self.clip(P, i, side)
            if not P:
                break
        return P

    def window_reach(self, P: Polygon, a: int, b: int) -> list[Polygon]:
        """Lines crossing a line of ``P`` in ``[x_a, x_{b+1}]`` that satisfy every door after the
        crossing up to ``b + 1``, for ``P`` unchanged (valid) on doors ``a..b`` (module docstring)."""
        xa, xb = self.xl[a], self.xl[b + 1]
        out = []
        A, C, s = self.A, self.C, self.slack
        for sgn in (1.0, -1.0):
            R = plus_cone(P, (sgn, -sgn * xb), (sgn, -sgn * xa), self.reach_len)
            R = clip(R, 1.0, 0.0, A, s)
            R = clip(R, -1.0, 0.0, A, s)
            R = clip(R, 0.0, 1.0, C, s)
            R = clip(R, 0.0, -1.0, C, s)
            R = self.clip(R, b + 1)
            # crossing from below (sgn = +1) ends above P: only the upper bounds can fail
            R = self.clip_range(R, a + 1, b + 1, 1 if sgn > 0 else -1)
            if R:
                out.append(R)
        return out


def _chain(xl: list, zl: list, idx: list, side: int) -> list:
    """Indices of the lower (``side > 0``) or upper (``side < 0``) convex hull of ``(x_i, z_i)``,
    ``i`` in ``idx`` (increasing x), by the monotone chain."""
    if len(idx) <= 2:
        return idx
    h: list = []
    up = side > 0
    for i in idx:
        xi, zi = xl[i], zl[i]
        while len(h) >= 2:
            j, k = h[-2], h[-1]
            xj, zj = xl[j], zl[j]
            cr = (xl[k] - xj) * (zi - zj) - (zl[k] - zj) * (xi - xj)
            if (cr <= 0) if up else (cr >= 0):
                h.pop()
            else:
                break
        h.append(i)
    return h


def _merge(polys: list[Polygon], slack: float) -> list[Polygon]:
    """Drop polygons inside another and merge pairs whose union is convex (into their hull)."""
    polys = [P for P in polys if P]
    changed = True
    while changed and len(polys) > 1:
        changed = False
        n = len(polys)
        for i in range(n):
            for j in range(i + 1, n):
                merged = _union_if_convex(polys[i], polys[j], slack)
                if merged is not None:
                    polys[i] = merged
                    del polys[j]
                    changed = True
                    break
            if changed:
                break
    return polys


def _cslack(Q: Polygon, slack: float) -> float:
    return slack * (1.0 + max(abs(q[0]) + abs(q[1]) for q in Q))


def _union_if_convex(P: Polygon, Q: Polygon, slack: float) -> Polygon | None:
    """``P ∪ Q`` when it is convex (then it is their hull), else ``None``.

    The test ``area(hull) = area(P) + area(Q) − area(P ∩ Q)`` is affine-invariant, so it is done
    in whitened coordinates (the hull's vertex covariance mapped to the identity), where thin
    polygons are fat and the areas are well conditioned; the tolerance is relative to the union.
    """
    if len(Q) >= 3 and contains(Q, P, _cslack(Q, slack)):
        return Q
    if len(P) >= 3 and contains(P, Q, _cslack(P, slack)):
        return P
    if len(P) < 3 or len(Q) < 3:
        return P if P == Q else None
    H = hull(P + Q)
    inter = intersect(P, Q, 0.0)
    if not inter and not intersect(P, Q, _cslack(Q, slack) * 10.0):
        return None
    T = _whitener(H)
    if T is None:
        return None
    aP, aQ, aH = area(T(P)), area(T(Q)), area(T(H))
    aI = area(T(inter)) if len(inter) >= 3 else 0.0
    union = aP + aQ - aI
    if min(aP, aQ) <= 1e-9 * aH:
        return None
    if aH - union <= 1e-9 * aH:
        return H
    return None


def _whitener(H: Polygon):
    """An affine map taking the vertex cloud of ``H`` to zero mean and unit covariance."""
    n = len(H)
    ma = sum(p[0] for p in H) / n
    mc = sum(p[1] for p in H) / n
    d = [(p[0] - ma, p[1] - mc) for p in H]
    saa = sum(u * u for u, _ in d)
    scc = sum(v * v for _, v in d)
    sac = sum(u * v for u, v in d)
    if not saa > 0:
        return None
    # Cholesky of [[saa, sac], [sac, scc]]: L = [[l11, 0], [l21, l22]]; map z -> L^{-1} z
    l11 = math.sqrt(saa)
    l21 = sac / l11
    r = scc - l21 * l21
    if not saa * r > 1e-12 * (saa + scc) ** 2:  # thinner than 1e-6 of its length: no reliable test
        return None
    l22 = math.sqrt(r)

    def T(P: Polygon) -> Polygon:
        out = []
        for p in P:
            u, v = p[0] - ma, p[1] - mc
            w1 = u / l11
            out.append((w1, (v - l21 * w1) / l22))
        return out

    return T


def tube_dp(
    x,
    lo,
    hi,
    *,
    reconstruct: bool = True,
    slope_cap: float = 1e4,
    stop_above: int | None = None,
    recon_tol: float = 0.0,
    engine: str = "auto",
) -> TubeDP:
    """Fewest knots within doors (normalized data: ``x`` increasing in ``[0, 1]``, values ``O(1)``).

    Parameters
    ----------
    x : ndarray of shape (n,), n ≥ 2
        Strictly increasing.
    lo, hi : ndarray of shape (n,)
        Doors, ``lo_i ≤ hi_i`` (``-inf``/``+inf`` allowed).
    reconstruct : bool
        Also return the pieces and knots of one optimal function.
    stop_above : int, optional
        Stop as soon as more than this many knots are needed (the count is then ``stop_above + 1``
        and nothing is reconstructed): the decision "at most k knots?" of a search over the bounds.
    recon_tol : float
        Value tolerance of the reconstruction's tests (a line misses a door, two lines cross in a
        stretch): at least ten times the DP's clipping slack. The caller widens the doors by more
        than this, so the reconstructed function still meets the bounds as given.
    slope_cap : float
        Slopes of the pieces are limited to ``slope_cap × span`` (``span``: range of the finite
        bounds, plus 2) or to four times the largest slope two consecutive doors force, whichever
        is larger (see the module docstring).
    engine : {"auto", "numba", "python"}
        ``"auto"``: the compiled forward pass of :mod:`._tube_nb` when numba imports and
        ``SPARSEST_NO_NUMBA`` is unset, else the pure-Python one. Both perform the same float64
        operations in the same order (same counts, same windows); the reconstruction is shared.
    """
    x = np.asarray(x, dtype=np.float64)
    lo = np.asarray(lo, dtype=np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    n = x.size
    fin = np.concatenate([lo[np.isfinite(lo)], hi[np.isfinite(hi)]])
    span = float(np.max(fin) - np.min(fin)) + 2.0 if fin.size else 2.0
    # slopes: up to 1e4 × the data's own scale, and at least what two consecutive doors force
    with np.errstate(invalid="ignore"):
        sep = np.maximum(np.maximum(lo[1:] - hi[:-1], lo[:-1] - hi[1:]), 0.0)
    forced = float(np.max(np.nan_to_num(sep, nan=0.0) / np.diff(x))) if n > 1 else 0.0
    A = max(slope_cap * span, 4.0 * forced + span)
    vmax = float(np.max(np.abs(fin))) if fin.size else 1.0
    C = A + vmax + span
    slack = 1e-12 * (1.0 + vmax + span)
    if engine not in ("auto", "numba", "python"):
        raise ValueError(f"engine must be 'auto', 'numba' or 'python', got {engine!r}")
    if engine != "python":
        from . import _tube_nb

        if engine == "numba" and not _tube_nb.HAVE_NUMBA:
            raise ImportError("engine='numba' needs numba (the 'fast' extra)")
        if engine == "numba" or _tube_nb.enabled():
            return _tube_dp_compiled(x, lo, hi, slack, A, C, span, reconstruct, stop_above, recon_tol)
    D = _Doors(x, lo, hi, slack, A, C, span)
    D.recon_tol = max(10.0 * slack, recon_tol)

    def live(P: Polygon, door: int) -> _Live:
        return _Live(P, D.next_cut(P, door + 1), door)

    # cur: polygons of the minimal level (window start in .a, next cutting door in .cut);
    # nxt: polygons of the next level, clipped lazily (.a = the last door they were clipped at)
    cur = [live(D.clip(D.box, 0), 0)]
    nxt = [_Live(D.box, 0, -1)]
    levels = [_Level(box_door=0), _Level(box_door=0)]
    events = 0
    max_polys = 2
    while cur:
        j = min(p.cut for p in cur)
        if j >= n:
            break
        events += 1
        level = levels[-2]
        nxt = [p for p in nxt if _catch_up(D, p, j - 1)]
        for L in [p for p in cur if p.cut == j]:
            level.windows.append(_Window(L.poly, L.a, j - 1))
            for R in D.window_reach(L.poly, L.a, j - 1):
                _add_piece(D, nxt, R, j, slack)
            Q = D.clip(L.poly, j)
            if Q:
                L.poly, L.a, L.cut = Q, j, D.next_cut(Q, j + 1)
            else:
                L.poly = []
        cur = [p for p in cur if p.poly]
        if not cur:
            polys = [P for p in nxt if (P := _catch_up(D, p, j))]
            cur = [live(P, j) for P in _merge(polys, slack)]
            nxt = [_Live(D.clip(D.box, j), 0, j)]
            levels.append(_Level(box_door=j))
            if stop_above is not None and len(levels) - 2 > stop_above:
                return TubeDP(count=stop_above + 1, max_polygons=max_polys, events=events)
        max_polys = max(max_polys, len(cur) + len(nxt))
    out = TubeDP(count=len(levels) - 2, max_polygons=max_polys, events=events)
    if reconstruct:
        for p in cur:
            levels[-2].windows.append(_Window(p.poly, p.a, n - 2))
        out.lines, out.knots = _reconstruct(D, levels, [p.poly for p in cur])
    return out


def _tube_dp_compiled(
    x: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    slack: float,
    A: float,
    C: float,
    span: float,
    reconstruct: bool,
    stop_above: int | None,
    recon_tol: float,
) -> TubeDP:
    """:func:`tube_dp` with the forward pass compiled (:func:`._tube_nb.forward`), the windows it
    records handed to the Python reconstruction."""
    from ._tube_nb import forward

    x, lo, hi = (np.ascontiguousarray(v) for v in (x, lo, hi))
    use_stop = stop_above is not None
    count, events, max_polys, stopped, box_door, win, verts, n_final = forward(
        x, lo, hi, slack, A, C, int(stop_above) if use_stop else 0, use_stop, bool(reconstruct)
    )
    out = TubeDP(count=int(count), max_polygons=int(max_polys), events=int(events))
    if stopped or not reconstruct:
        return out
    D = _Doors.for_reconstruction(x, lo, hi, A, span, max(10.0 * slack, recon_tol))
    from ._tube_nb import last_failed_door, search_windows

    def poly(t: int) -> Polygon:
        off, nv = int(win[t, 3]), int(win[t, 4])
        return list(zip(verts[off : off + nv, 0].tolist(), verts[off : off + nv, 1].tolist(), strict=True))

    # windows of a level are contiguous (levels only grow); the reconstruction reads only the last
    # window of a level itself, the rest through the compiled search
    first = np.searchsorted(win[:, 0], np.arange(len(box_door) + 1), side="left")
    levels = [_Level(box_door=int(b)) for b in box_door.tolist()]
    for lev in range(len(levels)):
        if first[lev + 1] > first[lev]:
            t = int(first[lev + 1]) - 1
            levels[lev].windows.append(_Window(poly(t), int(win[t, 1]), int(win[t, 2])))
    final = [poly(t) for t in range(win.shape[0] - int(n_final), win.shape[0])]
    tol, A_, span_ = D.recon_tol, D.A, D.span

    def search(k, line, d, end, u_next):
        found, sc, pa, pc, xa, xb = search_windows(
            verts, win, int(first[k - 1]), int(first[k]), line[0], line[1], d, end, u_next, x, tol, span_, A_
        )
        return (sc, (pa, pc), xa, xb) if found else None

    def last_failed(line, end):
        return int(last_failed_door(x, lo, hi, line[0], line[1], end, tol))

    out.lines, out.knots = _reconstruct(D, levels, final, search, last_failed)
    return out


def _catch_up(D: _Doors, p: _Live, j: int) -> Polygon:
    """Clip a lazily held polygon through door ``j``."""
    if p.a < j:
        P = D.clip_range(p.poly, p.a + 1, j + 1, 1)
        p.poly = D.clip_range(P, p.a + 1, j + 1, -1) if P else P
        p.a = j
    return p.poly


def _add_piece(D: _Doors, nxt: list[_Live], R: Polygon, j: int, slack: float) -> None:
    """Add a polygon valid through door ``j`` to the next level, merged into a held polygon when
    their union is convex (held polygons are first clipped through door ``j``)."""
    for p in nxt:
        Q = _catch_up(D, p, j)
        if Q:
            merged = _union_if_convex(Q, R, slack)
            if merged is not None:
                p.poly = merged
                return
    nxt[:] = [p for p in nxt if p.poly]
    nxt.append(_Live(R, 0, j))


# ------------------------------------------------------------------------------ reconstruction
def _line_at(line: Point, x: float) -> float:
    return line[0] * x + line[1]


def _last_failed_door(D: _Doors, line: Point, end: int) -> int:
    """Largest door index ``≤ end`` that ``line`` misses (``-1`` if none), with the DP's slack."""
    v = line[0] * D.x[: end + 1] + line[1]
    s = D.recon_tol
    bad = np.flatnonzero((v < D.lo[: end + 1] - s) | (v > D.hi[: end + 1] + s))
    return int(bad[-1]) if bad.size else -1


def _tame(D: _Doors, Q: Polygon) -> tuple[Point, float]:
    """An interior point of ``Q`` with the least steep slope band that meets it, and its score.

    Slopes are limited to ``|a| ≤ w`` for ``w = 4·span, 64·span, …`` up to the DP's box, and the
    centroid of the first non-empty part is taken: a function without needless spikes whenever
    ``Q`` allows one (the box admits slopes up to ``span / min gap``).
    """
    w = 4.0 * D.span
    while True:
        R = clip(clip(Q, 1.0, 0.0, w, 0.0), -1.0, 0.0, w, 0.0) if w < D.A else Q
        if R:
            sc = area(R) / (1e-300 + bbox_area(Q)) if len(R) >= 3 else 0.0
            return centroid(R), sc - math.log(w)
        w *= 16.0


def _best_interior(D: _Doors, polys: list[Polygon]) -> Point:
    return max((_tame(D, P) for P in polys if P), key=lambda t: t[1])[0]


def _crossing_partner(D: _Doors, P: Polygon, line: Point, xa: float, xb: float):
    """The most interior line of ``P`` crossing ``line`` inside ``[xa, xb]``, with a score."""
    va, vb = _line_at(line, xa), _line_at(line, xb)
    best = None
    for sgn in (1.0, -1.0):
        # sgn = +1: partner above at xa and below at xb (line crosses it from below)
        Q = clip(P, -sgn * xa, -sgn, -sgn * va, D.recon_tol)
        Q = clip(Q, sgn * xb, sgn, sgn * vb, D.recon_tol)
        if Q:
            pt, sc = _tame(D, Q)
            if best is None or sc > best[0]:
                best = (sc, pt)
    return best


def _crossing(a: Point, b: Point, xa: float, xb: float) -> float | None:
    """Where lines ``a`` and ``b`` meet, clamped to ``[xa, xb]`` (``None`` if they coincide)."""
    da = a[0] - b[0]
    if da == 0.0:
        return None if a[1] == b[1] else 0.5 * (xa + xb)
    return min(max((b[1] - a[1]) / da, xa), xb)


def _search_windows(D: _Doors, windows: list[_Window], line: Point, d: int, end: int, u_next: float):
    """Among ``windows``, the best partner of ``line``: ``(score, partner, xa, xb)`` or ``None``.

    A window ``W`` qualifies on the doors ``g1 = max(W.a, d) … g2 = min(W.b, end)``; its partner is
    :func:`_crossing_partner` on ``[x_{g1}, min(x_{g2+1}, u_next)]``; the first best score wins.
    """
    x = D.xl
    best = None
    for W in windows:
        g1, g2 = max(W.a, d), min(W.b, end)
        if g1 > g2:
            continue
        xa, xb = x[g1], min(x[g2 + 1], u_next)
        if xb < xa:
            continue
        cand = _crossing_partner(D, W.poly, line, xa, xb)
        if cand is not None and (best is None or cand[0] > best[0]):
            best = (cand[0], cand[1], xa, xb)
    return best


def _reconstruct(D: _Doors, levels: list[_Level], final: list[Polygon], search=None, last_failed=None):
    """Pieces and knots of one optimal function (module docstring).

    A line must satisfy the doors between its own knot and the next knot ``u_next``; its knot is
    the crossing with a line of the level below, placed inside a window's stretch, after the last
    door the line misses and before ``u_next``.

    ``search(k, line, d, end, u_next)`` (default: :func:`_search_windows` over the windows of level
    ``k − 1``) and ``last_failed(line, end)`` (default :func:`_last_failed_door`) may be replaced
    by equivalent compiled versions; then ``levels[k].windows`` need only hold the last window.
    """
    if search is None:

        def search(k, line, d, end, u_next):
            return _search_windows(D, levels[k - 1].windows, line, d, end, u_next)

    if last_failed is None:

        def last_failed(line, end):
            return _last_failed_door(D, line, end)

    x = D.xl
    line = _best_interior(D, final)
    end = D.n - 1  # the last door before the next knot
    u_next = math.inf
    lines = [line]
    knots: list[float] = []
    k = len(levels) - 2
    while k > 0:
        d = last_failed(line, end)
        best = search(k, line, d, end, u_next)
        if best is not None:
            _, prev, xa, xb = best
            u = _crossing(line, prev, xa, xb)
            if u is not None:
                knots.append(u)
                lines.append(prev)
                end = int(np.searchsorted(D.x, u, side="left")) - 1
                u_next = u
            line, k = prev, k - 1
            continue
        jd = levels[k].box_door
        if k == 1 or jd <= 0:
            break  # the line satisfies every door before it: no knot needed there
        # the line came from the universal slab: two knots in the gap where level k − 2 died
        prev = _best_interior(D, [levels[k - 2].windows[-1].poly])
        k2 = min(x[jd], u_next)
        um = 0.5 * (x[jd - 1] + k2)
        zm = _line_at(prev, um)
        slope = (_line_at(line, k2) - zm) / (k2 - um)
        knots.extend([k2, um])
        lines.extend([(slope, zm - slope * um), prev])
        line, end, k, u_next = prev, jd - 1, k - 2, um
    lines.reverse()
    knots.reverse()
    return lines, knots

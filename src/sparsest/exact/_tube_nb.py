"""Compiled (numba) forward pass of the level-set DP of :mod:`._tube_dp`.

The same dynamic program, operation for operation, as the pure-Python :func:`._tube_dp.tube_dp`
(read its module docstring for the method): the dual plane of lines ``z = a·x + c``, the two
explicit levels ``cur = T_{k*}`` and ``nxt = T_{k*+1}`` as lists of convex polygons, the
event-driven windows, the reach of a window as two clipped cones, and the merging of polygons
whose union is convex. Every floating-point operation is the one the Python code performs, in the
same order (float64, no fused multiply-add, Python's ``min``/``max``/``sum`` semantics mirrored),
so the counts — and the recorded windows — are those of the Python path.

Data layout
-----------
A polygon is a C-contiguous float64 array of shape ``(m, 2)``: its vertices ``(a, c)``
counter-clockwise, ``m = 0`` the empty set (degenerate polygons with one or two vertices occur,
as in :mod:`._polygon`). A level is a list of polygons with parallel integer lists (next cutting
door, last door clipped at). The forward pass optionally records every window (a polygon of the
minimal level with the doors ``a..b`` on which it is unchanged): the vertices of all windows are
returned concatenated, with per-window level, ``a``, ``b``, offset and vertex count, which is what
the (Python) reconstruction of :func:`._tube_dp._reconstruct` needs.

Without numba the module still imports (:data:`HAVE_NUMBA` is ``False``) and the dispatcher in
:func:`._tube_dp.tube_dp` uses the Python path. ``SPARSEST_NO_NUMBA=1`` in the environment forces
the Python path even when numba is installed (see :func:`enabled`).
"""

from __future__ import annotations

import os
import sys

import numpy as np

try:  # the ``fast`` extra
    import numba as _numba

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - exercised only without numba
    _numba = None
    HAVE_NUMBA = False

__all__ = ["HAVE_NUMBA", "enabled", "forward", "last_failed_door", "search_windows"]


def _njit(fn):
    """``numba.njit(cache=True)`` when numba imports, else the plain function."""
    if _numba is None:  # pragma: no cover
        return fn
    return _numba.njit(cache=True)(fn)


def enabled() -> bool:
    """Whether the compiled path is used: numba imports and ``SPARSEST_NO_NUMBA`` is unset (or ``0``)."""
    return HAVE_NUMBA and os.environ.get("SPARSEST_NO_NUMBA", "0") in ("", "0")


_EPS8 = 8.0 * 2.220446049250313e-16
_INF = np.inf
# Python's built-in sum of floats is compensated (Neumaier) from 3.12 on; the whitening mirrors it
_NEUMAIER = sys.version_info >= (3, 12)


# ------------------------------------------------------------------------------ scalar helpers
@_njit
def _pmax(a: float, b: float) -> float:
    """Python's ``max(a, b)``: ``a`` unless ``b > a``."""
    return b if b > a else a


@_njit
def _pmin(a: float, b: float) -> float:
    """Python's ``min(a, b)``: ``a`` unless ``b < a``."""
    return b if b < a else a


@_njit
def _acc(s: float, comp: float, x: float) -> tuple[float, float]:
    """One step of Python's built-in ``sum`` of floats: plain addition before Python 3.12,
    Neumaier's compensated addition (running compensation ``comp``) from 3.12 on."""
    if not _NEUMAIER:
        return s + x, comp
    t = s + x
    if abs(s) >= abs(x):
        comp += (s - t) + x
    else:
        comp += (x - t) + s
    return t, comp


@_njit
def _acc_end(s: float, comp: float) -> float:
    """The value of Python's ``sum`` from the state of :func:`_acc` (``s, comp`` from ``0.0, 0.0``)."""
    if _NEUMAIER and comp != 0.0 and np.isfinite(comp):
        return s + comp
    return s


# ------------------------------------------------------------------------------ polygon kernels
@_njit
def _empty() -> np.ndarray:
    return np.empty((0, 2), dtype=np.float64)


@_njit
def _clip(P: np.ndarray, na: float, nc: float, rhs: float, slack: float) -> np.ndarray:
    """``P ∩ {(a, c) : na·a + nc·c ≤ rhs + slack}`` (:func:`._polygon.clip`; ``P``: shape (m, 2)).

    Two passes over the vertices (the side of each vertex is recomputed, the same expression both
    times), so the result is allocated once with its exact size.
    """
    n = P.shape[0]
    if n == 0:
        return P
    ar = abs(rhs)
    n_in = 0
    n_tr = 0
    first = False
    prev = False
    for i in range(n):
        u = na * P[i, 0]
        w = nc * P[i, 1]
        ins = u + w - rhs <= slack + _EPS8 * (abs(u) + abs(w) + ar)
        if ins:
            n_in += 1
        if i == 0:
            first = ins
        elif ins != prev:
            n_tr += 1
        prev = ins
    if n_in == n:
        return P
    if n_in == 0:
        return _empty()
    if prev != first:
        n_tr += 1
    out = np.empty((n_in + n_tr, 2))
    m = 0
    snap_c = abs(nc) >= abs(na)
    u = na * P[0, 0]
    w = nc * P[0, 1]
    vq = u + w - rhs
    ins_q = first
    for i in range(n):
        i1 = i + 1 if i + 1 < n else 0
        vp, ins_p = vq, ins_q
        u = na * P[i1, 0]
        w = nc * P[i1, 1]
        vq = u + w - rhs
        ins_q = vq <= slack + _EPS8 * (abs(u) + abs(w) + ar)
        if ins_p:
            out[m, 0] = P[i, 0]
            out[m, 1] = P[i, 1]
            m += 1
        if ins_p != ins_q:
            t = vp / (vp - vq) if vp != vq else 0.5
            t = _pmin(_pmax(t, 0.0), 1.0)
            a = P[i, 0] + t * (P[i1, 0] - P[i, 0])
            c = P[i, 1] + t * (P[i1, 1] - P[i, 1])
            if snap_c:
                c = (rhs - na * a) / nc
            else:
                a = (rhs - nc * c) / na
            out[m, 0] = a
            out[m, 1] = c
            m += 1
    return out


@_njit
def _lex_less(a0: float, a1: float, b0: float, b1: float) -> bool:
    """Python's tuple order ``(a0, a1) < (b0, b1)``."""
    if a0 != b0:
        return a0 < b0
    return a1 < b1


@_njit
def _cross(P: np.ndarray, o: int, a: int, b: int) -> float:
    return (P[a, 0] - P[o, 0]) * (P[b, 1] - P[o, 1]) - (P[a, 1] - P[o, 1]) * (P[b, 0] - P[o, 0])


@_njit
def _hull(pts: np.ndarray) -> np.ndarray:
    """Convex hull of the points ``pts`` (shape (m, 2)), counter-clockwise, collinear points dropped.

    Mirrors :func:`._polygon.hull`: ``sorted(set(points))`` (a stable sort, then the first of each
    run of equal points), then Andrew's monotone chain. ``pts`` is sorted in place (scratch).
    """
    m = pts.shape[0]
    if m <= 12:
        for i in range(1, m):  # stable insertion sort in tuple order
            a0, a1 = pts[i, 0], pts[i, 1]
            j = i - 1
            while j >= 0 and _lex_less(a0, a1, pts[j, 0], pts[j, 1]):
                pts[j + 1, 0] = pts[j, 0]
                pts[j + 1, 1] = pts[j, 1]
                j -= 1
            pts[j + 1, 0] = a0
            pts[j + 1, 1] = a1
    else:  # the same order by a stable bottom-up merge sort of the rows (one scratch buffer)
        src = pts
        dst = np.empty((m, 2))
        in_scratch = False
        width = 1
        while width < m:
            for lo in range(0, m, 2 * width):
                mid = min(lo + width, m)
                hi = min(lo + 2 * width, m)
                i, j, k = lo, mid, lo
                while i < mid and j < hi:
                    # the right element first only when strictly smaller (stable)
                    if _lex_less(src[j, 0], src[j, 1], src[i, 0], src[i, 1]):
                        dst[k, 0], dst[k, 1] = src[j, 0], src[j, 1]
                        j += 1
                    else:
                        dst[k, 0], dst[k, 1] = src[i, 0], src[i, 1]
                        i += 1
                    k += 1
                while i < mid:
                    dst[k, 0], dst[k, 1] = src[i, 0], src[i, 1]
                    i += 1
                    k += 1
                while j < hi:
                    dst[k, 0], dst[k, 1] = src[j, 0], src[j, 1]
                    j += 1
                    k += 1
            src, dst = dst, src
            in_scratch = not in_scratch
            width *= 2
        if in_scratch:
            pts[:] = src
    u = 0
    for i in range(m):  # drop repeated points (the first of a run stays)
        if u > 0 and pts[i, 0] == pts[u - 1, 0] and pts[i, 1] == pts[u - 1, 1]:
            continue
        pts[u, 0] = pts[i, 0]
        pts[u, 1] = pts[i, 1]
        u += 1
    if u <= 2:
        return pts[:u].copy()
    ch = np.empty(2 * u, dtype=np.int64)  # lower chain in ch[:nl], upper chain in ch[u : u + nu]
    nl = 0
    for i in range(u):
        while nl >= 2 and _cross(pts, ch[nl - 2], ch[nl - 1], i) <= 0:
            nl -= 1
        ch[nl] = i
        nl += 1
    nu = 0
    for i in range(u - 1, -1, -1):
        while nu >= 2 and _cross(pts, ch[u + nu - 2], ch[u + nu - 1], i) <= 0:
            nu -= 1
        ch[u + nu] = i
        nu += 1
    out = np.empty((nl - 1 + nu - 1, 2))
    m2 = 0
    for i in range(nl - 1):
        out[m2, 0] = pts[ch[i], 0]
        out[m2, 1] = pts[ch[i], 1]
        m2 += 1
    for i in range(nu - 1):
        out[m2, 0] = pts[ch[u + i], 0]
        out[m2, 1] = pts[ch[u + i], 1]
        m2 += 1
    return out


@_njit
def _area(P: np.ndarray) -> float:
    """Signed area relative to the first vertex (:func:`._polygon.area`)."""
    n = P.shape[0]
    if n < 3:
        return 0.0
    oa, oc = P[0, 0], P[0, 1]
    s = 0.0
    for i in range(1, n - 1):
        s += (P[i, 0] - oa) * (P[i + 1, 1] - oc) - (P[i, 1] - oc) * (P[i + 1, 0] - oa)
    return 0.5 * s


@_njit
def _clip_into(
    src: np.ndarray, n: int, na: float, nc: float, rhs: float, slack: float, dst: np.ndarray
) -> int:
    """:func:`_clip` of the polygon ``src[:n]`` written to ``dst`` (capacity ``≥ 2n``): the number of
    vertices written, or ``−1`` when every vertex is inside (``src[:n]`` is the result)."""
    ar = abs(rhs)
    n_in = 0
    for i in range(n):
        u = na * src[i, 0]
        w = nc * src[i, 1]
        if u + w - rhs <= slack + _EPS8 * (abs(u) + abs(w) + ar):
            n_in += 1
    if n_in == n:
        return -1
    if n_in == 0:
        return 0
    m = 0
    snap_c = abs(nc) >= abs(na)
    u = na * src[0, 0]
    w = nc * src[0, 1]
    vq = u + w - rhs
    ins_q = vq <= slack + _EPS8 * (abs(u) + abs(w) + ar)
    for i in range(n):
        i1 = i + 1 if i + 1 < n else 0
        vp, ins_p = vq, ins_q
        u = na * src[i1, 0]
        w = nc * src[i1, 1]
        vq = u + w - rhs
        ins_q = vq <= slack + _EPS8 * (abs(u) + abs(w) + ar)
        if ins_p:
            dst[m, 0] = src[i, 0]
            dst[m, 1] = src[i, 1]
            m += 1
        if ins_p != ins_q:
            t = vp / (vp - vq) if vp != vq else 0.5
            t = _pmin(_pmax(t, 0.0), 1.0)
            a = src[i, 0] + t * (src[i1, 0] - src[i, 0])
            c = src[i, 1] + t * (src[i1, 1] - src[i, 1])
            if snap_c:
                c = (rhs - na * a) / nc
            else:
                a = (rhs - nc * c) / na
            dst[m, 0] = a
            dst[m, 1] = c
            m += 1
    return m


@_njit
def _intersect(P: np.ndarray, Q: np.ndarray, slack: float) -> np.ndarray:
    """``P ∩ Q`` for a counter-clockwise ``Q`` with at least three vertices: ``P`` clipped by the
    edges of ``Q`` in turn (:func:`._polygon.intersect`), in two scratch buffers."""
    nq = Q.shape[0]
    n = P.shape[0]
    cap = 2 * (n + nq) + 4
    buf0 = np.empty((cap, 2))
    buf1 = np.empty((cap, 2))
    src = P
    which = -1  # src is P (-1), buf0 (0) or buf1 (1)
    for i in range(nq):
        i1 = i + 1 if i + 1 < nq else 0
        na = Q[i1, 1] - Q[i, 1]
        nc = Q[i, 0] - Q[i1, 0]
        dst = buf1 if which == 0 else buf0
        if dst.shape[0] < 2 * n:
            dst = np.empty((2 * n, 2))
            if which == 0:
                buf1 = dst
            else:
                buf0 = dst
        m = _clip_into(src, n, na, nc, na * Q[i, 0] + nc * Q[i, 1], slack * (abs(na) + abs(nc)), dst)
        if m == 0:
            return _empty()
        if m > 0:
            src, n = dst, m
            which = 1 if which == 0 else 0
    if which < 0:
        return P
    return src[:n].copy()


@_njit
def _contains(Q: np.ndarray, P: np.ndarray, slack: float) -> bool:
    """``P ⊆ Q`` within ``slack`` for a counter-clockwise ``Q`` with at least three vertices."""
    n = Q.shape[0]
    for i in range(n):
        i1 = i + 1 if i + 1 < n else 0
        na = Q[i1, 1] - Q[i, 1]
        nc = Q[i, 0] - Q[i1, 0]
        rhs = na * Q[i, 0] + nc * Q[i, 1] + slack * (abs(na) + abs(nc))
        for k in range(P.shape[0]):
            if na * P[k, 0] + nc * P[k, 1] > rhs:
                return False
    return True


@_njit
def _cslack(Q: np.ndarray, slack: float) -> float:
    mx = abs(Q[0, 0]) + abs(Q[0, 1])
    for i in range(1, Q.shape[0]):
        mx = _pmax(mx, abs(Q[i, 0]) + abs(Q[i, 1]))
    return slack * (1.0 + mx)


@_njit
def _same(P: np.ndarray, Q: np.ndarray) -> bool:
    """Python's list equality ``P == Q`` of vertex lists."""
    if P.shape[0] != Q.shape[0]:
        return False
    for i in range(P.shape[0]):
        if P[i, 0] != Q[i, 0] or P[i, 1] != Q[i, 1]:
            return False
    return True


@_njit
def _warea(P: np.ndarray, ma: float, mc: float, l11: float, l21: float, l22: float) -> float:
    """:func:`_area` of ``P`` mapped by ``(a, c) ↦ (w1, (v − l21 w1)/l22)``, ``w1 = (a − ma)/l11``,
    ``v = c − mc`` (the whitener of :func:`._tube_dp._whitener`), vertices mapped on the fly."""
    n = P.shape[0]
    if n < 3:
        return 0.0
    oa = (P[0, 0] - ma) / l11
    oc = ((P[0, 1] - mc) - l21 * oa) / l22
    qa = (P[1, 0] - ma) / l11
    qc = ((P[1, 1] - mc) - l21 * qa) / l22
    s = 0.0
    for i in range(1, n - 1):
        pa, pc = qa, qc
        qa = (P[i + 1, 0] - ma) / l11
        qc = ((P[i + 1, 1] - mc) - l21 * qa) / l22
        s += (pa - oa) * (qc - oc) - (pc - oc) * (qa - oa)
    return 0.5 * s


@_njit
def _separated(P: np.ndarray, Q: np.ndarray, slack: float) -> bool:
    """Some edge of ``Q`` has every vertex of ``P`` outside, by far more than the clipping tolerance.

    Then ``P ∩ Q`` by :func:`_intersect` (with this ``slack`` or less) is empty: its vertices are
    those of ``P`` and points on its edges, moved by rounding only, and the first clip at that
    edge keeps none. The margin is twice the clip's slack plus ``10^-12`` relative to the terms
    (the clip's own rounding allowance is ``8 ε`` of them), so the test is decided the same way as
    the intersection it replaces — it only spares computing it.
    """
    n = Q.shape[0]
    for i in range(n):
        i1 = i + 1 if i + 1 < n else 0
        na = Q[i1, 1] - Q[i, 1]
        nc = Q[i, 0] - Q[i1, 0]
        rhs = na * Q[i, 0] + nc * Q[i, 1]
        tol = 2.0 * slack * (abs(na) + abs(nc))
        ar = abs(rhs)
        out = True
        for k in range(P.shape[0]):
            u = na * P[k, 0]
            w = nc * P[k, 1]
            if not u + w - rhs > tol + 1e-12 * (abs(u) + abs(w) + ar):
                out = False
                break
        if out:
            return True
    return False


@_njit
def _union_if_convex(P: np.ndarray, Q: np.ndarray, slack: float) -> tuple[bool, np.ndarray]:
    """``(True, P ∪ Q)`` when the union is convex (then it is their hull), else ``(False, ·)``.

    :func:`._tube_dp._union_if_convex`: containment first, then the area test
    ``area(hull) = area(P) + area(Q) − area(P ∩ Q)`` in whitened coordinates.
    """
    nP, nQ = P.shape[0], Q.shape[0]
    if nQ >= 3 and _contains(Q, P, _cslack(Q, slack)):
        return True, Q
    if nP >= 3 and _contains(P, Q, _cslack(P, slack)):
        return True, P
    if nP < 3 or nQ < 3:
        return _same(P, Q), P
    # (the Python code builds the hull first; it does not enter the intersection test, so the
    # hull is built only for polygons that meet)
    if _separated(P, Q, _cslack(Q, slack) * 10.0):
        return False, P
    inter = _intersect(P, Q, 0.0)
    if inter.shape[0] == 0 and _intersect(P, Q, _cslack(Q, slack) * 10.0).shape[0] == 0:
        return False, P
    both = np.empty((nP + nQ, 2))
    both[:nP] = P
    both[nP:] = Q
    H = _hull(both)
    # the whitener of H (._tube_dp._whitener), sums as Python's built-in sum
    nh = H.shape[0]
    s0, c0, s1, c1 = 0.0, 0.0, 0.0, 0.0
    for i in range(nh):
        s0, c0 = _acc(s0, c0, H[i, 0])
        s1, c1 = _acc(s1, c1, H[i, 1])
    ma = _acc_end(s0, c0) / nh
    mc = _acc_end(s1, c1) / nh
    s0, c0, s1, c1, s2, c2 = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    for i in range(nh):
        u = H[i, 0] - ma
        v = H[i, 1] - mc
        s0, c0 = _acc(s0, c0, u * u)
        s1, c1 = _acc(s1, c1, v * v)
        s2, c2 = _acc(s2, c2, u * v)
    saa = _acc_end(s0, c0)
    scc = _acc_end(s1, c1)
    sac = _acc_end(s2, c2)
    if not saa > 0:
        return False, P
    l11 = np.sqrt(saa)
    l21 = sac / l11
    r = scc - l21 * l21
    if not saa * r > 1e-12 * (saa + scc) ** 2:
        return False, P
    l22 = np.sqrt(r)
    aP = _warea(P, ma, mc, l11, l21, l22)
    aQ = _warea(Q, ma, mc, l11, l21, l22)
    aH = _warea(H, ma, mc, l11, l21, l22)
    aI = _warea(inter, ma, mc, l11, l21, l22) if inter.shape[0] >= 3 else 0.0
    union = aP + aQ - aI
    if _pmin(aP, aQ) <= 1e-9 * aH:
        return False, P
    if aH - union <= 1e-9 * aH:
        return True, H
    return False, P


@_njit
def _plus_cone(P: np.ndarray, d1a: float, d1c: float, d2a: float, d2c: float, reach: float) -> np.ndarray:
    """``P + cone{d1, d2}`` truncated at ``reach`` along each generator (:func:`._polygon.plus_cone`)."""
    n = P.shape[0]
    pts = np.empty((3 * n, 2))
    pts[:n] = P
    for i in range(n):
        pts[n + 2 * i, 0] = P[i, 0] + reach * d1a
        pts[n + 2 * i, 1] = P[i, 1] + reach * d1c
        pts[n + 2 * i + 1, 0] = P[i, 0] + reach * d2a
        pts[n + 2 * i + 1, 1] = P[i, 1] + reach * d2c
    return _hull(pts)


# ------------------------------------------------------------------------------ doors
@_njit
def _door_clip(
    P: np.ndarray, x: np.ndarray, lo: np.ndarray, hi: np.ndarray, i: int, slack: float, side: int
) -> np.ndarray:
    """``P`` cut by door ``i`` (``side``: ``+1`` upper bound only, ``−1`` lower only, ``0`` both)."""
    xi = x[i]
    if side >= 0 and hi[i] < _INF:
        P = _clip(P, xi, 1.0, hi[i], slack)
    if side <= 0 and P.shape[0] > 0 and lo[i] > -_INF:
        P = _clip(P, -xi, -1.0, -lo[i], slack)
    return P


_BLOCK = 16  # doors per bound of :func:`_scan_first` (the bound is re-centred every _BLOCK doors)


@_njit
def _scan_first(
    P: np.ndarray, x: np.ndarray, lo_s: np.ndarray, hi_s: np.ndarray, start: int, stop: int, side: int
) -> int:
    """First door ``j`` in ``[start, stop)`` (increasing ``x``) where some vertex ``(a, c)`` of ``P``
    has ``fl(a·x_j + c) > hi_s[j]`` (``side ≥ 0``) or ``< lo_s[j]`` (``side ≤ 0``); ``stop`` if none.

    A door is first tested against a bound on all vertices at once: with ``c'_k = a_k x_0 + c_k``
    for a recent door ``x_0`` and ``d = x_j − x_0 ≥ 0``, ``a_k x_j + c_k = c'_k + a_k d ≤ max c' +
    max a · d`` (and the mirror bound below). The bound carries a margin
    ``10^-13 (max|a| (1 + |x|) + max|c| + 1)``, far above the rounding of every term (a few ``ε`` of
    the same magnitudes), so a door it clears is one that no vertex's float64 value crosses; only
    the other doors evaluate every vertex. The answer is exactly that of evaluating every vertex
    at every door.
    """
    m = P.shape[0]
    ma, mc = 0.0, 0.0
    for k in range(m):
        ma, mc = max(ma, abs(P[k, 0])), max(mc, abs(P[k, 1]))
    cmax, cmin, amax, amin, x0, delta = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    for j in range(start, stop):
        xj = x[j]
        if (j - start) % _BLOCK == 0:  # re-centre the bound at this door
            x0 = xj
            cmax, cmin, amax, amin = -_INF, _INF, -_INF, _INF
            for k in range(m):
                a = P[k, 0]
                cp = a * x0 + P[k, 1]
                cmax, cmin = max(cmax, cp), min(cmin, cp)
                amax, amin = max(amax, a), min(amin, a)
            big = max(abs(x0), abs(x[min(j + _BLOCK, stop) - 1]))
            delta = 1e-13 * (ma * (1.0 + big) + mc + 1.0)
        d = xj - x0
        if side >= 0:
            ub = cmax + (amax * d if d >= 0 else amin * d)
            if not ub + delta <= hi_s[j]:
                h = hi_s[j]
                for k in range(m):
                    if P[k, 0] * xj + P[k, 1] > h:
                        return j
        if side <= 0:
            lb = cmin + (amin * d if d >= 0 else amax * d)
            if not lb - delta >= lo_s[j]:
                lw = lo_s[j]
                for k in range(m):
                    if P[k, 0] * xj + P[k, 1] < lw:
                        return j
    return stop


@_njit
def _next_cut(P: np.ndarray, x: np.ndarray, lo_s: np.ndarray, hi_s: np.ndarray, start: int) -> int:
    """First door ``j ≥ start`` whose (slackened) bound some vertex of ``P`` violates (``n``: none)."""
    return _scan_first(P, x, lo_s, hi_s, start, x.size, 0)


@_njit
def _chain(x: np.ndarray, z: np.ndarray, idx: np.ndarray, up: bool) -> np.ndarray:
    """Lower (``up``) or upper convex hull of the points ``(x_i, z_i)``, ``i`` in ``idx`` (increasing)."""
    m = idx.size
    if m <= 2:
        return idx
    h = np.empty(m, dtype=np.int64)
    nh = 0
    for t in range(m):
        i = idx[t]
        xi, zi = x[i], z[i]
        while nh >= 2:
            j, k = h[nh - 2], h[nh - 1]
            xj, zj = x[j], z[j]
            cr = (x[k] - xj) * (zi - zj) - (z[k] - zj) * (xi - xj)
            if (cr <= 0) if up else (cr >= 0):
                nh -= 1
            else:
                break
        h[nh] = i
        nh += 1
    return h[:nh]


@_njit
def _clip_range(
    P: np.ndarray,
    x: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    lo_s: np.ndarray,
    hi_s: np.ndarray,
    slack: float,
    start: int,
    stop: int,
    side: int,
) -> np.ndarray:
    """``P`` cut by the bounds of doors ``start..stop−1`` on one ``side`` (``+1`` upper, ``−1`` lower):
    only the lower (upper) convex hull of the bounds ``P`` crosses is applied (:class:`._tube_dp._Doors`)."""
    m = P.shape[0]
    if m == 0 or start >= stop:
        return P
    cand = np.empty(0, dtype=np.int64)
    nc = 0
    sd = 1 if side > 0 else -1
    j = _scan_first(P, x, lo_s, hi_s, start, stop, sd)
    while j < stop:
        if nc == cand.size:
            grown = np.empty(max(16, 2 * cand.size), dtype=np.int64)
            grown[:nc] = cand[:nc]
            cand = grown
        cand[nc] = j
        nc += 1
        j = _scan_first(P, x, lo_s, hi_s, j + 1, stop, sd)
    if nc == 0:
        return P
    ch = _chain(x, hi if side > 0 else lo, cand[:nc], side > 0)
    for t in range(ch.size):
        P = _door_clip(P, x, lo, hi, ch[t], slack, side)
        if P.shape[0] == 0:
            break
    return P


@_njit
def _catch_up(
    P: np.ndarray,
    a: int,
    j: int,
    x: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    lo_s: np.ndarray,
    hi_s: np.ndarray,
    slack: float,
) -> np.ndarray:
    """A lazily held polygon last clipped at door ``a``, clipped through door ``j`` (``a < j``)."""
    P = _clip_range(P, x, lo, hi, lo_s, hi_s, slack, a + 1, j + 1, 1)
    if P.shape[0] > 0:
        P = _clip_range(P, x, lo, hi, lo_s, hi_s, slack, a + 1, j + 1, -1)
    return P


# ------------------------------------------------------------------------------ the forward pass
@_njit
def forward(
    x: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    slack: float,
    A: float,
    C: float,
    stop_above: int,
    use_stop: bool,
    record: bool,
):
    """The DP of :func:`._tube_dp.tube_dp` on normalized doors; optionally records the windows.

    Parameters
    ----------
    x, lo, hi : ndarray of shape (n,)
        Strictly increasing ``x``; doors ``lo_i ≤ a x_i + c ≤ hi_i`` (infinite sides allowed).
    slack : float
        Clipping slack (absolute, normalized units).
    A, C : float
        The box ``|a| ≤ A``, ``|c| ≤ C`` of the dual plane.
    stop_above : int
        With ``use_stop``: stop as soon as more than this many knots are needed.
    use_stop : bool
        Whether ``stop_above`` applies.
    record : bool
        Record the windows (for the reconstruction), including those of the final level.

    Returns
    -------
    count : int
        Fewest knots (``stop_above + 1`` when stopped early).
    events, max_polys : int
        Diagnostics as in :class:`._tube_dp.TubeDP`.
    stopped : bool
        Stopped early (``stop_above``).
    box_door : ndarray of int64, shape (count + 2,)
        Per level: the door from which the level's universal slab is valid.
    win : ndarray of int64, shape (w, 5)
        Per window: level, ``a``, ``b``, vertex offset, vertex count (empty unless ``record``).
    verts : ndarray of shape (v, 2)
        The windows' vertices, concatenated.
    n_final : int
        The last ``n_final`` windows are the polygons of the final minimal level.
    """
    n = x.size
    lo_s = lo - slack
    hi_s = hi + slack
    reach = 4.0 * (A + C) + 1.0
    box = np.empty((4, 2))
    box[0, 0], box[0, 1] = -A, -C
    box[1, 0], box[1, 1] = A, -C
    box[2, 0], box[2, 1] = A, C
    box[3, 0], box[3, 1] = -A, C

    # cur: polygons of the minimal level with window start (cur_a) and next cutting door (cur_cut);
    # nxt: polygons of the next level, clipped lazily (nxt_a: the last door they were clipped at)
    P0 = _door_clip(box, x, lo, hi, 0, slack, 0)
    cur_P = [P0]
    cur_a = [0]
    cur_cut = [_next_cut(P0, x, lo_s, hi_s, 1)]
    nxt_P = [box]
    nxt_a = [-1]
    box_door = [0, 0]
    w_level = [0 for _ in range(0)]
    w_a = [0 for _ in range(0)]
    w_b = [0 for _ in range(0)]
    w_P = [box for _ in range(0)]
    events = 0
    max_polys = 2
    stopped = False
    while len(cur_P) > 0:
        j = cur_cut[0]
        for t in range(1, len(cur_cut)):
            if cur_cut[t] < j:
                j = cur_cut[t]
        if j >= n:
            break
        events += 1
        level = len(box_door) - 2
        # nxt caught up through door j − 1, empty polygons dropped
        nP = [box for _ in range(0)]
        nA = [0 for _ in range(0)]
        for t in range(len(nxt_P)):
            Q = nxt_P[t]
            if nxt_a[t] < j - 1:
                Q = _catch_up(Q, nxt_a[t], j - 1, x, lo, hi, lo_s, hi_s, slack)
                nxt_a[t] = j - 1
            if Q.shape[0] > 0:
                nP.append(Q)
                nA.append(nxt_a[t])
        nxt_P, nxt_a = nP, nA
        xj = x[j]
        for t in range(len(cur_P)):
            if cur_cut[t] != j:
                continue
            L = cur_P[t]
            wa = cur_a[t]
            if record:
                w_level.append(level)
                w_a.append(wa)
                w_b.append(j - 1)
                w_P.append(L)
            # the reach of the window (its polygon L unchanged on doors wa..j−1), both crossings
            xa = x[wa]
            for s in range(2):
                sgn = 1.0 if s == 0 else -1.0
                R = _plus_cone(L, sgn, -sgn * xj, sgn, -sgn * xa, reach)
                R = _clip(R, 1.0, 0.0, A, slack)
                R = _clip(R, -1.0, 0.0, A, slack)
                R = _clip(R, 0.0, 1.0, C, slack)
                R = _clip(R, 0.0, -1.0, C, slack)
                R = _door_clip(R, x, lo, hi, j, slack, 0)
                R = _clip_range(R, x, lo, hi, lo_s, hi_s, slack, wa + 1, j, 1 if s == 0 else -1)
                if R.shape[0] == 0:
                    continue
                # add R to nxt: merged into the first held polygon (caught up through j) it is convex with
                merged = False
                for u in range(len(nxt_P)):
                    Q = nxt_P[u]
                    if nxt_a[u] < j:
                        Q = _catch_up(Q, nxt_a[u], j, x, lo, hi, lo_s, hi_s, slack)
                        nxt_P[u] = Q
                        nxt_a[u] = j
                    if Q.shape[0] > 0:
                        ok, M = _union_if_convex(Q, R, slack)
                        if ok:
                            nxt_P[u] = M
                            merged = True
                            break
                if not merged:
                    nP = [box for _ in range(0)]
                    nA = [0 for _ in range(0)]
                    for u in range(len(nxt_P)):
                        if nxt_P[u].shape[0] > 0:
                            nP.append(nxt_P[u])
                            nA.append(nxt_a[u])
                    nP.append(R)
                    nA.append(j)
                    nxt_P, nxt_a = nP, nA
            Q = _door_clip(L, x, lo, hi, j, slack, 0)
            if Q.shape[0] > 0:
                cur_P[t] = Q
                cur_a[t] = j
                cur_cut[t] = _next_cut(Q, x, lo_s, hi_s, j + 1)
            else:
                cur_P[t] = Q
        cP = [box for _ in range(0)]
        cA = [0 for _ in range(0)]
        cC = [0 for _ in range(0)]
        for t in range(len(cur_P)):
            if cur_P[t].shape[0] > 0:
                cP.append(cur_P[t])
                cA.append(cur_a[t])
                cC.append(cur_cut[t])
        cur_P, cur_a, cur_cut = cP, cA, cC
        if len(cur_P) == 0:
            # the minimal level died at door j: the next level (caught up through j, merged) takes over
            polys = [box for _ in range(0)]
            for u in range(len(nxt_P)):
                Q = nxt_P[u]
                if nxt_a[u] < j:
                    Q = _catch_up(Q, nxt_a[u], j, x, lo, hi, lo_s, hi_s, slack)
                if Q.shape[0] > 0:
                    polys.append(Q)
            polys = _merge(polys, slack)
            cur_P = polys
            cur_a = [j for _ in range(len(polys))]
            cur_cut = [_next_cut(polys[u], x, lo_s, hi_s, j + 1) for u in range(len(polys))]
            nxt_P = [_door_clip(box, x, lo, hi, j, slack, 0)]
            nxt_a = [j]
            box_door.append(j)
            if use_stop and len(box_door) - 2 > stop_above:
                stopped = True
                break
        max_polys = max(max_polys, len(cur_P) + len(nxt_P))
    count = stop_above + 1 if stopped else len(box_door) - 2
    if record and not stopped:
        for t in range(len(cur_P)):
            w_level.append(len(box_door) - 2)
            w_a.append(cur_a[t])
            w_b.append(n - 2)
            w_P.append(cur_P[t])
    nw = len(w_P)
    win = np.empty((nw, 5), dtype=np.int64)
    tot = 0
    for t in range(nw):
        win[t, 0] = w_level[t]
        win[t, 1] = w_a[t]
        win[t, 2] = w_b[t]
        win[t, 3] = tot
        win[t, 4] = w_P[t].shape[0]
        tot += w_P[t].shape[0]
    verts = np.empty((tot, 2))
    for t in range(nw):
        verts[win[t, 3] : win[t, 3] + win[t, 4]] = w_P[t]
    bd = np.empty(len(box_door), dtype=np.int64)
    for t in range(len(box_door)):
        bd[t] = box_door[t]
    n_final = len(cur_P) if (record and not stopped) else 0
    return count, events, max_polys, stopped, bd, win, verts, n_final


@_njit
def _merge(polys, slack: float):
    """Drop polygons inside another and merge pairs whose union is convex (:func:`._tube_dp._merge`)."""
    changed = True
    while changed and len(polys) > 1:
        changed = False
        n = len(polys)
        for i in range(n):
            for j in range(i + 1, n):
                ok, M = _union_if_convex(polys[i], polys[j], slack)
                if ok:
                    polys[i] = M
                    polys.pop(j)
                    changed = True
                    break
            if changed:
                break
    return polys


# ------------------------------------------------------------------------------ reconstruction
@_njit
def _bbox_area(P: np.ndarray) -> float:
    """Area of the axis-aligned bounding box of ``P`` (non-empty)."""
    amin = amax = P[0, 0]
    cmin = cmax = P[0, 1]
    for i in range(1, P.shape[0]):
        amin, amax = _pmin(amin, P[i, 0]), _pmax(amax, P[i, 0])
        cmin, cmax = _pmin(cmin, P[i, 1]), _pmax(cmax, P[i, 1])
    return (amax - amin) * (cmax - cmin)


@_njit
def _centroid(P: np.ndarray) -> tuple[float, float]:
    """Area centroid, or the vertex mean for thin and degenerate ``P`` (:func:`._polygon.centroid`)."""
    A = _area(P)
    n = P.shape[0]
    oa, oc = P[0, 0], P[0, 1]
    if n >= 3 and A > 1e-6 * _bbox_area(P) and A > 0.0:
        ca = 0.0
        cc = 0.0
        for i in range(1, n - 1):
            pa, pc = P[i, 0] - oa, P[i, 1] - oc
            qa, qc = P[i + 1, 0] - oa, P[i + 1, 1] - oc
            w = pa * qc - qa * pc
            ca += (pa + qa) * w
            cc += (pc + qc) * w
        return oa + ca / (6.0 * A), oc + cc / (6.0 * A)
    s0, c0, s1, c1 = 0.0, 0.0, 0.0, 0.0
    for i in range(n):
        s0, c0 = _acc(s0, c0, P[i, 0] - oa)
        s1, c1 = _acc(s1, c1, P[i, 1] - oc)
    return oa + _acc_end(s0, c0) / n, oc + _acc_end(s1, c1) / n


@_njit
def _tame(Q: np.ndarray, span: float, A: float) -> tuple[float, float, float]:
    """``(a, c, score)``: :func:`._tube_dp._tame` (the centroid of ``Q`` within the least slope band
    ``|a| ≤ 4·span·16^j`` that meets it, scored by its area fraction minus ``log`` of the band)."""
    w = 4.0 * span
    while True:
        R = _clip(_clip(Q, 1.0, 0.0, w, 0.0), -1.0, 0.0, w, 0.0) if w < A else Q
        if R.shape[0] > 0:
            sc = _area(R) / (1e-300 + _bbox_area(Q)) if R.shape[0] >= 3 else 0.0
            a, c = _centroid(R)
            return a, c, sc - np.log(w)
        w *= 16.0


@_njit
def search_windows(
    verts: np.ndarray,
    win: np.ndarray,
    w0: int,
    w1: int,
    la: float,
    lc: float,
    d: int,
    end: int,
    u_next: float,
    x: np.ndarray,
    tol: float,
    span: float,
    A: float,
) -> tuple[bool, float, float, float, float, float]:
    """The best partner of the line ``z = la·x + lc`` among the windows ``w0..w1−1`` of :func:`forward`.

    :func:`._tube_dp._search_windows` with :func:`._tube_dp._crossing_partner`: for a window on
    doors ``a..b``, the doors ``g1 = max(a, d) … g2 = min(b, end)`` and the stretch
    ``[x_{g1}, min(x_{g2+1}, u_next)]``; the partners are the lines of the window's polygon that
    ``line`` crosses inside the stretch (from below or from above), tamed (:func:`_tame`); the
    first highest score wins.

    Returns
    -------
    found, score, pa, pc, xa, xb
        The partner ``(pa, pc)`` and its stretch ``[xa, xb]`` when ``found``.
    """
    found = False
    best_sc, best_a, best_c, best_xa, best_xb = 0.0, 0.0, 0.0, 0.0, 0.0
    for t in range(w0, w1):
        a, b = win[t, 1], win[t, 2]
        g1 = d if d > a else a
        g2 = end if end < b else b
        if g1 > g2:
            continue
        xa = x[g1]
        xb = _pmin(x[g2 + 1], u_next)
        if xb < xa:
            continue
        P = verts[win[t, 3] : win[t, 3] + win[t, 4]]
        va = la * xa + lc
        vb = la * xb + lc
        have = False
        c_sc, c_a, c_c = 0.0, 0.0, 0.0
        for s in range(2):
            sgn = 1.0 if s == 0 else -1.0
            Q = _clip(P, -sgn * xa, -sgn, -sgn * va, tol)
            Q = _clip(Q, sgn * xb, sgn, sgn * vb, tol)
            if Q.shape[0] > 0:
                pa, pc, sc = _tame(Q, span, A)
                if not have or sc > c_sc:
                    have = True
                    c_sc, c_a, c_c = sc, pa, pc
        if have and (not found or c_sc > best_sc):
            found = True
            best_sc, best_a, best_c, best_xa, best_xb = c_sc, c_a, c_c, xa, xb
    return found, best_sc, best_a, best_c, best_xa, best_xb


@_njit
def last_failed_door(
    x: np.ndarray, lo: np.ndarray, hi: np.ndarray, la: float, lc: float, end: int, tol: float
) -> int:
    """Largest door ``i ≤ end`` that the line ``z = la·x + lc`` misses by more than ``tol`` (``−1``: none)."""
    for i in range(end, -1, -1):
        v = la * x[i] + lc
        if v < lo[i] - tol or v > hi[i] + tol:
            return i
    return -1

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
count. The polygons are bounded by a box on ``(a, c)`` that contains every line through two
consecutive finite doors, so the box never excludes a needed line when all bounds are finite; with
infinite sides it bounds the slopes at ``1000×`` that (documented in :func:`solve_tube_1d`).

Cost: ``O(n·m·v)`` for ``m`` polygons of ``v`` vertices (both small in practice: ``m ≤ 20``,
``v ≤ 100`` on noisy data up to 10^6 points), ``O(n)`` memory besides the input: the DP keeps one
snapshot of ``cur`` per level, and the reconstruction replays each level's lifetime once.

Reconstruction: pick an interior line of the final ``cur``; for level ``k`` replay level ``k − 1``
from its snapshot and find a gap ``g`` where a line of ``T_{k−1}(g)`` crosses it (the line must
satisfy every door from ``g + 1`` up to its own end); failing that the line came from the universal
slab and two knots are placed in the gap where level ``k − 2`` died. The caller re-checks the
resulting function in float64.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ._polygon import (
    Point,
    Polygon,
    area,
    bbox_area,
    box,
    centroid,
    clip,
    clip_slab,
    contains,
    hull,
    intersect,
    plus_cone,
)

__all__ = ["TubeDP", "tube_dp"]


@dataclass
class _Level:
    start: int  # first step g at which the level is the minimum; `snapshot` = cur at the start of g
    snapshot: list[Polygon]
    death: int = -1  # the step where its cur died (-1: the final level)


@dataclass
class TubeDP:
    """Outcome of :func:`tube_dp` (normalized coordinates).

    Attributes
    ----------
    count : int
        Fewest knots.
    lines : list of (a, c)
        The pieces ``z = a·x + c`` from left to right (``count + 1`` of them, fewer if two pieces
        coincide).
    knots : list of float
        Knot positions (increasing), one fewer than ``lines``.
    max_polygons : int
        Largest number of polygons held at once (diagnostic).
    """

    count: int
    lines: list[Point] = field(default_factory=list)
    knots: list[float] = field(default_factory=list)
    max_polygons: int = 0


class _Doors:
    """Doors ``lo_i ≤ a·x_i + c ≤ hi_i`` and the geometry shared by the forward pass and replays."""

    def __init__(self, x, lo, hi, slack: float, A: float, C: float):
        self.x, self.lo, self.hi = x, lo, hi
        self.slack = slack
        self.A, self.C = A, C
        self.reach_len = 4.0 * (A + C) + 1.0
        self.box = box(A, C)

    def clip(self, P: Polygon, i: int) -> Polygon:
        return clip_slab(P, self.x[i], self.lo[i], self.hi[i], self.slack)

    def clip_all(self, polys: list[Polygon], i: int) -> list[Polygon]:
        out = []
        for P in polys:
            Q = self.clip(P, i)
            if Q:
                out.append(Q)
        return out

    def reach(self, P: Polygon, g: int) -> list[Polygon]:
        """Lines crossing a line of ``P`` inside gap ``g``, through door ``g + 1``."""
        xa, xb = self.x[g], self.x[g + 1]
        out = []
        for sgn in (1.0, -1.0):
            R = plus_cone(P, (sgn, -sgn * xb), (sgn, -sgn * xa), self.reach_len)
            A, C, s = self.A, self.C, self.slack
            R = clip(R, 1.0, 0.0, A, s)
            R = clip(R, -1.0, 0.0, A, s)
            R = clip(R, 0.0, 1.0, C, s)
            R = clip(R, 0.0, -1.0, C, s)
            R = self.clip(R, g + 1)
            if R:
                out.append(R)
        return out


def _dedupe_merge(polys: list[Polygon], dominators: list[Polygon], slack: float) -> list[Polygon]:
    """Drop polygons inside another (or inside a dominator) and merge pairs with a convex union."""
    polys = [P for P in polys if P]
    solid = [Q for Q in dominators if len(Q) >= 3]
    if solid:
        polys = [P for P in polys if not any(contains(Q, P, _cslack(Q, slack)) for Q in solid)]
    changed = True
    while changed and len(polys) > 1:
        changed = False
        n = len(polys)
        for i in range(n):
            P = polys[i]
            for j in range(i + 1, n):
                Q = polys[j]
                merged = _union_if_convex(P, Q, slack)
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
    """``P ∪ Q`` when it is convex (then it is their hull), else ``None``."""
    if len(Q) >= 3 and contains(Q, P, _cslack(Q, slack)):
        return Q
    if len(P) >= 3 and contains(P, Q, _cslack(P, slack)):
        return P
    if len(P) < 3 or len(Q) < 3:
        if P == Q:
            return P
        return None
    aP, aQ = area(P), area(Q)
    H = hull(P + Q)
    bb = bbox_area(H)
    if aP <= 1e-13 * bb or aQ <= 1e-13 * bb:
        return None
    inter = intersect(P, Q, 0.0)
    aI = area(inter) if len(inter) >= 3 else 0.0
    if inter == [] and not _touching(P, Q, slack):
        return None
    if area(H) - (aP + aQ - aI) <= 1e-12 * bb:
        return H
    return None


def _touching(P: Polygon, Q: Polygon, slack: float) -> bool:
    """Whether ``P`` and ``Q`` meet within ``slack`` (their union can only be convex if they do)."""
    return bool(intersect(P, Q, _cslack(Q, slack) * 10.0))


def tube_dp(x, lo, hi, *, reconstruct: bool = True, slope_bound_inf: float = 1e3) -> TubeDP:
    """Fewest knots within doors (normalized data: ``x`` increasing in ``[0, 1]``, values ``O(1)``).

    Parameters
    ----------
    x : sequence of float, length n ≥ 2
        Strictly increasing.
    lo, hi : sequence of float, length n
        Doors, ``lo_i ≤ hi_i`` (``-inf``/``+inf`` allowed).
    reconstruct : bool
        Also return the pieces and knots of one optimal function.
    slope_bound_inf : float
        Factor on the slope box when a door has an infinite side.
    """
    n = len(x)
    fin = [v for v in list(lo) + list(hi) if math.isfinite(v)]
    span = (max(fin) - min(fin)) if fin else 0.0
    span = span + 2.0
    hmin = min(x[i + 1] - x[i] for i in range(n - 1))
    A = 4.0 * span / hmin + 1.0
    if len(fin) < 2 * n:
        A *= slope_bound_inf
    vmax = max(abs(v) for v in fin) if fin else 1.0
    C = A + vmax + span
    slack = 1e-12 * (1.0 + vmax + span)
    doors = _Doors(x, lo, hi, slack, A, C)
    cur = doors.clip_all([doors.box], 0)
    nxt = [doors.box]
    levels = [_Level(0, cur)]
    box_step = {1: -1}
    max_polys = 2
    for g in range(n - 1):
        cur_c = doors.clip_all(cur, g + 1)
        new = doors.clip_all(nxt, g + 1)
        for P in cur:
            new.extend(doors.reach(P, g))
        if cur_c:
            cur = _dedupe_merge(cur_c, [], slack) if len(cur_c) > 1 else cur_c
            nxt = _dedupe_merge(new, cur, slack)
        else:
            levels[-1].death = g
            cur = _dedupe_merge(new, [], slack)
            levels.append(_Level(g + 1, cur))
            box_step[len(levels)] = g
            nxt = doors.clip_all([doors.box], g + 1)
        max_polys = max(max_polys, len(cur) + len(nxt))
    out = TubeDP(count=len(levels) - 1, max_polygons=max_polys)
    if reconstruct:
        out.lines, out.knots = _reconstruct(doors, levels, box_step, cur)
    return out


# ------------------------------------------------------------------------------ reconstruction
def _line_at(line: Point, x: float) -> float:
    return line[0] * x + line[1]


def _last_failed_door(doors: _Doors, line: Point, end: int) -> int:
    """Largest door index ``≤ end`` that ``line`` misses (``-1`` if none), with the DP's slack."""
    s = doors.slack * 10.0
    for i in range(end, -1, -1):
        v = line[0] * doors.x[i] + line[1]
        if v < doors.lo[i] - s or v > doors.hi[i] + s:
            return i
    return -1


def _best_interior(polys: list[Polygon]) -> Point:
    best, score = None, -1.0
    for P in polys:
        sc = area(P) if len(P) >= 3 else 0.0
        if best is None or sc > score:
            best, score = P, sc
    return centroid(best)


def _crossing_partner(doors: _Doors, polys: list[Polygon], line: Point, g: int) -> tuple[float, Point] | None:
    """A line of ``polys`` crossing ``line`` inside gap ``g`` (the most interior one), with a score."""
    xa, xb = doors.x[g], doors.x[g + 1]
    va, vb = _line_at(line, xa), _line_at(line, xb)
    best = None
    for P in polys:
        for sgn in (1.0, -1.0):
            # sgn = +1: partner above at x_a and below at x_b (line crosses it from below)
            Q = clip(P, -sgn * xa, -sgn, -sgn * va, doors.slack)
            Q = clip(Q, sgn * xb, sgn, sgn * vb, doors.slack)
            if not Q:
                continue
            sc = area(Q) / (1.0 + bbox_area(P)) if len(Q) >= 3 else 0.0
            if best is None or sc > best[0]:
                best = (sc, centroid(Q))
    return best


def _crossing(a: Point, b: Point, xa: float, xb: float) -> float | None:
    """Where lines ``a`` and ``b`` meet, clamped to ``[xa, xb]`` (``None`` if they coincide)."""
    da = a[0] - b[0]
    if da == 0.0:
        return None if a[1] == b[1] else 0.5 * (xa + xb)
    u = (b[1] - a[1]) / da
    return min(max(u, xa), xb)


def _reconstruct(doors: _Doors, levels: list[_Level], box_step: dict, final: list[Polygon]):
    n = len(doors.x)
    x = doors.x
    line = _best_interior(final)
    end = n - 1
    lines = [line]
    knots: list[float] = []
    k = len(levels) - 1
    while k > 0:
        d = _last_failed_door(doors, line, end)
        lev = levels[k - 1]
        best = None
        cur = lev.snapshot
        for g in range(lev.start, min(lev.death, end - 1) + 1):
            if g >= d:
                cand = _crossing_partner(doors, cur, line, g)
                if cand is not None and (best is None or cand[0] >= best[0]):
                    best = (cand[0], cand[1], g)
            cur = doors.clip_all(cur, g + 1)
            if not cur:
                break
        if best is not None:
            _, prev, g = best
            u = _crossing(line, prev, x[g], x[g + 1])
            if u is not None:
                knots.append(u)
                lines.append(prev)
            line, end, k = prev, g, k - 1
            continue
        gb = box_step[k]
        if k == 1 or gb < 0:
            break  # the line satisfies every door before it: no knot needed there
        levp = levels[k - 2]
        cur = levp.snapshot
        for g in range(levp.start, gb):
            cur = doors.clip_all(cur, g + 1)
        prev = _best_interior(cur)
        um = 0.5 * (x[gb] + x[gb + 1])
        zm = _line_at(prev, um)
        z1 = _line_at(line, x[gb + 1])
        slope = (z1 - zm) / (x[gb + 1] - um)
        mid = (slope, zm - slope * um)
        knots.extend([x[gb + 1], um])
        lines.extend([mid, prev])
        line, end, k = prev, gb, k - 2
    lines.reverse()
    knots.reverse()
    return lines, knots

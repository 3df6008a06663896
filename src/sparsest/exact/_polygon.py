"""Small convex polygons in the plane, as lists of ``(a, c)`` vertex tuples in counter-clockwise order.

The 1-D tube solver (:mod:`._tube_dp`) works in the dual plane of lines ``z = a·x + c``: a set of
lines is a convex polygon of points ``(a, c)``. Everything here is exact convex geometry in
float64 with one relative tolerance (:data:`REL`): half-plane clipping (Sutherland–Hodgman),
convex hull (Andrew's monotone chain), area, intersection, containment and a Minkowski sum with a
cone. Polygons may be degenerate (a segment or a point, two or one vertices); the empty list is the
empty set. Plain Python tuples are used on purpose: the polygons have a handful of vertices, and
tuple arithmetic is several times faster than NumPy on arrays this small.
"""

from __future__ import annotations

REL = 1e-12  #: relative slack of every clip (feasibility is re-checked in float64 afterwards)

Point = tuple[float, float]
Polygon = list[Point]


_EPS8 = 8.0 * 2.220446049250313e-16


def clip(P: Polygon, na: float, nc: float, rhs: float, slack: float) -> Polygon:
    """``P ∩ {(a, c) : na·a + nc·c ≤ rhs + slack}``, robust to rounding.

    A vertex counts as inside when ``na·a + nc·c − rhs`` is at most ``slack`` plus the rounding
    bound of that expression (``8 ε (|na·a| + |nc·c| + |rhs|)``), so a polygon squeezed onto the
    line (a degenerate door ``lo = hi``) is kept; new vertices are computed on the edge and then
    snapped onto the line along the better-conditioned coordinate.
    """
    if not P:
        return P
    ar = abs(rhs)
    vals = []
    inside = []
    for p in P:
        u, w = na * p[0], nc * p[1]
        v = u + w - rhs
        vals.append(v)
        inside.append(v <= slack + _EPS8 * (abs(u) + abs(w) + ar))
    if all(inside):
        return P
    if not any(inside):
        return []
    out: Polygon = []
    n = len(P)
    snap_c = abs(nc) >= abs(na)
    for i in range(n):
        p = P[i]
        if inside[i]:
            out.append(p)
        if inside[i] != inside[i + 1 - n]:
            q = P[i + 1 - n]
            vp, vq = vals[i], vals[i + 1 - n]
            t = vp / (vp - vq) if vp != vq else 0.5
            t = min(max(t, 0.0), 1.0)
            a = p[0] + t * (q[0] - p[0])
            c = p[1] + t * (q[1] - p[1])
            if snap_c:
                c = (rhs - na * a) / nc
            else:
                a = (rhs - nc * c) / na
            out.append((a, c))
    return out


def clip_slab(P: Polygon, x: float, lo: float, hi: float, slack: float) -> Polygon:
    """Lines with ``lo ≤ a·x + c ≤ hi`` (infinite sides ignored)."""
    if P and hi < float("inf"):
        P = clip(P, x, 1.0, hi, slack)
    if P and lo > float("-inf"):
        P = clip(P, -x, -1.0, -lo, slack)
    return P


def values_range(P: Polygon, x: float) -> tuple[float, float]:
    """``min`` and ``max`` of ``a·x + c`` over ``P`` (non-empty)."""
    vals = [p[0] * x + p[1] for p in P]
    return min(vals), max(vals)


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def hull(points: list[Point]) -> Polygon:
    """Convex hull, counter-clockwise, collinear points dropped."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts
    lower: Polygon = []
    for p in pts:
        while len(lower) >= 2 and _cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: Polygon = []
    for p in reversed(pts):
        while len(upper) >= 2 and _cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def area(P: Polygon) -> float:
    """Signed area (positive for counter-clockwise), computed relative to the first vertex."""
    n = len(P)
    if n < 3:
        return 0.0
    oa, oc = P[0]
    s = 0.0
    for i in range(1, n - 1):
        a, b = P[i], P[i + 1]
        s += (a[0] - oa) * (b[1] - oc) - (a[1] - oc) * (b[0] - oa)
    return 0.5 * s


def bbox_area(P: Polygon) -> float:
    """Area of the axis-aligned bounding box."""
    a = [p[0] for p in P]
    c = [p[1] for p in P]
    return (max(a) - min(a)) * (max(c) - min(c))


def intersect(P: Polygon, Q: Polygon, slack: float) -> Polygon:
    """``P ∩ Q`` for a counter-clockwise ``Q`` with at least three vertices."""
    R = P
    n = len(Q)
    for i in range(n):
        a, b = Q[i], Q[i + 1 - n]
        na, nc = b[1] - a[1], a[0] - b[0]
        R = clip(R, na, nc, na * a[0] + nc * a[1], slack * (abs(na) + abs(nc)))
        if not R:
            break
    return R


def contains(Q: Polygon, P: Polygon, slack: float) -> bool:
    """``P ⊆ Q`` (within ``slack``) for a counter-clockwise ``Q`` with at least three vertices."""
    n = len(Q)
    for i in range(n):
        a, b = Q[i], Q[i + 1 - n]
        na, nc = b[1] - a[1], a[0] - b[0]
        rhs = na * a[0] + nc * a[1] + slack * (abs(na) + abs(nc))
        for p in P:
            if na * p[0] + nc * p[1] > rhs:
                return False
    return True


def centroid(P: Polygon) -> Point:
    """Area centroid, or the vertex mean for thin and degenerate polygons: a point inside ``P``.

    The vertex mean is a convex combination of the vertices, hence always inside; the area
    centroid of a sliver is ill-conditioned (its triangle areas cancel) and can land outside.
    """
    A = area(P)
    n = len(P)
    oa, oc = P[0]
    if n >= 3 and A > 1e-6 * bbox_area(P) and A > 0.0:  # thin: the vertex mean (always inside)
        ca = cc = 0.0
        for i in range(1, n - 1):  # fan of triangles from the first vertex, relative coordinates
            pa, pc = P[i][0] - oa, P[i][1] - oc
            qa, qc = P[i + 1][0] - oa, P[i + 1][1] - oc
            w = pa * qc - qa * pc
            ca += (pa + qa) * w
            cc += (pc + qc) * w
        return (oa + ca / (6.0 * A), oc + cc / (6.0 * A))
    return (oa + sum(p[0] - oa for p in P) / n, oc + sum(p[1] - oc for p in P) / n)


def plus_cone(P: Polygon, d1: Point, d2: Point, reach: float) -> Polygon:
    """``P + cone{d1, d2}`` truncated at distance ``reach`` along each generator (convex hull)."""
    pts = list(P)
    for p in P:
        pts.append((p[0] + reach * d1[0], p[1] + reach * d1[1]))
        pts.append((p[0] + reach * d2[0], p[1] + reach * d2[1]))
    return hull(pts)


def box(A: float, C: float) -> Polygon:
    """``[−A, A] × [−C, C]``."""
    return [(-A, -C), (A, -C), (A, C), (-A, C)]

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


def clip(P: Polygon, na: float, nc: float, rhs: float, slack: float) -> Polygon:
    """``P ∩ {(a, c) : na·a + nc·c ≤ rhs + slack}``."""
    if not P:
        return P
    vals = [na * p[0] + nc * p[1] - rhs for p in P]
    if max(vals) <= slack:
        return P
    if min(vals) > slack:
        return []
    out: Polygon = []
    n = len(P)
    for i in range(n):
        vp = vals[i]
        vq = vals[i + 1 - n]
        p = P[i]
        if vp <= slack:
            out.append(p)
        if (vp <= slack) != (vq <= slack):
            q = P[i + 1 - n]
            t = (vp - slack) / (vp - vq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def clip_slab(P: Polygon, x: float, lo: float, hi: float, slack: float) -> Polygon:
    """Lines with ``lo ≤ a·x + c ≤ hi`` (infinite sides ignored)."""
    if not P:
        return P
    vals = [p[0] * x + p[1] for p in P]
    vmin, vmax = min(vals), max(vals)
    if vmin >= lo - slack and vmax <= hi + slack:
        return P
    if vmin > hi + slack or vmax < lo - slack:
        return []
    if vmax > hi + slack:
        P = clip(P, x, 1.0, hi, slack)
    if P and vmin < lo - slack:
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
    """Area centroid (vertex mean for degenerate polygons): a point well inside ``P``."""
    A = area(P)
    n = len(P)
    oa, oc = P[0]
    if n >= 3 and A > 1e-14 * bbox_area(P) and A > 0.0:
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

"""Shared known-answer battery of univariate problems (style habit 7).

Each case: name, x, y, the fewest knots of an interpolant, and (where unique) the sparsest
interpolant's knots and jumps. Used against the exact solver here and against every trainer.
"""

from __future__ import annotations

import numpy as np

PAPER_X = np.arange(-2.0, 4.0)
PAPER_Y = np.array([0.0, 0.0, 1.0, 1.0, 0.0, 0.0])


def _from_slopes(slopes, x=None, y0=0.0):
    slopes = np.asarray(slopes, dtype=float)
    x = np.arange(slopes.size + 1, dtype=float) if x is None else np.asarray(x, dtype=float)
    y = np.concatenate([[y0], y0 + np.cumsum(slopes * np.diff(x))])
    return x, y


def cases():
    """List of dicts with keys name, x, y, count, knots (or None), jumps (or None)."""
    out = [
        dict(name="paper", x=PAPER_X, y=PAPER_Y, count=3, knots=[-1.0, 0.5, 2.0], jumps=[1.0, -2.0, 1.0]),
        dict(name="two points", x=np.array([0.0, 1.0]), y=np.array([3.0, -1.0]), count=0, knots=[], jumps=[]),
        dict(
            name="three points",
            x=np.array([0.0, 1.0, 3.0]),
            y=np.array([0.0, 1.0, 0.0]),
            count=1,
            knots=[1.0],
            jumps=[-1.5],
        ),
        dict(
            name="collinear",
            x=np.linspace(-3, 5, 9),
            y=2.5 * np.linspace(-3, 5, 9) - 1.0,
            count=0,
            knots=[],
            jumps=[],
        ),
    ]
    # paper.md §3: slopes (-3,-2,-1,-1,0,1) at x = 0..6 need 2 knots (a published solver says 3)
    x, y = _from_slopes([-3, -2, -1, -1, 0, 1])
    out.append(dict(name="collinear break", x=x, y=y, count=2, knots=[1.5, 4.5], jumps=[2.0, 2.0]))
    # a long convex run: r interior points of equal curvature need ceil(r/2) knots
    for r in (5, 6, 11):
        x, y = _from_slopes(np.arange(r + 1, dtype=float) ** 1.5)
        out.append(dict(name=f"convex run r={r}", x=x, y=y, count=(r + 1) // 2, knots=None, jumps=None))
    # a concave stretch followed by a convex one (runs of 3 and 4 points)
    x, y = _from_slopes([5, 3, 2, 1.5, 2, 3, 5, 8])
    out.append(dict(name="concave then convex", x=x, y=y, count=2 + 2, knots=None, jumps=None))
    return out

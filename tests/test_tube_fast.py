"""The compiled (numba) tube DP against the pure-Python one and the brute-force oracle.

:mod:`sparsest.exact._tube_nb` performs the Python DP's float64 operations in the same order, so on
every instance the two engines must agree exactly: the count, the diagnostics (events, polygons
held) and — since both hand the same windows to the shared reconstruction — the pieces and knots.
Instances: scalar and per-point tolerances, bounds with infinite sides, classification margins,
repeated inputs (bounds intersected), two points, and a few at N ~ 10^4; ``stop_above`` decisions;
the public functions with ``SPARSEST_NO_NUMBA=1`` (the fallback) against the default path.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _brute_tube import brute_tube_count
from sparsest.exact import _tube_nb
from sparsest.exact._tube_dp import tube_dp
from sparsest.exact.frontier1d import eps_star
from sparsest.exact.tube1d import _normalize, prepare_targets_1d, solve_tube_1d, tube_count_1d
from sparsest.targets import Targets

pytestmark = pytest.mark.skipif(not _tube_nb.HAVE_NUMBA, reason="numba (the 'fast' extra) not installed")

seeds = st.integers(0, 2**32 - 1)


def _instance(seed: int, n_max: int = 40) -> tuple[np.ndarray, Targets]:
    """Random x (unsorted; repeated values for kind 4) and targets of one of five kinds."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, n_max + 1))
    x = rng.uniform(-3, 3, n)
    y = np.cumsum(rng.standard_normal(n)) * rng.choice([0.01, 1.0, 100.0])
    spread = float(np.ptp(y)) + 1e-3
    kind = seed % 5
    if kind == 0:  # scalar tolerance
        return x, Targets.tolerance(y, spread * rng.uniform(0.001, 0.3))
    if kind == 1:  # per-point tolerance, some exact (zero width)
        eps = spread * rng.uniform(0, 0.2, n)
        eps[rng.random(n) < 0.2] = 0.0
        return x, Targets.tolerance(y, eps)
    if kind == 2:  # bounds with infinite sides
        lo = y - spread * rng.uniform(0, 0.3, n)
        hi = y + spread * rng.uniform(0, 0.3, n)
        lo[rng.random(n) < 0.2] = -np.inf
        hi[rng.random(n) < 0.2] = np.inf
        return x, Targets.bounds(lo, hi, y)
    if kind == 3:  # classification with margin
        labels = rng.integers(0, 2, n)
        labels[rng.choice(n, 2, replace=False)] = [0, 1]
        return x, Targets.classification(labels)
    # repeated inputs on a grid: every interval contains y at its x, so the intersections are nonempty
    xg = rng.integers(-8, 9, n).astype(float)
    xg[:2] = [-9.0, 9.0]
    yg = np.sin(xg) * spread
    lo = yg - spread * rng.uniform(0.01, 0.3, n)
    hi = yg + spread * rng.uniform(0.01, 0.3, n)
    return xg, Targets.bounds(lo, hi)


def _doors(x, t: Targets):
    xs, ts = prepare_targets_1d(x, t)
    xn, lon, hin, _ = _normalize(xs, ts)
    return xn, lon, hin


def _assert_same(x, t: Targets, stop_above=None, reconstruct=True) -> int:
    """Both engines on the normalized doors of ``(x, t)``: identical results; returns the count."""
    xn, lon, hin = _doors(x, t)
    a = tube_dp(xn, lon, hin, engine="numba", stop_above=stop_above, reconstruct=reconstruct)
    b = tube_dp(xn, lon, hin, engine="python", stop_above=stop_above, reconstruct=reconstruct)
    assert a.count == b.count
    if stop_above is None or a.count <= stop_above:
        assert (a.events, a.max_polygons) == (b.events, b.max_polygons)
        assert a.lines == b.lines
        assert a.knots == b.knots
    return a.count


@settings(max_examples=300, deadline=None)
@given(seeds)
def test_engines_agree_small(seed):
    x, t = _instance(seed)
    _assert_same(x, t)


@settings(max_examples=40, deadline=None)
@given(seeds, st.integers(0, 6))
def test_engines_agree_with_stop_above(seed, k):
    x, t = _instance(seed, 60)
    c = _assert_same(x, t, stop_above=k, reconstruct=False)
    full = _assert_same(x, t, reconstruct=False)
    assert c == (full if full <= k else k + 1)


@pytest.mark.parametrize("seed", range(6))
def test_engines_agree_medium(seed):
    rng = np.random.default_rng(100 + seed)
    n = 2000
    x = rng.uniform(-3, 3, n)
    y = np.sin(3 * x) + 0.3 * x + rng.normal(0, 0.05, n)
    tol = [0.3, 0.15, 0.08][seed % 3]
    t = Targets.tolerance(y, tol) if seed < 3 else Targets.tolerance(y, tol * rng.uniform(0.5, 1.5, n))
    _assert_same(x, t)


@pytest.mark.parametrize(("tol", "stop"), [(0.15, None), (0.25, 5)])
def test_engines_agree_large(tol, stop):
    rng = np.random.default_rng(7)
    n = 10_000
    x = rng.uniform(-3, 3, n)
    y = np.sin(3 * x) + 0.3 * x + rng.uniform(-0.1, 0.1, n)
    _assert_same(x, Targets.tolerance(y, tol), stop_above=stop, reconstruct=stop is None)


def test_two_points_and_a_line():
    _assert_same(np.array([0.0, 1.0]), Targets.tolerance(np.array([0.0, 5.0]), 0.1))
    x = np.linspace(0, 1, 30)
    assert _assert_same(x, Targets.tolerance(2 * x - 1, 1e-3)) == 0


@settings(max_examples=60, deadline=None)
@given(seeds)
def test_compiled_matches_brute_force(seed):
    x, t = _instance(seed, 9)
    xs, ts = prepare_targets_1d(x, t)
    xn, lon, hin = _doors(x, t)
    count = tube_dp(xn, lon, hin, engine="numba", reconstruct=False).count
    assert count == brute_tube_count(xs, ts.lo, ts.hi)


@settings(max_examples=30, deadline=None)
@given(seeds)
def test_public_functions_fallback(seed):
    x, t = _instance(seed, 30)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SPARSEST_NO_NUMBA", "1")
        assert not _tube_nb.enabled()
        c_py = tube_count_1d(x, t.lo, t.hi)
        r_py = solve_tube_1d(x, t)
    assert _tube_nb.enabled()
    assert tube_count_1d(x, t.lo, t.hi) == c_py
    r_nb = solve_tube_1d(x, t)
    assert r_nb.fewest_knots == r_py.fewest_knots == c_py
    assert r_nb.status == "optimal"
    np.testing.assert_array_equal(r_nb.knots, r_py.knots)


def test_eps_star_fallback_agrees(monkeypatch):
    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(-3, 3, 200))
    y = np.sin(3 * x) + rng.normal(0, 0.05, x.size)
    fast = [eps_star(x, y, k, rtol=1e-5) for k in (2, 5)]
    monkeypatch.setenv("SPARSEST_NO_NUMBA", "1")
    assert fast == [eps_star(x, y, k, rtol=1e-5) for k in (2, 5)]


def test_engine_argument():
    x = np.linspace(0, 1, 5)
    with pytest.raises(ValueError, match="engine"):
        tube_dp(x, x - 0.1, x + 0.1, engine="fortran")

"""Exact 1-D fits within per-point bounds (``solve_tube_1d``): known answers, brute force, invariances.

The oracle (:mod:`_brute_tube`) is a sign-pattern search with LP feasibility checks, independent of
the solver's algorithm; its own checks (against the interpolation DP and the classification closed
form) come first and do not need the solver.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from _brute_tube import brute_tube, brute_tube_count, classification_count, pattern_count
from sparsest.errors import DataError
from sparsest.exact import solve_1d
from sparsest.exact.tube1d import solve_tube_1d, tube_count_1d
from sparsest.targets import Targets

# ----------------------------------------------------------------------------- strategies


def _lattice(n_min: int, n_max: int):
    """Distinct integer x in [-30, 30] and centres on a 1/4 grid in [-5, 5]: exact ties happen."""
    return st.integers(n_min, n_max).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(-30, 30), min_size=n, max_size=n, unique=True),
            st.lists(st.integers(-20, 20), min_size=n, max_size=n),
        )
    )


def _xy(data):
    x, c = data
    return np.asarray(x, dtype=float), np.asarray(c, dtype=float) / 4


WIDTHS = [0.0, 0.25, 0.5, 1.5, np.inf]
EPS = [0.1, 0.25, 0.6, 1.0, 2.5]
seeds = st.integers(0, 2**32 - 1)


def _sorted(x, lo, hi):
    order = np.argsort(x)
    return x[order], lo[order], hi[order]


def _generic(seed: int, n_max: int = 30):
    """Continuous random data (no exact ties): x, y, and a random tolerance scale."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, n_max + 1))
    x = rng.uniform(-3, 3, n)
    y = np.cumsum(rng.standard_normal(n)) * rng.choice([0.1, 1.0, 10.0])
    return rng, x, y


def _generic_targets(seed: int, n_max: int = 30) -> tuple[np.ndarray, Targets]:
    """Generic tolerance, per-point tolerance, bounds with infinite sides or classification."""
    rng, x, y = _generic(seed, n_max)
    n = x.size
    kind = seed % 4
    spread = float(np.ptp(y)) + 1e-3
    if kind == 0:
        return x, Targets.tolerance(y, spread * rng.uniform(0.001, 0.3))
    if kind == 1:
        return x, Targets.tolerance(y, spread * rng.uniform(0, 0.2, n))
    if kind == 2:
        lo = y - spread * rng.uniform(0, 0.3, n)
        hi = y + spread * rng.uniform(0, 0.3, n)
        lo[rng.random(n) < 0.2] = -np.inf
        hi[rng.random(n) < 0.2] = np.inf
        return x, Targets.bounds(lo, hi, y)
    labels = rng.integers(0, 2, n)
    labels[rng.choice(n, 2, replace=False)] = [0, 1]
    return x, Targets.classification(labels)


def _tol(t: Targets) -> float:
    return 1e-9 * (1 + t.scale())


def _check_fit(res, x, t: Targets) -> None:
    """The returned function is feasible by the solver's report and by our own float64 passes."""
    assert res.status == "optimal"
    tol = _tol(t)
    assert res.max_violation <= tol
    pred = res.network.predict(x)
    assert np.max(t.violation(pred)) <= tol
    knots, jumps = np.asarray(res.knots), np.asarray(res.jumps)
    assert res.n_neurons == knots.size == jumps.size
    assert np.all(jumps != 0)
    direct = res.slope * x + res.intercept + np.maximum(x[:, None] - knots[None, :], 0) @ jumps
    # the knots form and the network agree (up to rounding at the size of the terms)
    size = 1 + np.abs(res.slope * x) + abs(res.intercept) + np.abs(x[:, None] - knots) @ np.abs(jumps)
    assert np.all(np.abs(direct - pred) <= 1e-9 * size)


# ----------------------------------------------------------------------------- the oracle itself


@settings(max_examples=60)
@given(_lattice(2, 10), st.booleans(), seeds)
def test_oracle_at_eps0_is_the_interpolation_count(data, jitter, seed):
    x, y = _xy(data)
    if jitter:  # generic values too (no exact ties)
        y = y + np.random.default_rng(seed).uniform(-0.1, 0.1, x.size)
    order = np.argsort(x)
    x, y = x[order], y[order]
    assert brute_tube_count(x, y, y) == solve_1d(x, y).n_neurons


@settings(max_examples=40)
@given(st.lists(st.integers(0, 1), min_size=2, max_size=9), seeds)
def test_oracle_classification_closed_form(labels, seed):
    labels = np.asarray(labels)
    assume(np.unique(labels).size == 2)
    x = np.sort(np.random.default_rng(seed).uniform(-5, 5, labels.size))
    t = Targets.classification(labels)
    res = brute_tube(x, t.lo, t.hi)
    assert res.count == classification_count(labels)
    assert np.all(t.violation(res.f) <= 1e-7)


def test_oracle_returns_a_realizing_pattern():
    x = np.arange(5.0)
    y = x**2
    y[2] += 1.2
    res = brute_tube(x, y - 0.15, y + 0.15)
    assert res.count == pattern_count(res.sigma) == 2
    assert np.all(np.abs(res.f - y) <= 0.15 + 1e-9)
    assert pattern_count([1, 1, 0, -1, -1, -1, 1]) == 1 + 2 + 1
    assert classification_count([1, 1, 0, 0, 1, 1]) == 1


# ----------------------------------------------------------------------------- known answers

points = st.integers(min_value=2, max_value=12).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(-60, 60), min_size=n, max_size=n, unique=True),
        st.one_of(
            st.lists(st.integers(-5, 5), min_size=n, max_size=n),
            st.lists(st.floats(-40, 40, allow_nan=False, width=64), min_size=n, max_size=n),
        ),
    )
)


@given(points)
def test_eps0_is_interpolation(data):
    x, y = (np.asarray(v, dtype=float) for v in data)
    t = Targets.tolerance(y, 0.0)
    assert t.is_interpolation
    ref = solve_1d(x, y)
    res = solve_tube_1d(x, t)
    assert res.n_neurons == ref.n_neurons
    # targets.md §1: the interpolation case keeps today's results bit for bit
    np.testing.assert_array_equal(res.knots, ref.knots)
    np.testing.assert_array_equal(res.jumps, ref.jumps)
    _check_fit(res, x, t)


@settings(max_examples=40)
@given(seeds, st.floats(0.5, 1.0))
def test_straight_band_needs_no_knot(seed, frac):
    rng, x, _ = _generic(seed)
    eps = float(rng.uniform(0.01, 5))
    y = rng.uniform(-5, 5) * x + rng.uniform(-5, 5) + rng.uniform(-frac, frac, x.size) * eps
    t = Targets.tolerance(y, eps)
    res = solve_tube_1d(x, t)
    assert res.n_neurons == 0
    _check_fit(res, x, t)


@pytest.mark.parametrize(
    "x, apex",
    [([0.0, 1.0, 2.0, 3.0], 1.5), ([0.0, 0.5, 1.0, 2.0, 2.5, 3.0], 1.6), ([-4.0, -1.0, 0.0, 5.0], -0.7)],
)
def test_optimal_knot_between_data_points(x, apex):
    # y = |x − apex| ± 0.05: one knot is needed, and it must lie strictly between the two data points
    # around the apex (a knot at a data point leaves three points on one line, which the band forbids)
    x = np.asarray(x)
    t = Targets.tolerance(np.abs(x - apex), 0.05)
    res = solve_tube_1d(x, t)
    assert res.n_neurons == 1 == brute_tube_count(x, t.lo, t.hi)
    left, right = x[x < apex].max(), x[x > apex].min()
    assert left < res.knots[0] < right
    assert np.min(np.abs(res.knots[0] - x)) > 1e-6
    _check_fit(res, x, t)


def test_tolerance_removes_a_dent():
    # a convex run with a dent: curvature + − + (3 knots); within ±0.15 the dent is gone: 2 knots
    x = np.arange(5.0)
    y = x**2
    y[2] += 1.2
    assert solve_1d(x, y).n_neurons == 3
    for eps, expected in [(0.05, 3), (0.15, 2), (1.0, 1), (2.0, 0)]:
        t = Targets.tolerance(y, eps)
        assert brute_tube_count(x, t.lo, t.hi) == expected
        res = solve_tube_1d(x, t)
        assert res.n_neurons == expected, eps
        _check_fit(res, x, t)


@pytest.mark.parametrize(
    "labels, expected",
    [
        ([1, 1, 0, 0, 1, 1], 1),
        ([0, 0, 0, 1, 1, 1, 1], 0),
        ([1, 0], 0),
        ([1, 0, 1], 1),
        ([1, 0, 1, 0, 1, 0, 1, 0], 6),
        ([0, 1] * 10, 18),
        ([5.0, 5.0, -2.0, 5.0, -2.0, -2.0, 5.0], 3),
    ],
)
def test_classification_toys(labels, expected):
    x = np.linspace(-1, 2, len(labels)) ** 3  # uneven spacing
    t = Targets.classification(labels)
    assert classification_count(labels) == expected
    res = solve_tube_1d(x, t)
    assert res.n_neurons == expected
    _check_fit(res, x, t)
    pred = res.network.predict(x)
    assert np.all(np.where(t.y > 0, pred >= 1 - 1e-9, pred <= -1 + 1e-9))
    # reversed order of the points: same count
    rev = np.arange(len(labels))[::-1]
    assert solve_tube_1d(x[rev], t.take(rev)).n_neurons == expected


def test_two_points_and_constant_band():
    t = Targets.tolerance([3.0, -1.0], 0.5)
    res = solve_tube_1d([0.0, 1.0], t)
    assert res.n_neurons == 0
    _check_fit(res, np.array([0.0, 1.0]), t)
    x = np.arange(10.0)
    t = Targets.bounds(np.full(10, -np.inf), np.full(10, np.inf))
    res = solve_tube_1d(x, t)
    assert res.n_neurons == 0 and res.max_residual is None and res.rmse is None
    _check_fit(res, x, t)


# ----------------------------------------------------------------------------- properties


@settings(max_examples=40)
@given(seeds, st.floats(0.0, 0.5), st.floats(1.01, 3.0))
def test_count_never_increases_with_eps(seed, e1, ratio):
    _, x, y = _generic(seed)
    spread = float(np.ptp(y)) + 1e-3
    counts = []
    for eps in (0.0, e1 * spread, e1 * spread * ratio, 0.5 * spread + 1e-9):
        t = Targets.tolerance(y, eps)
        res = solve_tube_1d(x, t)
        _check_fit(res, x, t)
        counts.append(res.n_neurons)
    assert counts == sorted(counts, reverse=True)
    assert counts[-1] == 0  # half the range: a constant fits


@settings(max_examples=40)
@given(
    seeds,
    st.sampled_from([-3.7, -1.0, 0.25, 7.0, 1e3]),
    st.floats(-50, 50),
    st.sampled_from([-2.0, 0.5, 3.0, 1e-3]),
    st.floats(-50, 50),
    st.randoms(use_true_random=False),
)
def test_invariances(seed, alpha, beta, gamma, delta, rnd):
    x, t = _generic_targets(seed)
    base = solve_tube_1d(x, t)
    _check_fit(base, x, t)
    perm = list(range(x.size))
    rnd.shuffle(perm)
    x2 = (alpha * x + beta)[perm]
    if t.kind == "classification":
        t2 = Targets.classification(np.sign(gamma) * t.y[perm])  # f → γ f maps the margins too
    else:
        lo, hi = gamma * t.lo + delta, gamma * t.hi + delta
        if gamma < 0:
            lo, hi = hi, lo
        t2 = Targets.bounds(lo[perm], hi[perm])
    res = solve_tube_1d(x2, t2)
    _check_fit(res, x2, t2)
    assert res.n_neurons == base.n_neurons
    # tolerances through the constructor: y → γy + δ, ε → |γ|ε
    if t.kind == "tolerance":
        eps = (t.hi - t.lo) / 2
        t3 = Targets.tolerance((gamma * t.y + delta)[perm], abs(gamma) * eps[perm])
        assert solve_tube_1d(x2, t3).n_neurons == base.n_neurons


@settings(max_examples=40)
@given(seeds)
def test_point_order_does_not_matter(seed):
    x, t = _generic_targets(seed)
    perm = np.random.default_rng(seed + 1).permutation(x.size)
    a = solve_tube_1d(x, t)
    b = solve_tube_1d(x[perm], t.take(perm))
    assert a.n_neurons == b.n_neurons
    _check_fit(b, x[perm], t.take(perm))


@settings(max_examples=60)
@given(seeds)
def test_fit_is_feasible_and_count_agrees(seed):
    x, t = _generic_targets(seed, n_max=60)
    res = solve_tube_1d(x, t)
    _check_fit(res, x, t)
    assert res.n_neurons <= max(x.size - 2, 0)
    assert tube_count_1d(x, t.lo, t.hi) == res.n_neurons
    if t.y is not None:
        r = t.y - res.network.predict(x)
        assert res.max_residual == pytest.approx(np.max(np.abs(r)), rel=1e-9, abs=_tol(t))
        assert res.rmse == pytest.approx(np.sqrt(np.mean(r**2)), rel=1e-9, abs=_tol(t))


def _lattice_instance(seed: int, n_min: int, n_max: int) -> tuple[np.ndarray, Targets]:
    """Integer x in [-500, 500], centres on a 1/4 grid, widths 0 (fixed points) to infinite."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(n_min, n_max))
    x = rng.choice(np.arange(-500, 501), n, replace=False).astype(float)
    c = rng.integers(-20, 21, n) / 4
    return x, Targets.bounds(c - rng.choice(WIDTHS, n), c + rng.choice(WIDTHS, n))


@settings(max_examples=30)
@given(seeds)
def test_lattice_bounds_fit_is_feasible(seed):
    # exact ties at scale: integer x, centres on a 1/4 grid, widths 0 (fixed points) to infinite
    x, t = _lattice_instance(seed, 10, 80)
    n = x.size
    res = solve_tube_1d(x, t)
    _check_fit(res, x, t)
    assert res.n_neurons <= n - 2
    assert tube_count_1d(x, t.lo, t.hi) == res.n_neurons


def _bounds_from_widths(c, wl, wu):
    return c - np.asarray(wl), c + np.asarray(wu)


@settings(max_examples=50)
@given(_lattice(2, 9), st.data())
def test_matches_brute_force_bounds(data, draw):
    x, c = _xy(data)
    n = x.size
    wl = draw.draw(st.lists(st.sampled_from(WIDTHS), min_size=n, max_size=n))
    wu = draw.draw(st.lists(st.sampled_from(WIDTHS), min_size=n, max_size=n))
    lo, hi = _bounds_from_widths(c, wl, wu)
    t = Targets.bounds(lo, hi)
    res = solve_tube_1d(x, t)
    _check_fit(res, x, t)
    assert res.n_neurons == brute_tube_count(*_sorted(x, lo, hi))
    assert tube_count_1d(x, lo, hi) == res.n_neurons


@settings(max_examples=50)
@given(_lattice(3, 9), st.one_of(st.sampled_from(EPS), st.lists(st.sampled_from(EPS), min_size=9)))
def test_matches_brute_force_tolerance(data, eps):
    x, y = _xy(data)
    eps = np.asarray(eps)[: x.size] if np.ndim(eps) else eps
    t = Targets.tolerance(y, eps)
    res = solve_tube_1d(x, t)
    _check_fit(res, x, t)
    assert res.n_neurons == brute_tube_count(*_sorted(x, t.lo, t.hi))


@settings(max_examples=40)
@given(seeds)
def test_matches_brute_force_generic(seed):
    x, t = _generic_targets(seed, n_max=9)
    res = solve_tube_1d(x, t)
    _check_fit(res, x, t)
    assert res.n_neurons == brute_tube_count(*_sorted(x, t.lo, t.hi))


@settings(max_examples=40)
@given(st.lists(st.integers(0, 1), min_size=2, max_size=30), seeds)
def test_classification_closed_form(labels, seed):
    labels = np.asarray(labels)
    assume(np.unique(labels).size == 2)
    x = np.random.default_rng(seed).permutation(labels.size) * 0.7 - 3  # any order
    t = Targets.classification(labels)
    res = solve_tube_1d(x, t)
    _check_fit(res, x, t)
    assert res.n_neurons == classification_count(labels[np.argsort(x)])


# Lattice instances on which early versions of the solver failed (found by random search against
# the oracle, then shrunk): several admit the optimum only with bounds met exactly, most have fixed
# points (lo = hi) next to infinite sides. The oracle's values, re-fitted by the interpolation DP,
# are a witness: a feasible function with that many knots.
FOUND = [
    (
        [0.0, 10.0, 22.0, 24.0, 31.0],
        [-np.inf, -1.0, 2.5, -np.inf, -np.inf],
        [np.inf, -0.5, 3.0, 3.0, np.inf],
        0,
    ),
    ([0.0, 16.0, 24.0, 43.0], [-np.inf, -1.75, -4.0, -np.inf], [1.0, np.inf, -4.0, np.inf], 1),
    ([-19.0, -10.0, -7.0], [2.5, -2.0, 4.0], [4.25, -2.0, 5.0], 1),
    ([0.0, 2.0, 8.0, 10.0], [-2.5, -np.inf, 3.5, -np.inf], [np.inf, -4.5, 3.5, np.inf], 1),
    ([0.0, 2.0, 19.0, 34.0], [-np.inf, 3.75, -1.25, -np.inf], [3.5, np.inf, -1.25, np.inf], 1),
    (
        [-17.0, -6.0, 3.0, 12.0, 14.0, 15.0, 18.0, 26.0, 27.0],
        [-4.75, -3.25, -4.25, 0.0, -1.25, 0.75, 3.0, 1.0, -3.5],
        [-4.25, -2.75, -3.75, 0.5, -0.75, 1.25, 3.5, 1.5, -3.0],
        6,
    ),
    ([0.0, 12.0, 13.0], [1.0, 0.0, -np.inf], [1.0, np.inf, 3.25], 0),
    (
        [0.0, 1.0, 4.0, 12.0, 16.0],
        [-np.inf, 0.5, -np.inf, -1.0, -np.inf],
        [np.inf, np.inf, -1.5, np.inf, -0.75],
        1,
    ),
    (
        [0.0, 25.0, 38.0, 47.0, 48.0],
        [-4.0, -np.inf, -np.inf, 2.5, -np.inf],
        [np.inf, -1.0, -2.25, 2.5, 5.0],
        1,
    ),
    (
        [0.0, 9.0, 27.0, 28.0, 52.0, 56.0],
        [-np.inf, 4.5, -np.inf, 1.25, -0.5, 0.25],
        [-1.25, 6.0, 4.25, 1.75, -0.5, np.inf],
        2,
    ),
    (
        [0.0, 10.0, 11.0, 12.0, 15.0, 16.0, 24.0, 27.0],
        [-np.inf, -6.25, -0.75, 0.0, 2.75, 3.25, 1.75, -np.inf],
        [np.inf, np.inf, np.inf, 1.5, 4.75, np.inf, 1.75, -2.0],
        1,
    ),
    (
        [0.0, 37.0, 41.0, 44.0, 45.0, 50.0, 54.0, 55.0, 57.0],
        [-np.inf, 4.75, -np.inf, -2.0, -np.inf, 1.5, -1.5, 0.25, -np.inf],
        [np.inf, np.inf, -2.75, np.inf, -3.75, 3.25, -0.75, 0.25, np.inf],
        5,
    ),
]


@pytest.mark.parametrize("case", range(len(FOUND)))
def test_found_by_search(case):
    x, lo, hi, expected = (np.asarray(v, dtype=float) if i < 3 else v for i, v in enumerate(FOUND[case]))
    oracle = brute_tube(x, lo, hi)
    assert oracle.count == expected
    t = Targets.bounds(lo, hi)
    witness = solve_1d(x, np.clip(oracle.f, lo, hi))
    assert witness.n_neurons == oracle.count
    assert np.max(t.violation(witness.network.predict(x))) <= _tol(t)
    rev = np.arange(x.size)[::-1]
    for order in (np.arange(x.size), rev):
        res = solve_tube_1d(x[order], t.take(order))
        _check_fit(res, x[order], t.take(order))
        assert res.n_neurons == oracle.count
        assert tube_count_1d(x[order], lo[order], hi[order]) == oracle.count


# ----------------------------------------------------------------------------- l1 and lp


def _l1_lp(x, lo, hi) -> float:
    """min Σ |s_i − s_{i−1}| over values in the box (sorted x): knots at data points (targets.md §2)."""
    n = x.size
    if n < 3:
        return 0.0
    h = np.diff(x)
    S = np.zeros((n - 1, n))
    S[np.arange(n - 1), np.arange(n - 1)] = -1 / h
    S[np.arange(n - 1), np.arange(1, n)] = 1 / h
    D = S[1:] - S[:-1]
    eye = np.eye(n - 2)
    a_ub = np.block([[D, -eye], [-D, -eye]])
    cost = np.concatenate([np.zeros(n), np.ones(n - 2)])
    box = [
        (None if np.isneginf(a) else a, None if np.isposinf(b) else b) for a, b in zip(lo, hi, strict=True)
    ]
    res = linprog(
        cost,
        A_ub=a_ub,
        b_ub=np.zeros(2 * n - 4),
        bounds=box + [(0, None)] * (n - 2),
        method="highs",
        options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
    )
    assert res.status == 0
    return float(res.fun)


@settings(max_examples=40)
@given(seeds)
def test_l1_within_bounds(seed):
    x, t = _generic_targets(seed, n_max=25)
    r0 = solve_tube_1d(x, t, p=0.0)
    r1 = solve_tube_1d(x, t, p=1.0)
    _check_fit(r1, x, t)
    l1 = float(np.sum(np.abs(r1.jumps)))
    l0 = float(np.sum(np.abs(r0.jumps)))
    opt = _l1_lp(*_sorted(x, t.lo, t.hi))
    slack = 1e-7 * max(opt, 1e-300) + 1e-9 * (1 + t.scale()) / max(np.ptp(x), 1e-300)
    assert l1 <= l0 + 1e-7 * l0 + slack
    assert l1 <= opt + slack
    # and no feasible function does better than the LP (the derivative's variation bounds it)
    assert l1 >= opt - slack
    assert l0 >= opt - slack
    assert r1.n_neurons >= r0.n_neurons


@settings(max_examples=30)
@given(seeds, st.sampled_from([0.2, 0.5, 0.8]))
def test_lp_within_bounds_is_a_feasible_local_optimum(seed, p):
    x, t = _generic_targets(seed, n_max=25)
    r0 = solve_tube_1d(x, t, p=0.0)
    res = solve_tube_1d(x, t, p=p)
    assert res.status == "local"
    tol = _tol(t)
    assert res.max_violation <= tol
    assert np.max(t.violation(res.network.predict(x))) <= tol
    assert res.n_neurons >= r0.n_neurons


# ----------------------------------------------------------------------------- repeated inputs


def test_repeated_x_intersects_the_intervals():
    # two measurements at x = 1: [-0.05, 0.35] ∩ [0.25, 0.65] = [0.25, 0.35]. The first alone allows a
    # constant (0 knots); the intersection is above the chord of the end intervals: one knot
    x = np.array([0.0, 1.0, 2.0, 1.0])
    y = np.array([0.0, 0.15, 0.0, 0.45])
    t = Targets.tolerance(y, 0.2)
    res = solve_tube_1d(x, t)
    assert res.n_neurons == 1
    _check_fit(res, x, t)  # every original interval, both measurements included
    first = np.array([0, 1, 2])
    assert solve_tube_1d(x[first], t.take(first)).n_neurons == 0
    assert brute_tube_count([0.0, 1.0, 2.0], [-0.2, 0.25, -0.2], [0.2, 0.35, 0.2]) == 1


def test_repeated_x_with_disjoint_intervals_is_an_error():
    x = np.array([0.0, 1.0, 2.0, 1.0])
    t = Targets.tolerance(np.array([0.0, 0.0, 0.0, 1.0]), 0.2)
    with pytest.raises(DataError, match=r"x=1\b"):
        solve_tube_1d(x, t)
    with pytest.raises(DataError, match=r"x=2\b"):
        solve_tube_1d(np.array([0.0, 2.0, 3.0, 2.0]), Targets.classification([0, 1, 0, 0]))


def test_zero_width_doors_count_as_interpolation():
    # lo = hi through the DP itself (tube_count_1d does not route to the interpolation DP)
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(-2, 2, 200))
    y = np.sin(3 * x) + 0.05 * rng.standard_normal(200)
    assert tube_count_1d(x, y, y) == solve_1d(x, y, 0).n_neurons == 155


@pytest.mark.parametrize("seed", [0, 2, 5, 103, 124, 145])
def test_tied_bounds_at_scale_are_met(seed):
    # regression: these lattice instances (N = 110..180, fixed points, touching and infinite sides)
    # once returned infeasible reconstructions; the count must equal tube_count_1d and the bounds hold
    x, t = _lattice_instance(seed, 20, 200)
    res = solve_tube_1d(x, t)
    _check_fit(res, x, t)
    assert tube_count_1d(x, t.lo, t.hi) == res.n_neurons == res.fewest_knots

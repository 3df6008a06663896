"""Least-squares fits with free knots (variable projection) and the 1-D ε*(k) frontier."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsest.errors import DataError, ParameterError
from sparsest.exact._lsq1d import (
    _Problem,
    fit_knots_l2,
    fit_l2_multistart,
    insert_knot,
    lsq_fixed_knots,
    quantile_knots,
    remove_knot,
)
from sparsest.exact.frontier1d import eps_star, frontier_1d


def _cpwl(x, knots, jumps, slope=0.3, intercept=1.0):
    return slope * x + intercept + sum(c * np.maximum(x - u, 0.0) for u, c in zip(knots, jumps, strict=True))


def _noisy(seed: int, n: int = 300):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-3.0, 3.0, n))
    return x, np.sin(3 * x) + 0.3 * x + rng.normal(0.0, 0.05, n)


planted3 = st.tuples(
    st.integers(0, 2**32 - 1),
    st.lists(st.floats(0.5, 3.0), min_size=3, max_size=3),
    st.lists(st.sampled_from([-1.0, 1.0]), min_size=3, max_size=3),
    st.lists(st.floats(-0.02, 0.02), min_size=3, max_size=3),
)


# ----------------------------------------------------------------------------- fixed knots
@given(st.integers(0, 2**32 - 1), st.integers(0, 6))
def test_fixed_knots_is_the_least_squares_fit(seed, k):
    """Same fit as a dense lstsq in the truncated-power basis; residual orthogonal to the basis."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-2.0, 5.0, 80))
    y = rng.standard_normal(80)
    knots = np.sort(rng.uniform(-1.5, 4.5, k))
    fit = lsq_fixed_knots(x, y, knots)
    basis = np.column_stack([np.ones_like(x), x] + [np.maximum(x - u, 0.0) for u in fit.knots])
    beta = np.linalg.lstsq(basis, y, rcond=None)[0]
    np.testing.assert_allclose(fit(x), basis @ beta, atol=1e-9)
    r = y - fit(x)
    assert np.max(np.abs(basis.T @ r)) <= 1e-9 * np.linalg.norm(basis) * np.linalg.norm(y)
    assert fit.rss == pytest.approx(float(r @ r), rel=1e-10, abs=1e-12)
    assert fit.rmse == pytest.approx(np.sqrt(fit.rss / x.size))
    assert fit.max_error == pytest.approx(np.max(np.abs(r)), rel=1e-9, abs=1e-12)
    np.testing.assert_allclose(fit.network.predict(x[:, None]), fit(x), atol=1e-9)


@given(st.integers(0, 2**32 - 1), st.integers(1, 5))
def test_gradient_is_the_derivative_of_the_projected_rss(seed, k):
    """Kaufman's Jᵀr is the exact gradient of ½‖P⊥(u) y‖² (central differences, away from kinks)."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0.0, 1.0, 120)
    y = rng.standard_normal(120)
    gaps = np.sort(rng.choice(np.arange(5, 114), size=k, replace=False))
    u = 0.5 * (x[gaps] + x[gaps + 1])  # mid-gap: RSS is smooth within ± half a gap
    prob = _Problem(x, y)
    st0 = prob.evaluate(u)
    _, grad = prob.normal_equations(st0)
    h = 1e-6
    fd = np.array(
        [(prob.evaluate(u + h * e).rss - prob.evaluate(u - h * e).rss) / (4 * h) for e in np.eye(k)]
    )
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-7 * max(1.0, np.max(np.abs(fd))))


# ------------------------------------------------------------------------------ free knots
@given(planted3)
@settings(max_examples=30)
def test_recovers_planted_three_knots(case):
    seed, mags, signs, shift = case
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.0, 1.0, 250))
    true = np.array([0.2, 0.5, 0.8]) + rng.uniform(-0.03, 0.03, 3)
    jumps = np.array(mags) * np.array(signs)
    y = _cpwl(x, true, jumps)
    fit = fit_knots_l2(x, y, true + np.array(shift))
    assert fit.n_knots == 3
    np.testing.assert_allclose(fit.knots, true, atol=1e-6)
    np.testing.assert_allclose(fit.jumps, jumps, rtol=1e-5)
    assert fit.rmse <= 1e-9 * np.max(np.abs(y))
    assert fit.converged


@given(st.integers(0, 2**32 - 1), st.integers(1, 8))
@settings(max_examples=30)
def test_never_worse_than_the_start(seed, k):
    x, y = _noisy(seed)
    rng = np.random.default_rng(seed + 1)
    u0 = np.sort(rng.uniform(-3.0, 3.0, k))
    start = lsq_fixed_knots(x, y, u0)
    fit = fit_knots_l2(x, y, u0)
    assert fit.rss <= start.rss
    assert fit.rmse <= start.rmse
    assert np.all(np.diff(fit.knots) > 0)
    assert np.all((fit.knots > x[0]) & (fit.knots < x[-1]))
    np.testing.assert_allclose(fit(x), fit.network.predict(x[:, None]), atol=1e-9)


@given(st.integers(0, 2**32 - 1), st.floats(0.01, 100.0), st.floats(-50.0, 50.0))
@settings(max_examples=20)
def test_equivariant_under_affine_x(seed, scale, shift):
    x, y = _noisy(seed, 200)
    u0 = quantile_knots(x, 4)
    a = fit_knots_l2(x, y, u0)
    b = fit_knots_l2(scale * x + shift, y, scale * u0 + shift)
    np.testing.assert_allclose(b.knots, scale * a.knots + shift, rtol=1e-7, atol=1e-7 * (1 + abs(shift)))
    assert b.rmse == pytest.approx(a.rmse, rel=1e-7)


def test_collapsing_knots_merge():
    """Two starting knots in the same place, on data needing one: a valid fit with no gap < min_sep."""
    x = np.linspace(0.0, 1.0, 101)
    y = np.abs(x - 0.37)
    fit = fit_knots_l2(x, y, [0.5, 0.5 + 1e-12, 0.2])
    assert np.all(np.diff(fit.knots) > 2e-9)
    assert fit.rmse <= 1e-9
    assert fit.n_knots <= 3


def test_multistart_and_helpers():
    x, y = _noisy(3)
    k = 5
    fit = fit_l2_multistart(x, y, k, [np.array([-1.0, 1.0])])
    single = fit_knots_l2(x, y, quantile_knots(x, k))
    assert fit.rss <= single.rss * (1 + 1e-12)
    more = insert_knot(x, y, fit.knots)
    assert more.size == k + 1
    assert lsq_fixed_knots(x, y, more).rss <= fit.rss * (1 + 1e-12)
    less = remove_knot(x, y, fit.knots)
    assert less.size == k - 1 and np.all(np.isin(less, fit.knots))
    q = quantile_knots(x, 7)
    assert q.size == 7 and np.all(np.diff(q) > 0) and q[0] > x[0] and q[-1] < x[-1]


def test_validation():
    x = np.array([0.0, 2.0, 1.0])
    with pytest.raises(DataError, match="sorted"):
        fit_knots_l2(x, x, [0.5])
    with pytest.raises(DataError, match="shape"):
        fit_knots_l2([0.0, 1.0], [0.0], [])
    with pytest.raises(ParameterError, match="max_iter"):
        fit_knots_l2([0.0, 1.0, 2.0], [0.0, 1.0, 0.0], [1.0], max_iter=-1)
    with pytest.raises(ParameterError, match="k must"):
        eps_star([0.0, 1.0, 2.0], [0.0, 1.0, 0.0], -1)
    with pytest.raises(ParameterError, match="rtol"):
        eps_star([0.0, 1.0, 2.0], [0.0, 1.0, 0.0], 0, rtol=0.0)


# ------------------------------------------------------------------- ε*(k) and the frontier
@given(st.integers(0, 2**32 - 1))
@settings(max_examples=3)
def test_frontier_is_monotone_and_consistent(seed):
    from sparsest.exact.tube1d import tube_count_1d

    x, y = _noisy(seed, 80)
    fr = frontier_1d(x, y, 6)
    assert np.all(np.diff(fr.eps_star) <= 0)
    assert np.all(np.diff(fr.rmse) <= 1e-12 * fr.rmse[0])
    for k in fr.k:
        e = fr.eps_star[k]
        assert tube_count_1d(x, y - e, y + e) <= k
        assert fr.linf_status[k] == "optimal"
        assert fr.linf_max_error[k] <= e * (1 + 1e-3)
        assert fr.linf_count[k] <= k
        # no k-knot function beats ε*(k) in max error; the tube fit is no better than L2 in RMSE
        assert fr.max_error_l2[k] >= e * (1 - 1e-8)
        assert fr.linf_rmse[k] >= fr.rmse[k] * (1 - 1e-9)
        assert fr.knots_l2[k].size <= k
        if e > 0:  # below ε*(k), more than k knots are needed
            low = e * (1 - 1e-8)
            assert tube_count_1d(x, y - low, y + low) > k
    rows = fr.to_rows()
    assert [r["k"] for r in rows] == list(range(7))
    json.dumps(rows)


def test_frontier_matches_eps_star_and_is_deterministic():
    x, y = _noisy(11, 80)
    fr = frontier_1d(x, y, 4)
    for k in (0, 2, 4):
        assert fr.eps_star[k] == pytest.approx(eps_star(x, y, k), rel=2e-9)
    again = frontier_1d(x, y, 4)
    np.testing.assert_array_equal(fr.rmse, again.rmse)
    np.testing.assert_array_equal(fr.eps_star, again.eps_star)


def test_frontier_recovers_planted_three_knots():
    x = np.linspace(-1.0, 2.0, 151)
    true, jumps = np.array([-0.43, 0.61, 1.37]), np.array([2.0, -3.5, 2.5])
    y = _cpwl(x, true, jumps)
    fr = frontier_1d(x, y, 4)
    assert fr.eps_star[3] <= 1e-12 and fr.eps_star[2] > 0.01
    np.testing.assert_allclose(fr.knots_l2[3], true, atol=1e-6)
    assert fr.rmse[3] <= 1e-12 * np.max(np.abs(y))


@given(st.integers(0, 2**32 - 1), st.floats(0.01, 0.5))
@settings(max_examples=8)
def test_eps_star_of_two_knots_plus_bounded_noise(seed, eta):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.0, 1.0, 80))
    noise = rng.uniform(-eta, eta, x.size)
    y = _cpwl(x, [0.3, 0.7], [4.0, -6.0]) + noise
    assert eps_star(x, y, 2) <= np.max(np.abs(noise))
    assert eps_star(x, y, 2) <= eta


@given(
    st.integers(0, 2**32 - 1),
    st.integers(0, 5),
    st.floats(0.001, 1000.0),
    st.sampled_from([-1.0, 1.0]),
    st.floats(-100.0, 100.0),
    st.floats(-10.0, 10.0),
)
@settings(max_examples=8)
def test_eps_star_invariance(seed, k, gamma, sign, delta, a):
    """ε*(k; γ y + δ + a x) = |γ| ε*(k; y): adding a line keeps every count.

    Up to the tube solver's resolution, which is relative to the range of the values it is given
    (a large added line makes the data's own features small in those units)."""
    x, y = _noisy(seed, 40)
    base = eps_star(x, y, k)
    moved_y = sign * gamma * y + delta + a * x
    moved = eps_star(x, moved_y, k)
    assert moved == pytest.approx(gamma * base, rel=1e-6, abs=1e-9 * np.ptp(moved_y))

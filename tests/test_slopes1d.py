"""The large-N 1-D polish: the slope LP (slope_polish_1d) and run re-pairing (pair_runs_1d)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsest.exact import solve_1d
from sparsest.network import ReLUNetwork
from sparsest.train.polish import lower_bound_1d, n_knots
from sparsest.train.slopes1d import pair_runs_1d, slope_polish_1d

CURVES = [np.sin, np.tanh, lambda x: x**3 - 2 * x, lambda x: np.exp(-2 * x**2)]


def _data(n: int, seed: int, noise: float = 0.0):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-2, 2, n))
    y = CURVES[seed % len(CURVES)](1.5 * x) + noise * rng.standard_normal(n)
    return x, y


def _linear_interpolant(x, y) -> ReLUNetwork:
    """The connect-the-dots interpolant: a knot at every interior point, jump s_i − s_{i−1}."""
    s = np.diff(y) / np.diff(x)
    return ReLUNetwork.from_knots(x[1:-1].copy(), np.diff(s), float(s[0]), float(y[0] - s[0] * x[0]))


def _empty() -> ReLUNetwork:
    return ReLUNetwork.from_knots(np.zeros(0), np.zeros(0), 0.0, 0.0)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(6, 120), noisy=st.booleans())
def test_slope_lp_interpolates_and_respects_the_bound(seed, n, noisy):
    x, y = _data(n, seed, 1e-3 if noisy else 0.0)
    pr = slope_polish_1d(_empty(), x[:, None], y, fit_rtol=1e-10)
    assert pr.interpolates
    tol = 1e-10 * (1 + np.max(np.abs(y)))
    assert pr.network.max_residual(x[:, None], y) <= tol  # our own float64 pass
    bound = lower_bound_1d(x[:, None], y, "neurons", True, 1e-10)
    assert n_knots(pr.network) >= bound
    # each LP knot sits in a gap whose points share its curvature sign, or on a data point: never
    # more than one knot per gap plus one per interior point
    assert n_knots(pr.network) <= 2 * n - 3


@pytest.mark.parametrize("seed", range(6))
def test_pair_runs_reaches_the_optimum_on_a_convex_run(seed):
    # strictly convex data: one run of N − 2 points; the optimum is ⌈(N − 2)/2⌉ (Debarre et al.),
    # the connect-the-dots interpolant has N − 2 knots
    rng = np.random.default_rng(seed)
    n = int(rng.integers(10, 400))
    x = np.sort(rng.uniform(-1, 1, n))
    y = np.exp(x) + 0.5 * x**2
    net = _linear_interpolant(x, y)
    assert n_knots(net) == n - 2
    pr = pair_runs_1d(net, x[:, None], y, fit_rtol=1e-10)
    assert pr.interpolates
    assert pr.network.max_residual(x[:, None], y) <= 1e-10 * (1 + np.max(np.abs(y)))
    assert n_knots(pr.network) == solve_1d(x, y).n_neurons == (n - 1) // 2


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(6, 150), noisy=st.booleans())
def test_pair_runs_never_raises_the_count_and_keeps_the_fit(seed, n, noisy):
    x, y = _data(n, seed, 1e-3 if noisy else 0.0)
    net = _linear_interpolant(x, y)
    pr = pair_runs_1d(net, x[:, None], y, fit_rtol=1e-10)
    assert pr.interpolates
    assert n_knots(pr.network) <= n_knots(net)
    assert n_knots(pr.network) >= solve_1d(x, y).n_neurons


@pytest.mark.parametrize("case", [0, 1, 5])
def test_trainer_at_large_n_takes_the_slope_path_and_matches_the_exact_optimum(case):
    from sparsest.train.engine import train

    x, y = _data(1600, case, 1e-3 if case >= 4 else 0.0)
    res = train(x, y, method="sparsest", seed=case, progress=False)
    assert res.converged
    assert res.max_residual <= 1e-10 * (1 + np.max(np.abs(y)))
    assert n_knots(res.network) == solve_1d(x, y).n_neurons

"""``sparsest.verify.check_interpolation``: nominal tolerance, rounding scale, degenerate inputs."""

from __future__ import annotations

import numpy as np
import pytest

from sparsest.network import ReLUNetwork
from sparsest.verify import check_interpolation

EPS = np.finfo(np.float64).eps


def _cancelling() -> ReLUNetwork:
    # f(x) = 1e12 (x)_+ - 1e12 x = 0 for x > 0, evaluated from terms of size 1e12 |x|
    return ReLUNetwork(np.array([[1e6]]), np.zeros(1), np.array([1e6]), a=[-1e12], c=0.0, skip=True)


def test_exact_fit_passes_with_ratio_against_nominal():
    net = ReLUNetwork.from_knots([-1.0, 0.5, 2.0], [1.0, -2.0, 1.0])
    x = np.arange(-2.0, 4.0)
    y = np.array([0.0, 0.0, 1.0, 1.0, 0.0, 0.0])
    c = check_interpolation(net, x, y)
    assert c.ok and c.max_residual <= 4 * EPS
    assert c.nominal_tolerance == pytest.approx(2e-9)
    assert c.worst_ratio == pytest.approx(c.max_residual / c.nominal_tolerance, rel=1e-4)
    assert c.max_scale == pytest.approx(16.0)  # Σ |c_k| (|x| + |u_k|) at x = 3: 4 + 7 + 5


def test_misfit_beyond_nominal_fails_on_well_conditioned_data():
    net = ReLUNetwork.from_knots([0.0], [1.0])
    x = np.array([-1.0, 1.0, 2.0])
    c = check_interpolation(net, x, np.array([0.0, 1.0, 2.0 + 1e-6]))
    assert not c.ok and c.max_residual == pytest.approx(1e-6)
    assert c.worst_ratio > 100 and c.max_scale == pytest.approx(2.0)  # |v| (|w| |x| + |b|) at x = 2


def test_rounding_scale_accepts_what_float64_cannot_resolve():
    net = _cancelling()
    x = np.array([1.0, 2.0])
    scale_term = 8 * EPS * np.sqrt(2.0) * 2e12  # at x = 1: B = 1e12 + 1e12
    ok = check_interpolation(net, x, np.array([0.1 * scale_term, 0.0]))
    assert ok.ok and ok.max_residual > 1e5 * ok.nominal_tolerance
    assert ok.max_scale == pytest.approx(4e12) and 0.05 < ok.worst_ratio < 0.2
    bad = check_interpolation(net, x, np.array([10 * scale_term, 0.0]))
    assert not bad.ok and bad.worst_ratio > 5


def test_zero_rtol_and_non_finite_predictions():
    net = ReLUNetwork.from_knots([0.0], [4.0])  # w = v = 2: exact in float64
    x = np.array([0.0, 1.0])
    c = check_interpolation(net, x, np.array([0.0, 4.0]), rtol=0.0)
    assert c.ok and c.worst_ratio == 0.0 and c.max_residual == 0.0
    c = check_interpolation(net, x, np.array([0.0, 4.0 + 1e-9]), rtol=0.0)
    assert not c.ok
    huge = ReLUNetwork.from_knots([0.0], [1e308])
    c = check_interpolation(huge, np.array([0.0, 1e10]), np.array([0.0, 1.0]))
    assert not c.ok and not np.isfinite(c.max_residual)


def test_many_neuron_1d_path_agrees_with_dense_evaluation():
    rng = np.random.default_rng(0)
    knots = np.sort(rng.uniform(-1, 1, 3000))
    net = ReLUNetwork.from_knots(knots, rng.standard_normal(3000), 0.3, -0.2)
    x = rng.uniform(-1.2, 1.2, 4000)  # unsorted; N * K above the dense block: sorted-knot path
    H = np.maximum(x[:, None] * net.W[:, 0] + net.b, 0.0)
    dense = H @ net.v + 0.3 * x - 0.2
    np.testing.assert_allclose(net.predict(x), dense, rtol=0, atol=1e-10)
    left = ReLUNetwork(-net.W, -net.b, net.v, a=[0.3], c=-0.2, skip=True)  # left-facing neurons
    H = np.maximum(-x[:, None] * net.W[:, 0] - net.b, 0.0)
    np.testing.assert_allclose(left.predict(x), H @ net.v + 0.3 * x - 0.2, rtol=0, atol=1e-10)
    assert check_interpolation(net, x, dense).ok


@pytest.mark.parametrize("n_knots", [5, 3000])  # dense path, sorted-knot path
def test_predict_with_scale_matches_the_two_passes(n_knots):
    rng = np.random.default_rng(n_knots)
    W = rng.choice([-1.0, 0.0, 1.0], n_knots) * rng.uniform(0.5, 2, n_knots)
    net = ReLUNetwork(
        W[:, None], rng.standard_normal(n_knots), rng.standard_normal(n_knots), a=[0.7], c=0.1, skip=True
    )
    x = rng.uniform(-2, 2, 4000)
    pred, scale = net.predict_with_scale(x)
    np.testing.assert_allclose(pred, net.predict(x), rtol=0, atol=1e-9)
    np.testing.assert_allclose(scale, net.evaluation_scale(x), rtol=1e-12)
    H = np.maximum(x[:, None] * W + net.b, 0.0)
    np.testing.assert_allclose(pred, H @ net.v + 0.7 * x + 0.1, rtol=0, atol=1e-9)

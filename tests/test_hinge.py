"""The additive hinge fit (vertex-sparse d-D interpolation at scale) and its use by the trainer."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsest.train.hinge import _exact, _neurons, hinge_fit
from sparsest.train.sparsest import fit_sparsest


def _data(n: int, d: int, seed: int):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = np.sin(X[:, 0]) + X[:, 1] ** 2 - X[:, -1] + 0.3 * rng.normal(size=n)
    return X, y


@settings(max_examples=12, deadline=None)
@given(n=st.integers(3, 40), d=st.integers(2, 4), seed=st.integers(0, 10_000))
def test_hinge_fit_interpolates_with_single_input_neurons(n, d, seed):
    X, y = _data(n, d, seed)
    net = hinge_fit(X, y)
    assert net is not None  # every input has distinct values: the LP is feasible
    assert net.max_residual(X, y) <= 1e-10 * (1 + np.max(np.abs(y)))
    # every neuron reads at most one input (the constant neuron none)
    assert np.all((net.W != 0).sum(axis=1) <= 1)
    # a vertex has at most N positive ray coefficients: at most N neurons of 2 nonzeros each
    assert net.n_nonzero(True) <= 2 * n
    # the generic lower bound: labels in general position need a nonzero per point
    assert net.n_nonzero(True) >= n


def test_hinge_fit_is_sparse_on_diabetes_scale_data():
    X, y = _data(300, 6, 0)
    net = hinge_fit(X, y)
    assert net is not None
    assert net.max_residual(X, y) <= 1e-10 * (1 + np.max(np.abs(y)))
    # re-weighting pairs hinges into knots inside gaps: far below the 2N of single hinges
    assert net.n_nonzero(True) <= 1.6 * 300


def test_hinge_fit_deterministic():
    X, y = _data(60, 3, 4)
    a, b = hinge_fit(X, y), hinge_fit(X, y)
    assert np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b) and np.array_equal(a.v, b.v)


def test_hinge_fit_none_when_no_additive_interpolant():
    # XOR on the square: an additive g1(x1) + g2(x2) has f(0,0) + f(1,1) = f(0,1) + f(1,0); XOR has 0 ≠ 2
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0.0, 1.0, 1.0, 0.0])
    assert hinge_fit(X, y) is None


def test_pairing_of_adjacent_hinges_is_the_same_function():
    # two hinges at adjacent knots of one input are one ReLU on the data
    x = np.array([0.0, 1.0, 2.0, 3.0])
    X = x[:, None]
    lam = np.array([0.7, 0.3])
    knots = np.array([1.0, 2.0])
    keys = [(0, 1.0, 1), (0, 1.0, 2)]
    neurons = _neurons(lam, knots, keys)
    assert len(neurons) == 1 and len(neurons[0][2]) == 2
    target = 0.7 * np.maximum(x - 1, 0) + 0.3 * np.maximum(x - 2, 0)
    fixed = _exact(X, target, neurons)
    from sparsest.train.hinge import _network

    net = _network(fixed, 1)
    assert net.width == 1
    np.testing.assert_allclose(net.predict(X), target, atol=1e-12)
    # the knot lies inside the gap [1, 2]
    t = -net.b[0] / net.W[0, 0]
    assert 1.0 <= t <= 2.0


@pytest.mark.parametrize("seed", [0])
def test_trainer_uses_hinge_fit_at_scale(seed):
    # N × width above the pattern-row limit: the trainer's answer is vertex-sparse (≈ N nonzeros),
    # not the output layer's ≈ (d + 1) N
    X, y = _data(240, 5, seed)
    fit = fit_sparsest(X, y, seed=seed, epochs=60)
    assert fit.interpolates
    assert fit.max_residual <= 1e-10 * (1 + np.max(np.abs(y)))
    assert fit.n_nonzero <= 1.6 * 240

"""Penalties and proximal steps: hand-computed values, invariants, and agreement with ReLUNetwork."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from sparsest.errors import ParameterError
from sparsest.network import ReLUNetwork
from sparsest.train.penalties import (
    lp_path_norm,
    path_products,
    pathprox_step_,
    prox_weighted_l1,
    reweighted_prox_step_,
    reweighted_thresholds,
)
from sparsest.train.torchnet import TorchReLUNet


def _model(W, b, v, skip=False):
    return TorchReLUNet.from_network(ReLUNetwork(W, b, v, skip=skip))


def _random_net(seed: int, d: int, K: int, zero_frac: float = 0.3) -> ReLUNetwork:
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(K, d)) * (rng.random((K, d)) > zero_frac)
    b = rng.normal(size=K) * (rng.random(K) > zero_frac)
    v = rng.normal(size=K) * (rng.random(K) > zero_frac)
    return ReLUNetwork(W, b, v, skip=False)


# ------------------------------------------------------------------------------------ pure functions
def test_prox_weighted_l1_hand_computed():
    z = torch.tensor([3.0, -2.0, 0.5, -0.1, 0.0, 1.0], dtype=torch.float64)
    C = torch.tensor([1.0, 1.0, 1.0, math.inf, 0.0, 0.0], dtype=torch.float64)
    u = prox_weighted_l1(z, C)
    assert u.tolist() == [2.0, -1.0, 0.0, 0.0, 0.0, 1.0]
    with pytest.raises(ParameterError):
        prox_weighted_l1(z, -1.0)


def test_reweighted_thresholds_hand_computed():
    z_prev = torch.tensor([1.0, 0.25, 0.0, -4.0], dtype=torch.float64)
    C = reweighted_thresholds(z_prev, p=0.5, lam=0.1, lr=0.01)
    # λγp |z|^{p-1} = 5e-4 * |z|^{-1/2}; +inf at zero
    expected = [5e-4, 1e-3, math.inf, 2.5e-4]
    assert C.tolist() == pytest.approx(expected, rel=1e-15)
    C1 = reweighted_thresholds(z_prev, p=1.0, lam=0.1, lr=0.01)
    assert C1.tolist() == pytest.approx([1e-3] * 4, rel=1e-15)  # p = 1: plain soft threshold, zeros too
    with pytest.raises(ParameterError, match="p must be"):
        reweighted_thresholds(z_prev, p=0.0, lam=0.1, lr=0.01)
    with pytest.raises(ParameterError, match="lam"):
        reweighted_thresholds(z_prev, p=0.5, lam=-1.0, lr=0.01)


def test_path_products_layout():
    net = _random_net(0, 3, 5)
    m = TorchReLUNet.from_network(net)
    for inc in (None, True, False):
        np.testing.assert_array_equal(path_products(m, inc).detach().numpy(), net.path_products(inc))
    Z = path_products((m.W, m.b, m.v), True)
    assert Z.shape == (5, 4)


@given(
    seed=st.integers(0, 10_000),
    d=st.integers(1, 4),
    K=st.integers(1, 6),
    p=st.sampled_from([0.0, 0.1, 0.4, 0.7, 1.0]),
    inc=st.sampled_from([None, True, False]),
)
def test_lp_path_norm_matches_network(seed, d, K, p, inc):
    net = _random_net(seed, d, K)
    m = TorchReLUNet.from_network(net)
    val = lp_path_norm(m, p, inc).item()
    assert val == pytest.approx(net.lp_path_norm(p, inc), rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("p", [0.1, 0.4, 1.0])
def test_lp_path_norm_gradient_finite_at_zero(p):
    # neuron 0 has v = 0 (all its products are zero), neuron 1 has a zero input weight
    m = _model([[1.0, 2.0], [0.0, -3.0], [0.5, 0.5]], [0.5, 0.0, -1.0], [0.0, 2.0, -1.0])
    val = lp_path_norm(m, p, include_bias=True)
    val.backward()
    for prm in m.parameters():
        assert torch.isfinite(prm.grad).all(), prm.grad
    # analytic gradient wrt the products where they are nonzero, 0 where they are zero
    Z = path_products(m, True).detach().requires_grad_(True)
    nz = Z != 0
    safe = torch.where(nz, Z, torch.ones_like(Z))
    torch.where(nz, safe.abs() ** p, torch.zeros_like(Z)).sum().backward()
    g = Z.grad
    expect = torch.where(nz, p * Z.abs().clamp_min(1e-300) ** (p - 1) * torch.sign(Z), torch.zeros_like(Z))
    torch.testing.assert_close(g, expect)
    assert g[0].abs().sum() == 0 and g[1, 0] == 0 and g[1, 2] == 0


# ------------------------------------------------------------------------------------ reweighted step
def test_reweighted_step_hand_computed_1d():
    # z = v w = (6, -0.5); p = 1, λγ = 1: u = (5, 0) -> neuron 0 keeps v = w = √5, neuron 1 dies
    W, b, v = [[2.0], [1.0]], [1.0, -1.0], [3.0, -0.5]
    for mode in ("consistent", "paper"):
        m = _model(W, b, v)
        prev = path_products(m, False).detach()
        info = reweighted_prox_step_(m, prev, p=1.0, lam=10.0, lr=0.1, mode=mode, penalize_bias=False)
        r5 = math.sqrt(5.0)
        assert m.W[:, 0].tolist() == pytest.approx([r5, 0.0], rel=1e-15)
        assert m.v[0].item() == pytest.approx(r5, rel=1e-15)
        if mode == "consistent":  # bias rescaled with w: knot -b/w = -1/2 kept; dead neuron vanishes
            assert m.b.tolist() == pytest.approx([r5 / 2.0, 0.0], rel=1e-15)
        else:  # published code: bias untouched, so the knot moves to -1/√5; dead neuron keeps b, v
            assert m.b.tolist() == [1.0, -1.0]
            assert m.v[1].item() == -0.5
        assert info.products[:, 0].tolist() == pytest.approx([5.0, 0.0], rel=1e-14)
        assert info.n_zeroed == 1 and info.n_dead == 1


def test_reweighted_step_hand_computed_dd_bias_penalized():
    # z = (3, 4, 0) (bias product zero); p = 1, λγ = 1 -> u = (2, 3, 0); n = √13
    m = _model([[3.0, 4.0]], [0.0], [1.0])
    prev = path_products(m, True).detach()
    reweighted_prox_step_(m, prev, p=1.0, lam=1.0, lr=1.0, penalize_bias=True)
    n = math.sqrt(13.0)
    assert m.v.item() == pytest.approx(math.sqrt(n), rel=1e-15)
    assert m.W[0].tolist() == pytest.approx([2.0 / math.sqrt(n), 3.0 / math.sqrt(n)], rel=1e-15)
    assert m.b.item() == 0.0
    # rebalanced: |v| = ||[w; b]||_2, products = u
    assert m.v.abs().item() == pytest.approx(torch.linalg.vector_norm(m.W[0]).item(), rel=1e-14)
    assert path_products(m, True).tolist()[0] == pytest.approx([2.0, 3.0, 0.0], rel=1e-14)


@given(seed=st.integers(0, 10_000), p=st.sampled_from([0.2, 0.4, 0.7, 0.99]), d=st.integers(1, 3))
def test_zero_product_stays_zero(seed, p, d):
    rng = np.random.default_rng(seed)
    m = TorchReLUNet.from_network(_random_net(seed, d, 6, zero_frac=0.0))
    prev = path_products(m, True).detach().clone()
    zero = torch.as_tensor(rng.random(prev.shape) < 0.4)
    prev[zero] = 0.0  # previous iterate had these products at zero; the current ones are all nonzero
    info = reweighted_prox_step_(m, prev, p=p, lam=1e-3, lr=1e-2, penalize_bias=True)
    assert (info.products[zero] == 0).all()
    assert (path_products(m, True)[zero] == 0).all()


def _knots(m):
    return (-m.b / m.W[:, 0]).detach().numpy()


@given(seed=st.integers(0, 10_000), p=st.sampled_from([0.4, 0.7, 1.0]))
def test_consistent_mode_preserves_knots_paper_mode_moves_them(seed, p):
    net = _random_net(seed, 1, 8, zero_frac=0.0)
    m_c, m_p = TorchReLUNet.from_network(net), TorchReLUNet.from_network(net)
    before = _knots(m_c)
    prev = path_products(m_c, False).detach()
    reweighted_prox_step_(m_c, prev, p=p, lam=1e-3, lr=1e-2, mode="consistent", penalize_bias=False)
    reweighted_prox_step_(m_p, prev, p=p, lam=1e-3, lr=1e-2, mode="paper", penalize_bias=False)
    alive = (m_c.W[:, 0] != 0).numpy()
    assert alive.sum() >= 1
    np.testing.assert_allclose(_knots(m_c)[alive], before[alive], rtol=1e-13, atol=1e-15)
    # paper mode: b untouched while |w| is rebalanced to sqrt|u|, so knots move (unless |w| did not change)
    moved = np.abs(_knots(m_p)[alive] - before[alive])
    w_changed = np.abs(np.abs(m_p.W[:, 0].detach().numpy()[alive]) - np.abs(net.W[alive, 0])) > 1e-6
    assert np.all(moved[w_changed] > 1e-9) and w_changed.any()


@pytest.mark.parametrize("d,pen", [(1, False), (3, False), (3, True)])
def test_lam_zero_consistent_step_preserves_function(d, pen):
    net = _random_net(7, d, 10, zero_frac=0.0)
    m = TorchReLUNet.from_network(net)
    X = np.random.default_rng(1).normal(size=(50, d))
    prev = path_products(m, pen).detach()
    reweighted_prox_step_(m, prev, p=0.4, lam=0.0, lr=0.01, mode="consistent", penalize_bias=pen)
    np.testing.assert_allclose(m.to_network().predict(X), net.predict(X), rtol=1e-12, atol=1e-12)
    if d == 1:  # and paper mode does not preserve it (its rebalancing moves knots)
        m2 = TorchReLUNet.from_network(net)
        reweighted_prox_step_(m2, prev, p=0.4, lam=0.0, lr=0.01, mode="paper", penalize_bias=False)
        assert np.max(np.abs(m2.to_network().predict(X) - net.predict(X))) > 1e-3


def test_consistent_mode_dd_keeps_hyperplane_distance():
    net = _random_net(3, 4, 6, zero_frac=0.0)
    m = TorchReLUNet.from_network(net)
    dist0 = (m.b / torch.linalg.vector_norm(m.W, dim=1)).detach().clone()
    prev = path_products(m, False).detach()
    reweighted_prox_step_(m, prev, p=0.5, lam=0.05, lr=0.1, mode="consistent", penalize_bias=False)
    alive = torch.linalg.vector_norm(m.W, dim=1) > 0
    dist1 = m.b / torch.linalg.vector_norm(m.W, dim=1)
    torch.testing.assert_close(dist1[alive], dist0[alive], rtol=1e-13, atol=0)


def test_reweighted_step_errors():
    m = _model([[1.0]], [0.0], [1.0])
    with pytest.raises(ParameterError, match="mode"):
        reweighted_prox_step_(m, torch.ones(1, 1, dtype=torch.float64), p=0.5, lam=0.1, lr=0.1, mode="x")
    with pytest.raises(ParameterError, match="prev must have shape"):
        reweighted_prox_step_(m, torch.ones(1, 2, dtype=torch.float64), p=0.5, lam=0.1, lr=0.1)


# ------------------------------------------------------------------------------------ pathprox
def test_pathprox_hand_computed():
    # neuron 0: w = (3, 4), v = 0.2 -> normalized v = 1.0, w = (0.6, 0.8); threshold λγ = 0.5 -> v = 0.5
    # neuron 1: |v|·||w|| = 0.1 < 0.5 -> removed (w = b = 0)
    m = _model([[3.0, 4.0], [1.0, 0.0]], [1.0, 2.0], [0.2, 0.1])
    pathprox_step_(m, lam=5.0, lr=0.1, penalize_bias=False)
    assert m.W.tolist() == [pytest.approx([0.6, 0.8], rel=1e-15), [0.0, 0.0]]
    assert m.b.tolist() == pytest.approx([0.2, 0.0], rel=1e-15)
    assert m.v.tolist() == pytest.approx([0.5, 0.0], rel=1e-15)


def test_pathprox_lam_zero_preserves_function():
    net = _random_net(11, 2, 7, zero_frac=0.0)
    m = TorchReLUNet.from_network(net)
    X = np.random.default_rng(2).normal(size=(40, 2))
    pathprox_step_(m, lam=0.0, lr=0.01)
    np.testing.assert_allclose(m.to_network().predict(X), net.predict(X), rtol=1e-12, atol=1e-12)
    assert torch.allclose(
        torch.linalg.vector_norm(torch.cat([m.W, m.b[:, None]], 1), dim=1), torch.ones(7, dtype=torch.float64)
    )

"""The network model: function-preserving operations, path norms, counts, torch round trip."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from sparsest.errors import ParameterError
from sparsest.network import ReLUNetwork
from sparsest.train.torchnet import TorchReLUNet, torch_default_init


def _random_net(seed: int, d: int, K: int, *, skip: bool, dup: bool = True) -> ReLUNetwork:
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((K, d))
    b = rng.standard_normal(K)
    v = rng.standard_normal(K)
    if dup and K >= 4:
        # coincident hyperplanes: same orientation (scaled copy) and opposite orientation
        W[1], b[1] = 2.5 * W[0], 2.5 * b[0]
        W[2], b[2] = -0.5 * W[0], -0.5 * b[0]
        v[3] = 0.0  # dead by output weight
        W[K - 1], b[K - 1] = 0.0, -1.0  # dead: constant 0
    a = rng.standard_normal(d) if skip else None
    c = float(rng.standard_normal()) if skip else 0.0
    return ReLUNetwork(W, b, v, a=a, c=c, skip=skip)


nets = st.builds(
    _random_net,
    seed=st.integers(0, 10_000),
    d=st.integers(1, 4),
    K=st.integers(0, 9),
    skip=st.booleans(),
)


def _points(d, seed=0, n=400):
    return np.random.default_rng(seed).uniform(-4, 4, (n, d))


@given(nets)
def test_function_preserving_operations(net):
    X = _points(net.n_features)
    f = net.predict(X)
    for other in (net.balanced(), net.canonicalize(), ReLUNetwork.from_dict(net.to_dict())):
        np.testing.assert_allclose(other.predict(X), f, atol=1e-9 * (1 + np.abs(f).max(initial=0)))
    if net.n_features == 1:
        kv = net.knots_1d()
        np.testing.assert_allclose(kv(X[:, 0]), f, atol=1e-9 * (1 + np.abs(f).max(initial=0)))
        back = ReLUNetwork.from_knots(kv.knots, kv.jumps, kv.slope, kv.intercept)
        np.testing.assert_allclose(back.predict(X), f, atol=1e-9 * (1 + np.abs(f).max(initial=0)))


@given(nets, st.sampled_from([0.1, 0.4, 0.7, 1.0]))
def test_canonicalize_never_raises_the_cost(net, p):
    for include_bias in (None, True, False):
        before = net.lp_path_norm(p, include_bias)
        after = net.canonicalize(include_bias).lp_path_norm(p, include_bias)
        assert after <= before * (1 + 1e-12) + 1e-12
    canon = net.canonicalize()
    assert canon.n_active_neurons() <= net.n_active_neurons()


def test_canonicalize_merges_and_drops():
    net = _random_net(1, 2, 6, skip=True)
    canon = net.canonicalize()
    # neurons 0, 1, 2 share a hyperplane, 3 and 5 are dead: 6 -> 2 (0+1+2 merged, and 4)
    assert canon.width == 2
    # without the skip term opposite orientations cannot be merged
    net_noskip = _random_net(1, 2, 6, skip=False)
    assert net_noskip.canonicalize().width == 3
    # canonical forms of a permuted, rescaled copy are equal
    perm = np.array([4, 2, 0, 5, 1, 3])
    s = np.array([0.5, 2.0, 3.0, 1.0, 7.0, 0.1])
    other = ReLUNetwork(
        net.W[perm] * s[:, None], net.b[perm] * s, net.v[perm] / s, a=net.a, c=net.c, skip=True
    )
    assert other.allclose(net)


def test_balanced_property():
    net = _random_net(2, 3, 5, skip=False, dup=False)
    bal = net.balanced()
    norms = np.linalg.norm(np.c_[bal.W, bal.b], axis=1)
    np.testing.assert_allclose(np.abs(bal.v), norms)
    net1 = _random_net(2, 1, 5, skip=True, dup=False).balanced()
    np.testing.assert_allclose(np.abs(net1.v), np.abs(net1.W[:, 0]))


def test_path_norms_and_counts_by_hand():
    W = np.array([[1.0, -2.0], [0.0, 0.0], [3.0, 0.0]])
    b = np.array([0.5, 1.0, 0.0])
    v = np.array([2.0, 0.0, -1.0])
    net = ReLUNetwork(W, b, v)  # d = 2: bias penalized by default, skip off
    # products: [2, -4, 1], [0, 0, 0], [-3, 0, 0]
    assert net.lp_path_norm(1.0) == pytest.approx(2 + 4 + 1 + 3)
    assert net.lp_path_norm(0.5) == pytest.approx(2**0.5 + 2 + 1 + 3**0.5)
    assert net.lp_path_norm(1.0, include_bias=False) == pytest.approx(2 + 4 + 3)
    assert net.n_nonzero() == 4 and net.n_nonzero(include_bias=False) == 3
    assert net.n_active_neurons() == 2
    assert net.lp_path_norm(0.0) == 4
    # 1-D: biases free
    n1 = ReLUNetwork([[2.0], [-1.0]], [5.0, 1.0], [0.5, 3.0])
    assert n1.lp_path_norm(1.0) == pytest.approx(1 + 3)
    assert n1.lp_path_norm(0.5, include_bias=True) == pytest.approx(1 + 2.5**0.5 + 3**0.5 + 3**0.5)


def test_count_tolerance_is_relative():
    net = ReLUNetwork([[1.0], [1.0]], [0.0, 1.0], [1.0, 1e-8])
    assert net.n_active_neurons() == 1  # 1e-8 <= 1e-6 * 1
    assert net.n_active_neurons(rtol=0) == 2
    scaled = ReLUNetwork([[1e5], [1e5]], [0.0, 1e5], [1e5, 1e-3])
    assert scaled.n_active_neurons() == 1


def test_large_1d_fast_path_matches_dense():
    rng = np.random.default_rng(0)
    net = ReLUNetwork(
        rng.standard_normal((300, 1)), rng.standard_normal(300), rng.standard_normal(300), a=[0.3], c=0.2
    )
    x = rng.standard_normal(20_000)  # N*K above the dense threshold
    H = np.maximum(x[:, None] * net.W[:, 0] + net.b, 0)
    np.testing.assert_allclose(net.predict(x), H @ net.v + 0.3 * x + 0.2, atol=1e-10)
    active = (x[:, None] * net.W[:, 0] + net.b) > 0
    B = ((np.abs(x)[:, None] * np.abs(net.W[:, 0]) + np.abs(net.b)) * active) @ np.abs(net.v)
    np.testing.assert_allclose(net.evaluation_scale(x), B + 0.3 * np.abs(x) + 0.2, rtol=1e-12)


def test_validation():
    with pytest.raises(ParameterError, match="b and v"):
        ReLUNetwork(np.ones((3, 2)), np.ones(2), np.ones(3))
    with pytest.raises(ParameterError, match="skip"):
        ReLUNetwork(np.ones((1, 2)), [0.0], [1.0], a=[1.0, 0.0], skip=False)
    with pytest.raises(ParameterError, match="NaN"):
        ReLUNetwork([[np.nan]], [0.0], [1.0])
    with pytest.raises(ParameterError, match="p must"):
        ReLUNetwork([[1.0]], [0.0], [1.0]).lp_path_norm(2.0)


@pytest.mark.parametrize("d, skip", [(1, True), (3, False), (2, True)])
def test_torch_round_trip(d, skip):
    net = _random_net(5, d, 6, skip=skip, dup=False)
    mod = TorchReLUNet.from_network(net)
    X = _points(d)
    with torch.no_grad():
        out = mod(torch.as_tensor(X)).numpy()
    np.testing.assert_allclose(out, net.predict(X), rtol=1e-13, atol=1e-13)
    assert mod.to_network().allclose(net)


def test_torch_default_init_matches_global_rng_stream():
    W, b, v = torch_default_init(1, 80, seed=20)
    state = torch.random.get_rng_state()
    try:
        torch.manual_seed(20)
        hidden = torch.nn.Linear(1, 80)
        output = torch.nn.Linear(80, 1, bias=False)
    finally:
        torch.random.set_rng_state(state)
    np.testing.assert_array_equal(W, hidden.weight.detach().double().numpy())
    np.testing.assert_array_equal(b, hidden.bias.detach().double().numpy())
    np.testing.assert_array_equal(v, output.weight.detach().double().numpy()[0])

"""The compact univariate patterns of the polish's LP (gap indices instead of a dense N × J matrix).

Oracles: the dense construction of the same LP (``_Problem(..., compact=False)``), and the exact 1-D
dynamic program (:func:`sparsest.exact.solve_1d`) for the fewest knots of a polished fit.
"""

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sparsest.train.polish as polish_mod
from sparsest.exact import solve_1d
from sparsest.network import ReLUNetwork
from sparsest.train.polish import _gap_patterns, _Problem, n_knots, polish


def _data(n: int, seed: int, shuffle: bool, noise: float):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-2.0, 2.0, n))
    y = np.tanh(2.0 * x) + noise * rng.standard_normal(n)
    if shuffle:
        p = rng.permutation(n)
        x, y = x[p], y[p]
    return x, y, rng


def _hyperplanes(x: np.ndarray, rng: np.random.Generator, J: int) -> np.ndarray:
    """Random hyperplanes ``[w, b]`` of both orientations; a fifth with the root on a data point
    (the dense construction's "on" variant), some of them exactly."""
    w = rng.choice([-1.0, 1.0], J) * rng.uniform(0.5, 2.0, J)
    roots = rng.uniform(-2.2, 2.2, J)
    k = rng.integers(0, x.size, J // 5)
    roots[: J // 5] = x[k] * (1 + 1e-13 * rng.standard_normal(k.size))
    b = -w * roots
    b[: J // 10] = -w[: J // 10] * x[k[: J // 10]]  # pre = 0 exactly at that point
    return np.c_[w, b]


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    n=st.integers(49, 200),
    seed=st.integers(0, 10**6),
    shuffle=st.booleans(),
    signs=st.sampled_from(["both", "random"]),
)
def test_compact_lp_is_the_dense_lp_entry_for_entry(n, seed, shuffle, signs):
    x, y, rng = _data(n, seed, shuffle, 1e-3)
    H = _hyperplanes(x, rng, 3 * n)
    sm = None if signs == "both" else rng.random((H.shape[0], 2)) < 0.7
    dense = _Problem(x[:, None], y, H, True, False, "neurons", sign_mask=sm, compact=False)
    comp = _Problem(x[:, None], y, H, True, False, "neurons", sign_mask=sm)
    assert comp.compact and comp.A is None and not dense.compact and dense.curvature
    assert comp.J == dense.J <= n - 1
    assert np.array_equal(comp.col_pat, dense.col_pat) and np.array_equal(comp.signs, dense.signs)
    cols = np.arange(dense.P)
    assert np.array_equal(comp.pattern_cols(cols), dense.pattern_cols(cols))
    for a, b in ((comp.A_eq, dense.A_eq), (comp.A_ub, dense.A_ub)):
        assert a.shape == b.shape
        assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
        assert np.array_equal(a.data, b.data)
    assert np.array_equal(comp.row_lo, dense.row_lo) and np.array_equal(comp.row_hi, dense.row_hi)
    i, j = rng.integers(0, dense.P, 9), rng.integers(0, dense.P, 7)
    assert np.array_equal(comp.hamming(i, j), dense.hamming(i, j))


def test_gap_patterns_match_the_dense_activations():
    rng = np.random.default_rng(3)
    xs = np.sort(rng.uniform(-1, 1, 300))
    H = _hyperplanes(xs, rng, 500)
    gap, var = _gap_patterns(xs, H[:, 0], H[:, 1])
    act = xs[:, None] * H[:, 0] + H[:, 1] > 0  # (N, J)
    pos = H[:, 0] > 0
    want = np.where(pos, (~act).sum(axis=0), act.sum(axis=0))
    assert np.array_equal(gap, want)
    # the variant moves the change across the points on the hyperplane (pre = 0 exactly here)
    exact = np.flatnonzero(xs[np.clip(gap - pos, 0, 299)] * H[:, 0] + H[:, 1] == 0)
    assert exact.size and np.all(var[exact] != gap[exact])


def test_compact_needs_the_curvature_form():
    x = np.linspace(-1, 1, 20)  # 20 points: below the curvature form's size
    with pytest.raises(ValueError, match="curvature form"):
        _Problem(x[:, None], x**2, np.array([[1.0, 0.0]]), True, False, "neurons", compact=True)


@pytest.mark.parametrize(("n", "seed", "noise"), [(150, 0, 0.0), (240, 1, 1e-3)])
def test_polish_with_compact_patterns_gives_the_dense_polish(monkeypatch, n, seed, noise):
    """Same LPs, same polished network (reweighting, the deletion search with its Hamming
    distances, the re-fit and the dense re-solve), and an exact fit."""
    x, y, rng = _data(n, seed, False, noise)
    mids = 0.5 * (x[1:] + x[:-1])
    H = np.c_[np.ones(2 * mids.size), -np.r_[mids, mids + 1e-3 * rng.standard_normal(mids.size)]]
    start = ReLUNetwork(H[:, :1], H[:, 1], np.zeros(H.shape[0]), a=np.zeros(1), c=0.0, skip=True)

    def run():
        return polish(
            start, x[:, None], y, objective="neurons", include_bias=False, fit_rtol=5e-11, lp_budget=40
        )

    comp = run()
    monkeypatch.setattr(polish_mod, "_Problem", functools.partial(_Problem, compact=False))
    dense = run()
    assert comp.n_lp == dense.n_lp > 4
    for f in ("W", "b", "v", "a"):
        assert np.array_equal(getattr(comp.network, f), getattr(dense.network, f))
    assert comp.network.c == dense.network.c
    assert comp.interpolates and n_knots(comp.network) >= solve_1d(x, y).n_neurons


@pytest.mark.parametrize("case", [0, 1, 5])
def test_trainer_reaches_the_exact_optimum_at_a_few_hundred_points(case):
    """The trainer's 1-D path (compact LPs, moves, windows) on the recovery benchmark's curves:
    an exact fit with the fewest knots (referee: the exact 1-D dynamic program)."""
    from sparsest.train.engine import train

    rng = np.random.default_rng(300 + case)
    x = np.sort(rng.uniform(-2, 2, 300))
    y = [np.sin(3 * x), np.tanh(2 * x)][case % 2] + (1e-3 * rng.standard_normal(300) if case > 3 else 0)
    res = train(x, y, method="sparsest", seed=case, progress=False)
    assert res.converged and res.max_residual <= 1e-10 * (1 + np.max(np.abs(y)))
    assert n_knots(res.network) == solve_1d(x, y).n_neurons

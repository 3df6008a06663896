"""Safeguards of the 1-D polish at large N: the line repair and the windowed search's LP cap.

Oracles: the float64 forward pass for the values at the data points, the exact 1-D dynamic program
(:func:`sparsest.exact.solve_1d`) for the fewest knots.
"""

import numpy as np
import pytest

from sparsest.exact import solve_1d
from sparsest.network import ReLUNetwork
from sparsest.train.polish import n_knots, polish_windows_1d, refit_lines_1d, repair_lines_1d


def _connect_the_dots(x, y):
    s = np.diff(y) / np.diff(x)
    return ReLUNetwork.from_knots(x[1:-1], np.diff(s), s[0], y[0] - s[0] * x[0])


def _data(n, seed, noise=0.0):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-2.0, 2.0, n))
    return x, np.sin(3.0 * x) + noise * rng.standard_normal(n), rng


@pytest.mark.parametrize("seed", range(6))
def test_repair_makes_a_wrong_knot_set_an_exact_fit(seed):
    x, y, rng = _data(300, seed)
    tol = 1e-10 * (1 + np.max(np.abs(y)))
    kv = solve_1d(x, y).network.knots_1d(merge_tol=0.0)
    # a wrong knot set: drop a few knots and shift a few others by a gap or two
    keep = rng.random(kv.knots.size) > 0.1
    kn = kv.knots[keep] + np.where(rng.random(int(keep.sum())) < 0.1, 0.02, 0.0)
    near = ReLUNetwork.from_knots(np.sort(kn), kv.jumps[keep][np.argsort(kn)], kv.slope, kv.intercept)
    assert not refit_lines_1d(near, x[:, None], y).interpolates
    out = repair_lines_1d(near, x[:, None], y)
    assert out is not None
    assert np.max(np.abs(out.predict(x[:, None]).reshape(-1) - y)) <= tol
    # only the wrong segments are re-interpolated: far fewer knots than one per point
    assert n_knots(out) < 0.8 * (x.size - 2)


def test_repair_keeps_an_exact_fit_and_handles_both_ends():
    x, y, _ = _data(60, 7)
    exact = solve_1d(x, y).network
    out = repair_lines_1d(exact, x[:, None], y)
    assert out is not None and n_knots(out) == n_knots(exact)
    # a network with no knots at all: every segment is wrong, the repair interpolates every point
    flat = ReLUNetwork.from_knots(np.zeros(0), np.zeros(0), 0.0, 0.0)
    out = repair_lines_1d(flat, x[:, None], y)
    assert out is not None
    assert np.max(np.abs(out.predict(x[:, None]).reshape(-1) - y)) <= 1e-10 * (1 + np.max(np.abs(y)))
    assert n_knots(out) <= n_knots(_connect_the_dots(x, y))


def test_window_search_respects_its_lp_cap():
    x, y, _ = _data(120, 3, noise=1e-3)
    dots = _connect_the_dots(x, y)
    H = np.c_[np.ones(x.size - 1), -(x[1:] + x[:-1]) / 2]
    free = polish_windows_1d(dots, x[:, None], y, H, sweeps=1)
    cap = free.n_lp // 4
    assert cap >= 8
    capped = polish_windows_1d(dots, x[:, None], y, H, sweeps=1, max_lp=cap)
    # the last window may finish its reweighting (4 LPs) and one chain step beyond the cap
    assert capped.n_lp <= cap + 12
    assert capped.interpolates and n_knots(capped.network) <= n_knots(dots)
    assert np.max(np.abs(capped.network.predict(x[:, None]).reshape(-1) - y)) <= 1e-10 * (
        1 + np.max(np.abs(y))
    )


def test_gradients_on_blocks_of_points_match_the_full_pass(monkeypatch):
    import torch

    import sparsest.train.sparsest as ss

    gen = torch.Generator().manual_seed(0)
    R, N, K = 3, 50, 7
    X = torch.randn(N, 1, generator=gen, dtype=torch.float64)
    y = torch.randn(N, generator=gen, dtype=torch.float64)
    W = torch.randn(R, K, 1, generator=gen, dtype=torch.float64)
    b, v = (torch.randn(R, K, generator=gen, dtype=torch.float64) for _ in range(2))
    a, c = (
        torch.randn(R, 1, generator=gen, dtype=torch.float64),
        torch.randn(R, generator=gen, dtype=torch.float64),
    )
    lo, hi = y - 0.1, y + 0.1
    for bounds in ((None, None), (lo, hi)):
        full = ss._mse_and_gradients(X, y, W, b, v, a, c, True, *bounds)
        monkeypatch.setattr(ss, "_CHUNK_ELEMS", R * K * 8)  # blocks of 8 points (the last one 2)
        part = ss._mse_and_gradients(X, y, W, b, v, a, c, True, *bounds)
        monkeypatch.undo()
        torch.testing.assert_close(part[0], full[0], rtol=1e-12, atol=1e-14)
        torch.testing.assert_close(part[1], full[1], rtol=1e-12, atol=1e-14)
        for gp, gf in zip(part[2], full[2], strict=True):
            torch.testing.assert_close(gp, gf, rtol=1e-12, atol=1e-14)

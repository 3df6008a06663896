"""The parity-shift move of the 1-D polish: known answers on convex data (a brute-force count)."""

import numpy as np

from sparsest.exact import solve_1d
from sparsest.network import ReLUNetwork
from sparsest.train.polish import parity_shift_1d


def _pair_knot(x, y, k):
    s = np.diff(y) / np.diff(x)
    ju = s[k + 1] - s[k - 1]
    u = (y[k + 1] - s[k + 1] * x[k + 1] - y[k] + s[k - 1] * x[k]) / -ju
    return u, ju


def test_out_of_step_pairing_loses_one_knot_and_reaches_the_optimum():
    x = np.linspace(-1.0, 1.0, 8)
    y = x**2 + 0.1 * x**3  # convex on the data: interior points 1..6, one run of 6
    s = np.diff(y) / np.diff(x)
    # lone knots at points 1 and 4, pairs (2, 3) and (5, 6): 4 knots, optimum 3
    u23, j23 = _pair_knot(x, y, 2)
    u56, j56 = _pair_knot(x, y, 5)
    knots = np.array([x[1], u23, x[4], u56])
    jumps = np.array([s[1] - s[0], j23, s[4] - s[3], j56])
    net = ReLUNetwork.from_knots(knots, jumps, s[0], y[0] - s[0] * x[0])
    assert net.max_residual(x[:, None], y) < 1e-12
    r = parity_shift_1d(net, x[:, None], y, fit_rtol=1e-10)
    assert r.interpolates
    assert r.n_active == 3 == solve_1d(x, y).n_neurons
    # already in step: nothing to do
    again = parity_shift_1d(r.network, x[:, None], y, fit_rtol=1e-10)
    assert again.n_active == 3


def test_lone_knots_of_opposite_curvature_are_left_alone():
    x = np.linspace(-2.0, 2.0, 9)
    y = np.sin(2 * x)
    net = ReLUNetwork.from_knots(
        x[1:-1], np.diff(np.diff(y) / np.diff(x)), (y[1] - y[0]) / (x[1] - x[0]), 0.0
    )
    net = ReLUNetwork.from_knots(
        x[1:-1],
        np.diff(np.diff(y) / np.diff(x)),
        (y[1] - y[0]) / (x[1] - x[0]),
        y[0] - (y[1] - y[0]) / (x[1] - x[0]) * x[0],
    )
    r = parity_shift_1d(net, x[:, None], y, fit_rtol=1e-10)
    assert r.interpolates
    assert r.n_active >= solve_1d(x, y).n_neurons
    assert r.n_active <= net.n_active_neurons(False)

"""The bounded mode of the trainer (``targets``): fits within per-point bounds, 1-D and d-D."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import cli
from sparsest.estimator import SparseReLURegressor
from sparsest.exact.tube1d import solve_tube_1d
from sparsest.targets import Targets
from sparsest.train.bounded import fit_bounded
from sparsest.train.engine import train
from sparsest.verify import check_targets

FAST = {"epochs": 200, "restarts": 4}


def _sin(n=120, seed=0):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-2, 2, n))
    return x, np.sin(3 * x) + rng.uniform(-0.05, 0.05, n)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("eps", [0.05, 0.2])
def test_1d_tolerance_fit_satisfies_bounds_and_never_beats_the_exact_optimum(seed, eps):
    x, y = _sin(seed=seed)
    t = Targets.tolerance(y, eps)
    fit = fit_bounded(x, t, seed=seed, **FAST)
    assert fit.interpolates and fit.info["satisfies_targets"]
    assert check_targets(fit.network, x, t).ok
    exact = solve_tube_1d(x, t).n_neurons
    assert exact <= fit.n_active <= exact + 4


def test_1d_bounds_and_margins():
    x, y = _sin(n=80)
    lo = np.where(np.arange(80) % 2 == 0, y - 0.1, -np.inf)
    hi = np.where(np.arange(80) % 3 == 0, np.inf, y + 0.1)
    t = Targets.bounds(lo, hi)
    fit = fit_bounded(x, t, seed=0, **FAST)
    assert check_targets(fit.network, x, t).ok
    labels = np.where(np.sin(2 * x) > 0, 1.0, 0.0)
    c = Targets.classification(labels)
    fit = fit_bounded(x, c, seed=0, **FAST)
    assert check_targets(fit.network, x, c).ok
    assert fit.n_active >= solve_tube_1d(x, c).n_neurons


def test_dd_tolerance_fit_is_sparse_and_within_bounds():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (60, 4))
    y = 2.0 * np.maximum(X[:, 0] - X[:, 1], 0) + 0.02 * rng.normal(size=60)
    t = Targets.tolerance(y, 0.1)
    fit = fit_bounded(X, t, seed=0, **FAST)
    assert check_targets(fit.network, X, t).ok
    assert fit.n_nonzero <= 6  # the planted neuron has 3 (two weights and its bias)


def test_dd_classification_margins():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 3))
    labels = (X[:, 0] + 0.5 * X[:, 2] > 0).astype(float)
    t = Targets.classification(labels)
    fit = fit_bounded(X, t, seed=0, **FAST)
    assert check_targets(fit.network, X, t).ok
    pred = np.where(fit.network.predict(X) > 0, 1.0, 0.0)
    assert np.array_equal(pred, labels)


def test_interpolation_targets_take_the_unchanged_path():
    x, y = _sin(n=30)
    a = train(x, y, "sparsest", progress=False, **FAST)
    b = train(x, y, "sparsest", progress=False, targets=Targets.interpolation(y), **FAST)
    assert a.network.allclose(b.network, rtol=0, atol=0)


def test_estimator_epsilon():
    rng = np.random.default_rng(0)
    X = rng.random((40, 3))
    y = 3 * np.maximum(X[:, 0] - 0.5, 0) + 0.05 * rng.normal(size=40)
    m = SparseReLURegressor(epsilon=0.2, random_state=0, epochs=200, restarts=4).fit(X, y)
    assert np.max(np.abs(m.predict(X) - y)) <= 0.2
    with pytest.raises(Exception, match="alpha"):
        SparseReLURegressor(epsilon=0.2, alpha=0.1).fit(X, y)
    with pytest.raises(Exception, match="epsilon must be"):
        SparseReLURegressor(epsilon=-1.0).fit(X, y)


@pytest.fixture
def sin_csv(tmp_path):
    x, y = _sin(n=100)
    p = tmp_path / "sin.csv"
    np.savetxt(p, np.c_[x, y], delimiter=",", header="x,y", comments="")
    return str(p)


def test_cli_fit_tol_model_and_certify(sin_csv, tmp_path):
    out = tmp_path / "m.json"
    code, stdout, err = cli("fit", sin_csv, "--tol", "0.2", "--epochs", "200", "--json", "--out", out)
    assert code == 0, err
    doc = json.loads(stdout)
    assert doc["mode"] == "bounded" and doc["targets"] == "tolerance" and doc["tol"] == 0.2
    assert doc["satisfies_targets"] and doc["max_violation"] == 0
    meta = json.loads(out.read_text())["metadata"]
    assert meta["targets"] == "tolerance" and meta["satisfies_targets"]
    code, stdout, err = cli("certify", out, sin_csv, "--json")
    assert code in (0, 1), err
    cert = json.loads(stdout)
    assert cert["satisfies_targets"] if "satisfies_targets" in cert else True


def test_cli_fit_alpha_with_tol_is_one_line_error(sin_csv):
    code, _, err = cli("fit", sin_csv, "--tol", "0.2", "--alpha", "0.1")
    assert code == 2 and "--alpha" in err and "--tol" in err
    assert len(err.strip().splitlines()) == 1

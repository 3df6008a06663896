"""The sparsest trainer: exact fits, exact-optimum agreement, polish invariants, determinism,
the scikit-learn estimator, and the ``fit`` command."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.utils.estimator_checks import parametrize_with_checks

from battery1d import cases
from conftest import cli
from sparsest.data import random_1d
from sparsest.estimator import SparseReLURegressor
from sparsest.exact import solve_1d
from sparsest.network import ReLUNetwork
from sparsest.train.engine import train
from sparsest.train.polish import output_layer_fit, polish

FAST = {"epochs": 150, "restarts": 4}


def _fit_tol(y) -> float:
    return 1e-10 * (1.0 + float(np.max(np.abs(y))))


# ----------------------------------------------------------------------------- known answers


@pytest.mark.parametrize("case", cases(), ids=lambda c: c["name"])
def test_battery_exact_fit_and_sparsest_count(case):
    res = train(case["x"], case["y"], method="sparsest", progress=False, **FAST)
    assert res.max_residual <= _fit_tol(case["y"])
    assert res.converged
    assert res.n_active == case["count"]
    if case["knots"]:
        kv = res.network.knots_1d(merge_tol=1e-9)
        np.testing.assert_allclose(kv.knots, case["knots"], atol=1e-9)


@pytest.mark.parametrize("seed", range(8))
def test_tiny_instances_reach_the_exact_optimum(seed):
    n = 5 + seed % 5
    x, y = random_1d(n, seed=100 + seed, kind="gaussian" if seed % 2 else "runs")
    res = train(x, y, method="sparsest", seed=seed, progress=False, **FAST)
    assert res.max_residual <= _fit_tol(y)
    assert res.n_active == solve_1d(x, y).n_neurons


def test_multivariate_nonzeros_within_the_known_bounds():
    rng = np.random.default_rng(3)
    X, y = rng.uniform(-1, 1, (6, 8)), rng.uniform(-1, 1, 6)
    res = train(X, y, method="sparsest", progress=False, epochs=300)
    assert res.max_residual <= _fit_tol(y)
    # Prop 4.1 (N <= d + 1): at most 2N nonzeros; generic labels need at least N
    assert 6 <= res.n_nonzero <= 12
    assert res.n_nonzero == res.network.n_nonzero(include_bias=True)


# ----------------------------------------------------------------------------- polish invariants


def _redundant_interpolant(x, y, rng):
    """The exact sparsest interpolant with every knot split in random parts plus canceling pairs."""
    ex = solve_1d(x, y)
    knots, jumps = [], []
    for u, c in zip(ex.knots, ex.jumps, strict=True):
        f = rng.uniform(0.2, 0.8)
        knots += [u, u]
        jumps += [f * c, (1 - f) * c]
    for _ in range(3):  # a neuron and its negative: no effect on f
        u, c = rng.uniform(x.min(), x.max()), rng.normal()
        knots += [u, u]
        jumps += [c, -c]
    return ReLUNetwork.from_knots(knots, jumps, ex.slope, ex.intercept), ex.n_neurons


@given(st.integers(0, 10_000), st.integers(4, 12))
def test_polish_never_increases_the_count_nor_breaks_the_fit(seed, n):
    rng = np.random.default_rng(seed)
    x, y = random_1d(n, seed=seed, kind="runs")
    net, opt = _redundant_interpolant(x, y, rng)
    assert net.max_residual(x, y) <= 1e-8 * (1 + np.abs(y).max())
    before = net.n_active_neurons()
    out = polish(net, x[:, None], y)
    assert out.interpolates
    assert out.max_residual <= 1e-10 * (1 + np.abs(y).max())
    assert out.n_active <= before
    assert out.n_active >= opt  # the referee's lower bound


def test_polish_returns_its_input_when_it_cannot_fit():
    x, y = random_1d(10, seed=1)
    net = ReLUNetwork([[1.0]], [-0.5], [0.3], a=[0.0], c=0.0)  # one knot: cannot interpolate 10 points
    out = polish(net, x[:, None], y)
    assert not out.interpolates and out.network is net


def test_output_layer_fit_is_exact_with_enough_neurons():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((30, 3)), rng.standard_normal(30)
    W, b = rng.standard_normal((90, 3)), rng.standard_normal(90)
    out = output_layer_fit(ReLUNetwork(W, b, np.ones(90)), X, y, objective="neurons")
    assert out.interpolates and out.max_residual <= 1e-10 * (1 + np.abs(y).max())
    assert out.n_active <= 30  # a basic solution of 30 equations


# ----------------------------------------------------------------------------- determinism, API


def test_fixed_seed_is_deterministic():
    x, y = random_1d(12, seed=5, kind="runs")
    a = train(x, y, method="sparsest", seed=7, progress=False, **FAST).network
    b = train(x, y, method="sparsest", seed=7, progress=False, **FAST).network
    for u, v in ((a.W, b.W), (a.b, b.b), (a.v, b.v), (a.a, b.a)):
        np.testing.assert_array_equal(u, v)
    assert a.c == b.c


def test_history_and_result_fields():
    x, y = random_1d(8, seed=2)
    res = train(x, y, method="sparsest", progress=False, early_stop=False, **FAST)
    assert res.epochs_run == FAST["epochs"]
    h = res.history
    assert len(h) >= 3 and h["epoch"][-1] == -1  # last row: after the polish
    assert h["max_residual"][-1] == pytest.approx(res.max_residual)
    assert np.all(np.diff(h["seconds"]) >= 0)
    assert res.method == "sparsest" and res.config["method"] == "sparsest"


def test_exact_method_wraps_the_referee():
    x, y = random_1d(9, seed=4, kind="runs")
    res = train(x, y, method="exact", progress=False)
    assert res.n_active == solve_1d(x, y).n_neurons and res.converged


def test_estimator_attributes_and_warning_when_no_exact_fit():
    x, y = random_1d(10, seed=0)
    m = SparseReLURegressor(random_state=0, **FAST).fit(x[:, None], y)
    assert m.interpolates_ and m.n_active_neurons_ == solve_1d(x, y).n_neurons
    assert m.score(x[:, None], y) == pytest.approx(1.0)
    np.testing.assert_allclose(m.predict(x[:, None]), y, atol=1e-9)
    from sparsest.errors import ConvergenceWarning

    # an approximate method with few epochs cannot fit exactly: warning + attribute
    with pytest.warns(ConvergenceWarning):
        m2 = SparseReLURegressor(method="adam", epochs=20, tol=1e-12).fit(x[:, None], y)
    assert not m2.interpolates_


@parametrize_with_checks(
    [SparseReLURegressor(epochs=60, restarts=2, max_seconds=1.0, random_state=0)],
    expected_failed_checks=lambda est: {},
)
def test_sklearn_estimator_checks(estimator, check):
    import warnings

    from sparsest.errors import ConvergenceWarning

    with warnings.catch_warnings():
        # checks fit random data; a network that cannot reach an exact fit within the tiny budget
        # says so with a ConvergenceWarning, which is not what these checks test
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        check(estimator)


# ----------------------------------------------------------------------------- CLI


def test_cli_fit_json_and_model(paper_csv, tmp_path):
    out = tmp_path / "m.json"
    code, stdout, err = cli("fit", paper_csv, "--json", "--quiet", "--epochs", "100", "--out", out)
    assert code == 0, err
    doc = json.loads(stdout)
    for key in ("n_neurons", "n_nonzero", "max_residual", "lp_path_norm", "seconds", "method"):
        assert key in doc
    assert doc["n_neurons"] == 3 and doc["method"] == "sparsest" and doc["interpolates"]
    code, stdout, err = cli("predict", out, paper_csv, "--json")
    assert code == 0 and json.loads(stdout)["max_residual"] <= 1e-9


def test_cli_missing_dependency_is_a_user_error(monkeypatch, paper_csv):
    import sparsest.commands.fit as fit_cmd

    def boom(args):
        raise ModuleNotFoundError("No module named 'torch'", name="torch")

    monkeypatch.setattr(fit_cmd, "run", boom)
    code, out, err = cli("fit", paper_csv)
    assert code == 2 and out == ""
    assert "torch" in err and "pip install" in err and len(err.strip().splitlines()) == 1


def test_warm_start_tries_further_seeds_until_the_generic_bound(monkeypatch):
    """The exact solver's warm start keeps training from new seeds while its count is above the
    generic bound (10 nonzeros for 10 generic labels) and keeps the sparsest exact fit."""
    import types

    import sparsest.train.engine as engine
    from sparsest.train.warmstart import trainer_warm_start

    rng = np.random.default_rng(0)
    X, y = rng.uniform(-1, 1, (10, 2)), rng.uniform(-1, 1, 10)
    counts = {0: 12, 1: 11, 2: 13, 3: 10, 4: 10}
    seeds = []

    def fake_train(X, y, *, seed, **kw):
        seeds.append(seed)
        net = ReLUNetwork(np.full((1, 2), float(seed)), [0.0], [1.0])
        return types.SimpleNamespace(converged=seed != 2, n_nonzero=counts[seed], n_active=1, network=net)

    monkeypatch.setattr(engine, "train", fake_train)
    net, _ = trainer_warm_start(X, y, objective="nonzeros", skip=False, include_bias=True, max_seconds=60)
    assert seeds == [0, 1, 2, 3] and net.W[0, 0] == 3.0  # stopped at the bound, kept seed 3's fit
    seeds.clear()
    counts[3] = 11
    net, _ = trainer_warm_start(
        X, y, objective="nonzeros", skip=False, include_bias=True, max_seconds=0.0, seed=1
    )
    assert seeds == [1] and net.W[0, 0] == 1.0  # no time left: one run, its fit returned


# ----------------------------------------------------------------------------- early stop


@pytest.mark.parametrize("case", cases(), ids=lambda c: c["name"])
def test_lower_bound_never_exceeds_the_exact_optimum_on_the_battery(case):
    from sparsest.train.sparsest import _lower_bound

    x, y = np.asarray(case["x"], float), np.asarray(case["y"], float)
    lb = _lower_bound(x[:, None], y, "neurons", True, 1e-10)
    assert (lb is None and len(x) < 3) or 0 <= lb <= case["count"]


@given(st.integers(3, 40), st.integers(0, 10_000), st.sampled_from(["gaussian", "runs"]))
def test_lower_bound_never_exceeds_the_exact_optimum(n, seed, kind):
    from sparsest.train.sparsest import _lower_bound

    x, y = random_1d(n, seed=seed, kind=kind)
    perm = np.random.default_rng(seed).permutation(n)  # the bound sorts the data itself
    lb = _lower_bound(x[perm, None], y[perm], "neurons", True, 1e-10)
    assert 0 <= lb <= solve_1d(x, y).n_neurons


def test_early_stop_ends_training_at_the_lower_bound_with_an_exact_fit():
    from sparsest.data import paper_1d

    x, y = paper_1d()
    res = train(x, y, method="sparsest", progress=False)
    info = res.config["info"]
    assert info["lower_bound"] == 3 and res.n_active == 3
    assert res.epochs_run < info["epochs"]  # stopped: no epoch could lower a count at the bound
    assert res.max_residual <= _fit_tol(y)
    full = train(x, y, method="sparsest", progress=False, early_stop=False)
    assert full.epochs_run == info["epochs"] and full.n_active == 3


def test_window_polish_keeps_an_exact_fit_and_never_adds_neurons():
    from sparsest.train.polish import polish_windows_1d

    rng = np.random.default_rng(11)
    x, y = random_1d(70, seed=11, kind="runs")
    net, opt = _redundant_interpolant(x, y, rng)
    perm = rng.permutation(x.size)  # the windows sort the data themselves
    H = np.c_[net.W, net.b]
    res = polish_windows_1d(net, x[perm, None], y[perm], H, window=12)
    assert res.interpolates and res.max_residual <= _fit_tol(y)
    assert res.network.max_residual(x, y) == pytest.approx(res.max_residual)
    assert opt <= res.n_active < net.n_active_neurons(False)


def test_large_1d_data_use_the_window_search_and_reach_the_optimum():
    x, y = random_1d(60, seed=8, kind="runs")
    res = train(x, y, method="sparsest", progress=False, epochs=100, restarts=4, early_stop=False)
    assert res.max_residual <= _fit_tol(y)
    assert res.n_active == solve_1d(x, y).n_neurons

"""Paths and their cross-validation (sparsest.cv, 'sparsest path --cv'): the planted knot count, the
1se rule, folds, grids, warm starts, scikit-learn integration."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import cli
from sparsest.cv import (
    DEFAULT_ALPHAS,
    SparseReLURegressorCV,
    alpha_available,
    cross_validate_path,
    fold_indices,
    path,
    resolve_grid,
    select,
)
from sparsest.errors import ParameterError
from sparsest.network import ReLUNetwork

needs_alpha = pytest.mark.skipif(
    not alpha_available(), reason="penalized fits (SparseReLURegressor(alpha=...)) not in this installation"
)

#: the planted function: 4 knots, slope jumps well above the noise
PLANTED = ReLUNetwork.from_knots([-0.6, -0.1, 0.3, 0.7], [3.0, -5.0, 4.0, -3.0], 0.5, 0.0)


def _planted(n: int = 80, noise: float = 0.05, seed: int = 1):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1, 1, n))
    return x, PLANTED.predict(x[:, None]) + rng.normal(0, noise, n)


def _small(n: int = 30, seed: int = 2):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1, 1, n))
    return x, np.abs(x) + rng.normal(0, 0.05, n)


# ---------------------------------------------------------------------------------- the planted count
def test_cli_cv_picks_the_planted_knot_count(tmp_path):
    from sparsest.modelfile import load_model

    x, y = _planted()
    np.savetxt(tmp_path / "k4.csv", np.c_[x, y], delimiter=",", header="x,y", comments="")
    out, png = tmp_path / "model.json", tmp_path / "pareto.png"
    argv = ["path", str(tmp_path / "k4.csv"), "--cv", "3", "--max-knots", "7", "--json"]
    code, stdout, err = cli(*argv, "--out", str(out), "--plot", str(png))
    assert code == 0, err
    res = json.loads(stdout)
    assert res["param"] == "knots" and [r["value"] for r in res["rows"]] == list(range(8))
    assert abs(res["chosen"] - 4) <= 1 and res["n_nonzero"] == res["n_neurons"] == res["chosen"]
    chosen = next(r for r in res["rows"] if r["chosen"])
    assert res["cv_error"] == chosen["cv_error"] == min(r["cv_error"] for r in res["rows"])
    assert all(len(r["fold_errors"]) == 3 for r in res["rows"])
    assert np.isclose(chosen["cv_error"], np.mean(chosen["fold_errors"]))
    assert np.isclose(chosen["cv_std"], np.std(chosen["fold_errors"], ddof=1))
    # the training error falls with k; the held-out error is far from it at k = 0 … 2 (underfit)
    assert all(a["train_mse"] >= b["train_mse"] - 1e-12 for a, b in itertools.pairwise(res["rows"]))
    assert res["rows"][2]["cv_error"] > 5 * res["cv_error"]
    model = load_model(out)
    assert model.network.n_active_neurons() == res["n_neurons"]
    assert model.metadata["cv_value"] == res["chosen"] and model.metadata["selection"] == "min"
    grid = np.linspace(-1, 1, 201)[:, None]
    assert np.max(np.abs(model.predict(grid) - PLANTED.predict(grid))) < 0.15
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # 1se: within one standard error of the minimum, never more nonzeros
    code, stdout, err = cli(*argv, "--selection", "1se")
    assert code == 0, err
    se = json.loads(stdout)
    assert se["n_nonzero"] <= res["n_nonzero"] and abs(se["chosen"] - 4) <= 1
    assert se["cv_error"] <= res["cv_error"] + chosen["cv_se"]
    assert se["rows"] == [{**r, "chosen": r["1se"]} for r in res["rows"]]


# ---------------------------------------------------------------------------------- the 1se rule
@given(st.lists(st.tuples(st.floats(0, 10), st.floats(0, 2), st.integers(0, 30)), min_size=1, max_size=12))
def test_1se_never_more_nonzeros_than_min(table):
    mean, se, nnz = (np.array(c) for c in zip(*table, strict=True))
    i_min, i_1se = select(mean, se, nnz)
    assert mean[i_min] == mean.min()
    assert nnz[i_1se] <= nnz[i_min]
    assert mean[i_1se] <= mean[i_min] + se[i_min]
    # nothing within one standard error is sparser
    ok = mean <= mean[i_min] + se[i_min]
    assert nnz[i_1se] == nnz[ok].min()


def test_1se_picks_a_sparser_value_within_one_se():
    i_min, i_1se = select([3.0, 1.2, 1.0, 1.05], [0.1, 0.3, 0.3, 0.1], [0, 2, 5, 9])
    assert (i_min, i_1se) == (2, 1)


# ---------------------------------------------------------------------------------- folds and grids
@given(st.integers(2, 40), st.integers(2, 8), st.integers(-5, 5))
def test_folds_partition_the_points(n, k, seed):
    if k > n:
        with pytest.raises(ParameterError, match="cv"):
            fold_indices(n, k, seed)
        return
    folds = fold_indices(n, k, seed)
    tests = np.concatenate([te for _, te in folds])
    assert len(folds) == k and np.array_equal(np.sort(tests), np.arange(n))
    sizes = [te.size for _, te in folds]
    assert max(sizes) - min(sizes) <= 1
    for tr, te in folds:
        assert np.array_equal(np.sort(np.concatenate([tr, te])), np.arange(n))
    again = fold_indices(n, k, seed)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again, strict=True))


def test_resolve_grid():
    assert resolve_grid(1)[0] == "knots" and list(resolve_grid(1, max_knots=3)[1]) == [0, 1, 2, 3]
    param, values = resolve_grid(4)
    assert param == "alpha" and np.allclose(values, DEFAULT_ALPHAS) and len(values) == 8
    assert np.all(np.diff(values) < 0) and np.isclose(values[0], 0.1) and np.isclose(values[-1], 1e-3)
    assert list(resolve_grid(3, alphas=[0.01, 0.1, 0.01])[1]) == [0.1, 0.01]  # sorted, large first
    assert list(resolve_grid(1, tols=[0.1, 0.3])[1]) == [0.3, 0.1]
    assert list(resolve_grid(1, knots=[3, 1, 3])[1]) == [1, 3]
    for kwargs, needle in (
        ({"alphas": [0.1], "knots": [1]}, "at most one"),
        ({"alphas": [0.0]}, "> 0"),
        ({"tols": [-1.0]}, ">= 0"),
        ({"knots": [1.5]}, "integers"),
        ({"knots": []}, "integers"),
    ):
        with pytest.raises(ParameterError, match=needle):
            resolve_grid(1, **kwargs)
    with pytest.raises(ParameterError, match="1-D only"):
        resolve_grid(2, tols=[0.1])


# ---------------------------------------------------------------------------------- paths
def test_knots_and_tols_paths():
    from sparsest.exact.frontier1d import frontier_1d

    x, y = _small()
    res = path(x, y, knots=[0, 1, 2, 4])
    assert res.param == "knots" and list(res.n_nonzero) == [0, 1, 2, 4]
    assert np.all(np.diff(res.train_mse) <= 1e-12)
    fr = frontier_1d(x, y, 4, rtol=1e-3)
    assert np.allclose(res.train_mse, fr.rmse[[0, 1, 2, 4]] ** 2, rtol=1e-9)
    assert res.predict(x[:, None]).shape == (4, x.size)
    tols = path(x, y, tols=[0.01, 0.3, 0.1])
    assert list(tols.values) == [0.3, 0.1, 0.01]
    assert np.all(np.diff(tols.n_nonzero) >= 0)  # a smaller tube needs at least as many knots
    for t, net in zip(tols.values, tols.networks, strict=True):
        assert np.max(np.abs(net.predict(x[:, None]) - y)) <= t * (1 + 1e-9) + 1e-12


def test_alpha_path_warm_starts_from_the_previous_fit(monkeypatch):
    """The α path calls the trainer from large to small α, each from the last fit (``init=``)."""
    import sparsest.cv as cvmod
    import sparsest.train.engine as engine

    calls = []

    class Fake:
        def __init__(self, alpha):
            self.network = ReLUNetwork.from_knots([0.0], [alpha], 0.0, 0.0)

    def fake_train(X, y, method, *, alpha, seed, init, progress, **kw):
        calls.append((method, alpha, seed, init, kw))
        return Fake(alpha)

    monkeypatch.setattr(cvmod, "alpha_available", lambda: True)
    monkeypatch.setattr(engine, "train", fake_train)
    x, y = _small(12)
    res = path(x, y, alphas=[0.01, 0.1, 0.03], seed=9, train_options={"max_seconds": 5})
    assert [c[1] for c in calls] == [0.1, 0.03, 0.01] and {c[0] for c in calls} == {"sparsest"}
    assert calls[0][3] is None and calls[1][3] is res.networks[0] and calls[2][3] is res.networks[1]
    assert all(c[2] == 9 and c[4] == {"max_seconds": 5} for c in calls)
    calls.clear()
    path(x, y, alphas=[0.1, 0.01], train_options={"warm_start": False})
    assert [c[3] for c in calls] == [None, None]


@needs_alpha
def test_alpha_path_real_fits():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (40, 2))
    y = np.maximum(X[:, 0] + X[:, 1], 0) + rng.normal(0, 0.05, 40)
    res = path(X, y, alphas=[0.1, 0.003])
    assert res.param == "alpha" and list(res.values) == [0.1, 0.003]
    assert res.n_nonzero[0] <= res.n_nonzero[1] + 2
    assert np.all(res.train_mse <= np.var(y) * 1.0001)


# ---------------------------------------------------------------------------------- scikit-learn
def test_estimator_in_a_pipeline_and_gridsearch():
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y = _small(36)
    X = x[:, None]
    est = SparseReLURegressorCV(knots=[0, 1, 2, 3], cv=3, random_state=0).fit(X, y)
    assert est.param_ == "knots" and est.knots_ == est.value_ == est.path_["value"][est.best_index_]
    assert est.n_nonzero_ == est.path_["n_nonzero"][est.best_index_] and est.value_ >= 1  # |x| has a kink
    assert est.path_["fold_cv_error"].shape == (3, 4) and est.cv_error_ == est.path_["mean_cv_error"].min()
    assert est.score(X, y) > 0.5 and est.predict(X).shape == y.shape
    same = cross_validate_path(X, y, knots=[0, 1, 2, 3], cv=3, seed=0)
    assert np.array_equal(same.fold_mse, est.path_["fold_cv_error"])
    pipe = make_pipeline(StandardScaler(), SparseReLURegressorCV(knots=[0, 1, 2], cv=3))
    search = GridSearchCV(pipe, {"sparsereluregressorcv__selection": ["min", "1se"]}, cv=2).fit(X, y)
    assert search.best_params_["sparsereluregressorcv__selection"] in ("min", "1se")
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_gridsearch_over_sparse_relu_regressor():
    from sklearn.model_selection import GridSearchCV

    from sparsest import SparseReLURegressor

    x = np.linspace(-2.0, 3.0, 12)[:, None]
    y = np.abs(x[:, 0] - 0.5) + 0.3 * np.maximum(x[:, 0] - 1.7, 0)
    search = GridSearchCV(SparseReLURegressor(method="exact"), {"p": [0.5, 1.0]}, cv=3, error_score="raise")
    search.fit(x, y)
    assert set(search.cv_results_["param_p"]) == {0.5, 1.0}
    assert search.best_estimator_.n_active_neurons_ <= 3 and search.best_estimator_.score(x, y) > 0.999


@needs_alpha
def test_gridsearch_over_alpha():
    from sklearn.model_selection import GridSearchCV

    from sparsest import SparseReLURegressor

    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (36, 2))
    y = np.maximum(X[:, 0] - X[:, 1], 0) + rng.normal(0, 0.05, 36)
    search = GridSearchCV(
        SparseReLURegressor(random_state=0), {"alpha": [0.1, 0.01]}, cv=2, error_score="raise"
    ).fit(X, y)
    assert search.best_params_["alpha"] in (0.1, 0.01) and np.isfinite(search.best_score_)


# ---------------------------------------------------------------------------------- the CLI
def test_cli_grid_without_cv_and_interrupt(tmp_path, monkeypatch):
    x, y = _small(20)
    np.savetxt(tmp_path / "d.csv", np.c_[x, y], delimiter=",", header="x,y", comments="")
    code, out, err = cli(
        "path", str(tmp_path / "d.csv"), "--tols", "0.2,0.05", "--out", str(tmp_path / "t.csv")
    )
    assert code == 0, err
    assert (
        "tol" in out
        and (tmp_path / "t.csv").read_text().splitlines()[0] == "tol,n_nonzero,n_neurons,train_mse"
    )
    code, out, err = cli("path", str(tmp_path / "d.csv"), "--cv", "3", "--knots", "0,1", "--quiet")
    assert code == 0 and err == "" and "chosen (min): knots = " in out
    code, out, err = cli("path", str(tmp_path / "d.csv"), "--cv", "1")
    assert code == 2 and "--cv" in err

    import sparsest.cv as cvmod

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(cvmod, "cross_validate_path", interrupted)
    argv = ["path", str(tmp_path / "d.csv"), "--cv", "3", "--out", str(tmp_path / "m.json")]
    code, out, err = cli(*argv, "--plot", str(tmp_path / "p.png"))
    assert code == 130 and not (tmp_path / "m.json").exists() and not (tmp_path / "p.png").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv", "t.csv"]

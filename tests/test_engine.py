"""Training engine: shared initialization, history, stopping rules, registry, validation, baselines."""

from __future__ import annotations

import csv
import warnings

import numpy as np
import pytest
import torch

from sparsest.data import paper_1d, paper_50d
from sparsest.errors import ConvergenceWarning, DataError, ParameterError
from sparsest.network import ReLUNetwork
from sparsest.train.engine import (
    HISTORY_COLUMNS,
    METHODS,
    History,
    Loop,
    TrainConfig,
    get_method,
    initial_network,
    make_model,
    register_method,
    train,
)
from sparsest.train.torchnet import torch_default_init

X1, Y1 = paper_1d()
BUILTIN = ("adam", "adamw", "reweighted", "pathprox", "prune")


def _quiet(**kw):
    return dict(progress=False, **kw)


def _train(*args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return train(*args, **_quiet(**kw))


# ------------------------------------------------------------------------------------ initialization
@pytest.mark.parametrize("data", ["1d", "50d"])
def test_all_methods_share_the_initialization(data):
    X, y = (X1, Y1) if data == "1d" else paper_50d()
    d = 1 if data == "1d" else 50
    inits = []
    for m in BUILTIN:
        kw = {"finetune_epochs": 2} if m == "prune" else {}
        r = _train(X, y, m, epochs=3, width=7, log_every=1, **kw)
        inits.append(r.init_network)
        # history epoch 0 is the initialization itself
        assert r.history["epoch"][0] == 0
        assert r.history["max_residual"][0] == pytest.approx(r.init_network.max_residual(X, y), rel=1e-12)
    W, b, v = torch_default_init(d, 7, 20)
    for net in inits:
        np.testing.assert_array_equal(net.W, W)
        np.testing.assert_array_equal(net.b, b)
        np.testing.assert_array_equal(net.v, v)
        assert not np.any(net.a) and net.c == 0


def test_torch_default_init_is_torch_manual_seed_plus_linear():
    torch.manual_seed(20)
    h = torch.nn.Linear(1, 80)
    o = torch.nn.Linear(80, 1, bias=False)
    W, b, v = torch_default_init(1, 80, 20)
    np.testing.assert_array_equal(W, h.weight.detach().double().numpy())
    np.testing.assert_array_equal(b, h.bias.detach().double().numpy())
    np.testing.assert_array_equal(v, o.weight.detach().double().numpy()[0])


def test_init_network_is_used_and_width_checked():
    net = ReLUNetwork([[1.0], [-1.0]], [0.0, 1.0], [0.5, 0.5], skip=True)
    r = _train(X1, Y1, "adam", epochs=2, init=net)
    assert r.init_network.allclose(net) and r.config["width"] == 2 and r.config["skip"]
    with pytest.raises(ParameterError, match="width"):
        train(X1, Y1, "adam", epochs=2, init=net, width=3, progress=False)
    with pytest.raises(ParameterError, match="input"):
        train(np.zeros((3, 2)) + np.arange(3)[:, None], [0, 1, 2], "adam", epochs=2, init=net, progress=False)


def test_paper_defaults_resolved():
    r = _train(X1, Y1, "adam", epochs=1)
    c = r.config
    assert (c["width"], c["lam"], c["penalize_bias"], c["eps"]) == (80, 0.003, False, 1e-8)
    assert c["skip"] is True and c["mode"] == "consistent" and c["dtype"] == "float64"
    assert _train(X1, Y1, "adam", epochs=1, mode="paper").config["skip"] is False
    X, y = paper_50d()
    c = _train(X, y, "adam", epochs=1).config
    assert (c["width"], c["lam"], c["penalize_bias"], c["eps"], c["skip"]) == (100, 0.005, True, 1e-6, False)


# ------------------------------------------------------------------------------------ history
def test_history_columns_rows_and_csv(tmp_path):
    r = _train(X1, Y1, "reweighted", epochs=25, log_every=10, p=0.5)
    h = r.history
    assert HISTORY_COLUMNS == (
        "epoch",
        "loss",
        "n_active",
        "n_nonzero",
        "lp_path_norm",
        "seconds",
        "max_residual",
    )
    assert h["epoch"].tolist() == [0, 10, 20, 25]  # epoch 0, every log_every, and the last epoch
    assert list(h.to_dict()) == list(HISTORY_COLUMNS)
    assert all(list(row) == list(HISTORY_COLUMNS) for row in h.rows())
    assert np.all(np.diff(h["seconds"]) >= 0)
    last = h.last
    net = r.network
    assert last["loss"] == pytest.approx(np.mean((net.predict(X1) - Y1) ** 2), rel=1e-12)
    assert last["max_residual"] == r.max_residual == net.max_residual(X1, Y1)
    assert last["n_active"] == r.n_active == net.n_active_neurons(False)
    assert last["n_nonzero"] == r.n_nonzero == net.n_nonzero(False)
    assert last["lp_path_norm"] == pytest.approx(net.lp_path_norm(0.5, False), rel=1e-12)
    path = tmp_path / "h.csv"
    h.to_csv(path, extra={"method": "reweighted"})
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4 and rows[0]["method"] == "reweighted" and rows[-1]["epoch"] == "25"
    assert float(rows[-1]["loss"]) == last["loss"]
    with pytest.raises(ValueError):
        History().append(epoch=1)


def test_first_at_most():
    h = History()
    for e, n in [(0, 80), (10, 40), (20, 3), (30, 4), (40, 3)]:
        h.append(
            epoch=e, loss=0.0, n_active=n, n_nonzero=n, lp_path_norm=0.0, seconds=e / 10, max_residual=0.0
        )
    assert h.first_at_most("n_active", 3)["epoch"] == 20
    assert h.first_at_most("n_active", 2) is None


# ------------------------------------------------------------------------------------ stopping
def test_convergence_warning_on_epoch_limit():
    with pytest.warns(ConvergenceWarning, match="without fitting") as rec:
        r = train(X1, Y1, "adam", epochs=3, progress=False)
    assert not r.converged and r.epochs_run == 3
    assert rec[0].filename == __file__  # points at the caller, not at library internals


def test_early_stop_when_fitted_and_support_stable():
    # tol so loose that the initialization already "fits": stops after `patience` epochs
    r = train(X1, Y1, "adam", epochs=1000, tol=100.0, patience=30, log_every=10, progress=False)
    assert r.converged and r.epochs_run == 30
    # without early stopping it runs to the end
    r = train(
        X1, Y1, "adam", epochs=60, tol=100.0, patience=30, log_every=10, early_stop=False, progress=False
    )
    assert r.converged and r.epochs_run == 60


def test_callback_stops_and_sees_rows():
    seen = []

    def cb(epoch, model, row):
        seen.append((epoch, row["n_active"]))
        return epoch >= 20

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # stopping by callback is not a convergence failure
        r = train(X1, Y1, "adam", epochs=100, log_every=10, callback=cb, progress=False)
    assert [e for e, _ in seen] == [10, 20] and r.epochs_run == 20


def test_snapshots():
    r = _train(X1, Y1, "reweighted", epochs=30, snapshots=[0, 1, 30])
    assert sorted(r.snapshots) == [0, 1, 30]
    assert r.snapshots[0].allclose(r.init_network)
    assert r.snapshots[30].allclose(r.network)
    with pytest.raises(ParameterError, match="snapshots"):
        train(X1, Y1, "adam", epochs=5, snapshots=[6], progress=False)


# ------------------------------------------------------------------------------------ registry
def test_unknown_method_lists_available():
    with pytest.raises(ParameterError) as exc:
        train(X1, Y1, "nonexistent", epochs=1, progress=False)
    for m in BUILTIN:
        assert m in str(exc.value)


@pytest.fixture
def custom_method():
    calls = []

    @register_method("_test_constant", options=("alpha",), description="test")
    def _m(X, y, cfg: TrainConfig):
        calls.append(cfg)
        net0 = initial_network(cfg, X.shape[1])
        loop = Loop(X, y, cfg, net0)
        model = make_model(cfg, net0)
        loop.start(model)
        return loop.finish(model, 0)

    yield calls
    METHODS.pop("_test_constant", None)


def test_register_method_and_option_validation(custom_method):
    assert "_test_constant" in METHODS and get_method("_test_constant").options == ("alpha",)
    r = _train(X1, Y1, "_test_constant", epochs=0, alpha=3)
    assert custom_method[0].options == {"alpha": 3} and r.method == "_test_constant"
    with pytest.raises(ParameterError, match=r"unknown option.*beta.*accepted: alpha"):
        train(X1, Y1, "_test_constant", beta=1, progress=False)
    with pytest.raises(ParameterError, match="unknown option"):
        train(X1, Y1, "adam", warmup=3, progress=False)


# ------------------------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    "kw,match",
    [
        ({"lam": -1.0}, "lam"),
        ({"width": 0}, "width"),
        ({"width": 2.5}, "width"),
        ({"epochs": -1}, "epochs"),
        ({"lr": 0.0}, "lr"),
        ({"p": 0.0}, "p must"),
        ({"p": 1.5}, "p must"),
        ({"mode": "exactly"}, "mode"),
        ({"device": "nonsense"}, "device"),
        ({"dtype": torch.int32}, "dtype"),
        ({"log_every": 0}, "log_every"),
        ({"tol": -1.0}, "tol"),
        ({"init": "net"}, "init"),
        ({"method": 3}, "method"),
        ({"warmup": -1, "method": "reweighted"}, "warmup"),
        ({"k": 100, "method": "prune"}, "k must"),
        ({"fraction": 1.5, "method": "prune"}, "fraction"),
        ({"k": 2, "fraction": 0.5, "method": "prune"}, "either k"),
    ],
)
def test_parameter_errors(kw, match):
    kw = dict(kw)
    method = kw.pop("method", "adam")
    kw.setdefault("epochs", 2)
    with pytest.raises(ParameterError, match=match):
        train(X1, Y1, method, progress=False, **kw)


def test_data_errors():
    with pytest.raises(DataError):
        train([0.0, np.nan, 1.0], [0.0, 1.0, 2.0], "adam", progress=False)
    with pytest.raises(DataError, match="duplicate"):
        train([0.0, 0.0, 1.0], [0.0, 1.0, 2.0], "adam", progress=False)
    with pytest.raises(DataError, match="mismatch"):
        train([0.0, 1.0], [0.0, 1.0, 2.0], "adam", progress=False)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_unavailable_is_a_parameter_error():
    with pytest.raises(ParameterError, match="not available"):
        train(X1, Y1, "adam", epochs=1, device="cuda", progress=False)


def test_float32_and_thread_setting_restored():
    before = torch.get_num_threads()
    r = _train(X1, Y1, "reweighted", epochs=20, dtype=torch.float32)
    assert torch.get_num_threads() == before
    assert r.network.W.dtype == np.float64 and r.config["dtype"] == "float32"


def test_deterministic():
    a = _train(X1, Y1, "reweighted", epochs=200, p=0.4)
    b = _train(X1, Y1, "reweighted", epochs=200, p=0.4)
    np.testing.assert_array_equal(a.network.W, b.network.W)
    np.testing.assert_array_equal(a.history["loss"], b.history["loss"])


# ------------------------------------------------------------------------------------ methods
def test_reweighted_sparsifies_and_adam_does_not():
    rw = _train(X1, Y1, "reweighted", epochs=1500, p=0.4, mode="paper", early_stop=False)
    ad = _train(X1, Y1, "adam", epochs=1500, mode="paper", early_stop=False)
    assert ad.n_active == 80
    assert rw.n_active < 25 and rw.converged and rw.max_residual < 2e-3
    # active counts never increase after the warmup for p < 1 (zero products stay zero)
    assert np.all(np.diff(rw.history["n_active"][1:]) <= 0)


def test_adamw_shrinks_weights_relative_to_adam():
    ad = _train(X1, Y1, "adam", epochs=300, lam=0.5, early_stop=False)
    aw = _train(X1, Y1, "adamw", epochs=300, lam=0.5, early_stop=False)
    assert np.abs(aw.network.W).sum() < np.abs(ad.network.W).sum()


def test_pathprox_stays_finite_and_sparsifies():
    r = _train(X1, Y1, "pathprox", epochs=2000, mode="paper", early_stop=False)
    assert np.isfinite(r.max_residual) and r.max_residual < 0.05
    assert r.n_active < 80 and np.all(np.abs(r.network.b) < 100)


def test_prune_iterative_and_one_shot():
    it = _train(X1, Y1, "prune", epochs=800, finetune_epochs=400, log_every=50)
    assert it.converged and it.n_active < 80 and it.max_residual <= 1e-3 * 2
    assert it.history.last["max_residual"] == it.network.max_residual(X1, Y1)  # last row = returned net
    one = _train(X1, Y1, "prune", epochs=800, k=10, finetune_epochs=200)
    assert one.network.width == 10

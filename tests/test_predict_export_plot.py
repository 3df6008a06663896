"""The user's path after a model exists: predict, export (ONNX, torch), plot, and the demo."""

from __future__ import annotations

import csv
import json
import sys

import numpy as np
import pytest

from conftest import cli, run_cli
from sparsest.data import load_inputs, paper_1d
from sparsest.errors import DataError
from sparsest.modelfile import load_model, save_model
from sparsest.network import ReLUNetwork

PAPER_CSV = "x,y\n-2,0\n-1,0\n0,1\n1,1\n2,0\n3,0\n"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def model_1d(tmp_path):
    (tmp_path / "train.csv").write_text(PAPER_CSV)
    code, _, err = cli("exact", tmp_path / "train.csv", "--out", tmp_path / "m.json", "-q")
    assert code == 0, err
    return tmp_path / "m.json"


@pytest.fixture
def model_nd(tmp_path):
    """A sparse 3-D network, data it interpolates except at one point, saved as CSV and .npz."""
    rng = np.random.default_rng(3)
    W = rng.standard_normal((4, 3)) * (rng.random((4, 3)) < 0.6)
    net = ReLUNetwork(W, rng.standard_normal(4), rng.standard_normal(4))
    X = rng.standard_normal((9, 3))
    y = net.predict(X)
    y[4] += 0.25
    np.savetxt(tmp_path / "nd.csv", np.c_[X, y], delimiter=",", header="a,b,c,t", comments="")
    np.savez(tmp_path / "nd.npz", X=X, y=y)
    save_model(tmp_path / "nd.json", net, X=X, y=y, method="test")
    return tmp_path / "nd.json", net, X, y


def _read_csv(path) -> tuple[list[str], np.ndarray]:
    with open(path) as fh:
        rows = list(csv.reader(fh))
    return rows[0], np.array(rows[1:], dtype=float)


# ---------------------------------------------------------------------------------- predict


def test_exact_save_load_predict_round_trip(model_1d, tmp_path):
    net = load_model(model_1d).network
    x, y = paper_1d()
    code, out, err = cli("predict", model_1d, tmp_path / "train.csv", "--out", tmp_path / "p.csv")
    assert code == 0 and err == "" and "6 predictions written" in out
    header, table = _read_csv(tmp_path / "p.csv")
    assert header == ["x", "y", "prediction", "residual"]
    assert np.array_equal(table[:, 0], x) and np.array_equal(table[:, 1], y)
    assert np.array_equal(table[:, 2], net.predict(x))  # 17 digits: the exact float64 values
    assert np.max(np.abs(table[:, 2] - y)) < 1e-12
    assert np.array_equal(table[:, 3], table[:, 2] - y)


def test_predict_as_subprocess_prints_csv(model_1d, tmp_path):
    (tmp_path / "new.csv").write_text("0.25\n7\n-3\n")  # inputs only, no header
    proc = run_cli("predict", model_1d, tmp_path / "new.csv")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == "x0,prediction"
    assert [float(ln.split(",")[1]) for ln in lines[1:]] == [1.25, 0.0, 0.0]


def test_predict_json_without_and_with_target(model_1d, tmp_path):
    (tmp_path / "in.csv").write_text("x\n0.5\n")  # one point is fine for predict
    code, out, _ = cli("predict", model_1d, tmp_path / "in.csv", "--json")
    res = json.loads(out)
    assert code == 0 and res["predictions"] == [1.5] and res["has_target"] is False
    assert res["max_residual"] is None
    # target first, picked by name
    (tmp_path / "swapped.csv").write_text("y,x\n1,0\n0,3\n5,1\n")
    code, out, _ = cli("predict", model_1d, tmp_path / "swapped.csv", "--target", "y", "--json")
    res = json.loads(out)
    np.testing.assert_allclose(res["predictions"], [1.0, 0.0, 1.0], atol=1e-12)
    assert res["max_residual"] == pytest.approx(4.0)


def test_predict_nd_model_csv_and_npz(model_nd, tmp_path):
    path, net, X, _ = model_nd
    for data in ("nd.csv", "nd.npz"):
        code, out, err = cli("predict", path, tmp_path / data, "--json")
        assert code == 0, err
        res = json.loads(out)
        assert np.array_equal(res["predictions"], net.predict(X))
        assert res["max_residual"] == pytest.approx(0.25)
    np.savez(tmp_path / "xonly.npz", X=X)
    code, out, _ = cli("predict", path, tmp_path / "xonly.npz", "--json")
    assert code == 0 and json.loads(out)["has_target"] is False


def test_predict_wrong_column_count(model_nd, tmp_path):
    path = model_nd[0]
    (tmp_path / "two.csv").write_text("1,2\n3,4\n")
    code, _, err = cli("predict", path, tmp_path / "two.csv", "--out", tmp_path / "p.csv")
    assert code == 2 and "expected 3 columns (inputs only) or 4" in err
    assert not (tmp_path / "p.csv").exists()


def test_load_inputs_rules(tmp_path):
    (tmp_path / "a.csv").write_text("1,2\n3,4\n")
    assert load_inputs(tmp_path / "a.csv", 2).y is None
    inp = load_inputs(tmp_path / "a.csv", 1)
    assert inp.y.tolist() == [2.0, 4.0] and inp.feature_names == ["x0"]
    with pytest.raises(DataError, match="no target"):
        load_inputs(tmp_path / "a.csv", 2, target="1")
    np.save(tmp_path / "v.npy", np.array([1.0, 2.0]))
    assert load_inputs(tmp_path / "v.npy", 1).X.shape == (2, 1)
    (tmp_path / "bad.csv").write_text("1,2\n3,inf\n")
    with pytest.raises(DataError, match="y contains inf"):
        load_inputs(tmp_path / "bad.csv", 1)


# ---------------------------------------------------------------------------------- export


def _onnx_predict(path, X, dtype=np.float64):
    ort = pytest.importorskip("onnxruntime", reason='needs the optional extra: pip install "sparsest[onnx]"')
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return sess.run(None, {"X": X.astype(dtype)})[0]


@pytest.mark.parametrize("which", ["1d", "nd", "empty", "no-skip-1d"])
def test_export_onnx_matches_predictions(which, model_1d, model_nd, tmp_path):
    pytest.importorskip("onnx", reason='needs the optional extra: pip install "sparsest[onnx]"')
    if which == "1d":
        path = model_1d
    elif which == "nd":
        path = model_nd[0]
    elif which == "empty":
        path = save_model(tmp_path / "e.json", ReLUNetwork.empty(2, skip=True, a=[1.0, -2.0], c=0.5))
    else:
        path = save_model(
            tmp_path / "ns.json", ReLUNetwork([[1.0], [-2.0]], [0.5, 1.0], [1.0, 3.0], skip=False)
        )
    net = load_model(path).network
    code, out, err = cli("export", path, "--out", tmp_path / "m.onnx", "--json")
    assert code == 0, err
    res = json.loads(out)
    assert res["format"] == "onnx" and res["verified"] is True
    X = np.random.default_rng(0).standard_normal((50, net.n_features)) * 3
    got = _onnx_predict(tmp_path / "m.onnx", X)
    assert got.shape == (50,) and got.dtype == np.float64
    np.testing.assert_allclose(got, net.predict(X), rtol=1e-13, atol=1e-13)
    one = _onnx_predict(tmp_path / "m.onnx", X[:1])  # any batch size, including 1
    np.testing.assert_allclose(one, net.predict(X[:1]), rtol=1e-13, atol=1e-13)


def test_export_onnx_float32(model_nd, tmp_path):
    pytest.importorskip("onnx", reason='needs the optional extra: pip install "sparsest[onnx]"')
    path, net, X, _ = model_nd
    code, out, err = cli("export", path, "--out", tmp_path / "m32.onnx", "--dtype", "float32")
    assert code == 0 and "verified" in out, err
    got = _onnx_predict(tmp_path / "m32.onnx", X, np.float32)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, net.predict(X), rtol=1e-5, atol=1e-5)


def test_export_torch_program_loads_back(model_1d, tmp_path):
    import torch

    net = load_model(model_1d).network
    code, out, err = cli("export", model_1d, "--out", tmp_path / "m.pt2")
    assert code == 0 and "verified with torch" in out, err
    module = torch.export.load(str(tmp_path / "m.pt2")).module()
    X = np.linspace(-4, 5, 37)[:, None]
    with torch.no_grad():
        got = module(torch.as_tensor(X)).numpy()
    np.testing.assert_allclose(got, net.predict(X), rtol=1e-14, atol=1e-14)


def test_export_without_onnx_names_the_extra(model_1d, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx -> ImportError
    code, _, err = cli("export", model_1d, "--out", tmp_path / "m.onnx")
    assert code == 2 and 'pip install "sparsest[onnx]"' in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "m.onnx").exists()


def test_export_without_onnxruntime_writes_unverified(model_1d, tmp_path, monkeypatch):
    pytest.importorskip("onnx", reason='needs the optional extra: pip install "sparsest[onnx]"')
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    code, out, _ = cli("export", model_1d, "--out", tmp_path / "m.onnx", "--json")
    res = json.loads(out)
    assert code == 0 and res["verified"] is False and "onnxruntime is missing" in res["runtime"]
    assert (tmp_path / "m.onnx").stat().st_size > 0


def test_export_format_from_extension(model_1d, tmp_path):
    code, _, err = cli("export", model_1d, "--out", tmp_path / "m.bin")
    assert code == 2 and "--format" in err and not (tmp_path / "m.bin").exists()
    code, out, err = cli("export", model_1d, "--out", tmp_path / "m.bin", "--format", "onnx", "--no-verify")
    assert code == 0 and "not verified" in out, err


# ---------------------------------------------------------------------------------- plot


def _assert_png(path, min_bytes=10_000):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) > min_bytes


def test_plot_1d_model_with_data_compares_exact(model_1d, tmp_path):
    code, out, err = cli("plot", model_1d, tmp_path / "train.csv", "--out", tmp_path / "p.png", "--json")
    assert code == 0, err
    res = json.loads(out)
    assert res["exact_n_neurons"] == 3 and res["n_neurons"] == 3 and res["max_residual"] < 1e-12
    _assert_png(tmp_path / "p.png")


def test_plot_model_1d_draws_model_exact_and_knots():
    from sparsest.exact import solve_1d
    from sparsest.plotting import plot_model_1d

    x, y = paper_1d()
    wide = ReLUNetwork.from_knots([-1.0, 0.0, 1.0, 2.0], [1.0, -1.0, -1.0, 1.0])  # the 4-knot plateau
    fig = plot_model_1d(wide, x, y, compare=[("exact sparsest", solve_1d(x, y).network)])
    ax = fig.axes[0]
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert "model (4 knots, slope jumps labelled)" in labels and "data" in labels
    assert "exact sparsest (3 knots)" in labels
    jumps = sorted(t.get_text() for t in ax.texts)
    assert jumps == ["+1", "+1", "-1", "-1"]  # the model's knots, annotated
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_plot_nd_model_heatmap_and_residuals(model_nd, tmp_path):
    path, net, X, y = model_nd
    code, out, err = cli("plot", path, tmp_path / "nd.csv", "--out", tmp_path / "nd.png", "--json")
    assert code == 0, err
    res = json.loads(out)
    assert res["n_neurons"] == net.n_active_neurons() and res["max_residual"] == pytest.approx(0.25)
    _assert_png(tmp_path / "nd.png")
    from sparsest.plotting import plot_model_nd

    fig = plot_model_nd(net, X, y)
    heat, resid = fig.axes[0], fig.axes[1]
    img = heat.get_images()[0].get_array()
    P = net.path_products(True)
    P = P[np.any(P != 0, axis=1)]
    assert img.shape == P.shape  # active neurons x (d + bias)
    assert np.array_equal(np.ma.getmaskarray(img), P == 0)  # zeros are masked (grey)
    stems = resid.collections[0].get_segments()  # one stem per data point
    tops = [seg[1][1] for seg in stems]
    assert len(stems) == 9 and np.argmax(tops) == 4 and tops[4] == pytest.approx(0.25)
    import matplotlib.pyplot as plt

    plt.close(fig)


def _history_csv(path, with_seed=False):
    rows = ["epoch,loss,n_active,n_nonzero,lp_path_norm,seconds,method" + (",seed" if with_seed else "")]
    for m, final in (("adam", 57), ("reweighted p=0.4", 3)):
        for e in (100, 0, 50, 200):  # unsorted on purpose
            n = max(final, 80 - e // 2)
            rows.append(
                f"{e},{1.0 / (e + 1)},{n},{2 * n},{n / 2},{e / 100},{m}" + (",1" if with_seed else "")
            )
    path.write_text("\n".join(rows) + "\n")
    return path


def test_plot_history(tmp_path):
    hist = _history_csv(tmp_path / "h.csv")
    code, out, err = cli("plot", hist, "--out", tmp_path / "h.png", "--reference", "3", "--json")
    assert code == 0, err
    res = json.loads(out)
    assert res["runs"] == ["adam", "reweighted p=0.4"]
    assert res["final"]["reweighted p=0.4"]["n_active"] == 3 and res["final"]["adam"]["epoch"] == 200
    _assert_png(tmp_path / "h.png")


def test_plot_history_figure():
    from sparsest.plotting import load_history, plot_history

    hist = {
        "a": {
            "epoch": np.array([0.0, 1, 2]),
            "n_active": np.array([5.0, 3, 3]),
            "loss": np.array([1, 0.1, 0]),
        },
        "b": {
            "epoch": np.array([0.0, 1, 2]),
            "n_active": np.array([5.0, 4, 0]),
            "n_nonzero": np.array([9.0, 8, 0]),
        },
    }
    fig = plot_history(hist, reference=3)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["active neurons vs epoch", "nonzero weights vs epoch", "training loss (MSE) vs epoch"]
    assert all(ax.get_yscale() == "log" for ax in fig.axes)
    active = fig.axes[0]
    assert [ln.get_label() for ln in active.get_lines()] == ["a", "b"]  # reference is on nonzeros
    assert "reference 3" in [ln.get_label() for ln in fig.axes[1].get_lines()]
    assert np.isnan(active.get_lines()[1].get_ydata()[-1])  # zero left out of the log scale
    import matplotlib.pyplot as plt

    plt.close(fig)
    del load_history


def test_load_history_groups_sorts_and_validates(tmp_path):
    from sparsest.plotting import load_history

    h = load_history(_history_csv(tmp_path / "h.csv"))
    assert list(h) == ["adam", "reweighted p=0.4"]
    assert h["adam"]["epoch"].tolist() == [0, 50, 100, 200]
    assert h["adam"]["n_active"].tolist() == [80, 57, 57, 57]
    (tmp_path / "bad.csv").write_text("step,loss\n1,2\n")
    with pytest.raises(DataError, match="not a training history"):
        load_history(tmp_path / "bad.csv")
    (tmp_path / "bad2.csv").write_text("epoch,n_active\n1,x\n")
    with pytest.raises(DataError, match="non-numeric cell 'x'"):
        load_history(tmp_path / "bad2.csv")


def test_plot_history_rejects_data_argument(tmp_path):
    hist = _history_csv(tmp_path / "h.csv")
    (tmp_path / "d.csv").write_text(PAPER_CSV)
    code, _, err = cli("plot", hist, tmp_path / "d.csv", "--out", tmp_path / "h.png")
    assert code == 2 and "remove DATA" in err and not (tmp_path / "h.png").exists()


def test_plot_data_dimension_mismatch(model_nd, tmp_path):
    (tmp_path / "d.csv").write_text(PAPER_CSV)
    code, _, err = cli("plot", model_nd[0], tmp_path / "d.csv", "--out", tmp_path / "x.png")
    assert code == 2 and "model takes 3" in err and not (tmp_path / "x.png").exists()


# ---------------------------------------------------------------------------------- demo


def test_demo_json_and_plot(tmp_path):
    from sparsest.commands.demo import demo_methods

    code, out, err = cli("demo", "--out", tmp_path / "demo.png", "--json")
    assert code == 0, err
    res = json.loads(out)
    assert res["n_neurons"] == 3 and res["knots"] == [-1.0, 0.5, 2.0] and res["jumps"] == [1.0, -2.0, 1.0]
    assert res["lp_costs"]["0.4"] == pytest.approx(2 + 2**0.4) and res["p_star"] == 1.0
    assert [m["method"] for m in res["methods"]] == [k for k, _ in demo_methods()]
    assert res["methods"][0]["method"] == "exact"
    _assert_png(tmp_path / "demo.png")


def test_demo_human_output_as_subprocess_with_the_core_install_only(tmp_path):
    # no arguments at all, and none of the optional extras (onnx, gurobi, test) importable
    proc = run_cli("demo", cwd=tmp_path, core_only=True)
    assert proc.returncode == 0, proc.stderr
    assert "f(x) = (x + 1)_+ - 2 (x - 0.5)_+ + (x - 2)_+" in proc.stdout
    assert "plot written to sparsest-demo.png" in proc.stdout
    _assert_png(tmp_path / "sparsest-demo.png")

"""The penalized mode of the trainer (``alpha``): objective, ℓ0 polish, recovery, CLI, estimator."""

from __future__ import annotations

import itertools
import json
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.utils.estimator_checks import parametrize_with_checks

from conftest import cli
from sparsest.estimator import SparseReLURegressor
from sparsest.network import ReLUNetwork
from sparsest.train import _l0_nb
from sparsest.train.l0polish import L0Problem, _best_entry_moves, _cd, _refit, _State, l0_polish
from sparsest.train.penalized import _Penalized, fit_penalized, penalized_objective

FAST = {"epochs": 300, "restarts": 4, "finetune_epochs": 100}


def _planted(n=300, noise=0.01, seed=0):
    """Two neurons on inputs {0, 1} and {2} of d = 5: 5 nonzeros incl. biases."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 5))
    y = 2.0 * np.maximum(X[:, 0] - X[:, 1] + 0.2, 0) - 1.5 * np.maximum(X[:, 2] - 0.3, 0)
    return X, y + noise * rng.normal(size=n)


# ----------------------------------------------------------------------------- the ℓ0 polish


def _random_problem(seed: int, N=60, d=3, K=5, skip=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, d))
    Xb = np.c_[X, np.ones(N)]
    H = rng.normal(size=(K, d + 1))
    D = Xb @ H.T > 0
    y = rng.normal(size=N)
    free = np.c_[X, np.ones(N)] if skip else np.zeros((N, 0))
    return Xb, y, D, free, H


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    alpha=st.floats(1e-4, 0.3),
    neurons=st.booleans(),
    skip=st.booleans(),
)
def test_l0_polish_never_raises_the_objective(seed, alpha, neurons, skip):
    Xb, y, D, free, H = _random_problem(seed, skip=skip)
    N = Xb.shape[0]
    cw, cn = (0.0, alpha) if neurons else (alpha, 0.0)
    P = L0Problem(Xb, y, D, free, N * np.var(y), cw, cn)
    U0 = np.random.default_rng(seed + 1).normal(size=H.shape)
    free0 = np.zeros(free.shape[1])
    start = _State(P, np.r_[U0.reshape(-1), free0]).objective()
    sol = l0_polish(P, U0, free0)
    assert sol.objective <= start + 1e-12
    # the reported objective is the objective of the returned coefficients (recomputed directly)
    beta = np.r_[sol.U.reshape(-1), sol.free]
    Phi = P.features(Xb, D, free)
    rss = float(np.sum((y - Phi @ beta) ** 2))
    nz = sol.U != 0
    cost = alpha * (nz.any(axis=1).sum() if neurons else nz.sum())
    assert sol.objective == pytest.approx(rss / (N * np.var(y)) + cost, rel=1e-9, abs=1e-12)


def test_l0_polish_brute_force_tiny():
    """On 1 neuron × 3 entries the polish finds the best of the 8 supports (least squares each)."""
    for seed in range(20):
        rng = np.random.default_rng(seed)
        N = 40
        Xb = np.c_[rng.normal(size=(N, 2)), np.ones(N)]
        D = np.ones((N, 1), dtype=bool)
        y = Xb @ (rng.normal(size=3) * rng.integers(0, 2, 3)) + 0.3 * rng.normal(size=N)
        alpha = 0.02
        S = N * np.var(y)
        P = L0Problem(Xb, y, D, np.zeros((N, 0)), S, alpha, 0.0)
        best = np.inf
        for mask in range(8):
            cols = [j for j in range(3) if mask >> j & 1]
            r = y - (Xb[:, cols] @ np.linalg.lstsq(Xb[:, cols], y, rcond=None)[0] if cols else 0.0)
            best = min(best, float(r @ r) / S + alpha * len(cols))
        sol = l0_polish(P, np.zeros((1, 3)), np.zeros(0))
        assert sol.objective == pytest.approx(best, rel=1e-9)


def test_network_polish_never_raises_actual_objective():
    X, y = _planted(n=200, noise=0.1, seed=3)
    rng = np.random.default_rng(0)
    net = ReLUNetwork(rng.normal(size=(8, 5)), rng.normal(size=8), rng.normal(size=8), skip=False)
    pen = _Penalized(X, y, 0.01, "nonzeros", True, False)
    out, J = pen.polish(net)
    assert J <= pen.J(net) + 1e-12
    assert J == pytest.approx(pen.J(out), rel=1e-12)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), alpha=st.floats(1e-4, 0.3), neurons=st.booleans())
def test_l0_polish_with_templates_never_raises_the_objective(seed, alpha, neurons):
    Xb, y, D, free, H = _random_problem(seed, K=8)
    N = Xb.shape[0]
    cw, cn = (0.0, alpha) if neurons else (alpha, 0.0)
    P = L0Problem(Xb, y, D, free, N * np.var(y), cw, cn)
    rng = np.random.default_rng(seed + 2)
    U0 = rng.normal(size=H.shape) * (rng.random(H.shape) < 0.5)
    U0[4:] = 0.0  # neurons 4..7 start unused: only the whole-neuron moves can bring them in
    templates = rng.random(H.shape) < 0.6
    start = _State(P, np.r_[U0.reshape(-1)]).objective()
    sol = l0_polish(P, U0, np.zeros(0), templates=templates)
    assert sol.objective <= start + 1e-12
    without = l0_polish(P, U0, np.zeros(0))
    assert sol.objective <= without.objective + 1e-12
    Phi = P.features(Xb, D, free)
    rss = float(np.sum((y - Phi @ sol.U.reshape(-1)) ** 2))
    nz = sol.U != 0
    cost = alpha * (nz.any(axis=1).sum() if neurons else nz.sum())
    assert sol.objective == pytest.approx(rss / (N * np.var(y)) + cost, rel=1e-9, abs=1e-12)


def test_whole_neuron_addition_finds_what_coordinate_moves_miss():
    """y = x_0 + x_1 with x_1 ≈ −x_0: either entry alone explains almost nothing (it does not pay
    its cost), both together explain y; the template of the unused neuron adds them at once."""
    rng = np.random.default_rng(0)
    N = 200
    x0 = rng.normal(size=N)
    e = rng.normal(size=N)
    Xb = np.c_[x0, -x0 + 0.3 * e, np.ones(N)]
    y = Xb[:, 0] + Xb[:, 1] + 0.01 * rng.normal(size=N)
    D = np.ones((N, 1), dtype=bool)
    P = L0Problem(Xb, y, D, np.zeros((N, 0)), N * np.var(y), 0.2, 0.0)
    U0 = np.zeros((1, 3))
    plain = l0_polish(P, U0, np.zeros(0))
    assert plain.n_entries == 0  # coordinate moves stay at the empty network
    moved = l0_polish(P, U0, np.zeros(0), templates=np.array([[True, True, False]]))
    assert moved.n_entries == 2
    assert moved.objective < plain.objective - 0.5


def test_pool_polish_never_raises_actual_objective_and_borrows_neurons():
    X, y = _planted(n=200, noise=0.05, seed=3)
    pen = _Penalized(X, y, 0.005, "nonzeros", True, False)
    # the winner knows only the first neuron of the planted function, a pool network the second
    n1 = ReLUNetwork(np.array([[2.0, -2.0, 0, 0, 0]]), np.array([0.4]), np.array([1.0]), skip=False)
    n2 = ReLUNetwork(np.array([[0, 0, 1.5, 0, 0]]), np.array([-0.45]), np.array([-1.0]), skip=False)
    J1 = pen.J(n1)
    out, J = pen.pool_polish(n1, [n2])
    assert J == pytest.approx(pen.J(out), rel=1e-12)
    assert J < pen.polish(n1)[1] - 0.02 and J < J1  # better than the winner's own polish
    assert set(out.inputs_used().tolist()) == {0, 1, 2}
    # nothing to borrow: the network comes back unchanged
    same, J_same = pen.pool_polish(n1, [])
    assert same is n1 and J_same == J1


def test_polish_ladder_and_pool_never_worse_than_the_direct_polish():
    X, y = _planted(n=250, noise=0.3, seed=1)
    base = fit_penalized(
        X,
        y,
        alpha=0.01,
        seed=0,
        polish_ladder=(),
        pool_rounds=0,
        finetune_epochs=0,
        **{k: v for k, v in FAST.items() if k != "finetune_epochs"},
    )
    full = fit_penalized(
        X,
        y,
        alpha=0.01,
        seed=0,
        finetune_epochs=0,
        **{k: v for k, v in FAST.items() if k != "finetune_epochs"},
    )
    assert full.info["penalized_objective"] <= base.info["penalized_objective"] + 1e-12


# ----------------------------------------------------------------------------- the fit


def test_planted_sparse_network_is_recovered():
    X, y = _planted()
    # (at alpha = 0.01 dropping the second bias costs less than a nonzero: relu(x_2) is then better)
    fit = fit_penalized(X, y, alpha=0.002, seed=0, **FAST)
    net = fit.network
    assert set(net.inputs_used().tolist()) == {0, 1, 2}
    assert fit.n_nonzero == 5
    assert fit.n_active == 2
    assert fit.info["train_r2"] > 0.999


def test_more_alpha_never_more_nonzeros():
    X, y = _planted(n=250, noise=0.3, seed=1)
    counts = [fit_penalized(X, y, alpha=a, seed=0, **FAST).n_nonzero for a in (0.001, 0.01, 0.03, 0.1)]
    assert all(b <= a for a, b in itertools.pairwise(counts)), counts


def test_reported_objective_and_determinism():
    X, y = _planted(n=150, noise=0.2, seed=2)
    f1 = fit_penalized(X, y, alpha=0.01, seed=4, **FAST)
    f2 = fit_penalized(X, y, alpha=0.01, seed=4, **FAST)
    assert f1.network.allclose(f2.network, rtol=0, atol=0)
    J = penalized_objective(f1.network, X, y, 0.01)
    assert f1.info["penalized_objective"] == pytest.approx(J, rel=1e-12)
    # the result is never worse than the gradient phase's best network
    assert J <= penalized_objective(f1.gradient_network, X, y, 0.01) + 1e-12


def test_1d_penalized_counts_neurons_with_free_skip_term():
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(-2, 2, 200))
    y = 0.5 * x + np.maximum(x - 0.5, 0) * 2 - np.maximum(x + 1, 0) + 0.05 * rng.normal(size=200)
    fit = fit_penalized(x, y, alpha=0.01, seed=0, **FAST)
    assert fit.info["objective"] == "neurons"
    assert fit.n_active == 2
    kv = fit.network.knots_1d()
    assert np.allclose(np.sort(kv.knots), [-1.0, 0.5], atol=0.1)


def test_subset_training_at_scale_reports_full_data_objective():
    X, y = _planted(n=3000, noise=0.05, seed=5)
    fit = fit_penalized(X, y, alpha=0.01, seed=0, max_train_points=500, **FAST)
    assert fit.info["train_points"] == 500
    assert fit.info["penalized_objective"] == pytest.approx(penalized_objective(fit.network, X, y, 0.01))
    assert set(fit.network.inputs_used().tolist()) == {0, 1, 2}


def test_duplicates_with_different_targets_are_fine_when_penalized():
    X, y = _planted(n=100, noise=0.0)
    X2, y2 = np.r_[X, X[:10]], np.r_[y, y[:10] + 0.5]
    m = SparseReLURegressor(alpha=0.01, random_state=0, epochs=200, restarts=2).fit(X2, y2)
    assert m.n_nonzero_ > 0
    with pytest.raises(Exception, match="duplicate"):
        SparseReLURegressor(random_state=0, epochs=20, restarts=2).fit(X2, y2)


# ----------------------------------------------------------------------------- estimator


def test_estimator_attributes_and_score():
    X, y = _planted(n=200, noise=0.05)
    m = SparseReLURegressor(alpha=0.01, random_state=0, epochs=300, restarts=4).fit(X, y)
    assert m.n_neurons_ == m.n_active_neurons_
    assert m.inputs_used_.tolist() == [0, 1, 2]
    assert m.score(X, y) == pytest.approx(m.train_r2_)
    assert m.train_rmse_ == pytest.approx(float(np.sqrt(np.mean((m.predict(X) - y) ** 2))))


def test_estimator_alpha_is_lambda_of_algorithm1():
    X, y = _planted(n=60, noise=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = SparseReLURegressor(alpha=0.05, method="reweighted", epochs=50, random_state=0).fit(X, y)
        b = SparseReLURegressor(lam=0.05, method="reweighted", epochs=50, random_state=0).fit(X, y)
    assert a.network_.allclose(b.network_, rtol=0, atol=0)
    with pytest.raises(Exception, match="alpha applies"):
        SparseReLURegressor(alpha=0.05, method="adam").fit(X, y)


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_estimator_bad_alpha(bad):
    X, y = _planted(n=30)
    with pytest.raises(Exception, match="alpha"):
        SparseReLURegressor(alpha=bad).fit(X, y)


@parametrize_with_checks(
    [SparseReLURegressor(alpha=0.01, epochs=60, restarts=2, random_state=0)],
    expected_failed_checks=lambda est: {},
)
def test_sklearn_estimator_checks_penalized(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check(estimator)


# ----------------------------------------------------------------------------- CLI


@pytest.fixture
def planted_csvs(tmp_path):
    X, y = _planted(n=240, noise=0.05)
    head = ",".join([f"x{i}" for i in range(5)] + ["y"])
    tr, te = tmp_path / "train.csv", tmp_path / "test.csv"
    np.savetxt(tr, np.c_[X[:160], y[:160]], delimiter=",", header=head, comments="")
    np.savetxt(te, np.c_[X[160:], y[160:]], delimiter=",", header=head, comments="")
    return str(tr), str(te)


def test_cli_fit_alpha_json_test_and_model(planted_csvs, tmp_path):
    tr, te = planted_csvs
    out = tmp_path / "m.json"
    code, stdout, err = cli(
        "fit",
        tr,
        "--alpha",
        "0.002",
        "--test",
        te,
        "--epochs",
        "300",
        "--restarts",
        "4",
        "--json",
        "--out",
        out,
    )
    assert code == 0, err
    doc = json.loads(stdout)
    assert doc["mode"] == "penalized" and doc["alpha"] == 0.002
    assert doc["inputs_used"] == [0, 1, 2]
    assert doc["n_nonzero"] == 5 and doc["n_neurons"] == 2
    assert doc["test_r2"] > 0.99 and doc["train_r2"] > 0.99
    meta = json.loads(out.read_text())["metadata"]
    assert meta["mode"] == "penalized" and meta["alpha"] == 0.002
    # predict works on a file with only the input columns
    Xonly = tmp_path / "inputs.csv"
    X = np.loadtxt(te, delimiter=",", skiprows=1)[:, :5]
    np.savetxt(Xonly, X, delimiter=",", header=",".join(f"x{i}" for i in range(5)), comments="")
    code, stdout, err = cli("predict", out, Xonly)
    assert code == 0, err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--alpha", "-1"], "--alpha must be a finite number >= 0"),
        (["--alpha", "nan"], "--alpha must be a finite number >= 0"),
        (["--alpha", "x"], "--alpha must be a number"),
        (["--alpha", "0.1", "--method", "adam"], "--alpha applies to"),
        (["--alpha", "0.1", "--tol", "0.1"], "--tol"),
    ],
)
def test_cli_fit_bad_alpha(planted_csvs, args, message):
    code, _, err = cli("fit", planted_csvs[0], *args)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


# ----------------------------------------------------------------------------- the budget mode


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), cap=st.integers(0, 8), neurons=st.booleans(), tie=st.booleans())
def test_capped_polish_stays_within_the_budget(seed, cap, neurons, tie):
    """Every start (above or below the budget) ends within it; a feasible start is never worsened."""
    Xb, y, D, free, H = _random_problem(seed)
    N = Xb.shape[0]
    c = 1e-9 if tie else 0.01
    cw, cn = (0.0, c) if neurons else (c, 0.0)
    P = L0Problem(Xb, y, D, free, N * np.var(y), cw, cn, max_count=cap)
    U0 = np.random.default_rng(seed + 1).normal(size=H.shape)
    U0[np.random.default_rng(seed + 2).random(H.shape) < 0.5] = 0.0
    sol = l0_polish(P, U0, np.zeros(0), templates=U0 != 0)
    used = sol.n_neurons if neurons else sol.n_entries
    assert used <= cap
    st0 = _State(P, U0.reshape(-1))
    if st0.count() <= cap:
        assert sol.objective <= st0.objective() + 1e-12


def test_capped_polish_brute_force_tiny():
    """One always-active neuron with 4 entries, budget k: the capped polish finds the best of the
    C(4, k) least-squares fits (a planted k-sparse signal plus noise)."""
    for seed in range(12):
        rng = np.random.default_rng(seed)
        N = 50
        Xb = np.c_[rng.normal(size=(N, 3)), np.ones(N)]
        beta = rng.normal(size=4) * (rng.random(4) < 0.6)
        y = Xb @ beta + 0.5 * rng.normal(size=N)
        S = N * np.var(y)
        for k in range(5):
            P = L0Problem(Xb, y, np.ones((N, 1), bool), np.zeros((N, 0)), S, 1e-9, 0.0, max_count=k)
            best = np.inf
            for cols in itertools.combinations(range(4), k):
                cols = list(cols)
                r = y - (Xb[:, cols] @ np.linalg.lstsq(Xb[:, cols], y, rcond=None)[0] if cols else 0.0)
                best = min(best, float(r @ r))
            # starts: empty, and the full least-squares fit (reduced by backward elimination)
            for U0 in (np.zeros((1, 4)), np.linalg.lstsq(Xb, y, rcond=None)[0][None, :]):
                sol = l0_polish(P, U0, np.zeros(0))
                assert sol.n_entries <= k
                assert sol.rss == pytest.approx(best, rel=1e-9, abs=1e-9)


@pytest.mark.skipif(not _l0_nb.HAVE_NUMBA, reason="numba (the fast extra) is not installed")
@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    neurons=st.booleans(),
    skip=st.booleans(),
    cost=st.sampled_from([1e-9, 0.01, 0.05]),
)
def test_compiled_cd_sweep_is_bit_identical(seed, neurons, skip, cost):
    """The numba support sweep of the coordinate descent gives the same β, g and counts, bit for
    bit, as the pure-Python loop (the core install's path), and so the same polished network."""
    import os

    Xb, y, D, free, H = _random_problem(seed, N=80, d=4, K=8, skip=skip)
    N = Xb.shape[0]
    cw, cn = (cost, 0.02) if neurons else (cost, 0.0)
    rng = np.random.default_rng(seed + 5)
    U0 = rng.normal(size=H.shape) * (rng.random(H.shape) < 0.6)
    beta0 = np.r_[U0.reshape(-1), rng.normal(size=free.shape[1])]
    out = []
    old = os.environ.get("SPARSEST_NO_NUMBA")
    try:
        for flag in ("1", "0"):
            os.environ["SPARSEST_NO_NUMBA"] = flag
            P = L0Problem(Xb, y, D, free, N * np.var(y), cw, cn)
            st_ = _State(P, beta0)
            _cd(st_)
            sol = l0_polish(P, beta0[: H.size].reshape(H.shape), beta0[H.size :])
            out.append((st_.beta, st_.g, st_.cnt, sol.U, sol.free))
    finally:
        if old is None:
            os.environ.pop("SPARSEST_NO_NUMBA", None)
        else:
            os.environ["SPARSEST_NO_NUMBA"] = old
    assert (beta0 != 0).sum() >= _l0_nb.MIN_SUPPORT  # the compiled path ran
    for a, b in zip(*out, strict=True):
        assert np.array_equal(a, b)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), neurons_cost=st.booleans(), skip=st.booleans(), room=st.integers(0, 2))
def test_best_entry_move_is_the_best_single_swap_or_addition(seed, neurons_cost, skip, room):
    """The first move of ``_best_entry_moves`` (scored by rank-one downdates of one factorization)
    is the best of all single additions and swaps, each scored by an explicit least-squares re-fit
    (a brute-force oracle); its objective equals that best one."""
    Xb, y, D, free, H = _random_problem(seed, skip=skip)
    N = Xb.shape[0]
    rng = np.random.default_rng(seed + 3)
    cw, cn = 0.01, (0.02 if neurons_cost else 0.0)
    U0 = rng.normal(size=H.shape) * (rng.random(H.shape) < 0.4)
    beta0 = np.r_[U0.reshape(-1), np.zeros(free.shape[1])]
    n0 = _State(L0Problem(Xb, y, D, free, N * np.var(y), cw, cn), beta0).count()  # entries (+ neurons)
    P = L0Problem(Xb, y, D, free, N * np.var(y), cw, cn, max_count=int(n0) + room)
    st0 = _State(P, _refit(P, beta0))
    cur = st0.objective()
    supp = np.flatnonzero((st0.beta != 0) & ~P.is_free)
    zero = np.flatnonzero(P.usable & ~P.is_free & (st0.beta == 0))
    best = cur
    for j in [None, *supp.tolist()]:
        for lcol in zero.tolist():
            beta = st0.beta.copy()
            if j is not None:
                beta[j] = 0.0
            beta[lcol] = 1.0
            trial = _State(P, _refit(P, beta))
            if trial.room() >= -1e-9:
                best = min(best, trial.objective())
    moved, improved = _best_entry_moves(st0.copy(), max_moves=1)
    assert moved.room() >= -1e-9
    if best < cur - 1e-9 * max(1.0, abs(cur)):
        assert improved
        assert moved.objective() == pytest.approx(best, rel=1e-9, abs=1e-12)
    else:
        assert moved.objective() >= best - 1e-9 * max(1.0, abs(cur))


def test_budget_fits_stay_within_and_match_the_penalized_fits():
    """Budget fits of the planted network (2 + 3 entries, 5 nonzeros): each within its budget,
    more budget a better fit, the planted support at budget 5; and at the count a penalized fit
    lands on, the budget fit is at least as good (the budget reaches every count a penalty does)."""
    X, y = _planted(n=200, noise=0.1, seed=1)
    fits: dict[int, object] = {}

    def budget_fit(k: int):
        if k not in fits:
            fits[k] = fit_penalized(X, y, alpha=0.0, budget=k, seed=0, **FAST)
        return fits[k]

    for k in (1, 3, 4, 5):
        f = budget_fit(k)
        assert f.n_nonzero <= k
        assert f.info["budget"] == k and f.info["alpha"] == 0.0
    assert budget_fit(4).n_nonzero == 4
    assert set(budget_fit(5).network.inputs_used().tolist()) == {0, 1, 2}
    r2 = [budget_fit(k).info["train_r2"] for k in (1, 3, 4, 5)]
    assert r2 == sorted(r2) and len(set(r2)) == 4
    for a in (0.03, 0.2):
        pen = fit_penalized(X, y, alpha=a, seed=0, **FAST)
        assert budget_fit(pen.n_nonzero).info["train_r2"] >= pen.info["train_r2"] - 1e-9


def test_1d_budget_counts_neurons():
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(-2, 2, 200))
    y = 0.5 * x + np.maximum(x - 0.5, 0) * 2 - np.maximum(x + 1, 0) + 0.05 * rng.normal(size=200)
    f1 = fit_penalized(x, y, alpha=0.0, budget=1, seed=0, **FAST)
    f2 = fit_penalized(x, y, alpha=0.0, budget=2, seed=0, **FAST)
    assert f1.info["objective"] == "neurons"
    assert f1.n_active == 1 and f2.n_active == 2
    assert f1.info["train_r2"] < f2.info["train_r2"]
    assert np.allclose(np.sort(f2.network.knots_1d().knots), [-1.0, 0.5], atol=0.1)


@pytest.mark.parametrize("bad", [-1, 2.5, True, "3"])
def test_budget_bad_values(bad):
    X, y = _planted(n=30)
    with pytest.raises(Exception, match="budget"):
        SparseReLURegressor(budget=bad).fit(X, y)


def test_cli_fit_budget_json_and_model(planted_csvs, tmp_path):
    tr, te = planted_csvs
    out = tmp_path / "m.json"
    code, stdout, err = cli(
        "fit", tr, "--budget", "5", "--test", te, "--epochs", "300", "--restarts", "4", "--json", "--out", out
    )
    assert code == 0, err
    doc = json.loads(stdout)
    assert doc["mode"] == "budget" and doc["budget"] == 5 and doc["alpha"] is None
    assert doc["n_nonzero"] <= 5 and doc["inputs_used"] == [0, 1, 2]
    assert doc["test_r2"] > 0.99
    meta = json.loads(out.read_text())["metadata"]
    assert meta["mode"] == "budget" and meta["budget"] == 5


@pytest.mark.parametrize(
    "args, message",
    [
        (["--budget", "-1"], "--budget must be an integer >= 0"),
        (["--budget", "2.5"], "--budget must be an integer >= 0"),
        (["--budget", "3", "--method", "adam"], "--budget applies to"),
        (["--budget", "3", "--tol", "0.1"], "--tol"),
    ],
)
def test_cli_fit_bad_budget(planted_csvs, args, message):
    code, _, err = cli("fit", planted_csvs[0], *args)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    skip=st.booleans(),
    bounds=st.booleans(),
    chunked=st.booleans(),
)
def test_fast_gradients_match_the_einsum_form(seed, skip, bounds, chunked):
    """The batched-matmul form of the gradient pass (penalized/bounded modes) computes the same
    MSE, predictions and gradients as the einsum form (interpolation) up to rounding, with bounds,
    the skip term and the chunked (large-data) path."""
    import torch

    from sparsest.train import sparsest as tr

    rng = np.random.default_rng(seed)
    R, N, K, d = (
        int(rng.integers(1, 5)),
        int(rng.integers(1, 60)),
        int(rng.integers(1, 20)),
        int(rng.integers(1, 6)),
    )
    t = lambda *s: torch.as_tensor(rng.normal(size=s))  # noqa: E731
    X, y, W, b, v, a, c = t(N, d), t(N), t(R, K, d), t(R, K), t(R, K), t(R, d), t(R)
    lo, hi = (y - 0.3, y + 0.3) if bounds else (None, None)
    old = tr._CHUNK_ELEMS
    try:
        if chunked:
            tr._CHUNK_ELEMS = max(1, R * K * 7)  # blocks of 7 points
        ref = tr._mse_and_gradients(X, y, W, b, v, a, c, skip, lo, hi)
        fast = tr._mse_and_gradients(X, y, W, b, v, a, c, skip, lo, hi, fast=True)
    finally:
        tr._CHUNK_ELEMS = old
    assert torch.allclose(ref[0], fast[0], rtol=1e-12, atol=1e-12)
    assert torch.allclose(ref[1], fast[1], rtol=1e-12, atol=1e-12)
    assert len(ref[2]) == len(fast[2]) == (5 if skip else 3)
    for g0, g1 in zip(ref[2], fast[2], strict=True):
        assert g0.shape == g1.shape
        assert torch.allclose(g0, g1, rtol=1e-10, atol=1e-12)

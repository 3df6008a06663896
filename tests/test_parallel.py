"""The task runner (sparsest.parallel): per-task seeds, identical results for every backend and job
count (serial, local processes, a Dask LocalCluster started here), retries, one-line errors."""

from __future__ import annotations

import json
import os
import socket
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import cli
from sparsest.errors import BackendNotAvailableError, ParameterError
from sparsest.parallel import TaskError, check_scheduler, run_tasks, task_seed


# ---------------------------------------------------------------------------------- task functions
def _draw(seed: int, n: int) -> list[float]:
    return np.random.default_rng(seed).normal(size=n).tolist()


def _flaky(marker: str, value: int) -> int:
    """Fails the first time (creates ``marker``), succeeds afterwards."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        raise RuntimeError("first attempt fails")
    return value


def _die_once(marker: str, value: int) -> int:
    """Kills its worker process the first time."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(3)
    return value


def _always_fails(alpha: float) -> None:
    raise ValueError(f"cannot fit alpha={alpha}")


def _user_error(marker: str) -> None:
    with open(marker, "a") as fh:
        fh.write("x")
    raise ParameterError("bad parameter")


# ---------------------------------------------------------------------------------- seeds
@given(st.integers(-(2**40), 2**40), st.integers(0, 10**6))
def test_task_seed_is_a_function_of_seed_and_index(seed, index):
    s = task_seed(seed, index)
    assert 0 <= s < 2**32 and s == task_seed(seed, index)
    assert len({task_seed(seed, index + j) for j in range(8)}) == 8  # distinct tasks, distinct seeds
    assert task_seed(seed, index) != task_seed(-seed - 1, index) or seed == -seed - 1


def test_task_seed_rejects_negative_index():
    with pytest.raises(ParameterError):
        task_seed(0, -1)


@pytest.mark.parametrize("good", ["tcp://127.0.0.1:8786", "10.0.0.5:8786", "ray", "ray://head:10001"])
def test_check_scheduler_accepts(good):
    assert check_scheduler(good) == good


@pytest.mark.parametrize("bad", ["", "localhost", "http://x", "tcp://host", "8786"])
def test_check_scheduler_rejects(bad):
    with pytest.raises(ParameterError, match="scheduler"):
        check_scheduler(bad)


# ---------------------------------------------------------------------------------- backends
@pytest.fixture(scope="module")
def cluster():
    """A 2-worker Dask cluster in this process (threads, localhost only). Its HTTP server takes a free
    port (``":0"``; ``None`` still binds 8787, which fails while another Dask cluster runs here)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as c:
        yield c


TASKS = [{"seed": task_seed(7, i), "n": 3} for i in range(6)]


def test_identical_values_serial_processes_and_dask(cluster):
    serial = run_tasks(_draw, TASKS)
    local = run_tasks(_draw, TASKS, n_jobs=2)
    dask = run_tasks(_draw, TASKS, scheduler=cluster.scheduler_address)
    assert serial.values == local.values == dask.values
    assert serial.backend == "sequential" and local.backend == "loky" and dask.backend == "dask"
    assert serial.workers == [f"pid {os.getpid()}"]
    assert len(local.workers) >= 1 and f"pid {os.getpid()}" not in local.workers
    assert set(dask.workers) <= {w.address for w in cluster.workers.values()}
    # the values are a function of the seeds, not of the order or place of execution
    assert run_tasks(_draw, TASKS[::-1]).values == serial.values[::-1]


def test_retry_once_then_succeed(tmp_path):
    tasks = [{"marker": str(tmp_path / f"m{i}"), "value": i} for i in range(3)]
    rep = run_tasks(_flaky, tasks)
    assert rep.values == [0, 1, 2] and rep.retried == [0, 1, 2]


def test_killed_worker_is_retried(tmp_path):
    tasks = [{"marker": str(tmp_path / "die"), "value": 5}, {"marker": str(tmp_path / "ok"), "value": 6}]
    (tmp_path / "ok").touch()
    rep = run_tasks(_die_once, tasks, n_jobs=2)
    assert rep.values == [5, 6] and 0 in rep.retried


def test_task_failing_twice_is_reported_with_its_parameters():
    with pytest.raises(TaskError) as info:
        run_tasks(_always_fails, [{"alpha": 0.5}, {"alpha": 0.25}])
    msg = str(info.value)
    assert "task 1 of 2 (alpha=0.5) failed 2 time(s)" in msg and "ValueError" in msg
    assert "\n" not in msg


def test_user_errors_are_not_retried(tmp_path):
    marker = tmp_path / "calls"
    with pytest.raises(ParameterError, match="bad parameter"):
        run_tasks(_user_error, [{"marker": str(marker)}])
    assert marker.read_text() == "x"  # called once


def test_bad_n_jobs():
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ParameterError, match="n_jobs"):
            run_tasks(_draw, TASKS, n_jobs=bad)


def test_missing_dask_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as in an install without the extra
    with pytest.raises(BackendNotAvailableError, match=r"sparsest\[dask\]"):
        run_tasks(_draw, TASKS, scheduler="tcp://127.0.0.1:8786")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------- the CLI
PEAK = "x,y\n" + "".join(
    f"{x},{y}\n" for x, y in zip(range(12), [0, 1, 3, 2, 2, 4, 7, 5, 4, 4, 3, 1], strict=True)
)


def _one_line_error(code, out, err, needle):
    assert code == 2, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0] and "Traceback" not in err, err
    assert needle.lower() in lines[0].lower(), lines[0]


@pytest.mark.parametrize("command", ["path", "reproduce"])
def test_cli_missing_extra_and_unreachable_scheduler(tmp_path, monkeypatch, command):
    (tmp_path / "d.csv").write_text(PEAK)
    head = (
        ["path", tmp_path / "d.csv", "--cv", "3", "--knots", "0,1"]
        if command == "path"
        else ["reproduce", "fig17", "--epochs", "2", "--out", tmp_path / "r"]
    )
    port = _free_port()
    monkeypatch.setenv("SPARSEST_DASK_TIMEOUT", "1")
    code, out, err = cli(*map(str, head), "--scheduler", f"tcp://127.0.0.1:{port}", "--quiet")
    _one_line_error(code, out, err, "cannot reach the Dask scheduler")
    code, out, err = cli(*map(str, head), "--scheduler", "nonsense", "--quiet")
    _one_line_error(code, out, err, "scheduler must be")
    monkeypatch.setitem(sys.modules, "distributed", None)
    code, out, err = cli(*map(str, head), "--scheduler", f"tcp://127.0.0.1:{port}", "--quiet")
    _one_line_error(code, out, err, 'pip install "sparsest[dask]"')
    assert not (tmp_path / "r").exists() or not list((tmp_path / "r").iterdir())  # nothing written


def test_cli_path_identical_for_jobs_and_dask(tmp_path, cluster):
    from distributed import Client, get_task_stream

    (tmp_path / "d.csv").write_text(PEAK)
    base = ["path", str(tmp_path / "d.csv"), "--cv", "3", "--knots", "0,1,2,3", "--json", "--seed", "4"]
    runs = {}
    for name, extra in (("1", ["--jobs", "1"]), ("2", ["--jobs", "2"])):
        code, out, err = cli(*base, *extra)
        assert code == 0, err
        runs[name] = json.loads(out)
    with Client(cluster.scheduler_address) as client, get_task_stream(client) as ts:
        code, out, err = cli(*base, "--scheduler", cluster.scheduler_address)
        assert code == 0, err
        runs["dask"] = json.loads(out)
    keys = ("chosen", "n_nonzero", "n_neurons", "cv_error", "rows")
    assert all(runs[k][key] == runs["1"][key] for k in runs for key in keys)
    workers = {w.address for w in cluster.workers.values()}
    d = runs["dask"]
    assert d["backend"] == "dask" and d["n_tasks"] == 4 and set(d["workers"]) <= workers
    assert runs["1"]["workers"] == [f"pid {os.getpid()}"] and runs["2"]["backend"] == "loky"
    ran = [t for t in ts.data if t.get("worker") in workers]
    assert len(ran) >= d["n_tasks"]  # the scheduler saw every task run on the cluster's workers


def test_reproduce_parallel_equals_serial(cluster):
    from sparsest import reproduce as rp

    cfg = rp.config("fig17", epochs=25, seeds=2, methods=(rp.MethodSpec("p=0.4", "reweighted", 0.4),))
    serial = rp.run(cfg, progress=False)
    for kwargs in ({"n_jobs": 2}, {"scheduler": cluster.scheduler_address}):
        par = rp.run(cfg, progress=False, **kwargs)
        assert [r.seed for r in par.runs] == [r.seed for r in serial.runs] == [20, 21]
        for a, b in zip(serial.runs, par.runs, strict=True):
            assert a.result.network.allclose(b.result.network, rtol=0.0, atol=0.0)
            assert np.array_equal(a.result.history["loss"], b.result.history["loss"])
        assert rp.summarize(par)[0]["finals"] == rp.summarize(serial)[0]["finals"]

"""Run independent tasks in parallel: local processes, a Dask cluster or Ray, all through joblib.

A *task* is one call ``fn(**kwargs)`` of a module-level function (so that it can be pickled to another
process or machine). :func:`run_tasks` runs a list of them and returns their values in task order:

* ``n_jobs=1`` (default), no scheduler: one after the other in this process (joblib's sequential
  backend, or the backend of an enclosing :func:`joblib.parallel_config`, as in scikit-learn).
* ``n_jobs=N > 1`` or ``-1``: ``N`` local worker processes (joblib's ``loky`` backend, unless an
  enclosing :func:`joblib.parallel_config` names another).
* ``scheduler="tcp://HOST:PORT"``: the tasks run on the workers of a Dask distributed cluster
  (``pip install "sparsest[dask]"``; joblib's ``dask`` backend, every core of the cluster).
* ``scheduler="ray"`` (or ``"ray://HOST:PORT"``): a Ray cluster through Ray's joblib backend
  (``pip install "ray[default]"``; :func:`ray.util.joblib.register_ray`).

Determinism. A task receives everything it needs in its arguments, shares no state with other
tasks, draws its random numbers from a seed that is a function of ``(seed, task index)`` only
(:func:`task_seed`), and runs with one BLAS/OpenMP thread (``threadpoolctl``; a different thread
count changes the rounding of parallel reductions), so the values returned are identical for every
backend and job count.

Failures. An exception raised by a task (other than a :class:`~sparsest.errors.SparsestError`, which
is the user's input and deterministic: it is re-raised at once), or a worker lost while running it
(a killed process, a lost Dask worker), makes the task run once more; a task that fails twice is
reported as a :class:`TaskError` naming its index and parameters. One tqdm progress bar on stderr
counts finished tasks (``progress=True``). An interrupt (Ctrl-C) stops the workers and propagates;
callers write their outputs only after :func:`run_tasks` returns, so nothing half-written is left.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import BackendNotAvailableError, ParameterError, SparsestError

__all__ = ["RunReport", "TaskError", "check_scheduler", "run_tasks", "task_seed"]

#: seconds to wait for a Dask scheduler to answer (override with SPARSEST_DASK_TIMEOUT)
DASK_CONNECT_TIMEOUT = 10.0

_ADDRESS = re.compile(r"^(?:(?:tcp|tls|ws|wss|ucx)://)?[\w.\-\[\]:]+:\d+$|^inproc://\S+$")


class TaskError(SparsestError, RuntimeError):
    """A task failed twice (an exception, or its worker was lost); the message names its parameters."""


def _entropy(seed: int) -> list[int]:
    """Non-negative integers for :class:`numpy.random.SeedSequence` from any integer ``seed``."""
    seed = int(seed)
    return [abs(seed), 1 if seed < 0 else 0]


def task_seed(seed: int, index: int) -> int:
    """The seed of task ``index`` of a run seeded with ``seed``.

    ``SeedSequence([|seed|, [seed < 0], index]).generate_state(1)[0]``: a 32-bit integer that depends on
    ``(seed, index)`` only, so a task draws the same numbers wherever and in whatever order it runs,
    and different tasks draw statistically independent streams.

    Parameters
    ----------
    seed : int
        Seed of the whole run.
    index : int
        Index of the task (``>= 0``).

    Returns
    -------
    int
        In ``[0, 2**32)``.
    """
    if int(index) < 0:
        raise ParameterError(f"task index must be >= 0, got {index!r}")
    ss = np.random.SeedSequence([*_entropy(seed), int(index)])
    return int(ss.generate_state(1, dtype=np.uint32)[0])


@dataclass
class RunReport:
    """What :func:`run_tasks` did.

    Attributes
    ----------
    values : list
        ``fn(**kwargs)`` of every task, in task order.
    where : list of str
        Where each task ran: the Dask worker's address, or ``"pid N"`` (the process id).
    seconds : list of float
        Wall time of each task (its successful attempt).
    retried : list of int
        Indices of the tasks that ran a second time.
    backend : str
        ``"sequential"``, ``"loky"``, ``"dask"``, ``"ray"`` (or an enclosing joblib backend's name).
    n_jobs : int
        The job count passed to joblib (``-1``: every core of the cluster or machine).
    wall_seconds : float
    """

    values: list
    where: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    retried: list = field(default_factory=list)
    backend: str = "sequential"
    n_jobs: int = 1
    wall_seconds: float = 0.0

    @property
    def workers(self) -> list[str]:
        """The distinct places the tasks ran, sorted."""
        return sorted(set(self.where))


@dataclass
class _Done:
    index: int
    value: Any
    where: str
    seconds: float


@dataclass
class _Failed:
    index: int
    message: str


def _where() -> str:
    """The Dask worker running this call, else this process."""
    dist = sys.modules.get("distributed")
    if dist is not None:
        try:
            return str(dist.get_worker().address)
        except (ValueError, AttributeError):
            pass
    return f"pid {os.getpid()}"


def _call(fn: Callable, kwargs: dict, index: int) -> _Done | _Failed:
    """Run one task in a worker with one BLAS/OpenMP thread (so that floating-point reductions, and
    hence the results, are the same in every backend); an ordinary exception becomes a
    :class:`_Failed` (retried)."""
    from threadpoolctl import threadpool_limits

    t0 = time.perf_counter()
    try:
        with threadpool_limits(limits=1):
            value = fn(**kwargs)
    except SparsestError:
        raise
    except Exception as exc:  # reported with the task's parameters, after a retry
        return _Failed(index, _one_line(f"{type(exc).__name__}: {exc}"))
    return _Done(index, value, _where(), time.perf_counter() - t0)


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_scheduler(address: str | None) -> str | None:
    """Validate a scheduler address: ``None``, ``"ray"``, ``"ray://HOST:PORT"`` or a Dask address
    ``[tcp://]HOST:PORT`` (also ``tls://``, ``ws://``, ``ucx://``); returns it stripped.

    Raises
    ------
    ParameterError
        Anything else.
    """
    if address is None:
        return None
    a = str(address).strip()
    if a == "ray" or a.startswith("ray://") or _ADDRESS.match(a):
        return a
    raise ParameterError(
        f"scheduler must be a Dask address like tcp://HOST:PORT (or 'ray', ray://HOST:PORT), got {address!r}"
    )


@contextlib.contextmanager
def _dask_backend(address: str) -> Iterator[None]:
    try:
        import distributed
    except ImportError:
        raise BackendNotAvailableError(
            "a Dask scheduler needs the 'dask' extra: pip install \"sparsest[dask]\""
        ) from None
    from joblib import parallel_config

    timeout = float(os.environ.get("SPARSEST_DASK_TIMEOUT", DASK_CONNECT_TIMEOUT))
    try:
        client = distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ParameterError(
            f"cannot reach the Dask scheduler at {address} within {timeout:g} s ({_one_line(exc, 160)})"
        ) from None
    try:
        with parallel_config(backend="dask", client=client, wait_for_workers_timeout=timeout):
            yield
    finally:
        client.close()


@contextlib.contextmanager
def _ray_backend(address: str) -> Iterator[None]:
    try:
        import ray
        from ray.util.joblib import register_ray
    except ImportError:
        raise BackendNotAvailableError('the Ray backend needs Ray: pip install "ray[default]"') from None
    from joblib import parallel_config

    register_ray()
    try:
        ray.init(address=None if address == "ray" else address, ignore_reinit_error=True)
    except Exception as exc:  # Ray raises ConnectionError and RuntimeError subclasses
        raise ParameterError(f"cannot reach the Ray cluster at {address} ({_one_line(exc, 160)})") from None
    with parallel_config(backend="ray"):
        yield


def _describe(kwargs: dict) -> str:
    """The scalar arguments of a task, ``k=v, …`` (arrays and long lists left out)."""
    parts = []
    for k, v in kwargs.items():
        if isinstance(v, (bool, int, float, str, np.integer, np.floating)) or v is None:
            parts.append(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}")
    return ", ".join(parts)


def run_tasks(
    fn: Callable[..., Any],
    tasks: Sequence[dict],
    *,
    n_jobs: int | None = 1,
    scheduler: str | None = None,
    progress: bool = False,
    desc: str = "tasks",
    retries: int = 1,
    labels: Sequence[str] | None = None,
) -> RunReport:
    """Run ``fn(**kwargs)`` for every ``kwargs`` in ``tasks``; values in task order.

    Parameters
    ----------
    fn : callable
        A module-level function (picklable); it must not depend on global state.
    tasks : sequence of dict
        Keyword arguments of each task (include its seed, from :func:`task_seed`).
    n_jobs : int or None
        Local worker processes (``None`` or 1: in this process; ``-1``: one per core). Ignored with a
        scheduler, which uses every core of its cluster.
    scheduler : str, optional
        ``tcp://HOST:PORT`` (Dask), ``"ray"`` or ``ray://HOST:PORT`` (Ray); see the module docstring.
    progress : bool
        One tqdm bar on stderr over the tasks (shown after a second).
    desc : str
        Label of the bar.
    retries : int
        Extra attempts of a failed task (default 1).
    labels : sequence of str, optional
        How to name each task in an error (default: its scalar arguments).

    Returns
    -------
    RunReport

    Raises
    ------
    TaskError
        A task failed ``retries + 1`` times.
    BackendNotAvailableError
        The scheduler's package is not installed.
    ParameterError
        Bad ``n_jobs`` or scheduler address, or the scheduler cannot be reached.
    """
    from joblib import Parallel, delayed
    from tqdm import tqdm

    tasks = list(tasks)
    scheduler = check_scheduler(scheduler)
    if n_jobs is None:
        n_jobs = 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0 or n_jobs < -1:
        raise ParameterError(f"n_jobs must be a positive integer or -1, got {n_jobs!r}")
    n_jobs = int(n_jobs)
    if scheduler is None:
        ctx: contextlib.AbstractContextManager = contextlib.nullcontext()
        backend = "sequential" if n_jobs == 1 else "loky"
    elif scheduler == "ray" or scheduler.startswith("ray://"):
        ctx, backend, n_jobs = _ray_backend(scheduler), "ray", -1
    else:
        ctx, backend, n_jobs = _dask_backend(scheduler), "dask", -1
    n = len(tasks)
    done: dict[int, _Done] = {}
    retried: list[int] = []
    t0 = time.perf_counter()
    with (
        ctx,
        tqdm(
            total=n, desc=desc, unit="task", disable=not progress, delay=1.0, leave=False, file=sys.stderr
        ) as bar,
    ):
        pending = list(range(n))
        for attempt in range(int(retries) + 1):
            if not pending:
                break
            if attempt:
                retried.extend(pending)
            failed = _attempt(Parallel, delayed, fn, tasks, pending, n_jobs, done, bar)
            pending = sorted(failed)
        if pending:
            i = pending[0]
            what = labels[i] if labels is not None else _describe(tasks[i])
            others = f" (and {len(pending) - 1} other task(s))" if len(pending) > 1 else ""
            raise TaskError(
                f"task {i + 1} of {n} ({what}) failed {int(retries) + 1} time(s): {failed[i]}{others}"
            )
    if backend in ("sequential", "loky"):
        from joblib.parallel import get_active_backend

        active, _ = get_active_backend()
        name = type(active).__name__.replace("Backend", "").lower()
        if name not in ("sequential", "loky", "multiprocessing"):
            backend = name
    return RunReport(
        values=[done[i].value for i in range(n)],
        where=[done[i].where for i in range(n)],
        seconds=[done[i].seconds for i in range(n)],
        retried=retried,
        backend=backend,
        n_jobs=n_jobs,
        wall_seconds=time.perf_counter() - t0,
    )


def _attempt(Parallel, delayed, fn, tasks, pending, n_jobs, done, bar) -> dict[int, str]:
    """One pass over ``pending``: fills ``done``; returns ``{index: message}`` of the failures."""
    failed: dict[int, str] = {}
    try:
        runner = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
        for out in runner(delayed(_call)(fn, tasks[i], i) for i in pending):
            if isinstance(out, _Failed):
                failed[out.index] = out.message
            else:
                done[out.index] = out
                bar.update(1)
    except (SparsestError, KeyboardInterrupt):
        raise
    except Exception as exc:  # a lost worker (TerminatedWorkerError, KilledWorker, ...)
        message = _one_line(f"{type(exc).__name__}: {exc}")
        for i in pending:
            if i not in done and i not in failed:
                failed[i] = message
    return failed

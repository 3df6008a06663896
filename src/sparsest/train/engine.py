"""The training engine: one entry point, interchangeable methods, shared bookkeeping.

``train(X, y, method=...)`` validates its arguments, resolves the paper's defaults, builds a
:class:`TrainConfig` and calls the registered method. Every method

* starts from the same initialization (:func:`initial_network`: PyTorch's default init drawn with
  ``seed``, or the network passed as ``init``);
* minimizes the mean-squared error ``(1/N) Σ_i (f(x_i) − y_i)²`` with full-batch steps (one step =
  one epoch) plus its own sparsifying step;
* records a :class:`History` every ``log_every`` epochs (and at epoch 0 and the last epoch);
* stops early when it has *converged* (below), shows a tqdm progress bar unless ``progress=False``,
  and warns :class:`~sparsest.errors.ConvergenceWarning` when it reaches ``epochs`` without fitting.

Fit and convergence
-------------------
The data are *fitted* when ``max_i |f(x_i) − y_i| ≤ tol · (1 + max_i |y_i|)`` (float64 forward pass
of the current network). The run has *converged* when it is fitted and its support (the set of
active neurons, :meth:`sparsest.network.ReLUNetwork.active_mask` with biases counted iff they are
penalized) has not changed over the last ``patience`` epochs, checked at the log points. With
``early_stop=False`` every run goes on to ``epochs``; ``TrainResult.converged`` then says whether
the final network fits.

Paper defaults (paper.md §5), used for every argument left as ``None``
--------------------------------------------------------------------------
========  =====  =======  =================  ======
data      width  lam      penalize_bias      eps
========  =====  =======  =================  ======
``d = 1``  80    0.003    False              1e-8
``d > 1``  100   0.005    True               1e-6
========  =====  =======  =================  ======

``epochs = 100_000``, ``lr = 0.01``, ``seed = 20``; ``skip`` (the unpenalized ``a^T x + c``) is
off in ``mode="paper"`` (the published model has none) and :func:`sparsest.network.default_skip`
otherwise (on in 1-D, off in d-D).

Writing a method
----------------
A method is a function ``fn(X, y, cfg) -> TrainResult`` registered under a name::

    @register_method("mymethod", options=("warmup",), description="Adam + my prox")
    def _mymethod(X: torch.Tensor, y: torch.Tensor, cfg: TrainConfig) -> TrainResult:
        net0 = initial_network(cfg, X.shape[1])       # the shared initialization (ReLUNetwork)
        model = make_model(cfg, net0)                 # TorchReLUNet on cfg.device / cfg.dtype
        opt = make_adam(model.parameters(), cfg)
        loop = Loop(X, y, cfg, net0)                  # history, progress, snapshots, early stop
        loop.start(model)
        epoch = 0
        for epoch in range(1, cfg.epochs + 1):
            mse_step(model, opt, X, y)
            ...                                       # the method's own step, under torch.no_grad
            if loop.after_epoch(epoch, model):        # True: converged or stopped by the callback
                break
        return loop.finish(model, epoch)

``X`` is a tensor of shape (N, d) and ``y`` of shape (N,), already on ``cfg.device`` in
``cfg.dtype``. ``cfg.options`` holds the method-specific keyword arguments of :func:`train`, checked
against the names declared in ``options`` (``options=None`` accepts any). Built-in methods live in
:mod:`sparsest.train.baselines`; ``"sparsest"`` (and its alias ``"exact"``) is imported on first
use from :mod:`sparsest.train.sparsest`.
"""

from __future__ import annotations

import contextlib
import csv
import importlib
import io
import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from .._io import atomic_write
from ..data import validate_xy
from ..errors import ConvergenceWarning, DataError, ParameterError, SolverError, check_p
from ..network import ReLUNetwork, default_skip
from .penalties import MODES
from .torchnet import TorchReLUNet, torch_default_init

__all__ = [
    "HISTORY_COLUMNS",
    "METHODS",
    "History",
    "Loop",
    "TrainConfig",
    "TrainResult",
    "get_method",
    "initial_network",
    "make_adam",
    "make_model",
    "mse_step",
    "paper_defaults",
    "register_method",
    "torch_threads",
    "train",
]

#: columns of :class:`History`, in order
HISTORY_COLUMNS = ("epoch", "loss", "n_active", "n_nonzero", "lp_path_norm", "seconds", "max_residual")

DEFAULT_EPOCHS = 100_000
#: problems with N·d·width at most this train single-threaded on CPU by default
SMALL_PROBLEM = 10_000_000
#: the penalized, budget and bounded modes train restarts·N·width activations per batched step;
#: at most this many train single-threaded (2 threads are ~1.5x faster from ~1.5e5 up, slower below)
SMALL_BATCH = 100_000
DEFAULT_TOL = 1e-3
DEFAULT_LR = 0.01
DEFAULT_SEED = 20

# methods imported lazily on first request: name -> module that registers it
_LAZY_METHODS = {"sparsest": "sparsest.train.sparsest", "exact": "sparsest.train.sparsest"}
_BUILTIN_MODULE = "sparsest.train.baselines"


def paper_defaults(d: int) -> dict[str, Any]:
    """The paper's settings (paper.md §5) for input dimension ``d``: width, lam, penalize_bias, eps."""
    if d == 1:
        return {"width": 80, "lam": 0.003, "penalize_bias": False, "eps": 1e-8}
    return {"width": 100, "lam": 0.005, "penalize_bias": True, "eps": 1e-6}


# ------------------------------------------------------------------------------------------ history
class History:
    """Training history: one row per log point.

    Columns (:data:`HISTORY_COLUMNS`): ``epoch`` (0 = the initialization), ``loss`` (mean-squared
    error), ``n_active`` (active neurons), ``n_nonzero`` (nonzero path products; biases counted iff
    penalized), ``lp_path_norm`` (``Σ |z|^p`` at the run's ``p``), ``seconds`` (wall time since the
    start), ``max_residual`` (``max_i |f(x_i) − y_i|``). All values come from the float64 forward
    pass of the network at that epoch.
    """

    def __init__(self) -> None:
        self._cols: dict[str, list] = {c: [] for c in HISTORY_COLUMNS}

    def append(self, **row) -> None:
        """Add a row (every column of :data:`HISTORY_COLUMNS`, no others)."""
        if set(row) != set(HISTORY_COLUMNS):
            raise ValueError(f"a history row needs exactly the columns {HISTORY_COLUMNS}")
        for c in HISTORY_COLUMNS:
            self._cols[c].append(row[c])

    def _pop(self) -> None:
        for c in HISTORY_COLUMNS:
            self._cols[c].pop()

    def __len__(self) -> int:
        return len(self._cols["epoch"])

    def __getitem__(self, column: str) -> np.ndarray:
        """A column as an array (int for the counts and epochs, float otherwise)."""
        dtype = np.int64 if column in ("epoch", "n_active", "n_nonzero") else np.float64
        return np.asarray(self._cols[column], dtype=dtype)

    @property
    def last(self) -> dict:
        """The last row (empty dict when there is none)."""
        return self.rows()[-1] if len(self) else {}

    def rows(self) -> list[dict]:
        """The rows as a list of dicts."""
        return [{c: self._cols[c][i] for c in HISTORY_COLUMNS} for i in range(len(self))]

    def to_dict(self) -> dict[str, list]:
        """Columns as plain lists (JSON-ready)."""
        return {c: list(v) for c, v in self._cols.items()}

    def to_csv(self, path=None, *, extra: dict | None = None) -> str:
        """CSV text of the history (header row + one row per log point); written atomically to
        ``path`` when given. ``extra`` adds constant leading columns (e.g. ``{"method": "adam"}``)."""
        text = _rows_to_csv(self.rows(), extra or {}, header=True)
        if path is not None:
            atomic_write(path, text)
        return text

    def first_at_most(self, column: str, value: float) -> dict | None:
        """The first row whose ``column`` is ``≤ value`` (e.g. the first epoch with 3 active
        neurons or fewer), or ``None``."""
        col = self._cols[column]
        for i, c in enumerate(col):
            if c <= value:
                return {k: self._cols[k][i] for k in HISTORY_COLUMNS}
        return None


def _rows_to_csv(rows: Iterable[dict], extra: dict, *, header: bool) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if header:
        writer.writerow([*extra, *HISTORY_COLUMNS])
    for r in rows:
        writer.writerow([*extra.values(), *(_fmt(r[c]) for c in HISTORY_COLUMNS)])
    return buf.getvalue()


def _fmt(value) -> str:
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return repr(float(value))


# ------------------------------------------------------------------------------------------ config
@dataclass
class TrainConfig:
    """Resolved options of one training run (every ``None`` of :func:`train` replaced).

    Attributes
    ----------
    method : str
    p : float in (0, 1]
        Exponent of the ℓp path norm (used by ``reweighted`` and recorded in the history).
    lam : float
        Regularization strength λ (AdamW's weight decay, PathProx's λ).
    width : int
        Number of neurons ``K``.
    epochs : int
        Epoch limit (one epoch = one full-batch step).
    lr : float
        Step size γ.
    seed : int
    device : torch.device
    dtype : torch.dtype
    mode : {"paper", "consistent"}
    penalize_bias : bool
        Whether bias products ``v_k b_k`` are penalized and counted.
    skip : bool
        Unpenalized skip term ``a^T x + c``.
    eps : float
        Neurons whose thresholded product vector has norm ``< eps`` die (reweighted step).
    log_every : int
    tol : float
        Fitting tolerance (module docstring).
    early_stop : bool
    patience : int
        Epochs of unchanged support (while fitted) that count as converged.
    progress : bool
    init : ReLUNetwork or None
    callback : callable or None
        ``callback(epoch, model, row) -> bool | None`` at every log point; a truthy return stops.
    snapshots : tuple of int
        Epochs at which a copy of the network is kept (``TrainResult.snapshots``).
    options : dict
        Method-specific options.
    """

    method: str
    p: float = 0.4
    lam: float = 0.003
    width: int = 80
    epochs: int = DEFAULT_EPOCHS
    lr: float = 0.01
    seed: int = 20
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    dtype: torch.dtype = torch.float64
    mode: str = "consistent"
    penalize_bias: bool = False
    skip: bool = False
    eps: float = 1e-8
    log_every: int = 100
    tol: float = DEFAULT_TOL
    early_stop: bool = True
    patience: int = 10_000
    progress: bool = True
    init: ReLUNetwork | None = None
    callback: Callable | None = None
    snapshots: tuple[int, ...] = ()
    options: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready summary (without ``init`` and ``callback``)."""
        return {
            "method": self.method,
            "p": self.p,
            "lam": self.lam,
            "width": self.width,
            "epochs": self.epochs,
            "lr": self.lr,
            "seed": self.seed,
            "device": str(self.device),
            "dtype": str(self.dtype).replace("torch.", ""),
            "mode": self.mode,
            "penalize_bias": self.penalize_bias,
            "skip": self.skip,
            "eps": self.eps,
            "log_every": self.log_every,
            "tol": self.tol,
            "early_stop": self.early_stop,
            "patience": self.patience,
            "init": "given" if self.init is not None else "torch_default_init",
            "options": dict(self.options),
        }


@dataclass
class TrainResult:
    """Outcome of :func:`train`.

    Attributes
    ----------
    network : ReLUNetwork
        The final network (float64 numpy copy).
    init_network : ReLUNetwork
        The initialization every method starts from.
    history : History
    method : str
    epochs_run : int
    seconds : float
    converged : bool
        Fitted and support stable (early stop), or — when the run went to its end — fitted.
    max_residual : float
        ``max_i |f(x_i) − y_i|`` of ``network``.
    n_active, n_nonzero : int
        Counts of ``network`` (biases counted iff penalized).
    lp_path_norm : float
        ``Σ |z|^p`` of ``network`` at the run's ``p``.
    config : dict
        :meth:`TrainConfig.to_dict`.
    snapshots : dict[int, ReLUNetwork]
        Networks at the requested epochs.
    """

    network: ReLUNetwork
    init_network: ReLUNetwork
    history: History
    method: str
    epochs_run: int
    seconds: float
    converged: bool
    max_residual: float
    n_active: int
    n_nonzero: int
    lp_path_norm: float
    config: dict
    snapshots: dict = field(default_factory=dict)

    @property
    def mse(self) -> float:
        """Final mean-squared error."""
        return float(self.history.last.get("loss", math.nan))

    def summary(self) -> dict:
        """JSON-ready summary (no arrays)."""
        return {
            "method": self.method,
            "epochs_run": self.epochs_run,
            "seconds": self.seconds,
            "converged": self.converged,
            "mse": self.mse,
            "max_residual": self.max_residual,
            "n_active": self.n_active,
            "n_nonzero": self.n_nonzero,
            "lp_path_norm": self.lp_path_norm,
            "config": self.config,
        }


# ------------------------------------------------------------------------------------------ registry
#: registered methods: name -> function ``fn(X, y, cfg) -> TrainResult`` (attributes ``options``
#: (tuple of accepted option names, or None for any) and ``description``)
METHODS: dict[str, Callable[..., TrainResult]] = {}


def register_method(
    name: str,
    *,
    options: Sequence[str] | None = (),
    description: str = "",
    defaults: dict | None = None,
    mode_defaults: dict | None = None,
):
    """Decorator registering ``fn(X, y, cfg) -> TrainResult`` as method ``name``.

    Parameters
    ----------
    name : str
    options : sequence of str or None
        Names of the method-specific keyword arguments it accepts (``None``: any).
    description : str
        One line shown in listings.
    defaults : dict, optional
        The method's own defaults for arguments of :func:`train` left as ``None`` (``width``,
        ``lam``, ``epochs``, ``lr``, ``seed``, ``tol``, ``log_every``); a value may be a callable
        ``f(N, d)``. Arguments without one take the paper's defaults.
    mode_defaults : dict, optional
        ``{option: defaults}``: when the method option ``option`` is given (not ``None``), these
        defaults replace ``defaults``' entries (e.g. the penalized mode of ``sparsest``, ``alpha``).
    """

    def deco(fn):
        fn.options = None if options is None else tuple(options)
        fn.description = description
        fn.defaults = dict(defaults or {})
        fn.mode_defaults = {k: dict(v) for k, v in (mode_defaults or {}).items()}
        METHODS[name] = fn
        return fn

    return deco


def get_method(name: str) -> Callable[..., TrainResult]:
    """The registered method ``name`` (importing built-in and lazy methods on first use).

    Raises
    ------
    ParameterError
        Unknown method, listing the available ones.
    """
    if not isinstance(name, str):
        raise ParameterError(f"method must be a string, got {type(name).__name__}")
    importlib.import_module(_BUILTIN_MODULE)
    if name not in METHODS and name in _LAZY_METHODS:
        module = _LAZY_METHODS[name]
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:  # the module itself is absent: an unknown method
            if exc.name != module:
                raise
    if name not in METHODS:
        avail = ", ".join(sorted(METHODS))
        raise ParameterError(f"method must be one of {avail}; got {name!r}")
    return METHODS[name]


# ------------------------------------------------------------------------------------------ helpers
def initial_network(cfg: TrainConfig, d: int) -> ReLUNetwork:
    """The shared initialization: ``cfg.init`` (skip term switched on or off as ``cfg.skip`` says;
    switching off needs a zero skip term), or PyTorch's default init of width ``cfg.width`` drawn
    with ``cfg.seed`` (:func:`torch_default_init`) with a zero skip term."""
    if cfg.init is not None:
        net = cfg.init
        if net.skip == cfg.skip:
            return net
        if cfg.skip:
            return net.with_skip()
        return ReLUNetwork(net.W, net.b, net.v, skip=False)  # raises if (a, c) is nonzero
    W, b, v = torch_default_init(d, cfg.width, cfg.seed)
    return ReLUNetwork(W, b, v, skip=cfg.skip)


def make_model(cfg: TrainConfig, net: ReLUNetwork) -> TorchReLUNet:
    """A :class:`TorchReLUNet` holding ``net``'s parameters on ``cfg.device`` in ``cfg.dtype``."""
    return TorchReLUNet.from_network(net, dtype=cfg.dtype, device=cfg.device)


def make_adam(params, cfg: TrainConfig, *, weight_decay: float = 0.0, decoupled: bool = False):
    """``torch.optim.Adam`` (or ``AdamW`` when ``decoupled``) with step ``cfg.lr``; the fused
    implementation is used where torch offers it for the device (same update, fewer kernels)."""
    cls = torch.optim.AdamW if decoupled else torch.optim.Adam
    params = list(params)
    try:
        return cls(params, lr=cfg.lr, weight_decay=weight_decay, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return cls(params, lr=cfg.lr, weight_decay=weight_decay)


def mse_step(model: TorchReLUNet, opt, X: torch.Tensor, y: torch.Tensor) -> None:
    """One optimizer step on the mean-squared error ``mean((f(X) − y)²)``."""
    opt.zero_grad(set_to_none=True)
    loss = torch.mean((model(X) - y) ** 2)
    loss.backward()
    opt.step()


class Loop:
    """Bookkeeping shared by every method: history, snapshots, progress bar, early stop, callback.

    Parameters
    ----------
    X : Tensor of shape (N, d)
    y : Tensor of shape (N,)
    cfg : TrainConfig
    init_network : ReLUNetwork
        Recorded in the result.
    total : int, optional
        Length of the progress bar (default ``cfg.epochs``).
    """

    def __init__(self, X, y, cfg: TrainConfig, init_network: ReLUNetwork, *, total: int | None = None):
        self.cfg = cfg
        self.X = X.detach().double().cpu().numpy()
        self.y = y.detach().double().cpu().numpy()
        self.fit_threshold = cfg.tol * (1.0 + float(np.max(np.abs(self.y))))
        self.init_network = init_network
        self.history = History()
        self.snapshots: dict[int, ReLUNetwork] = {}
        self._snap = set(cfg.snapshots)
        self._mask: np.ndarray | None = None
        self._support_since = 0
        self._logged = -1
        self.fitted = False
        self.stopped_by_callback = False
        self.t0 = time.perf_counter()
        self._bar = None
        if cfg.progress:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=cfg.epochs if total is None else total,
                desc=cfg.method,
                unit="epoch",
                leave=False,
                mininterval=0.5,
                file=sys.stderr,
                dynamic_ncols=True,
            )

    # -------------------------------------------------------------- per epoch
    def start(self, model: TorchReLUNet) -> None:
        """Record epoch 0 (the initialization)."""
        self._log(0, model)
        if 0 in self._snap:
            self.snapshots[0] = model.to_network()

    def after_epoch(self, epoch: int, model: TorchReLUNet, *, force_log: bool = False) -> bool:
        """Call after every epoch. Returns ``True`` when the run should stop (converged, or the
        callback asked for it; ``stopped_by_callback`` tells which)."""
        if self._bar is not None:
            self._bar.update(1)
        if epoch in self._snap:
            self.snapshots[epoch] = model.to_network()
        if not force_log and epoch % self.cfg.log_every:
            return False
        row = self._log(epoch, model)
        if self.cfg.callback is not None and self.cfg.callback(epoch, model, row):
            self.stopped_by_callback = True
            return True
        return bool(self.cfg.early_stop and self.fitted and epoch - self._support_since >= self.cfg.patience)

    def _log(self, epoch: int, model: TorchReLUNet) -> dict:
        net = model.to_network()
        return self.log_network(epoch, net)

    def log_network(self, epoch: int, net: ReLUNetwork) -> dict:
        """Record a history row for ``net`` at ``epoch`` (updates the fit and support tracking)."""
        cfg = self.cfg
        r = net.predict(self.X) - self.y
        max_res = float(np.max(np.abs(r)))
        if not np.isfinite(max_res):
            raise SolverError(
                f"training diverged at epoch {epoch} (non-finite output); try a smaller lr (got {cfg.lr})"
            )
        mask = net.active_mask(cfg.penalize_bias)
        if self._mask is None or mask.shape != self._mask.shape or np.any(mask != self._mask):
            self._mask = mask
            self._support_since = epoch
        self.fitted = max_res <= self.fit_threshold
        row = {
            "epoch": int(epoch),
            "loss": float(np.mean(r**2)),
            "n_active": int(np.count_nonzero(mask)),
            "n_nonzero": net.n_nonzero(cfg.penalize_bias),
            "lp_path_norm": net.lp_path_norm(cfg.p, cfg.penalize_bias),
            "seconds": time.perf_counter() - self.t0,
            "max_residual": max_res,
        }
        if epoch == self._logged and len(self.history):
            self.history._pop()  # a re-log of the same epoch replaces its row
        self._logged = epoch
        self.history.append(**row)
        if self._bar is not None:
            self._bar.set_postfix(active=row["n_active"], mse=f"{row['loss']:.2e}", refresh=False)
        return row

    def extend_total(self, n: int) -> None:
        """Lengthen the progress bar by ``n`` epochs (methods with extra phases)."""
        if self._bar is not None:
            self._bar.total += int(n)
            self._bar.refresh()

    # -------------------------------------------------------------- end
    def finish(
        self, model_or_network, epochs_run: int, *, converged: bool | None = None, warn: bool = True
    ) -> TrainResult:
        """Log the final epoch, close the bar, warn if the epoch limit was hit without a fit, and
        build the :class:`TrainResult`."""
        net = model_or_network if isinstance(model_or_network, ReLUNetwork) else model_or_network.to_network()
        if self._logged != epochs_run:
            self.log_network(epochs_run, net)
        if epochs_run in self._snap and epochs_run not in self.snapshots:
            self.snapshots[epochs_run] = net
        if self._bar is not None:
            self._bar.close()
        cfg = self.cfg
        seconds = time.perf_counter() - self.t0
        last = self.history.last
        if converged is None:
            converged = self.fitted
        if warn and not self.fitted and not self.stopped_by_callback:
            warnings.warn(
                f"{cfg.method}: reached {epochs_run} epochs without fitting the data "
                f"(max |f(x_i) - y_i| = {last['max_residual']:.3g} > tol*(1+max|y|) = "
                f"{self.fit_threshold:.3g}); increase epochs or lr, or lower lam",
                ConvergenceWarning,
                stacklevel=_user_stacklevel(),
            )
        return TrainResult(
            network=net,
            init_network=self.init_network,
            history=self.history,
            method=cfg.method,
            epochs_run=int(epochs_run),
            seconds=seconds,
            converged=bool(converged),
            max_residual=float(last["max_residual"]),
            n_active=int(last["n_active"]),
            n_nonzero=int(last["n_nonzero"]),
            lp_path_norm=float(last["lp_path_norm"]),
            config=cfg.to_dict(),
            snapshots=dict(sorted(self.snapshots.items())),
        )


def _user_stacklevel() -> int:
    """``stacklevel`` for ``warnings.warn`` that points at the first caller outside this package."""
    pkg = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(pkg + os.sep):
        frame, level = frame.f_back, level + 1
    return level


# ------------------------------------------------------------------------------------------ train
def _check_number(name, value, *, lo=None, lo_open=False, integer=False) -> float | int:
    bad = isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating))
    if not bad and integer and not float(value).is_integer():
        bad = True
    if not bad and not math.isfinite(float(value)):
        bad = True
    if not bad and lo is not None:
        bad = value <= lo if lo_open else value < lo
    if bad:
        kind = "an integer" if integer else "a number"
        rng = "" if lo is None else (f" > {lo}" if lo_open else f" >= {lo}")
        raise ParameterError(f"{name} must be {kind}{rng}, got {value!r}")
    return int(value) if integer else float(value)


def _resolve_device(device) -> torch.device:
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise ParameterError(
            f"device must be a torch device such as 'cpu' or 'cuda', got {device!r}"
        ) from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ParameterError(f"device {str(device)!r} is not available (torch sees no CUDA GPU)")
    if dev.type == "mps" and not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
        raise ParameterError(f"device {str(device)!r} is not available")
    return dev


def _resolve_dtype(dtype) -> torch.dtype:
    table = {
        "float64": torch.float64,
        "double": torch.float64,
        "float32": torch.float32,
        "float": torch.float32,
    }
    if isinstance(dtype, str) and dtype in table:
        return table[dtype]
    if dtype in (torch.float64, torch.float32):
        return dtype
    raise ParameterError(f"dtype must be torch.float64 or torch.float32, got {dtype!r}")


def _check_conflicting_duplicates(X: np.ndarray, y: np.ndarray) -> None:
    _, inv = np.unique(X, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    if inv.max() + 1 == X.shape[0]:
        return
    lo = np.full(inv.max() + 1, np.inf)
    hi = np.full(inv.max() + 1, -np.inf)
    np.minimum.at(lo, inv, y)
    np.maximum.at(hi, inv, y)
    if np.any(lo != hi):
        raise DataError("duplicate inputs with different targets: no network fits the data")


def train(
    X,
    y,
    method: str = "sparsest",
    *,
    p: float = 0.4,
    lam: float | None = None,
    width: int | None = None,
    epochs: int | None = None,
    lr: float | None = None,
    seed: int | None = None,
    device: str | torch.device = "cpu",
    dtype: torch.dtype | str = torch.float64,
    mode: str = "consistent",
    penalize_bias: bool | None = None,
    skip: bool | None = None,
    eps: float | None = None,
    log_every: int | None = None,
    tol: float | None = None,
    early_stop: bool = True,
    patience: int | None = None,
    progress: bool = True,
    init: ReLUNetwork | None = None,
    callback: Callable | None = None,
    snapshots: Iterable[int] = (),
    num_threads: int | None = None,
    **method_options,
) -> TrainResult:
    """Train a single-hidden-layer ReLU network to fit ``(X, y)`` with the chosen method.

    Parameters
    ----------
    X : array_like of shape (N, d), or (N,) for univariate data
    y : array_like of shape (N,)
    method : str
        A registered method (:data:`METHODS`): ``"reweighted"`` (Algorithm 1), ``"adam"``,
        ``"adamw"``, ``"pathprox"``, ``"prune"``, or ``"sparsest"`` (our trainer).
    p : float in (0, 1]
        Exponent of the ℓp path norm.
    lam : float >= 0, optional
        Regularization strength (paper default per dimension).
    width : int, optional
        Neurons ``K`` (paper default per dimension; ``init``'s width when given).
    epochs : int >= 0, optional
        Epoch limit (default 100,000; the ``sparsest`` method: 600).
    lr : float > 0, optional
        Adam step size γ (default 0.01; ``sparsest``: 0.02).
    seed : int, optional
        Seed of the initialization (default 20, the paper's; ``sparsest``: 0). Methods other than
        ``sparsest`` use PyTorch's default init as after ``torch.manual_seed(seed)``.
    device : str or torch.device
        ``"cpu"``, ``"cuda"``, ``"cuda:1"``, …
    dtype : torch.float64 (default) or torch.float32
    mode : {"paper", "consistent"}
        Fidelity of the reweighted step (:func:`~sparsest.train.penalties.reweighted_prox_step_`).
    penalize_bias : bool, optional
        Penalize and count bias products (default: ``d > 1``).
    skip : bool, optional
        Unpenalized skip term (default: off in ``mode="paper"``, else on in 1-D, off in d-D).
    eps : float, optional
        Dead-neuron threshold of the reweighted step (default 1e-8 in 1-D, 1e-6 in d-D).
    log_every : int, optional
        History interval (default ``max(1, epochs // 1000)``).
    tol : float >= 0, optional
        Fitting tolerance: fitted iff ``max|f(x_i) − y_i| ≤ tol (1 + max|y|)`` (default 1e-3;
        ``sparsest``: 1e-10, an exact fit).
    early_stop : bool
        Stop once converged (fitted and support unchanged for ``patience`` epochs).
    patience : int, optional
        Default ``max(10 * log_every, epochs // 10)``.
    progress : bool
        tqdm progress bar on stderr.
    init : ReLUNetwork, optional
        Initial network (instead of the seeded default init).
    callback : callable, optional
        ``callback(epoch, model, row)`` at every log point; returning ``True`` stops training.
    snapshots : iterable of int
        Epochs at which to keep a copy of the network (0 = the initialization).
    num_threads : int, optional
        torch intra-op threads during training (restored afterwards). Default: 1 on CPU when
        ``N·d·width ≤ 10⁷`` (tiny problems run faster single-threaded), else unchanged.
    **method_options
        Method-specific options (e.g. ``warmup`` for ``reweighted``; ``k``, ``fraction``,
        ``finetune_epochs`` for ``prune``).

    Returns
    -------
    TrainResult

    Raises
    ------
    DataError
        Bad data (shape, NaN/inf, conflicting duplicates).
    ParameterError
        A bad parameter, named in the message.

    Warns
    -----
    ConvergenceWarning
        The epoch limit was reached without fitting the data.
    """
    Xn, yn = validate_xy(X, y)
    fn = get_method(method)
    # a mode is on when its option is given (interpolation targets are the default mode, unchanged)
    modes = [
        m
        for m in getattr(fn, "mode_defaults", {})
        if method_options.get(m) is not None and not getattr(method_options[m], "is_interpolation", False)
    ]
    if not modes:
        # exact fits: repeated inputs must agree (a penalized fit averages them)
        _check_conflicting_duplicates(Xn, yn)
    d = Xn.shape[1]
    defaults = paper_defaults(d)
    raw = dict(getattr(fn, "defaults", {}))
    for m in modes:
        raw.update(fn.mode_defaults[m])
    own = {k: (v(Xn.shape[0], d) if callable(v) else v) for k, v in raw.items()}
    defaults.update({k: v for k, v in own.items() if k in ("width", "lam")})
    lam = own.get("lam") if lam is None and "lam" in own else lam
    width = own.get("width") if width is None and init is None and "width" in own else width
    epochs = own.get("epochs") if epochs is None else epochs
    log_every = own.get("log_every") if log_every is None else log_every
    lr = own.get("lr", DEFAULT_LR) if lr is None else lr
    seed = own.get("seed", DEFAULT_SEED) if seed is None else seed
    tol = own.get("tol", DEFAULT_TOL) if tol is None else tol
    p = check_p(p, allow_zero=False)
    if lam is not None or defaults["lam"] is not None:
        lam = defaults["lam"] if lam is None else _check_number("lam", lam, lo=0)
    lr = _check_number("lr", lr, lo=0, lo_open=True)
    seed = _check_number("seed", seed, integer=True)
    if init is not None:
        if not isinstance(init, ReLUNetwork):
            raise ParameterError(f"init must be a ReLUNetwork, got {type(init).__name__}")
        if init.n_features != d:
            raise ParameterError(f"init has {init.n_features} input(s) but the data have d = {d}")
        if modes:
            # a warm start of one restart (e.g. the previous fit of a path): it does not fix the
            # width, and an empty network starts nothing
            if init.width == 0:
                init = None
            else:
                w0 = defaults["width"] if width is None else _check_number("width", width, lo=1, integer=True)
                width = max(int(w0), init.width)
        else:
            if init.width < 1:
                raise ParameterError("init must have at least one neuron")
            if width is not None and int(width) != init.width:
                raise ParameterError(f"width={width!r} does not match init's width {init.width}")
            width = init.width
    width = defaults["width"] if width is None else _check_number("width", width, lo=1, integer=True)
    epochs = DEFAULT_EPOCHS if epochs is None else _check_number("epochs", epochs, lo=0, integer=True)
    if mode not in MODES:
        raise ParameterError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
    penalize_bias = defaults["penalize_bias"] if penalize_bias is None else bool(penalize_bias)
    if skip is None:
        if init is not None:
            skip = init.skip
        else:
            skip = False if mode == "paper" else default_skip(d)
    elif init is not None and not skip and (np.any(init.a != 0) or init.c != 0):
        raise ParameterError("skip=False but init has a nonzero skip term (a, c)")
    eps = defaults["eps"] if eps is None else _check_number("eps", eps, lo=0)
    log_every = (
        max(1, epochs // 1000)
        if log_every is None
        else _check_number("log_every", log_every, lo=1, integer=True)
    )
    tol = _check_number("tol", tol, lo=0)
    if patience is None:
        patience = max(10 * log_every, epochs // 10)
    else:
        patience = _check_number("patience", patience, lo=0, integer=True)
    if callback is not None and not callable(callback):
        raise ParameterError("callback must be callable")
    try:
        snaps = tuple(sorted({int(s) for s in snapshots}))
    except (TypeError, ValueError):
        raise ParameterError("snapshots must be an iterable of epoch numbers") from None
    if snaps and (snaps[0] < 0 or snaps[-1] > epochs):
        raise ParameterError(f"snapshots must be epochs in [0, {epochs}], got {list(snaps)}")
    accepted = getattr(fn, "options", None)
    if accepted is not None:
        unknown = sorted(set(method_options) - set(accepted))
        if unknown:
            allowed = ", ".join(accepted) if accepted else "none"
            raise ParameterError(
                f"unknown option(s) {', '.join(unknown)} for method {method!r} (accepted: {allowed})"
            )
    cfg = TrainConfig(
        method=method,
        p=p,
        lam=lam,
        width=width,
        epochs=epochs,
        lr=lr,
        seed=seed,
        device=_resolve_device(device),
        dtype=_resolve_dtype(dtype),
        mode=mode,
        penalize_bias=penalize_bias,
        skip=bool(skip),
        eps=eps,
        log_every=log_every,
        tol=tol,
        early_stop=bool(early_stop),
        patience=patience,
        progress=bool(progress),
        init=init,
        callback=callback,
        snapshots=snaps,
        options=dict(method_options),
    )
    if num_threads is None:
        if modes:
            from .penalized import PENALIZED_RESTARTS

            restarts = method_options.get("restarts", PENALIZED_RESTARTS)
            if not (isinstance(restarts, (int, np.integer)) and restarts > 0):
                restarts = PENALIZED_RESTARTS
            small = int(restarts) * Xn.shape[0] * width <= SMALL_BATCH
        else:
            small = Xn.size * width <= SMALL_PROBLEM
        num_threads = 1 if (cfg.device.type == "cpu" and small) else None
    elif num_threads is not None:
        num_threads = _check_number("num_threads", num_threads, lo=1, integer=True)
    Xt = torch.as_tensor(Xn, dtype=cfg.dtype, device=cfg.device)
    yt = torch.as_tensor(yn, dtype=cfg.dtype, device=cfg.device)
    with torch_threads(num_threads):
        return fn(Xt, yt, cfg)


@contextlib.contextmanager
def torch_threads(n: int | None):
    """Run the block with ``torch.set_num_threads(n)`` and restore the previous value after
    (``None``: leave it). Tiny full-batch problems are dominated by per-operation overhead, and
    intra-op threads only add synchronization (5-10x slower on a busy 2-core machine)."""
    if n is None:
        yield
        return
    old = torch.get_num_threads()
    torch.set_num_threads(int(n))
    try:
        yield
    finally:
        torch.set_num_threads(old)

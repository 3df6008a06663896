"""scikit-learn estimator: :class:`SparseReLURegressor`."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from .errors import ParameterError
from .verify import check_interpolation, rmse_r2

__all__ = ["SparseReLURegressor"]


class SparseReLURegressor(RegressorMixin, BaseEstimator):
    """The sparsest single-hidden-layer ReLU network that interpolates — or, with ``alpha``, that
    predicts well.

    ``fit`` trains ``f(x) = Σ_k v_k (w_k^T x + b_k)_+ (+ a^T x + c)`` with the chosen method of
    :func:`sparsest.train.engine.train`. The default method, ``"sparsest"``, minimizes the number of
    active neurons (1-D) or nonzero weights including biases (d-D) subject to an exact fit
    (``max|f(x_i) − y_i| ≤ tol (1 + max|y|)``, ``tol = 1e-10``), guided by the ℓp path norm
    ``Σ_k ||v_k w_k||_p^p`` whose global minimizers are the sparsest networks (Nakhleh & Nowak).
    ``"exact"`` calls the exact solvers; ``"reweighted"`` is the paper's Algorithm 1; ``"adam"``,
    ``"adamw"``, ``"pathprox"``, ``"prune"`` are baselines.

    With ``alpha`` set (the penalized mode, for noisy data) ``"sparsest"`` minimizes
    ``mean((f(x_i) − y_i)²) / var(y) + α · count`` (count: nonzero weights including biases in d-D,
    active neurons in 1-D; :mod:`sparsest.train.penalized`): a batched ℓp-penalized gradient phase,
    then an ℓ0-penalized least-squares polish on the activation patterns. For ``"reweighted"``,
    ``"pathprox"`` and ``"adamw"`` ``alpha`` is the penalty weight λ of their objective.

    Parameters
    ----------
    alpha : float >= 0, optional
        Penalty per nonzero weight (d-D) or neuron (1-D) on the normalized scale (``None``: exact
        interpolation). Typical values: 1e-3 … 0.1.
    budget : int >= 0, optional
        ``"sparsest"`` only: at most ``budget`` nonzero weights including biases (d-D) or neurons
        (1-D). Alone: the least-squares fit within that count; with ``alpha``: the penalized
        objective within it. A penalty only reaches counts where the extra weights pay for
        themselves (the lower convex hull of count against error); a budget reaches every count.
    epsilon : float >= 0, optional
        Fit within ``y_i ± ε`` (absolute, as scikit-learn's SVR names its tube) with the fewest
        neurons / nonzeros (:mod:`sparsest.train.bounded`); ``tol`` stays the numerical fit tolerance.
    p : float in (0, 1], default 0.4
        Exponent of the ℓp path norm.
    width : int, optional
        Neurons per network (method default: ``sparsest.train.sparsest.default_width`` for ``sparsest``).
    method : str, default "sparsest"
    objective : {"neurons", "nonzeros"}, optional
        ``sparsest`` only: what to minimize (default: neurons in 1-D, nonzeros in d-D).
    lam : float, optional
        Regularization strength λ of the gradient phase.
    epochs : int, optional
        Epochs of the gradient phase (``sparsest``: 600; others: 100,000).
    lr : float, optional
        Adam step size.
    restarts : int, optional
        ``sparsest`` only: restarts trained together as one batch (default 8).
    max_seconds : float, optional
        ``sparsest`` only: time budget of the search (the sparsest exact fit found so far is kept).
    skip : bool, optional
        Unpenalized skip term ``a^T x + c`` (default: on in 1-D, off in d-D).
    penalize_bias : bool, optional
        Penalize and count biases (default: ``d > 1``).
    tol : float, optional
        Relative fit tolerance (method default; ``sparsest``: 1e-10).
    random_state : int, optional
        Seed of every random choice (``None``: the method's default seed, so fits are repeatable).
    device : str, default "cpu"
    progress : bool, default False
        Progress bar on stderr.

    Attributes
    ----------
    network_ : sparsest.network.ReLUNetwork
        The fitted network (float64).
    n_active_neurons_ : int
    n_nonzero_ : int
        Nonzero path products (biases counted iff penalized).
    n_neurons_ : int
        Same as ``n_active_neurons_``.
    inputs_used_ : ndarray of int
        0-based input columns with a nonzero weight (or skip weight).
    train_rmse_, train_r2_ : float
        Root-mean-squared error and R² on the training data.
    max_residual_ : float
        ``max_i |f(x_i) − y_i|`` on the training data.
    interpolates_ : bool
        Whether the fit is exact to ``tol`` (:func:`sparsest.verify.check_interpolation` with
        ``rtol=tol``: ``tol (1 + max|y|)`` plus the float64 rounding allowance of the network,
        which only matters for nearly coincident inputs); when it is not, ``fit`` also warns
        :class:`~sparsest.errors.ConvergenceWarning`.
    lp_path_norm_ : float
    history_ : sparsest.train.engine.History
        Training history (epoch, loss, n_active, n_nonzero, lp_path_norm, seconds, max_residual).
    train_result_ : sparsest.train.engine.TrainResult
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from sparsest import SparseReLURegressor
    >>> x = np.array([[-2.0], [-1.0], [0.0], [1.0], [2.0], [3.0]])
    >>> y = np.array([0.0, 0.0, 1.0, 1.0, 0.0, 0.0])
    >>> model = SparseReLURegressor(random_state=0).fit(x, y)
    >>> model.n_active_neurons_
    3
    """

    def __init__(
        self,
        alpha: float | None = None,
        epsilon: float | None = None,
        p: float = 0.4,
        budget: int | None = None,
        width: int | None = None,
        method: str = "sparsest",
        objective: str | None = None,
        lam: float | None = None,
        epochs: int | None = None,
        lr: float | None = None,
        restarts: int | None = None,
        max_seconds: float | None = None,
        skip: bool | None = None,
        penalize_bias: bool | None = None,
        tol: float | None = None,
        random_state: int | None = None,
        device: str = "cpu",
        progress: bool = False,
    ) -> None:
        self.alpha = alpha
        self.epsilon = epsilon
        self.p = p
        self.budget = budget
        self.width = width
        self.method = method
        self.objective = objective
        self.lam = lam
        self.epochs = epochs
        self.lr = lr
        self.restarts = restarts
        self.max_seconds = max_seconds
        self.skip = skip
        self.penalize_bias = penalize_bias
        self.tol = tol
        self.random_state = random_state
        self.device = device
        self.progress = progress

    def fit(self, X, y) -> SparseReLURegressor:
        """Fit the network to ``X`` of shape (N, d) and ``y`` of shape (N,); returns ``self``."""
        X, y = validate_data(self, X, y, dtype=np.float64, ensure_min_samples=2, y_numeric=True)
        return self._fit(X, y)

    def _fit(self, X: np.ndarray, y: np.ndarray) -> SparseReLURegressor:
        from .train.engine import train

        if self.random_state is not None and not isinstance(self.random_state, (int, np.integer)):
            raise ParameterError(
                f"random_state must be an int or None, got {type(self.random_state).__name__}"
            )
        options = {}
        lam = self.lam
        if self.alpha is not None:
            if self.method == "sparsest":
                options["alpha"] = self.alpha
            elif self.method in ("reweighted", "pathprox", "adamw"):
                if lam is not None:
                    raise ParameterError("give alpha or lam, not both (alpha is lam for this method)")
                lam = self.alpha
            else:
                raise ParameterError(
                    f"alpha applies to methods sparsest, reweighted, pathprox and adamw, not {self.method!r}"
                )
        if self.budget is not None:
            if self.method != "sparsest":
                raise ParameterError(f"budget applies to method='sparsest', not {self.method!r}")
            if self.epsilon is not None:
                raise ParameterError(
                    "give budget (a fit within a count) or epsilon (a fit within y ± epsilon), not both"
                )
            options["budget"] = self.budget
        if self.epsilon is not None:
            from .targets import Targets

            if self.alpha is not None:
                raise ParameterError(
                    "give alpha (a penalized fit) or epsilon (a fit within y ± epsilon), not both"
                )
            if self.method != "sparsest":
                raise ParameterError(f"epsilon applies to method='sparsest', not {self.method!r}")
            eps = self.epsilon
            if (
                isinstance(eps, bool)
                or not isinstance(eps, (int, float, np.integer, np.floating))
                or not (np.isfinite(eps) and eps >= 0)
            ):
                raise ParameterError(f"epsilon must be a finite number >= 0, got {eps!r}")
            if eps > 0:
                options["targets"] = Targets.tolerance(y, float(eps))
        if self.method == "sparsest":
            if self.objective is not None:
                options["objective"] = self.objective
            if self.restarts is not None:
                options["restarts"] = self.restarts
            if self.max_seconds is not None:
                options["max_seconds"] = self.max_seconds
        elif self.objective is not None or self.restarts is not None or self.max_seconds is not None:
            raise ParameterError("objective, restarts and max_seconds apply to method='sparsest' only")
        res = train(
            X,
            y,
            method=self.method,
            p=self.p,
            lam=lam,
            width=self.width,
            epochs=self.epochs,
            lr=self.lr,
            seed=None if self.random_state is None else int(self.random_state),
            device=self.device,
            skip=self.skip,
            penalize_bias=self.penalize_bias,
            tol=self.tol,
            progress=self.progress,
            **options,
        )
        tol = res.config["tol"]
        self.train_result_ = res
        self.network_ = res.network
        self.n_active_neurons_ = res.n_active
        self.n_neurons_ = res.n_active
        self.n_nonzero_ = res.n_nonzero
        self.max_residual_ = res.max_residual
        net = res.network
        # the product's interpolation standard: the tolerance plus the float64 rounding allowance
        self.interpolates_ = check_interpolation(net, X, y, rtol=tol).ok
        self.inputs_used_ = net.inputs_used()
        self.train_rmse_, self.train_r2_ = rmse_r2(net.predict(X), y)
        self.lp_path_norm_ = res.lp_path_norm
        self.history_ = res.history
        return self

    def predict(self, X) -> np.ndarray:
        """Network output for ``X`` of shape (M, d); returns shape (M,)."""
        check_is_fitted(self, "network_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self.network_.predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = False
        return tags

"""Data loading, validation and the paper's datasets.

Every command reads data through :func:`load_data` and checks it with :func:`validate_xy`, so the
same input gives the same clear error everywhere:

* fewer than 2 points, NaN / inf, non-numeric cells, ragged rows, shape mismatch → :class:`DataError`
* duplicate inputs with *different* targets → :class:`DataError` (no interpolant exists)
* duplicate inputs with *equal* targets → merged, with a :class:`DuplicatePointsWarning`

File formats
------------
CSV (``.csv``, ``.txt``, ``.tsv``): comma, semicolon, tab or whitespace separated; an optional header
row (detected when its cells are not all numbers). The last column is the target unless ``target``
names a header column (or gives a 0-based column index). NumPy: ``.npy`` holds one 2-D array whose
last column is the target; ``.npz`` holds arrays ``X`` (shape (N,) or (N, d)) and ``y`` (shape (N,)).

Bound columns
-------------
``load_data(path, lower=COL, upper=COL)`` also reads per-point bounds ``lo_i ≤ f(x_i) ≤ hi_i``
(:mod:`sparsest.targets`): ``COL`` is a header name or a 0-based index (for ``.npz``: the name of an
array of shape (N,)). Either one alone leaves the other side infinite. Bound cells may be ``-inf``
(lower) or ``inf`` (upper), never NaN or the other infinity, and ``lo_i ≤ hi_i``. **The target
rule with bounds:** the target column is used only when ``target`` names it explicitly; every
column that is neither a bound nor the target is an input (so ``x,lo,hi`` is one input with
bounds, and ``x,y,lo,hi`` needs ``target="y"`` to keep ``y`` as the reference target). A ``.npz``
file's ``y`` is used when present.
"""

from __future__ import annotations

import csv
import io
import os
import warnings
from dataclasses import dataclass

import numpy as np

from .errors import DataError, DuplicatePointsWarning

__all__ = [
    "Dataset",
    "Inputs",
    "fingerprint",
    "load_data",
    "load_inputs",
    "paper_1d",
    "paper_50d",
    "prepare_1d",
    "random_1d",
    "validate_xy",
]


@dataclass(frozen=True)
class Dataset:
    """Validated data.

    Attributes
    ----------
    X : ndarray of shape (N, d)
    y : ndarray of shape (N,) or None
        ``None`` only when bounds are given without a target column.
    feature_names : list of str
    target_name : str or None
    source : str
        Where the data came from (a path or a built-in name).
    lower, upper : ndarray of shape (N,) or None
        Per-point bounds read from the file's bound columns (``-inf`` / ``inf`` allowed on their
        side); ``None`` when not asked for.
    lower_name, upper_name : str or None
        Names of the bound columns.
    """

    X: np.ndarray
    y: np.ndarray | None
    feature_names: list[str]
    target_name: str | None
    source: str
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None
    lower_name: str | None = None
    upper_name: str | None = None

    @property
    def n_points(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _parse_text(text: str, path: str) -> tuple[list[str] | None, list[list[str]]]:
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise DataError(f"{path}: the file is empty")
    first = lines[0]
    if "," in first:
        delim = ","
    elif ";" in first:
        delim = ";"
    elif "\t" in first:
        delim = "\t"
    else:
        delim = None
    if delim is None:
        rows = [ln.split() for ln in lines]
    else:
        rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=delim)]
    header = None
    if rows and not all(_is_number(c) for c in rows[0] if c != ""):
        header, rows = rows[0], rows[1:]
    return header, rows


def _read_table(path: str) -> tuple[list[str], np.ndarray, int]:
    """Read a text table: column names, the float64 values (rows, columns), the first data line.

    Raises :class:`DataError` for a non-text file, an empty file, only a header, ragged rows and
    non-numeric cells (each naming the row and column).
    """
    try:
        with open(path, encoding="utf-8-sig") as fh:
            text = fh.read()
    except UnicodeDecodeError:
        raise DataError(f"{path}: not a text (CSV) file") from None
    header, rows = _parse_text(text, path)
    if not rows:
        raise DataError(f"{path}: no data rows (only a header)")
    first = 2 if header is not None else 1
    width = len(header) if header is not None else len(rows[0])
    for i, r in enumerate(rows):
        if len(r) != width:
            raise DataError(f"{path}: row {i + first} has {len(r)} column(s), expected {width}")
    names = header if header is not None else [f"x{j}" for j in range(width - 1)] + ["y"]
    data = np.empty((len(rows), width))
    for i, r in enumerate(rows):
        for j, cell in enumerate(r):
            try:
                data[i, j] = float(cell)
            except ValueError:
                shown = cell if cell else "(empty)"
                raise DataError(
                    f"{path}: non-numeric cell {shown!r} at row {i + first}, column {names[j]!r}"
                ) from None
    return names, data, first


def _read_csv(path: str, target: str | int | None, lower=None, upper=None) -> Dataset:
    names, data, _ = _read_table(path)
    width = data.shape[1]
    if lower is not None or upper is not None:
        return _split_with_bounds(data, names, path, target, lower, upper)
    if width < 2:
        raise DataError(f"{path}: need at least 2 columns (inputs and a target), found {width}")
    tcol = _target_column(target, names, width, path)
    feats = [j for j in range(width) if j != tcol]
    return Dataset(data[:, feats], data[:, tcol], [names[j] for j in feats], names[tcol], path)


def _target_column(target, names, width, path, flag: str = "--target") -> int:
    if target is None:
        return width - 1
    if isinstance(target, str) and target in names:
        return names.index(target)
    try:
        idx = int(target)
    except (TypeError, ValueError):
        raise DataError(f"{path}: {flag} {target!r} is not a column (columns: {', '.join(names)})") from None
    if not -width <= idx < width:
        raise DataError(f"{path}: {flag} column index {idx} out of range for {width} columns")
    return idx % width


def _split_with_bounds(data: np.ndarray, names, path: str, target, lower, upper) -> Dataset:
    """Columns of a table with bound columns: the target only when named (module docstring)."""
    width = data.shape[1]
    cols: dict[str, int] = {}
    for flag, spec in (("--lower", lower), ("--upper", upper), ("--target", target)):
        if spec is not None:
            cols[flag] = _target_column(spec, names, width, path, flag)
    tcol = cols.get("--target")
    for flag in ("--lower", "--upper"):
        if tcol is not None and cols.get(flag) == tcol:
            raise DataError(f"{path}: --target and {flag} name the same column {names[tcol]!r}")
    used = set(cols.values())
    feats = [j for j in range(width) if j not in used]
    if not feats:
        raise DataError(f"{path}: no input columns left (every column is a bound or the target)")
    lcol, ucol = cols.get("--lower"), cols.get("--upper")
    return Dataset(
        data[:, feats],
        None if tcol is None else data[:, tcol],
        [names[j] for j in feats],
        None if tcol is None else names[tcol],
        path,
        lower=None if lcol is None else data[:, lcol],
        upper=None if ucol is None else data[:, ucol],
        lower_name=None if lcol is None else names[lcol],
        upper_name=None if ucol is None else names[ucol],
    )


def _read_numpy(path: str, target: str | int | None, lower=None, upper=None) -> Dataset:
    try:
        obj = np.load(path, allow_pickle=False)
    except Exception as exc:
        raise DataError(f"{path}: cannot read NumPy file ({exc.__class__.__name__})") from None
    bounds = lower is not None or upper is not None
    if isinstance(obj, np.lib.npyio.NpzFile) and bounds:
        with obj:
            return _read_npz_bounds(obj, path, target, lower, upper)
    if isinstance(obj, np.lib.npyio.NpzFile):
        with obj:
            missing = [k for k in ("X", "y") if k not in obj.files]
            if missing:
                raise DataError(
                    f"{path}: .npz must contain arrays 'X' and 'y' (missing {', '.join(missing)})"
                )
            X, y = obj["X"], obj["y"]
        if target is not None:
            raise DataError(f"{path}: --target does not apply to .npz files (they hold X and y)")
        X = _numeric(X, path, "X")
        y = _numeric(y, path, "y")
        if X.ndim == 1:
            X = X[:, None]
        d = X.shape[1] if X.ndim == 2 else 0
        return Dataset(X, y, [f"x{j}" for j in range(d)], "y", path)
    arr = _numeric(obj, path, "array")
    if bounds and arr.ndim == 2:
        names = [f"x{j}" for j in range(arr.shape[1] - 1)] + ["y"]
        return _split_with_bounds(arr, names, path, target, lower, upper)
    if arr.ndim != 2 or arr.shape[1] < 2:
        raise DataError(f"{path}: .npy must hold a 2-D array with at least 2 columns, got {arr.shape}")
    names = [f"x{j}" for j in range(arr.shape[1] - 1)] + ["y"]
    tcol = _target_column(target, names, arr.shape[1], path)
    feats = [j for j in range(arr.shape[1]) if j != tcol]
    return Dataset(arr[:, feats], arr[:, tcol], [names[j] for j in feats], names[tcol], path)


def _read_npz_bounds(obj, path: str, target, lower, upper) -> Dataset:
    """An ``.npz`` with bounds: ``X``, optional ``y``, and the arrays named by ``lower``/``upper``."""
    if target is not None:
        raise DataError(f"{path}: --target does not apply to .npz files (they hold X and y)")
    if "X" not in obj.files:
        raise DataError(f"{path}: .npz must contain an array 'X'")
    X = _numeric(obj["X"], path, "X")
    if X.ndim == 1:
        X = X[:, None]
    y = _numeric(obj["y"], path, "y") if "y" in obj.files else None
    arrays = {}
    for flag, key in (("--lower", lower), ("--upper", upper)):
        if key is None:
            continue
        if str(key) not in obj.files:
            raise DataError(f"{path}: {flag} {key!r} is not an array (arrays: {', '.join(obj.files)})")
        arrays[flag] = _numeric(obj[str(key)], path, str(key)).reshape(-1)
    d = X.shape[1] if X.ndim == 2 else 0
    return Dataset(
        X,
        y,
        [f"x{j}" for j in range(d)],
        None if y is None else "y",
        path,
        lower=arrays.get("--lower"),
        upper=arrays.get("--upper"),
        lower_name=None if lower is None else str(lower),
        upper_name=None if upper is None else str(upper),
    )


def _check_bound(arr: np.ndarray, side: str, name: str, path: str, n: int) -> np.ndarray:
    """A bound column: shape (N,), no NaN, infinite only on its own side."""
    arr = np.asarray(arr, dtype=np.float64).reshape(-1)
    if arr.shape != (n,):
        raise DataError(
            f"{path}: shape mismatch, X has {n} rows but the {side} bounds {name!r} have {arr.size}"
        )
    wrong = np.inf if side == "lower" else -np.inf
    bad = np.isnan(arr) | (arr == wrong)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        what = "NaN" if np.isnan(arr[i]) else f"{arr[i]:g}"
        allowed = "-inf" if side == "lower" else "inf"
        raise DataError(
            f"{path}: {side} bound column {name!r} contains {what} (first at data row {i + 1}; "
            f"only numbers and {allowed} are allowed there)"
        )
    return arr


def _numeric(arr, path, name) -> np.ndarray:
    arr = np.asarray(arr)
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise DataError(f"{path}: array {name!r} is not numeric (dtype {arr.dtype})")
    if np.iscomplexobj(arr):
        raise DataError(f"{path}: array {name!r} is complex")
    return arr.astype(np.float64)


def load_data(
    path: str | os.PathLike,
    target: str | int | None = None,
    lower: str | int | None = None,
    upper: str | int | None = None,
) -> Dataset:
    """Read and validate a dataset from a CSV or NumPy file.

    Parameters
    ----------
    path : str or PathLike
        ``.csv``/``.txt``/``.tsv`` (text) or ``.npy``/``.npz`` (NumPy).
    target : str or int, optional
        Target column: a header name or a 0-based index. Default: the last column — except when
        bounds are given: then there is a target only if ``target`` names it (module docstring).
    lower, upper : str or int, optional
        Columns of per-point lower / upper bounds (header name or 0-based index; ``.npz``: array
        names). Either alone leaves the other side infinite.

    Returns
    -------
    Dataset
        With ``X`` of shape (N, d) and ``y`` of shape (N,) (``None`` with bounds and no target),
        validated by :func:`validate_xy` (duplicates are *not* merged here; see :func:`prepare_1d` /
        :func:`validate_xy`), and ``lower``/``upper`` when asked for.

    Raises
    ------
    DataError
        Missing or unreadable file, a directory, empty file, non-numeric cell, NaN/inf, fewer than
        two points, a bad ``target``/``lower``/``upper`` column, a NaN bound, ``+inf`` as a lower
        (``-inf`` as an upper) bound, or a lower bound above its upper bound (naming the row).
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise DataError(f"{path}: no such file")
    if os.path.isdir(path):
        raise DataError(f"{path}: is a directory, not a data file")
    if not os.access(path, os.R_OK):
        raise DataError(f"{path}: permission denied")
    ext = os.path.splitext(path)[1].lower()
    if ext in (".npy", ".npz"):
        ds = _read_numpy(path, target, lower, upper)
    else:
        ds = _read_csv(path, target, lower, upper)
    if lower is None and upper is None:
        X, y = validate_xy(ds.X, ds.y, where=path)
        return Dataset(X, y, ds.feature_names, ds.target_name, path)
    n = int(np.shape(ds.X)[0])
    X, y = validate_xy(ds.X, np.zeros(n) if ds.y is None else ds.y, where=path)
    lo = None if ds.lower is None else _check_bound(ds.lower, "lower", ds.lower_name, path, n)
    hi = None if ds.upper is None else _check_bound(ds.upper, "upper", ds.upper_name, path, n)
    if lo is not None and hi is not None and np.any(lo > hi):
        i = int(np.flatnonzero(lo > hi)[0])
        raise DataError(
            f"{path}: lower bound > upper bound at data row {i + 1} ({ds.lower_name} = {lo[i]:g} > "
            f"{ds.upper_name} = {hi[i]:g})"
        )
    return Dataset(
        X,
        None if ds.y is None else y,
        ds.feature_names,
        ds.target_name,
        path,
        lower=lo,
        upper=hi,
        lower_name=ds.lower_name,
        upper_name=ds.upper_name,
    )


@dataclass(frozen=True)
class Inputs:
    """Inputs to predict at, with the targets when the file has them (:func:`load_inputs`).

    Attributes
    ----------
    X : ndarray of shape (N, d)
    y : ndarray of shape (N,) or None
    feature_names : list of str
    target_name : str or None
    source : str
    """

    X: np.ndarray
    y: np.ndarray | None
    feature_names: list[str]
    target_name: str | None
    source: str

    @property
    def n_points(self) -> int:
        return int(self.X.shape[0])


def load_inputs(path: str | os.PathLike, n_features: int, target: str | int | None = None) -> Inputs:
    """Read points to predict at: ``d = n_features`` input columns and an optional target column.

    A CSV or ``.npy`` file with exactly ``d`` columns holds inputs only; with ``d + 1`` columns one
    of them is the target (``target``: header name or 0-based index; default the last column). A
    ``.npz`` file holds ``X`` and optionally ``y``. One point is enough; duplicates are allowed.

    Returns
    -------
    Inputs
        ``X`` of shape (N, d); ``y`` of shape (N,) or ``None``.

    Raises
    ------
    DataError
        Missing/unreadable/empty file, non-numeric cells, NaN/inf, a column count other than ``d`` or
        ``d + 1``, or a ``target`` for a file without a target column.
    """
    path = os.fspath(path)
    d = int(n_features)
    if not os.path.exists(path):
        raise DataError(f"{path}: no such file")
    if os.path.isdir(path):
        raise DataError(f"{path}: is a directory, not a data file")
    if not os.access(path, os.R_OK):
        raise DataError(f"{path}: permission denied")
    ext = os.path.splitext(path)[1].lower()
    y = None
    if ext == ".npz":
        try:
            obj = np.load(path, allow_pickle=False)
        except Exception as exc:
            raise DataError(f"{path}: cannot read NumPy file ({exc.__class__.__name__})") from None
        if not isinstance(obj, np.lib.npyio.NpzFile):  # pragma: no cover - .npz holding one array
            raise DataError(f"{path}: expected an .npz archive with arrays 'X' (and optionally 'y')")
        with obj:
            if "X" not in obj.files:
                raise DataError(f"{path}: .npz must contain an array 'X' (and optionally 'y')")
            X = _numeric(obj["X"], path, "X")
            if "y" in obj.files:
                y = _numeric(obj["y"], path, "y").reshape(-1)
        if target is not None:
            raise DataError(f"{path}: --target does not apply to .npz files (they hold X and y)")
        if X.ndim == 1 and d == 1:
            X = X[:, None]
        if X.ndim != 2 or X.shape[1] != d:
            raise DataError(f"{path}: X has shape {X.shape}; the model takes {d} input(s)")
        names = [f"x{j}" for j in range(d)]
        tname = "y" if y is not None else None
    else:
        if ext == ".npy":
            try:
                data = _numeric(np.load(path, allow_pickle=False), path, "array")
            except DataError:
                raise
            except Exception as exc:
                raise DataError(f"{path}: cannot read NumPy file ({exc.__class__.__name__})") from None
            if data.ndim == 1 and d == 1:
                data = data[:, None]
            if data.ndim != 2:
                raise DataError(f"{path}: .npy must hold a 2-D array, got shape {data.shape}")
            names, first = None, 1
        else:
            names, data, first = _read_table(path)
        width = data.shape[1]
        if names is None or first == 1:  # no header: our own names
            names = [f"x{j}" for j in range(d)] + (["y"] if width == d + 1 else [])
            names += [f"c{j}" for j in range(len(names), width)]
        if width == d:
            if target is not None:
                raise DataError(
                    f"{path}: --target {target!r} given, but the file has {width} column(s): the "
                    f"model's {d} input(s) and no target"
                )
            X, tcol = data, None
        elif width == d + 1:
            tcol = _target_column(target, names, width, path)
            X = data[:, [j for j in range(width) if j != tcol]]
            y = data[:, tcol]
        else:
            raise DataError(
                f"{path}: has {width} column(s); the model takes {d} input(s), so expected {d} "
                f"columns (inputs only) or {d + 1} (inputs and a target)"
            )
        tname = None if tcol is None else names[tcol]
        names = [names[j] for j in range(width) if j != tcol]
    if X.shape[0] < 1:
        raise DataError(f"{path}: no data rows")
    if y is not None and y.shape != (X.shape[0],):
        raise DataError(f"{path}: shape mismatch, X has {X.shape[0]} rows but y has {y.size}")
    for name, arr in (("X", X), ("y", y)):
        if arr is None:
            continue
        bad = ~np.isfinite(arr)
        if np.any(bad):
            idx = np.argwhere(bad)[0]
            kind = "NaN" if np.isnan(arr[tuple(idx)]) else "inf"
            raise DataError(f"{path}: {name} contains {kind} (first at data row {int(idx[0]) + 1})")
    return Inputs(np.ascontiguousarray(X, dtype=np.float64), y, list(names), tname, path)


def validate_xy(X, y, *, where: str = "data") -> tuple[np.ndarray, np.ndarray]:
    """Check shapes and values; return float64 copies ``X`` (N, d) and ``y`` (N,).

    Raises
    ------
    DataError
        Shape mismatch, fewer than two points, no features, NaN or inf.
    """
    try:
        X = np.array(X, dtype=np.float64)
        y = np.array(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"{where}: X and y must be numeric arrays") from None
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2:
        raise DataError(f"{where}: X must be 1-D or 2-D, got shape {X.shape}")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise DataError(f"{where}: y must be 1-D (one target), got shape {y.shape}")
    if X.shape[0] != y.shape[0]:
        raise DataError(f"{where}: shape mismatch, X has {X.shape[0]} rows but y has {y.shape[0]}")
    if X.shape[1] == 0:
        raise DataError(f"{where}: X has no feature columns")
    if X.shape[0] < 2:
        raise DataError(f"{where}: need at least 2 points, got {X.shape[0]}")
    for name, arr in (("X", X), ("y", y)):
        bad = ~np.isfinite(arr)
        if np.any(bad):
            idx = np.argwhere(bad)[0]
            kind = "NaN" if np.isnan(arr[tuple(idx)]) else "inf"
            row = int(idx[0]) + 1
            raise DataError(f"{where}: {name} contains {kind} (first at data row {row})")
    return X, y


def merge_duplicates(X: np.ndarray, y: np.ndarray, *, where: str = "data"):
    """Merge rows with identical inputs.

    Identical inputs with identical targets are merged into one point (with a
    :class:`DuplicatePointsWarning`); identical inputs with different targets raise
    :class:`DataError`, since no function interpolates them.

    Returns
    -------
    X : ndarray of shape (M, d)
        Unique rows in lexicographic order.
    y : ndarray of shape (M,)
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    Xu, inv = np.unique(X, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    if Xu.shape[0] == X.shape[0]:
        order = np.lexsort(X.T[::-1])
        return X[order], y[order]
    ymin = np.full(Xu.shape[0], np.inf)
    ymax = np.full(Xu.shape[0], -np.inf)
    np.minimum.at(ymin, inv, y)
    np.maximum.at(ymax, inv, y)
    conflict = np.flatnonzero(ymin != ymax)
    if conflict.size:
        j = int(conflict[0])
        xs = ", ".join(f"{v:g}" for v in Xu[j])
        raise DataError(
            f"{where}: duplicate x=({xs}) with different y ({ymin[j]:g} and {ymax[j]:g}); "
            "no interpolant exists"
        )
    n_dup = X.shape[0] - Xu.shape[0]
    warnings.warn(
        f"{where}: merged {n_dup} duplicate point(s) with equal x and equal y",
        DuplicatePointsWarning,
        stacklevel=2,
    )
    if Xu.shape[0] < 2:
        raise DataError(f"{where}: need at least 2 distinct points, got {Xu.shape[0]}")
    return Xu, ymin


def prepare_1d(x, y, *, where: str = "data") -> tuple[np.ndarray, np.ndarray]:
    """Validate univariate data, sort it by ``x`` and merge duplicates.

    Parameters
    ----------
    x : array_like of shape (N,) or (N, 1)
    y : array_like of shape (N,)

    Returns
    -------
    x, y : ndarray of shape (M,)
        Strictly increasing ``x`` (M <= N after merging duplicates).
    """
    X, y = validate_xy(x, y, where=where)
    if X.shape[1] != 1:
        raise DataError(f"{where}: expected univariate data (1 input column), got {X.shape[1]}")
    x = X[:, 0]
    order = np.argsort(x)
    x, y = x[order], y[order]
    if np.any(x[1:] == x[:-1]):
        Xm, y = merge_duplicates(x[:, None], y, where=where)
        x = Xm[:, 0]
    return x, y


def fingerprint(X: np.ndarray, y: np.ndarray) -> str:
    """A short SHA-256 fingerprint of the float64 data (order-sensitive), for model files."""
    import hashlib

    h = hashlib.sha256()
    X = np.ascontiguousarray(np.asarray(X, dtype=np.float64))
    y = np.ascontiguousarray(np.asarray(y, dtype=np.float64))
    h.update(str(X.shape).encode())
    h.update(X.tobytes())
    h.update(y.tobytes())
    return "sha256:" + h.hexdigest()[:16]


# ---------------------------------------------------------------------------------- datasets
def paper_1d() -> tuple[np.ndarray, np.ndarray]:
    """The paper's six univariate points: x = (−2,…,3), y = (0, 0, 1, 1, 0, 0).

    The unique sparsest interpolant is ``(x+1)_+ − 2(x−½)_+ + (x−2)_+``.

    Returns
    -------
    x : ndarray of shape (6,)
    y : ndarray of shape (6,)
    """
    return np.arange(-2.0, 4.0), np.array([0.0, 0.0, 1.0, 1.0, 0.0, 0.0])


def paper_50d(seed: int = 20, n: int = 10, d: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """The paper's multivariate instance: N = 10 points in d = 50, x and y i.i.d. Unif[−1, 1].

    Drawn with NumPy's legacy ``RandomState(seed)``: first ``X`` (row-major, shape (n, d)), then
    ``y`` — "seed 20, x then y" as in the paper. (The paper does not publish the draw itself, so
    the instance may differ from theirs; its statistics do not.)

    Returns
    -------
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,)
    """
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, d))
    y = rng.uniform(-1.0, 1.0, size=n)
    return X, y


def random_1d(n: int, *, seed: int, kind: str = "gaussian") -> tuple[np.ndarray, np.ndarray]:
    """Random univariate instances used by tests and benchmarks.

    Parameters
    ----------
    n : int
        Number of points.
    seed : int
        Seed of ``numpy.random.default_rng``.
    kind : {"gaussian", "runs"}
        ``"gaussian"``: ``x`` sorted Unif[0, 1], ``y`` standard normal. ``"runs"``: a random walk
        of secant slopes with long same-curvature runs (monotone slope stretches of random
        lengths 1–8, alternating direction).

    Returns
    -------
    x : ndarray of shape (n,), sorted
    y : ndarray of shape (n,)
    """
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.0, 1.0, n))
    while np.any(np.diff(x) <= 0):  # pragma: no cover - probability ~0
        x = np.sort(rng.uniform(0.0, 1.0, n))
    if kind == "gaussian":
        return x, rng.standard_normal(n)
    if kind != "runs":
        raise ValueError(f"unknown kind {kind!r}")
    slopes = np.empty(n - 1)
    i, direction, s = 0, 1.0, rng.standard_normal()
    while i < n - 1:
        length = int(rng.integers(1, 9))
        for _ in range(length):
            if i >= n - 1:
                break
            s += direction * rng.uniform(0.1, 1.0)
            slopes[i] = s
            i += 1
        direction = -direction
    y = np.concatenate([[0.0], np.cumsum(slopes * np.diff(x))])
    return x, y

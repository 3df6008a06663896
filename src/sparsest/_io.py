"""Atomic file output: a file is either written completely or not at all."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator

from .errors import OutputError

__all__ = ["atomic_path", "atomic_write", "check_output_path"]


def check_output_path(path: str | os.PathLike) -> str:
    """Validate an output file path before any work is done; return it as ``str``.

    Raises
    ------
    OutputError
        The path is a directory, its folder does not exist, or the folder is not writable.
    """
    path = os.fspath(path)
    if not path:
        raise OutputError("output path is empty")
    if os.path.isdir(path):
        raise OutputError(f"{path}: is a directory, expected a file path")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise OutputError(f"{path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"{path}: folder {folder} is not writable")
    return path


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str | None = None) -> Iterator[str]:
    """Yield a temporary path in the target's folder; rename it onto ``path`` on success.

    On any exception (or interruption) the temporary file is removed and ``path`` is untouched.
    ``suffix`` (default: the target's extension) lets writers that infer formats from the name,
    such as matplotlib, see the right extension.
    """
    path = check_output_path(path)
    folder = os.path.dirname(os.path.abspath(path))
    if suffix is None:
        suffix = os.path.splitext(path)[1]
    fd, tmp = tempfile.mkstemp(prefix=".sparsest-", suffix=suffix, dir=folder)
    os.close(fd)
    try:
        # mkstemp creates the file 0600; give it the mode a plain open() would (or keep the mode of
        # the file it replaces)
        os.chmod(tmp, _file_mode(path))
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _file_mode(path: str) -> int:
    """Permission bits for a new output file: those of the file it replaces, else 0666 & ~umask."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(os.stat(path).st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: str | os.PathLike, data: str | bytes) -> str:
    """Write ``data`` to ``path`` atomically (text as UTF-8). Returns the path."""
    with atomic_path(path) as tmp:
        mode = "wb" if isinstance(data, bytes) else "w"
        kwargs = {} if isinstance(data, bytes) else {"encoding": "utf-8"}
        with open(tmp, mode, **kwargs) as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    return os.fspath(path)

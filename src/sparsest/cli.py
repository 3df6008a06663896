"""Command-line interface: ``sparsest <command> …`` (also ``python -m sparsest``).

Exit codes: ``0`` success, ``2`` user error (bad input, bad parameter, unreadable file: one line on
stderr), ``1`` internal error (a bug: please report it), ``130`` interrupted. Each subcommand lives
in its own module under :mod:`sparsest.commands` and imports its heavy dependencies only when it
runs, so that ``sparsest exact`` never imports torch. Warnings raised while a command runs are
printed as one line each (``sparsest CMD: warning: …``), never as a traceback; ``--quiet`` hides
them. Set ``SPARSEST_DEBUG=1`` to see the traceback of an internal error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
import warnings

from ._version import __version__
from .commands._common import HelpFormatter
from .errors import SparsestError

__all__ = ["COMMANDS", "build_parser", "main"]

#: subcommand name -> module in sparsest.commands (order = order in --help)
COMMANDS: dict[str, str] = {
    "demo": "demo",
    "exact": "exact",
    "path": "path",
    "certify": "certify",
    "predict": "predict",
    "export": "export",
    "plot": "plot",
    "reproduce": "reproduce",
    "fit": "fit",
}


#: required packages imported lazily by the commands, with how to install them
_DEPENDENCIES = {
    "torch": "pip install torch==2.13.0",
    "sklearn": "pip install scikit-learn",
    "matplotlib": "pip install matplotlib",
    "scipy": "pip install scipy",
    "tqdm": "pip install tqdm",
    "highspy": "pip install highspy",
}


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sparsest",
        description="Find the sparsest ReLU network that fits your data: exact solvers, "
        "lp path-norm training and certificates.",
        epilog="Run 'sparsest COMMAND --help' for the options of a command. Exit codes: 0 ok, "
        "2 bad input or parameter (one line on stderr), 1 internal error (a bug).",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"sparsest {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module in COMMANDS.items():
        mod = importlib.import_module(f"sparsest.commands.{module}")
        p = sub.add_parser(
            name,
            help=mod.HELP,
            description=mod.DESCRIPTION,
            formatter_class=HelpFormatter,
        )
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script passes it to ``sys.exit``)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version (0) or usage error (2)
        return int(exc.code or 0)
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.simplefilter("ignore", DeprecationWarning)  # library internals, not the user's
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            warnings.showwarning = _one_line_warnings(args)
            return int(args._run(args) or 0)
    except SparsestError as exc:
        print(f"sparsest {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"sparsest {args.command}: interrupted", file=sys.stderr)
        return 130
    except ModuleNotFoundError as exc:  # a dependency is missing from this environment
        if exc.name and exc.name.split(".")[0] in _DEPENDENCIES:
            hint = _DEPENDENCIES[exc.name.split(".")[0]]
            print(
                f"sparsest {args.command}: error: the package {exc.name!r} is not installed in this "
                f"environment ({hint})",
                file=sys.stderr,
            )
            return 2
        return _internal_error(args, exc)
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug
        return _internal_error(args, exc)


def _internal_error(args: argparse.Namespace, exc: BaseException) -> int:
    print(
        f"sparsest {args.command}: internal error: {exc.__class__.__name__}: {exc} "
        "(this is a bug; set SPARSEST_DEBUG=1 for the traceback)",
        file=sys.stderr,
    )
    if os.environ.get("SPARSEST_DEBUG"):
        traceback.print_exception(exc)
    return 1


def _one_line_warnings(args: argparse.Namespace):
    """A ``warnings.showwarning`` replacement: one line per distinct message on stderr."""
    seen: set[str] = set()

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        text = " ".join(str(message).split())
        if getattr(args, "quiet", False) or text in seen:
            return
        seen.add(text)
        print(f"sparsest {args.command}: warning: {text}", file=sys.stderr)

    return show


def _entry() -> None:  # pragma: no cover - console script
    sys.exit(main())

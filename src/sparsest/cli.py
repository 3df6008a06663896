"""Command-line interface: ``sparsest <command> …`` (also ``python -m sparsest``).

Exit codes: ``0`` success, ``2`` user error (bad input, bad parameter, unreadable file: one line on
stderr), ``1`` internal error (a bug: please report it). Each subcommand lives in its own module
under :mod:`sparsest.commands` and imports its heavy dependencies only when it runs, so that
``sparsest exact`` never imports torch.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback

from ._version import __version__
from .errors import SparsestError

__all__ = ["main"]

#: subcommand name -> module in sparsest.commands (order = order in --help)
COMMANDS: dict[str, str] = {
    "demo": "demo",
    "exact": "exact",
    "reproduce": "reproduce",
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
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"sparsest {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module in COMMANDS.items():
        mod = importlib.import_module(f"sparsest.commands.{module}")
        p = sub.add_parser(
            name,
            help=mod.HELP,
            description=mod.DESCRIPTION,
            formatter_class=argparse.ArgumentDefaultsHelpFormatter,
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
        return int(args._run(args) or 0)
    except SparsestError as exc:
        print(f"sparsest {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"sparsest {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug
        print(
            f"sparsest {args.command}: internal error: {exc.__class__.__name__}: {exc} "
            "(this is a bug; set SPARSEST_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        if os.environ.get("SPARSEST_DEBUG"):
            traceback.print_exc()
        return 1


def _entry() -> None:  # pragma: no cover - console script
    sys.exit(main())

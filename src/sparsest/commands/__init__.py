"""One module per CLI subcommand.

Each module defines ``HELP`` (one line), ``DESCRIPTION``, ``add_arguments(parser)`` and
``run(args) -> int``. Modules import only the standard library at top level; heavy imports
(numpy is fine; torch, matplotlib, scipy, scikit-learn are not) happen inside ``run``.
"""

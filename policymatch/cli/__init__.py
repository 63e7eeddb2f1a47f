"""The ``policymatch`` command: parse arguments, call the public API, render.

:mod:`~policymatch.cli.commands` holds the parser and the commands; :mod:`~policymatch.cli.output`
what reaches the terminal and which files may be written.
"""

from .commands import MAX_WORKERS, build_parser, main

__all__ = ["MAX_WORKERS", "build_parser", "main"]

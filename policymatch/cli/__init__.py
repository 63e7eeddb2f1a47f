"""The ``policymatch`` command: parse arguments, call the public API, render.

:mod:`~policymatch.cli.commands` holds the parser and the commands;
:mod:`~policymatch.cli.profile_args` reads a profile from a file, stdin and flags;
:mod:`~policymatch.cli.render` writes a report as text; :mod:`~policymatch.cli.output` says what
reaches the terminal and which files may be written. The command holds no logic the library
lacks: it calls the public API of the other places only.
"""

from .commands import MAX_WORKERS, build_parser, main

__all__ = ["MAX_WORKERS", "build_parser", "main"]

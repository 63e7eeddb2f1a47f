"""``python -m policymatch`` (and the ``policymatch`` command) runs the command-line interface."""

from __future__ import annotations

import os
import sys

from .cli import main

# Commands that leave nothing to clean up once their output is written: no threads, workers,
# temporary files or open outputs. After them the process ends without tearing the interpreter
# down (freeing every module object takes a noticeable share of a short command).
_QUICK = frozenset({"match", "search", "show", "list", "schema"})


def console() -> None:
    """The ``policymatch`` command: :func:`policymatch.cli.main`, then a quick exit."""
    command = next((a for a in sys.argv[1:] if not a.startswith("-")), None)
    if command in _QUICK:
        # A short command has no use for third-party pydantic plugins, and finding them reads
        # the entry points of every installed distribution (a sizeable share of its start-up).
        # Importing the package builds no validator, so this still comes first; a value set by
        # the caller (PYDANTIC_DISABLE_PLUGINS= enables them all) is kept.
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    code = main()
    if command not in _QUICK:
        raise SystemExit(code)
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):  # an output that cannot take the rest: let Python report it
        raise SystemExit(code) from None
    os._exit(code)


if __name__ == "__main__":
    console()

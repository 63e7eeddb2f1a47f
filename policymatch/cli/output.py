"""Output and file safety for the command line: text shown without terminal control
sequences, a closed output reported, outputs that would replace inputs refused, SIGTERM turned
into a clean exit."""

from __future__ import annotations

import re
import signal
import sys
from collections.abc import Sequence
from typing import Any

from ..errors import PolicymatchError

__all__ = ["one_line", "refuse_overwrite", "safe", "same_path", "say", "terminate_cleanly"]


# Terminal control characters (ESC starts a sequence that can rewrite the screen, CR overwrites
# a line, C1 controls act like ESC on some terminals) and bidi overrides (which reorder what is
# shown): written as \\uXXXX, which is also how JSON would escape them inside a string.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    """``text`` with every character that could act on a terminal shown as ``\\uXXXX``."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def say(text: str = "", *, err: bool = False, raw: bool = False) -> None:
    """print() for the CLI: text shown safely, and a closed output is an error, not silence."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        if err:
            return  # stderr is closed: nothing can be said
        raise OSError("standard output is closed; redirect it to a file (> out.txt) or a pipe")
    stream.write((text if raw else safe(text)) + "\n")


def same_path(a: Any, b: Any) -> bool:
    """Whether two paths name one file (existing or not; symlinks and ``..`` resolved)."""
    import os
    from pathlib import Path

    pa, pb = Path(a), Path(b)
    try:
        if pa.exists() and pb.exists():
            return os.path.samefile(pa, pb)
    except OSError:
        pass
    return pa.resolve() == pb.resolve()


def refuse_overwrite(inputs: Sequence[str], outputs: Sequence[tuple[str, Any]]) -> None:
    """An output that is one of the inputs would replace what is being read: refuse it."""

    for name in inputs:
        for what, target in outputs:
            if same_path(name, target):
                raise PolicymatchError(f"{what} {target} is the input {name}; writing it would "
                                       "replace the input: choose another output name")


def one_line(message: str, limit: int = 500) -> str:
    """The first line of ``message``, cut to ``limit`` characters (an id of 100,000 characters
    is not echoed whole)."""
    first = message.splitlines()[0] if message else ""
    return first if len(first) <= limit else f"{first[:limit]}… ({len(first):,} characters)"


def terminate_cleanly() -> Any:
    """Turn SIGTERM into SystemExit while a command runs, so temporary files are removed (a
    batch killed this way leaves nothing behind). Returns the function that undoes it."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except (ValueError, OSError):  # pragma: no cover - no signals here
        return lambda: None
    return lambda: signal.signal(signal.SIGTERM, previous)

"""Small file helpers: what may be read, how much of it, and the mode a written file gets."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

__all__ = ["DuplicateKey", "check_regular_file", "current_umask", "mode_for", "read_bounded",
           "unique_keys"]


def check_regular_file(path: Path, what: str = "file") -> None:
    """Refuse what is not a regular file, each with its own words (a FIFO would block, a
    device such as /dev/zero never ends)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such file") from None
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(f"{path}: is a folder; give the {what} inside it")
    if not stat.S_ISREG(mode):
        raise ValueError(f"{path}: not a regular file (a pipe, socket or device); save the "
                         f"{what} to a file first")


def read_bounded(path: Path, limit: int, what: str = "file") -> bytes | None:
    """The bytes of a regular file, or ``None`` when it holds more than ``limit`` bytes.

    The size is checked before reading, and no more than ``limit + 1`` bytes are ever read
    (a file may grow in between)."""
    check_regular_file(path, what)
    if path.stat().st_size > limit:
        return None
    with path.open("rb") as fh:
        data = fh.read(limit + 1)
    return None if len(data) > limit else data


def current_umask() -> int:
    """The process's umask (Linux shows it in /proc; elsewhere it is set and restored)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def mode_for(target: Path) -> int:
    """The permission bits a file written to ``target`` gets: those of the file it replaces,
    else what the umask gives a new file (``mkstemp`` alone makes every file 0600)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~current_umask()


class DuplicateKey(Exception):
    """A JSON object names one key twice (raised by :func:`unique_keys`, the key as its argument)."""


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads(..., object_pairs_hook=unique_keys)``: a repeated key is an error, never a
    silent overwrite."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey(key)
        out[key] = value
    return out

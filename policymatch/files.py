"""Small file helpers: what may be read, how much of it, how its bytes become text, and how a
file is written (whole or not at all, with the mode it should get)."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from .errors import PolicyFileError

__all__ = [
    "DuplicateKey",
    "atomic_write_text",
    "cache_dir",
    "check_regular_file",
    "current_umask",
    "decode_text",
    "mode_for",
    "read_bounded",
    "unique_keys",
]


#: A policy file (or profile JSON) nested deeper than this is refused (a real one is under 15).
#: Public as ``policymatch.corpus.MAX_NESTING``; kept here, where the YAML reader and the policy
#: loader can both take it without importing PyYAML.
MAX_NESTING = 40


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


def decode_text(data: bytes, name: str) -> str:
    """A policy file's or profile JSON's bytes as text (UTF-8, a BOM allowed); binary data,
    UTF-16 and NUL bytes are refused with the file's name."""
    if b"\x00" in data[:8192]:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Windows Notepad's "Unicode"
            raise PolicyFileError(f"{name}: saved as UTF-16 text; save the file as UTF-8")
        raise PolicyFileError(f"{name}: this is a binary file, not YAML or JSON text")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise PolicyFileError(f"{name}: line {line}: a NUL byte (\\x00) in the text; remove it "
                              "(the file may be damaged)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PolicyFileError(
            f"{name}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None


def atomic_write_text(target: Path, text: str) -> None:
    """Write a text file so that a reader sees either the old file or the whole new one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cache_dir() -> str | None:
    """Where the commands keep the fitted index and parsed policies: ``$POLICYMATCH_CACHE_DIR``,
    ``$XDG_CACHE_HOME`` or ``~/.cache``, then ``policymatch``; ``None`` with
    ``POLICYMATCH_NO_CACHE`` set."""
    import os
    from pathlib import Path

    if os.environ.get("POLICYMATCH_NO_CACHE"):
        return None
    base = os.environ.get("POLICYMATCH_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") \
        or str(Path.home() / ".cache")
    return str(Path(base) / "policymatch")
